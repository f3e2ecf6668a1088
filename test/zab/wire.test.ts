// Round trips of the server-to-server codec against the byte strings captured between real
// ZooKeeper 3.8.0 servers (storage-and-quorum.md §9.1, §10, §11), plus property round trips and
// the stream splitter fed whole and byte by byte.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteDecodeError } from '../../src/jute/errors.js';
import { decodeTxnEntry } from '../../src/txn/codec.js';
import type { Txn } from '../../src/txn/types.js';
import { makeZxid, sessionId, zxid } from '../../src/util/ids.js';
import { NO_VOTE, ServerState, type Notification, type QuorumPacket } from '../../src/zab/messages.js';
import {
  decodeNotification,
  decodeQuorumPacket,
  encodeNotification,
  encodeQuorumPacket,
  quorumPacketBytes,
  UnsupportedPacketError,
} from '../../src/zab/wire.js';
import { Cluster } from './harness.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Captured packets, as printed in the fact sheet. */
const CAPTURED: Record<string, string> = {
  followerInfo: '0000000b 0000000100000000 00000014 0000000000000001 00010000 0000000000000000 ffffffff',
  leaderInfo: '00000011 0000000100000000 00000004 00010000 ffffffff',
  ackEpoch: '00000012 000000010000000b 00000004 ffffffff ffffffff',
  ack: '00000003 0000000100000005 ffffffff ffffffff',
  commit: '00000004 0000000100000005 ffffffff ffffffff',
  snap: '0000000f 0000000100000012 ffffffff ffffffff',
  newLeaderAck: '00000003 0000000100000000 ffffffff ffffffff',
  upToDate: '0000000c ffffffffffffffff ffffffff ffffffff',
  sync: '00000007 0000000000000000 ffffffff ffffffff',
  pingReply: '00000005 0000000100000007 00000018 0400000c7d9c0000 00002710 0100000b761f0000 00002710 ffffffff',
  revalidateRequest: '00000006 ffffffffffffffff 0000000c 0100000b761f0001 00004e20 ffffffff',
  revalidateReply: '00000006 ffffffffffffffff 00000009 0100000b761f0001 01 ffffffff',
  request:
    '00000001 ffffffffffffffff 00000026 0100000b761f0000 00000006 00000005 000000042f712f61 00000006616c70686132 ffffffff' +
    ' 00000001 00000002 6970 00000009 3132372e302e302e31',
};

/** The first txn entry of a standalone log (§1.5), carried as a PROPOSAL's data. */
const CREATE_SESSION_ENTRY = '0100000a080d0000 00000000 0000000000000001 000001a2097a8158 fffffff6 00007530 00000002 0000000051c6d660';

describe('quorum packets: captured bytes', () => {
  for (const [name, bytes] of Object.entries(CAPTURED)) {
    test(`${name} decodes and re-encodes byte for byte`, () => {
      const p = decodeQuorumPacket(hex(bytes));
      assert.deepEqual(encodeQuorumPacket(p), hex(bytes));
      assert.equal(quorumPacketBytes(hex(bytes)), hex(bytes).length);
    });
  }

  test('fields are read as the sheet describes them', () => {
    const fi = decodeQuorumPacket(hex(CAPTURED.followerInfo ?? ''));
    assert.equal(fi.type, 'FOLLOWERINFO');
    assert.equal(fi.zxid, makeZxid(1, 0));
    assert.deepEqual(fi.type === 'FOLLOWERINFO' && fi.info, { serverId: 1n, protocolVersion: 0x10000, configVersion: 0n });

    const ae = decodeQuorumPacket(hex(CAPTURED.ackEpoch ?? ''));
    assert.ok(ae.type === 'ACKEPOCH');
    assert.equal(ae.zxid, zxid(0x10000000bn));
    assert.equal(ae.currentEpoch, -1);

    const ping = decodeQuorumPacket(hex(CAPTURED.pingReply ?? ''));
    assert.ok(ping.type === 'PING');
    assert.deepEqual(ping.touches, [
      { sessionId: sessionId(0x0400000c7d9c0000n), timeoutMs: 10000 },
      { sessionId: sessionId(0x0100000b761f0000n), timeoutMs: 10000 },
    ]);

    const rv = decodeQuorumPacket(hex(CAPTURED.revalidateReply ?? ''));
    assert.ok(rv.type === 'REVALIDATE' && rv.direction === 'reply');
    assert.equal(rv.valid, true);

    const rq = decodeQuorumPacket(hex(CAPTURED.request ?? ''));
    assert.ok(rq.type === 'REQUEST');
    assert.equal(rq.zxid, zxid(-1));
    assert.equal(rq.request.cxid, 6);
    assert.equal(rq.request.opType, 5);
    assert.deepEqual(rq.request.authinfo, [{ scheme: 'ip', id: '127.0.0.1' }]);
    assert.equal(rq.request.body.length, 38 - 16);
  });

  test('PROPOSAL and INFORM carry the txn entry bytes unchanged', () => {
    const entry = hex(CREATE_SESSION_ENTRY);
    const proposal = hex(`00000002 0000000000000001 00000030 ${CREATE_SESSION_ENTRY} ffffffff`);
    const p = decodeQuorumPacket(proposal);
    assert.ok(p.type === 'PROPOSAL');
    assert.equal(p.txn.header.type, -10);
    assert.equal(p.txn.digest?.treeDigest, 1371985504n);
    assert.deepEqual(encodeQuorumPacket(p), proposal);
    const inform: QuorumPacket = { kind: 'packet', type: 'INFORM', zxid: p.zxid, txn: p.txn };
    const bytes = encodeQuorumPacket(inform);
    assert.deepEqual(bytes.subarray(16, 16 + entry.length), entry);
    assert.equal(bytes.readInt32BE(0), 8);
  });

  test('an empty touch table is zero-length data, not null', () => {
    const p: QuorumPacket = { kind: 'packet', type: 'PING', zxid: makeZxid(1, 7), touches: [] };
    assert.deepEqual(encodeQuorumPacket(p), hex('00000005 0000000100000007 00000000 ffffffff'));
    assert.deepEqual(decodeQuorumPacket(encodeQuorumPacket(p)), p);
  });

  test('unknown types and malformed data are decode errors', () => {
    assert.throws(() => decodeQuorumPacket(hex('00000009 0000000100000005 ffffffff ffffffff')), UnsupportedPacketError);
    assert.throws(() => decodeQuorumPacket(hex('00000002 0000000100000005 ffffffff ffffffff')), JuteDecodeError); // PROPOSAL without data
    assert.throws(() => decodeQuorumPacket(hex('00000005 0000000100000007 00000005 0102030405 ffffffff')), JuteDecodeError);
    assert.throws(() => decodeQuorumPacket(hex('00000003 0000000100000005 ffffffff')), JuteDecodeError); // truncated
  });
});

describe('quorum stream splitting', () => {
  const stream = Buffer.concat(Object.values(CAPTURED).map(hex));

  test('splits a back-to-back stream into its packets', () => {
    let at = 0;
    let count = 0;
    while (at < stream.length) {
      const n = quorumPacketBytes(stream, at);
      assert.ok(n !== null);
      decodeQuorumPacket(stream.subarray(at, at + n));
      at += n;
      count++;
    }
    assert.equal(count, Object.keys(CAPTURED).length);
  });

  test('asks for more bytes on every proper prefix', () => {
    const one = hex(CAPTURED.request ?? '');
    for (let i = 0; i < one.length; i++) assert.equal(quorumPacketBytes(one.subarray(0, i)), null, `prefix ${i}`);
    assert.equal(quorumPacketBytes(one), one.length);
  });
});

describe('notifications', () => {
  const config = 'server.1=127.0.0.1:41401:41501:participant\nserver.2=127.0.0.1:41402:41502:participant\nversion=0';

  test('the captured LEADING reply header (§9.1)', () => {
    const n: Notification = {
      kind: 'notification',
      state: ServerState.LEADING,
      leader: 2n,
      zxid: zxid(0),
      electionEpoch: 1n,
      peerEpoch: 1n,
      version: 2,
      config,
    };
    const bytes = encodeNotification(n);
    const header = hex('00000002 0000000000000002 0000000000000000 0000000000000001 0000000000000001 00000002');
    assert.deepEqual(bytes.subarray(0, 40), header);
    assert.equal(bytes.readInt32BE(40), config.length);
    assert.equal(bytes.subarray(44).toString('utf8'), config);
    assert.deepEqual(decodeNotification(bytes), n);
  });

  test("an observer's vote is Long.MIN_VALUE and round-trips", () => {
    const n: Notification = {
      kind: 'notification',
      state: ServerState.LOOKING,
      leader: NO_VOTE,
      zxid: zxid(NO_VOTE),
      electionEpoch: 3n,
      peerEpoch: NO_VOTE,
      version: 2,
      config: '',
    };
    const bytes = encodeNotification(n);
    assert.deepEqual(bytes.subarray(4, 12), hex('8000000000000000'));
    assert.deepEqual(decodeNotification(bytes), n);
  });

  test('legacy layouts: 28 bytes derive peerEpoch from the zxid, 40 bytes have no config', () => {
    const base = hex('00000000 0000000000000003 0000000500000009 0000000000000007');
    const legacy = decodeNotification(base);
    assert.equal(legacy.peerEpoch, 5n);
    assert.equal(legacy.version, 0);
    const v1 = decodeNotification(Buffer.concat([base, hex('0000000000000004 00000000')]));
    assert.equal(v1.peerEpoch, 4n);
    assert.equal(v1.config, null);
    assert.throws(() => decodeNotification(base.subarray(0, 27)), JuteDecodeError);
    assert.throws(() => decodeNotification(Buffer.concat([base, hex('00000001')])), JuteDecodeError);
  });

  test('property: every v2 notification round-trips', () => {
    const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), long, long, long, long, fc.string({ maxLength: 64 }), (state, leader, z, ee, pe, config) => {
        const n: Notification = {
          kind: 'notification',
          state: state as ServerState,
          leader,
          zxid: zxid(z),
          electionEpoch: ee,
          peerEpoch: pe,
          version: 2,
          config,
        };
        assert.deepEqual(decodeNotification(encodeNotification(n)), n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('property: packets round-trip', () => {
  const txn: Txn = decodeTxnEntry(hex(CREATE_SESSION_ENTRY));
  const z = fc.bigInt({ min: -1n, max: (1n << 62n) }).map((v) => zxid(v));
  const session = fc.bigInt({ min: 0n, max: (1n << 62n) }).map((v) => sessionId(v));
  const packets: fc.Arbitrary<QuorumPacket> = fc.oneof(
    fc.tuple(fc.constantFrom('ACK', 'COMMIT', 'SYNC', 'UPTODATE', 'DIFF', 'TRUNC', 'SNAP'), z).map(
      ([type, zx]) => ({ kind: 'packet', type, zxid: zx }) as QuorumPacket,
    ),
    z.map((zx): QuorumPacket => ({ kind: 'packet', type: 'PROPOSAL', zxid: zx, txn })),
    fc.tuple(z, fc.option(fc.array(fc.tuple(session, fc.integer({ min: 0, max: 1 << 30 })), { maxLength: 5 }))).map(
      ([zx, t]): QuorumPacket => ({ kind: 'packet', type: 'PING', zxid: zx, touches: t === null ? null : t.map(([s, ms]) => ({ sessionId: s, timeoutMs: ms })) }),
    ),
    fc.tuple(z, fc.integer({ min: -1, max: 1 << 30 })).map(([zx, e]): QuorumPacket => ({ kind: 'packet', type: 'ACKEPOCH', zxid: zx, currentEpoch: e })),
    fc.tuple(z, fc.option(fc.string())).map(([zx, c]): QuorumPacket => ({ kind: 'packet', type: 'NEWLEADER', zxid: zx, config: c })),
    fc.tuple(session, fc.boolean()).map(([s, v]): QuorumPacket => ({ kind: 'packet', type: 'REVALIDATE', zxid: zxid(-1), direction: 'reply', sessionId: s, valid: v })),
    fc.tuple(session, fc.integer(), fc.integer(), fc.uint8Array({ maxLength: 40 }), fc.option(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 3 }))).map(
      ([s, cxid, op, body, auth]): QuorumPacket => ({
        kind: 'packet',
        type: 'REQUEST',
        zxid: zxid(-1),
        request: { sessionId: s, cxid, opType: op, body, authinfo: auth === null ? null : auth.map(([scheme, id]) => ({ scheme, id })) },
      }),
    ),
  );

  test('decode(encode(p)) equals p, and the splitter finds its end', () => {
    fc.assert(
      fc.property(packets, (p) => {
        const bytes = encodeQuorumPacket(p);
        assert.equal(quorumPacketBytes(bytes), bytes.length);
        const back = decodeQuorumPacket(bytes);
        if (p.type === 'REQUEST' && back.type === 'REQUEST') {
          assert.deepEqual({ ...back.request, body: Buffer.from(back.request.body) }, { ...p.request, body: Buffer.from(p.request.body) });
        } else {
          assert.deepEqual(encodeQuorumPacket(back), bytes);
          assert.equal(back.type, p.type);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the core speaks the captured bytes', () => {
  test('a fresh ensemble: LEADERINFO, NEWLEADER ACK, UPTODATE and its ACK as captured (§10.2, §10.5)', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    const enc = (p: QuorumPacket | undefined): Buffer => (p === undefined ? Buffer.alloc(0) : encodeQuorumPacket(p));
    assert.deepEqual(enc(leader.sent('LEADERINFO', 1)[0]), hex(CAPTURED.leaderInfo ?? ''));
    assert.deepEqual(enc(leader.sent('UPTODATE', 1)[0]), hex(CAPTURED.upToDate ?? ''));
    const acks = c.node(1).sent('ACK').map(enc);
    assert.deepEqual(acks, [hex(CAPTURED.newLeaderAck ?? ''), hex(CAPTURED.newLeaderAck ?? '')]);
    // A follower whose acceptedEpoch is 1 announces itself exactly as captured.
    const d = new Cluster({ voters: [1, 2, 3], epochs: { 1: 1, 2: 1, 3: 1 } });
    d.elect();
    assert.deepEqual(enc(d.node(1).sent('FOLLOWERINFO')[0]), hex(CAPTURED.followerInfo ?? ''));
  });
});
