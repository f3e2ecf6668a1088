// Maps a decoded client write request onto prep: each request kind becomes the WriteOp(s) prep
// validates, or an error txn for requests a standalone server refuses (reconfig) or cannot
// take (read ops inside a multi). Pure.

import { ErrorCode } from '../../proto/error-codes.js';
import { OpCode } from '../../proto/opcodes.js';
import type { Request } from '../../proto/requests.js';
import type { TxnRecord } from '../../txn/types.js';
import { prepCloseSession, prepMulti, prepWrite, type PrepContext, type WriteOp } from './prep.js';

export function prepRequest(request: Request, ctx: PrepContext): TxnRecord {
  switch (request.op) {
    case 'create':
    case 'create2':
    case 'createContainer':
      return prepWrite({ op: 'create', opcode: OpCode[request.op], path: request.path, data: request.data, acl: request.acl, flags: request.flags, ttl: -1 }, ctx);
    case 'createTTL':
      return prepWrite({ op: 'create', opcode: OpCode.createTTL, path: request.path, data: request.data, acl: request.acl, flags: request.flags, ttl: request.ttl }, ctx);
    case 'delete':
      return prepWrite({ op: 'delete', opcode: OpCode.delete, path: request.path, version: request.version }, ctx);
    case 'deleteContainer':
      return prepWrite({ op: 'delete', opcode: OpCode.deleteContainer, path: request.path, version: -1 }, ctx);
    case 'setData':
      return prepWrite({ op: 'setData', path: request.path, data: request.data, version: request.version }, ctx);
    case 'setACL':
      return prepWrite({ op: 'setACL', path: request.path, acl: request.acl, version: request.version }, ctx);
    case 'check':
      return prepWrite({ op: 'check', path: request.path, version: request.version }, ctx);
    case 'reconfig':
      return { type: OpCode.error, err: ErrorCode.reconfigDisabled };
    case 'closeSession':
      return prepCloseSession(ctx);
    case 'multi': {
      if (!request.opsAllowed) return { type: OpCode.error, err: ErrorCode.marshallingError };
      const ops: WriteOp[] = [];
      for (const op of request.ops) {
        switch (op.op) {
          case 'create':
          case 'create2':
          case 'createContainer':
            ops.push({ op: 'create', opcode: OpCode[op.op], path: op.path, data: op.data, acl: op.acl, flags: op.flags, ttl: -1 });
            break;
          case 'createTTL':
            ops.push({ op: 'create', opcode: OpCode.createTTL, path: op.path, data: op.data, acl: op.acl, flags: op.flags, ttl: op.ttl });
            break;
          case 'delete':
            ops.push({ op: 'delete', opcode: OpCode.delete, path: op.path, version: op.version });
            break;
          case 'setData':
            ops.push({ op: 'setData', path: op.path, data: op.data, version: op.version });
            break;
          case 'check':
            ops.push({ op: 'check', path: op.path, version: op.version });
            break;
          case 'getData':
          case 'getChildren':
            return { type: OpCode.error, err: ErrorCode.marshallingError };
        }
      }
      return prepMulti(ops, ctx);
    }
    default:
      return { type: OpCode.error, err: ErrorCode.marshallingError };
  }
}
