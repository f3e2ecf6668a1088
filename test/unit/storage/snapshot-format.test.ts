import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeSnapshot,
  decodeSnapshotWire,
  encodeSnapshot,
  looksLikeSnapshot,
  SnapshotFormatError,
  type SnapshotContent,
  type SnapshotNode,
} from '../../../src/storage/format/snapshot-format.js';
import { adler32 } from '../../../src/storage/format/adler32.js';
import { decompressSnappyBlock, decompressSnappyStream } from '../../../src/storage/format/snappy.js';
import type { StatPersisted } from '../../../src/proto/data.js';
import { z } from './entries.js';

function stat(n: number): StatPersisted {
  return {
    czxid: z(n),
    mzxid: z(n + 1),
    ctime: 1_700_000_000_000 + n,
    mtime: 1_700_000_000_500 + n,
    version: n % 7,
    cversion: n % 5,
    aversion: -1,
    ephemeralOwner: n % 3 === 0 ? 0n : 0x100000000000000n + BigInt(n),
    pzxid: z(n + 2),
  };
}

function sample(nodeCount = 5): SnapshotContent {
  const nodes: SnapshotNode[] = [
    { path: '/', data: new Uint8Array(0), aclRef: -1n, stat: stat(0) },
    { path: '/zookeeper', data: new Uint8Array(0), aclRef: -1n, stat: stat(0) },
  ];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push({ path: `/n${i}`, data: i % 2 === 0 ? null : Buffer.from(`data ${i}`), aclRef: BigInt((i % 2) + 1), stat: stat(i) });
  }
  return {
    sessions: [
      [0x100000abcn, 30000],
      [0x7fffffffffffffffn, 4000],
    ],
    aclCache: [
      [1n, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]],
      [2n, [{ perms: 1, id: { scheme: 'digest', id: 'u:abc=' } }, { perms: 31, id: { scheme: 'ip', id: '10.0.0.1' } }]],
    ],
    nodes,
    digest: { zxid: z(0x18), version: 2, digest: 21220186652n },
  };
}

function encode(content: SnapshotContent, chunkBytes?: number): Uint8Array {
  return Buffer.concat([...encodeSnapshot(content, chunkBytes)]);
}

describe('snapshot format', () => {
  test('layout: header, root as "", end marker and seals', () => {
    const bytes = Buffer.from(encode(sample(1)));
    assert.equal(bytes.subarray(0, 16).toString('hex'), '5a4b534e' + '00000002' + 'ffffffffffffffff');
    // Root node path is the empty string, right after the ACL map.
    assert.ok(looksLikeSnapshot('none', bytes.subarray(0, 16), bytes.subarray(bytes.length - 5), bytes.length));
    // Seal #2 is the last 13 bytes; seal #1 sits right before the 20-byte digest section.
    const seal2At = bytes.length - 13;
    assert.equal(bytes.readBigInt64BE(seal2At), BigInt(adler32(bytes, 0, seal2At)));
    const seal1At = seal2At - 20 - 13;
    assert.equal(bytes.readBigInt64BE(seal1At), BigInt(adler32(bytes, 0, seal1At)));
    assert.equal(bytes.subarray(seal1At - 5, seal1At).toString('hex'), '000000012f');
    assert.equal(bytes.readBigInt64BE(seal1At + 13), 0x18n);
  });

  test('round trip, collected and streamed, any chunk size', () => {
    const content = sample(50);
    const one = encode(content);
    for (const chunk of [1, 100, 4096, 1 << 20]) assert.deepEqual(Buffer.from(encode(content, chunk)), Buffer.from(one));
    const decoded = decodeSnapshot(one);
    assert.deepEqual(decoded.sessions, [...content.sessions]);
    assert.deepEqual(decoded.aclCache, [...content.aclCache]);
    assert.equal(decoded.nodeCount, 52);
    assert.deepEqual(
      decoded.nodes.map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data) })),
      [...content.nodes].map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data) })),
    );
    assert.deepEqual(decoded.digest, content.digest);
    assert.equal(decoded.lastProcessedZxid, null);
    const streamed: string[] = [];
    const viaCallback = decodeSnapshot(one, (n) => streamed.push(n.path));
    assert.equal(viaCallback.nodes.length, 0);
    assert.equal(streamed.length, 52);
    assert.equal(streamed[0], '/');
  });

  test('null and empty data stay distinct; digest and 3.9 sections are optional', () => {
    const noDigest: SnapshotContent = { sessions: [], aclCache: [], nodes: [{ path: '/', data: null, aclRef: -1n, stat: stat(0) }, { path: '/e', data: new Uint8Array(0), aclRef: -1n, stat: stat(1) }] };
    const decoded = decodeSnapshot(encode(noDigest));
    assert.equal(decoded.nodes[0]!.data, null);
    assert.deepEqual(decoded.nodes[1]!.data, new Uint8Array(0));
    assert.equal(decoded.digest, null);
    const v39 = decodeSnapshot(encode({ ...sample(1), lastProcessedZxid: z(0x1234) }));
    assert.equal(v39.lastProcessedZxid, 0x1234n);
    assert.equal(v39.digest?.digest, 21220186652n);
  });

  test('property: random content round trips', () => {
    const aclArb = fc.record({ perms: fc.integer({ min: 0, max: 31 }), id: fc.record({ scheme: fc.constantFrom('world', 'digest', 'ip'), id: fc.string() }) });
    const nodeArb = fc.record({
      path: fc.string({ minLength: 1 }).map((s) => `/${s.replace(/\//g, '_')}`),
      data: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
      aclRef: fc.bigInt({ min: -1n, max: 100n }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 2 ** 31 - 1 })), { maxLength: 5 }),
        fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 1000n }), fc.array(aclArb, { maxLength: 3 })), { maxLength: 4 }),
        fc.array(nodeArb, { maxLength: 20 }),
        (sessions, aclCache, partial) => {
          const nodes = partial.map((n, i) => ({ ...n, stat: stat(i) }));
          const content: SnapshotContent = { sessions, aclCache, nodes, digest: { zxid: z(7), version: 2, digest: -5n } };
          const decoded = decodeSnapshot(encode(content, 64));
          assert.deepEqual(decoded.sessions, sessions);
          assert.deepEqual(decoded.aclCache, aclCache);
          assert.deepEqual(decoded.nodes.map((n) => n.path), nodes.map((n) => n.path));
          assert.deepEqual(decoded.nodes.map((n) => n.data), nodes.map((n) => n.data));
        },
      ),
      { numRuns: 100 },
    );
  });

  test('wire framing (SNAP body): no header, seal or digest; ends with BenWasHere', () => {
    const content = sample(4);
    const wire = Buffer.concat([...encodeSnapshot(content, 64, 'wire')]);
    const file = Buffer.from(encode(content));
    // The body is the file minus its 16-byte header and everything after the end marker.
    const bodyBytes = wire.length - 14;
    assert.deepEqual(wire.subarray(0, bodyBytes), file.subarray(16, 16 + bodyBytes));
    assert.equal(wire.subarray(bodyBytes).toString('hex'), '0000000a' + Buffer.from('BenWasHere').toString('hex'));
    const decoded = decodeSnapshotWire(Buffer.concat([wire, Buffer.from([1, 2, 3])]));
    assert.equal(decoded.bytesUsed, wire.length);
    assert.deepEqual(decoded.sessions, [...content.sessions]);
    assert.equal(decoded.nodes.length, 6);
    for (let cut = 0; cut < wire.length; cut++) assert.throws(() => decodeSnapshotWire(wire.subarray(0, cut)), SnapshotFormatError);
  });

  test('any flipped byte after the header fails to decode', () => {
    const bytes = encode(sample(3));
    for (let i = 16; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] = bad[i]! ^ 0x20;
      assert.throws(() => decodeSnapshot(bad), SnapshotFormatError, `flip at ${i}`);
    }
  });

  test('a snapshot cut short fails to decode or the quick test', () => {
    const bytes = encode(sample(3));
    for (let cut = 0; cut < bytes.length; cut++) {
      const part = bytes.subarray(0, cut);
      const quick = looksLikeSnapshot('none', part.subarray(0, 16), part.subarray(Math.max(0, cut - 5)), cut);
      let decoded = true;
      try {
        decodeSnapshot(part);
      } catch (err) {
        assert.ok(err instanceof SnapshotFormatError);
        decoded = false;
      }
      // Only a cut right after seal #1 (digest section missing) is still a valid snapshot.
      if (quick && decoded) assert.equal(cut, bytes.length - 33, `cut at ${cut}`);
    }
  });
});

describe('snappy reader', () => {
  test('literals and overlapping copies', () => {
    // "abcabcabcabcX": varint 13, literal "abc", copy len 9 offset 3 (2-byte offset form), literal "X".
    const block = Uint8Array.of(13, (3 - 1) << 2, 0x61, 0x62, 0x63, ((9 - 1) << 2) | 2, 3, 0, 0 << 2, 0x58);
    assert.equal(Buffer.from(decompressSnappyBlock(block)).toString(), 'abcabcabcabcX');
    // 1-byte-offset copy: len 4 + 3 = 7, offset 1.
    const runs = Uint8Array.of(8, 0, 0x7a, (3 << 2) | 1, 1);
    assert.equal(Buffer.from(decompressSnappyBlock(runs)).toString(), 'zzzzzzzz');
    const stream = Buffer.concat([Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from([0, 0, 0, block.length]), block, Buffer.from([0, 0, 0, runs.length]), runs]);
    assert.equal(Buffer.from(decompressSnappyStream(stream)).toString(), 'abcabcabcabcXzzzzzzzz');
    assert.throws(() => decompressSnappyBlock(Uint8Array.of(5, (9 - 1) << 2 | 2, 3, 0)), SnapshotFormatError);
  });
});
