// A sample of every QuorumPacket shape the learner protocol uses, for transport tests.
import type { QuorumPacket } from '../../src/zab/messages.js';
import { PacketType } from '../../src/zab/messages.js';
import type { Txn } from '../../src/txn/types.js';
import { makeZxid, sessionId, zxid } from '../../src/util/ids.js';

export function txn(counter: number, data: Uint8Array = Buffer.from(`v${counter}`)): Txn {
  const z = makeZxid(1, counter);
  return {
    header: { clientId: sessionId(0x100), cxid: counter, zxid: z, time: 1_700_000_000_000, type: 5 },
    record: { type: 5, path: '/k', data, version: counter },
    digest: null,
  };
}

export function samplePackets(): QuorumPacket[] {
  return [
    { kind: 'packet', type: 'FOLLOWERINFO', zxid: makeZxid(1, 0), info: { serverId: 1n, protocolVersion: 0x10000, configVersion: 0n } },
    { kind: 'packet', type: 'LEADERINFO', zxid: makeZxid(2, 0), protocolVersion: 0x10000 },
    { kind: 'packet', type: 'ACKEPOCH', zxid: makeZxid(1, 11), currentEpoch: -1 },
    { kind: 'packet', type: 'DIFF', zxid: makeZxid(1, 11) },
    { kind: 'packet', type: 'PROPOSAL', zxid: makeZxid(1, 12), txn: txn(12) },
    { kind: 'packet', type: 'COMMIT', zxid: makeZxid(1, 12) },
    { kind: 'packet', type: 'NEWLEADER', zxid: makeZxid(2, 0), config: 'server.1=127.0.0.1:1:2:participant\nversion=0' },
    { kind: 'packet', type: 'ACK', zxid: makeZxid(2, 0) },
    { kind: 'packet', type: 'UPTODATE', zxid: zxid(-1) },
    { kind: 'packet', type: 'PING', zxid: makeZxid(2, 3), touches: null },
    { kind: 'packet', type: 'PING', zxid: makeZxid(2, 3), touches: [{ sessionId: sessionId(0x1234), timeoutMs: 30_000 }] },
    {
      kind: 'packet',
      type: 'REQUEST',
      zxid: zxid(-1),
      request: { sessionId: sessionId(7), cxid: 3, opType: 1, body: Buffer.from('body'), authinfo: [{ scheme: 'digest', id: 'u:p' }] },
    },
    { kind: 'packet', type: 'REVALIDATE', zxid: zxid(-1), direction: 'reply', sessionId: sessionId(7), valid: true },
    { kind: 'packet', type: 'SYNC', zxid: zxid(0) },
  ];
}

export const KNOWN_TYPES = new Set<number>(Object.values(PacketType));
