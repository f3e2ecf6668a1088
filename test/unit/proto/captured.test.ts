// The frames captured from a real 3.8.0 server (protocol.md §2.3, §4.6, §4.7, §4.8) decode to the
// expected values and re-encode byte for byte.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteWriter } from '../../../src/jute/writer.js';
import { OPEN_ACL_UNSAFE, type Stat } from '../../../src/proto/data.js';
import { OpCode } from '../../../src/proto/opcodes.js';
import {
  decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse,
} from '../../../src/proto/connect.js';
import { readMultiOps, readMultiResults, writeMultiOps, writeMultiResults } from '../../../src/proto/multi.js';
import { decodeRequestFrame, encodeRequest, type Request } from '../../../src/proto/requests.js';
import {
  decodeReplyHeader, decodeResponse, decodeWatcherEvent, encodeNotification, encodeReply,
} from '../../../src/proto/responses.js';
import type { SessionId, Zxid } from '../../../src/util/ids.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function checkRequest(frameHex: string, xid: number, request: Request): void {
  const frame = hex(frameHex);
  assert.equal(encodeRequest(xid, request).toString('hex'), frame.toString('hex'));
  const decoded = decodeRequestFrame(frame.subarray(4));
  assert.deepStrictEqual(decoded.header, { xid, type: OpCode[request.op] });
  assert.deepStrictEqual(decoded.request, request);
}

describe('§2.3 handshake', () => {
  const requestHex = '0000002d 00000000 0000000000000000 00007530 0000000000000000 00000010' + '00'.repeat(16) + '00';
  const responseHex = '00000025 00000000 00007530 010000405efe0000 00000010 a0768fdaad73bedb7e7a81fd3ea4f809 00';

  test('ConnectRequest from zkCli', () => {
    const frame = hex(requestHex);
    const decoded = decodeConnectRequest(new JuteReader(frame, 4));
    assert.deepStrictEqual(decoded, {
      protocolVersion: 0,
      lastZxidSeen: 0n as Zxid,
      timeoutMs: 30000,
      sessionId: 0n as SessionId,
      passwd: Buffer.alloc(16),
      readOnly: false,
    });
    assert.equal(encodeConnectRequest(decoded).toString('hex'), frame.toString('hex'));
  });

  test('ConnectResponse with the readOnly byte', () => {
    const frame = hex(responseHex);
    const decoded = decodeConnectResponse(new JuteReader(frame, 4));
    assert.deepStrictEqual(decoded, {
      protocolVersion: 0,
      timeoutMs: 30000,
      sessionId: 0x010000405efe0000n as SessionId,
      passwd: hex('a0768fdaad73bedb7e7a81fd3ea4f809'),
      readOnly: false,
    });
    assert.equal(encodeConnectResponse(decoded).toString('hex'), frame.toString('hex'));
  });
});

describe('§4.6 multi', () => {
  test('failing multi reply body: ok, -101, -2, terminator', () => {
    const body = hex(`ffffffff 00 00000000 00000000
                      ffffffff 00 ffffff9b ffffff9b
                      ffffffff 00 fffffffe fffffffe
                      ffffffff 01 ffffffff`);
    const results = readMultiResults(new JuteReader(body));
    assert.deepStrictEqual(results, [{ op: 'error', err: 0 }, { op: 'error', err: -101 }, { op: 'error', err: -2 }]);
    const w = new JuteWriter();
    writeMultiResults(w, results);
    assert.equal(w.toBuffer().toString('hex'), body.toString('hex'));
  });

  test('zkCli deleteall request (two deletes) and its reply', () => {
    const request = hex(`00000002 00 ffffffff 00000004 2f612f62 ffffffff
                         00000002 00 ffffffff 00000002 2f61 ffffffff
                         ffffffff 01 ffffffff`);
    const ops = [{ op: 'delete', path: '/a/b', version: -1 }, { op: 'delete', path: '/a', version: -1 }] as const;
    assert.deepStrictEqual(readMultiOps(new JuteReader(request), 'multi'), { ops, opsAllowed: true });
    const w = new JuteWriter();
    writeMultiOps(w, ops);
    assert.equal(w.toBuffer().toString('hex'), request.toString('hex'));

    const reply = hex('00000002 00 00000000  00000002 00 00000000  ffffffff 01 ffffffff');
    const results = readMultiResults(new JuteReader(reply));
    assert.deepStrictEqual(results, [{ op: 'delete' }, { op: 'delete' }]);
    const frame = encodeReply(7, 5n, 0, { kind: 'multi', results });
    assert.equal(frame.subarray(20).toString('hex'), reply.toString('hex'));
  });
});

describe('§4.7 watch notification', () => {
  test('NodeCreated on /w', () => {
    const frame = hex('0000001e ffffffff ffffffffffffffff 00000000 00000001 00000003 00000002 2f77');
    assert.equal(encodeNotification({ type: 1, state: 3, path: '/w' }).toString('hex'), frame.toString('hex'));
    const r = new JuteReader(frame, 4);
    assert.deepStrictEqual(decodeReplyHeader(r), { xid: -1, zxid: -1n, err: 0 });
    assert.deepStrictEqual(decodeWatcherEvent(r), { type: 1, state: 3, path: '/w' });
  });
});

describe('§4.8 captured frames', () => {
  const statHex = '0000000000000002 0000000000000002 0000018bcfe56800 0000018bcfe56800 00000000 00000000 00000000 0000000000000000 00000005 00000000 0000000000000002';
  const stat: Stat = {
    czxid: 2n as Zxid, mzxid: 2n as Zxid, ctime: 1700000000000, mtime: 1700000000000,
    version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n as SessionId,
    dataLength: 5, numChildren: 0, pzxid: 2n as Zxid,
  };

  test('create "/x" "hello" OPEN_ACL_UNSAFE and its reply', () => {
    checkRequest(
      '00000036 00000001 00000001 00000002 2f78 00000005 68656c6c6f 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000',
      1,
      { op: 'create', path: '/x', data: Buffer.from('hello'), acl: [...OPEN_ACL_UNSAFE], flags: 0 },
    );
    const reply = hex('00000016 00000001 0000000000000002 00000000 00000002 2f78');
    assert.equal(encodeReply(1, 2n, 0, { kind: 'create', path: '/x' }).toString('hex'), reply.toString('hex'));
    const r = new JuteReader(reply, 4);
    assert.deepStrictEqual(decodeReplyHeader(r), { xid: 1, zxid: 2n, err: 0 });
    assert.deepStrictEqual(decodeResponse('create', r), { kind: 'create', path: '/x' });
  });

  test('getData "/x" and its reply with a Stat', () => {
    checkRequest('0000000f 00000002 00000004 00000002 2f78 00', 2, { op: 'getData', path: '/x', watch: false });
    const reply = hex(`0000005d 00000002 0000000000000002 00000000 00000005 68656c6c6f ${statHex}`);
    const response = { kind: 'getData', data: Buffer.from('hello'), stat } as const;
    assert.equal(encodeReply(2, 2n, 0, response).toString('hex'), reply.toString('hex'));
    const r = new JuteReader(reply, 4);
    decodeReplyHeader(r);
    assert.deepStrictEqual(decodeResponse('getData', r), response);
  });

  test('error reply: create on an existing node', () => {
    const reply = hex('00000010 00000002 000000000000000a ffffff92');
    assert.equal(encodeReply(2, 10n, -110, null).toString('hex'), reply.toString('hex'));
    assert.deepStrictEqual(decodeReplyHeader(new JuteReader(reply, 4)), { xid: 2, zxid: 10n, err: -110 });
  });

  test('ping and its reply', () => {
    checkRequest('00000008 fffffffe 0000000b', -2, { op: 'ping' });
    assert.equal(encodeReply(-2, 0x1234n, 0, null).toString('hex'), hex('00000010 fffffffe 0000000000001234 00000000').toString('hex'));
  });

  test('closeSession and its reply', () => {
    checkRequest('00000008 00000003 fffffff5', 3, { op: 'closeSession' });
    assert.equal(encodeReply(3, 3n, 0, null).toString('hex'), hex('00000010 00000003 0000000000000003 00000000').toString('hex'));
  });

  test('auth digest "u:p"', () => {
    checkRequest('0000001d fffffffc 00000064 00000000 00000006 646967657374 00000003 753a70', -4, {
      op: 'auth', type: 0, scheme: 'digest', auth: Buffer.from('u:p'),
    });
  });

  test('createTTL /px/ttl "data" flags 5 ttl 5000 ends with flags and ttl', () => {
    const request: Request = { op: 'createTTL', path: '/px/ttl', data: Buffer.from('data'), acl: [...OPEN_ACL_UNSAFE], flags: 5, ttl: 5000 };
    const frame = encodeRequest(9, request);
    assert.ok(frame.toString('hex').endsWith('000000050000000000001388'));
    assert.deepStrictEqual(decodeRequestFrame(frame.subarray(4)).request, request);
  });
});
