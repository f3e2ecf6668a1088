// Responses: encodeReply then decodeReplyHeader + decodeResponse gives the same value for every
// kind; error replies are header-only; notifications round-trip; truncated bodies are rejected.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteWriter } from '../../../src/jute/writer.js';
import { JuteDecodeError } from '../../../src/jute/errors.js';
import { AssertionError } from '../../../src/util/assert.js';
import type { RequestOp } from '../../../src/proto/requests.js';
import {
  decodeReplyHeader, decodeResponse, decodeWatcherEvent, encodeNotification, encodeReply,
  responseKindForOp, writeNotification, writeReply, type Response,
} from '../../../src/proto/responses.js';
import { int32, int64, requestByOp, responseByKind, stat, text } from './arbitraries.js';

function decodeFrame(frame: Buffer, kind: Response['kind'] | null) {
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const r = new JuteReader(frame, 4);
  const header = decodeReplyHeader(r);
  const response = kind === null ? null : decodeResponse(kind, r);
  assert.equal(r.remaining(), 0, 'the frame holds exactly header + body');
  return { header, response };
}

describe('responses round-trip', () => {
  for (const [kind, arbitrary] of Object.entries(responseByKind)) {
    test(`${kind}: encodeReply then decode gives the same response`, () => {
      fc.assert(
        fc.property(int32, int64, arbitrary, (xid, zxid, response) => {
          const { header, response: decoded } = decodeFrame(encodeReply(xid, zxid, 0, response), response.kind);
          assert.deepStrictEqual(header, { xid, zxid, err: 0 });
          assert.deepStrictEqual(decoded, response);
        }),
        { numRuns: 60 },
      );
    });

    test(`${kind}: every truncated body raises JuteDecodeError`, () => {
      fc.assert(
        fc.property(arbitrary, (response) => {
          const bodyBytes = encodeReply(0, 0n, 0, response).subarray(20);
          for (let n = 0; n < bodyBytes.length; n++) {
            assert.throws(() => decodeResponse(response.kind, new JuteReader(bodyBytes.subarray(0, n))), JuteDecodeError);
          }
        }),
        { numRuns: 15 },
      );
    });
  }

  test('frames appended to one writer decode in order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(...Object.values(responseByKind)), { maxLength: 5 }), (responses) => {
        const w = new JuteWriter(8);
        responses.forEach((response, i) => writeReply(w, i, BigInt(i), 0, response));
        const all = w.toBuffer();
        let offset = 0;
        responses.forEach((response, i) => {
          const length = all.readInt32BE(offset);
          const { header, response: decoded } = decodeFrame(all.subarray(offset, offset + 4 + length), response.kind);
          assert.equal(header.xid, i);
          assert.deepStrictEqual(decoded, response);
          offset += 4 + length;
        });
        assert.equal(offset, all.length);
      }),
      { numRuns: 50 },
    );
  });

  test('trailing bytes are ignored: a Create2Response read as a CreateResponse', () => {
    fc.assert(
      fc.property(text, stat, (path, s) => {
        const frame = encodeReply(1, 2n, 0, { kind: 'create2', path, stat: s });
        const r = new JuteReader(frame, 4);
        decodeReplyHeader(r);
        assert.deepStrictEqual(decodeResponse('create', r), { kind: 'create', path });
      }),
      { numRuns: 30 },
    );
  });
});

describe('error replies', () => {
  test('an error reply is the 16-byte header only', () => {
    fc.assert(
      fc.property(int32, int64, fc.integer({ min: -127, max: -1 }), (xid, zxid, err) => {
        const frame = encodeReply(xid, zxid, err, null);
        assert.equal(frame.length, 20);
        assert.deepStrictEqual(decodeFrame(frame, null).header, { xid, zxid, err });
      }),
    );
  });

  test('an error reply with a body is a bug, except sasl', () => {
    assert.throws(() => encodeReply(1, 1n, -101, { kind: 'sync', path: '/a' }), AssertionError);
    const frame = encodeReply(1, 0n, -115, { kind: 'sasl', token: null });
    assert.equal(frame.toString('hex'), '00000014' + '00000001' + '0000000000000000' + 'ffffff8d' + 'ffffffff');
  });
});

describe('notifications', () => {
  test('a notification frame has xid -1, zxid -1, err 0 and round-trips', () => {
    fc.assert(
      fc.property(int32, int32, text, (type, state, path) => {
        const event = { type, state, path };
        const frame = encodeNotification(event);
        const w = new JuteWriter(4);
        writeNotification(w, event);
        assert.deepStrictEqual(w.toBuffer(), Buffer.from(frame));
        const r = new JuteReader(frame, 4);
        assert.deepStrictEqual(decodeReplyHeader(r), { xid: -1, zxid: -1n, err: 0 });
        assert.deepStrictEqual(decodeWatcherEvent(r), event);
        assert.equal(r.remaining(), 0);
        assert.equal(frame.readInt32BE(0), frame.length - 4);
      }),
    );
  });
});

describe('responseKindForOp', () => {
  test('maps every op to the body its success reply carries (§4.4)', () => {
    const expected: Record<RequestOp, Response['kind'] | null> = {
      create: 'create', create2: 'create2', createContainer: 'create2', createTTL: 'create2',
      delete: null, exists: 'stat', getData: 'getData', setData: 'stat', getACL: 'getACL',
      setACL: 'stat', getChildren: 'getChildren', getChildren2: 'getChildren2', sync: 'sync',
      check: 'stat', multi: 'multi', multiRead: 'multi', reconfig: 'getData', checkWatches: null,
      removeWatches: null, deleteContainer: null, auth: null, setWatches: null, setWatches2: null,
      sasl: 'sasl', getEphemerals: 'getEphemerals', getAllChildrenNumber: 'getAllChildrenNumber',
      addWatch: 'error', whoAmI: 'whoAmI', ping: null, closeSession: null,
    };
    assert.deepStrictEqual(Object.keys(expected).sort(), Object.keys(requestByOp).sort());
    for (const [op, kind] of Object.entries(expected)) assert.equal(responseKindForOp(op as RequestOp), kind, op);
  });
});
