// The handshake records: round trips with the readOnly byte present (true/false) or absent, the
// 45/44-byte request and 37/36-byte response sizes of §2.1–2.2, and truncation.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteDecodeError } from '../../../src/jute/errors.js';
import {
  decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse,
} from '../../../src/proto/connect.js';
import { bytes, int32, sessionId, zxid } from './arbitraries.js';

const readOnly = fc.constantFrom(true, false, null);
const passwd16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));

describe('ConnectRequest', () => {
  test('round-trips, reporting whether the readOnly byte was present', () => {
    fc.assert(
      fc.property(int32, zxid, int32, sessionId, bytes, readOnly, (protocolVersion, lastZxidSeen, timeoutMs, sid, passwd, ro) => {
        const request = { protocolVersion, lastZxidSeen, timeoutMs, sessionId: sid, passwd, readOnly: ro };
        const frame = encodeConnectRequest(request);
        assert.equal(frame.readInt32BE(0), frame.length - 4);
        assert.deepStrictEqual(decodeConnectRequest(new JuteReader(frame, 4)), request);
      }),
    );
  });

  test('is 45 bytes with readOnly and 44 without, for a 16-byte password', () => {
    fc.assert(
      fc.property(zxid, int32, sessionId, passwd16, (lastZxidSeen, timeoutMs, sid, passwd) => {
        const base = { protocolVersion: 0, lastZxidSeen, timeoutMs, sessionId: sid, passwd };
        assert.equal(encodeConnectRequest({ ...base, readOnly: true }).readInt32BE(0), 45);
        assert.equal(encodeConnectRequest({ ...base, readOnly: null }).readInt32BE(0), 44);
      }),
    );
  });

  test('a null password decodes as empty', () => {
    const frame = encodeConnectRequest({
      protocolVersion: 0, lastZxidSeen: 0n as never, timeoutMs: 1, sessionId: 0n as never, passwd: Buffer.alloc(0), readOnly: null,
    });
    frame.writeInt32BE(-1, 4 + 4 + 8 + 4 + 8); // the passwd length
    assert.equal(decodeConnectRequest(new JuteReader(frame, 4)).passwd.length, 0);
  });

  test('a truncated record raises JuteDecodeError (the readOnly byte alone may be missing)', () => {
    fc.assert(
      fc.property(zxid, sessionId, passwd16, (lastZxidSeen, sid, passwd) => {
        const frame = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen, timeoutMs: 30000, sessionId: sid, passwd, readOnly: true });
        const payload = frame.subarray(4);
        assert.equal(decodeConnectRequest(new JuteReader(payload.subarray(0, payload.length - 1))).readOnly, null);
        for (let n = 0; n < payload.length - 1; n++) {
          assert.throws(() => decodeConnectRequest(new JuteReader(payload.subarray(0, n))), JuteDecodeError);
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('ConnectResponse', () => {
  test('round-trips with and without the readOnly byte', () => {
    fc.assert(
      fc.property(int32, int32, sessionId, bytes, readOnly, (protocolVersion, timeoutMs, sid, passwd, ro) => {
        const response = { protocolVersion, timeoutMs, sessionId: sid, passwd, readOnly: ro };
        const frame = encodeConnectResponse(response);
        assert.equal(frame.readInt32BE(0), frame.length - 4);
        assert.deepStrictEqual(decodeConnectResponse(new JuteReader(frame, 4)), response);
      }),
    );
  });

  test('is 37 bytes with readOnly and 36 without', () => {
    const base = { protocolVersion: 0, timeoutMs: 0, sessionId: 0n as never, passwd: Buffer.alloc(16) };
    assert.equal(encodeConnectResponse({ ...base, readOnly: false }).readInt32BE(0), 37);
    assert.equal(encodeConnectResponse({ ...base, readOnly: null }).readInt32BE(0), 36);
    assert.equal(encodeConnectResponse({ ...base, readOnly: null }).length, 40);
  });

  test('a truncated record raises JuteDecodeError', () => {
    const frame = encodeConnectResponse({ protocolVersion: 0, timeoutMs: 4000, sessionId: 5n as never, passwd: Buffer.alloc(16, 7), readOnly: null });
    for (let n = 0; n < frame.length - 4; n++) {
      assert.throws(() => decodeConnectResponse(new JuteReader(frame.subarray(4, 4 + n))), JuteDecodeError);
    }
  });
});
