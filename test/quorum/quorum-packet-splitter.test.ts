// QuorumPacketSplitter: the stream of back-to-back QuorumPackets split whole, byte by byte and at
// random boundaries gives back exactly the records; bounds fail early and stay failed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketSizeError, QuorumPacketSplitter } from '../../src/quorum/net/quorum-packet-splitter.js';
import { encodeQuorumPacket } from '../../src/zab/wire.js';
import { samplePackets } from './packets.js';

const records = samplePackets().map((p) => encodeQuorumPacket(p));
const stream = Buffer.concat(records);

function split(chunks: readonly Buffer[], max = 1 << 20): Buffer[] {
  const splitter = new QuorumPacketSplitter(max);
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    for (let r = splitter.next(); r !== null; r = splitter.next()) out.push(Buffer.from(r));
  }
  assert.equal(splitter.bufferedBytes, 0);
  return out;
}

describe('QuorumPacketSplitter', () => {
  test('whole stream, byte by byte, and random splits give the same records', () => {
    assert.deepEqual(split([stream]), records);
    assert.deepEqual(split([...stream].map((b) => Buffer.from([b]))), records);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }), (cuts) => {
        const sorted = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = sorted.slice(1).map((end, i) => stream.subarray(sorted[i], end));
        assert.deepEqual(split(chunks), records);
      }),
      { numRuns: 200 },
    );
  });

  test('an announced data length past the bound fails after 16 bytes, and stays failed', () => {
    const splitter = new QuorumPacketSplitter(100);
    const header = Buffer.alloc(16);
    header.writeInt32BE(2, 0);
    header.writeInt32BE(81, 12); // 81 + 20 > 100
    splitter.push(header.subarray(0, 15));
    assert.equal(splitter.next(), null);
    splitter.push(header.subarray(15));
    assert.throws(() => splitter.next(), PacketSizeError);
    assert.throws(() => splitter.next(), PacketSizeError);
  });

  test('a record still incomplete at the bound fails (a huge authinfo vector)', () => {
    const splitter = new QuorumPacketSplitter(64);
    const head = Buffer.alloc(20);
    head.writeInt32BE(1, 0);
    head.writeInt32BE(-1, 12);
    head.writeInt32BE(1_000_000, 16); // authinfo count
    splitter.push(head);
    splitter.push(Buffer.alloc(60)); // zero-length ids: 8 bytes each, never ends within 64
    assert.throws(() => splitter.next(), PacketSizeError);
  });
});
