// Requests: encodeRequest then decode gives the same value for every op; truncated bodies raise
// JuteDecodeError; trailing bytes are ignored; unknown opcodes and bad multi op lists are reported.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteWriter } from '../../../src/jute/writer.js';
import { JuteDecodeError } from '../../../src/jute/errors.js';
import { OpCode } from '../../../src/proto/opcodes.js';
import { UnimplementedError, ZooKeeperError } from '../../../src/proto/errors.js';
import {
  decodeRequest, decodeRequestFrame, encodeRequest, multiRequest, requestOpForCode, writeRequestBody,
  type Request,
} from '../../../src/proto/requests.js';
import { expectedOpsAllowed, int32, multiOp, requestByOp } from './arbitraries.js';

function body(request: Request): Buffer {
  const w = new JuteWriter();
  writeRequestBody(w, request);
  return w.toBuffer();
}

describe('requests round-trip', () => {
  for (const [op, arbitrary] of Object.entries(requestByOp)) {
    test(`${op}: encodeRequest then decode gives the same request`, () => {
      fc.assert(
        fc.property(int32, arbitrary, (xid, request) => {
          const frame = encodeRequest(xid, request);
          assert.equal(frame.readInt32BE(0), frame.length - 4);
          const { header, request: decoded } = decodeRequestFrame(frame.subarray(4));
          assert.equal(header.xid, xid);
          assert.equal(header.type, OpCode[request.op]);
          assert.equal(requestOpForCode(header.type), request.op);
          assert.deepStrictEqual(decoded, request);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('requests: malformed bodies', () => {
  // Empty bodies and deleteContainer's raw path decode from any prefix by design.
  const prefixFree = new Set(['ping', 'closeSession', 'whoAmI', 'deleteContainer']);
  for (const [op, arbitrary] of Object.entries(requestByOp)) {
    if (prefixFree.has(op)) continue;
    test(`${op}: every truncated body raises JuteDecodeError`, () => {
      fc.assert(
        fc.property(arbitrary, (request) => {
          const bytes = body(request);
          for (let n = 0; n < bytes.length; n++) {
            assert.throws(() => decodeRequest(OpCode[request.op], new JuteReader(bytes.subarray(0, n))), JuteDecodeError);
          }
        }),
        { numRuns: 20 },
      );
    });
  }

  test('trailing bytes after a record are ignored', () => {
    fc.assert(
      fc.property(
        fc.oneof(...Object.entries(requestByOp).filter(([op]) => op !== 'deleteContainer').map(([, a]) => a)),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        (request, extra) => {
          const bytes = Buffer.concat([body(request), extra]);
          assert.deepStrictEqual(decodeRequest(OpCode[request.op], new JuteReader(bytes)), request);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('deleteContainer takes the whole body as the raw UTF-8 path', () => {
    const decoded = decodeRequest(OpCode.deleteContainer, new JuteReader(Buffer.from('/cont/ä', 'utf8')));
    assert.deepStrictEqual(decoded, { op: 'deleteContainer', path: '/cont/ä' });
    assert.deepStrictEqual(body(decoded), Buffer.from('/cont/ä', 'utf8'));
  });

  test('a null path is a decoding error (the server answers -5)', () => {
    const w = new JuteWriter();
    w.writeUString(null).writeBuffer(null).writeVector([], () => {}).writeInt(0);
    assert.throws(() => decodeRequest(OpCode.create, new JuteReader(w.toBuffer())), JuteDecodeError);
  });

  test('a null ACL vector decodes as an empty list; null data stays null', () => {
    const w = new JuteWriter();
    w.writeUString('/a').writeBuffer(null).writeInt(-1).writeInt(0);
    assert.deepStrictEqual(decodeRequest(OpCode.create, new JuteReader(w.toBuffer())), {
      op: 'create', path: '/a', data: null, acl: [], flags: 0,
    });
  });

  test('opcodes that are not client requests raise UnimplementedError (-6)', () => {
    for (const opcode of [0, -1, 10, 23, 99, 108, -10, 0x72756f6b]) {
      assert.equal(requestOpForCode(opcode), undefined);
      assert.throws(() => decodeRequest(opcode, new JuteReader(Buffer.alloc(8))), UnimplementedError);
    }
    try {
      decodeRequest(99, new JuteReader(Buffer.alloc(0)));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ZooKeeperError);
      assert.equal(e.code, -6);
    }
  });
});

describe('multi op lists', () => {
  function multiBody(entries: Array<[number, (w: JuteWriter) => void]>): Buffer {
    const w = new JuteWriter();
    for (const [type, write] of entries) {
      w.writeInt(type).writeBool(false).writeInt(-1);
      write(w);
    }
    w.writeInt(-1).writeBool(true).writeInt(-1);
    return w.toBuffer();
  }
  const getData = (w: JuteWriter): void => void w.writeUString('/r').writeBool(true);
  const del = (w: JuteWriter): void => void w.writeUString('/d').writeInt(-1);

  test('a read op in a multi still decodes, flagged not allowed', () => {
    const decoded = decodeRequest(OpCode.multi, new JuteReader(multiBody([[2, del], [4, getData]])));
    assert.deepStrictEqual(decoded, {
      op: 'multi',
      ops: [{ op: 'delete', path: '/d', version: -1 }, { op: 'getData', path: '/r', watch: true }],
      opsAllowed: false,
    });
  });

  test('a write op in a multiRead is flagged; reads alone are allowed', () => {
    const mixed = decodeRequest(OpCode.multiRead, new JuteReader(multiBody([[4, getData], [2, del]])));
    assert.equal(mixed.op === 'multiRead' && mixed.opsAllowed, false);
    const reads = decodeRequest(OpCode.multiRead, new JuteReader(multiBody([[4, getData], [8, getData]])));
    assert.equal(reads.op === 'multiRead' && reads.opsAllowed, true);
  });

  test('a TTL flag on a plain create inside a multi is flagged (§6.14)', () => {
    const create = (flags: number) => (w: JuteWriter): void =>
      void w.writeUString('/t').writeBuffer(null).writeVector([], () => {}).writeInt(flags);
    for (const [flags, allowed] of [[0, true], [4, true], [5, false], [6, false]] as const) {
      const decoded = decodeRequest(OpCode.multi, new JuteReader(multiBody([[OpCode.create2, create(flags)]])));
      assert.equal(decoded.op === 'multi' && decoded.opsAllowed, allowed, `flags ${flags}`);
    }
  });

  test('an op type without a record (exists) is a decoding error', () => {
    const exists = (w: JuteWriter): void => void w.writeUString('/e').writeBool(false);
    assert.throws(() => decodeRequest(OpCode.multi, new JuteReader(multiBody([[3, exists]]))), JuteDecodeError);
  });

  test('an empty multi is just the terminator', () => {
    assert.deepStrictEqual(decodeRequest(OpCode.multi, new JuteReader(multiBody([]))), { op: 'multi', ops: [], opsAllowed: true });
    assert.equal(body({ op: 'multi', ops: [], opsAllowed: true }).toString('hex'), 'ffffffff01ffffffff');
  });

  test('the list ends at the first done header, whatever its type', () => {
    const w = new JuteWriter();
    w.writeInt(2).writeBool(false).writeInt(-1).writeUString('/d').writeInt(3);
    w.writeInt(7).writeBool(true).writeInt(0);
    const decoded = decodeRequest(OpCode.multi, new JuteReader(w.toBuffer()));
    assert.deepStrictEqual(decoded, { op: 'multi', ops: [{ op: 'delete', path: '/d', version: 3 }], opsAllowed: true });
  });

  test('multiRequest computes the flag the decoder reports', () => {
    fc.assert(
      fc.property(fc.constantFrom('multi' as const, 'multiRead' as const), fc.array(multiOp, { maxLength: 5 }), (kind, ops) => {
        const request = multiRequest(kind, ops);
        assert.ok(request.op === kind);
        assert.equal(request.opsAllowed, expectedOpsAllowed(kind, ops));
        assert.deepStrictEqual(decodeRequestFrame(encodeRequest(1, request).subarray(4)).request, request);
      }),
      { numRuns: 100 },
    );
  });

  test('every generated op list round-trips', () => {
    fc.assert(
      fc.property(fc.array(multiOp, { maxLength: 6 }), (ops) => {
        const decoded = decodeRequest(OpCode.multi, new JuteReader(body({ op: 'multi', ops, opsAllowed: true })));
        assert.ok(decoded.op === 'multi');
        assert.deepStrictEqual(decoded.ops, ops);
      }),
      { numRuns: 100 },
    );
  });
});
