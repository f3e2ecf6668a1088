// Builds the reply of a committed write from the request and what applying its txn produced
// (protocol.md §4.4, §4.6). A failed write's reply is the header with the error code.

import { OpCode } from '../../proto/opcodes.js';
import type { MultiResult } from '../../proto/multi.js';
import type { Request } from '../../proto/requests.js';
import type { Response } from '../../proto/responses.js';
import type { ApplyResult } from '../../txn/types.js';
import type { Database } from './database.js';

export interface WriteReply {
  readonly err: number;
  readonly response: Response | null;
}

function multiResult(result: ApplyResult): MultiResult {
  if (result.type === OpCode.error || result.err !== 0) return { op: 'error', err: result.err };
  switch (result.type) {
    case OpCode.create:
      return { op: 'create', path: result.path ?? '' };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return result.stat === null ? { op: 'create', path: result.path ?? '' } : { op: 'create2', path: result.path ?? '', stat: result.stat };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { op: 'delete' };
    case OpCode.setData:
      return { op: 'setData', stat: result.stat! };
    case OpCode.check:
      return { op: 'check' };
    default:
      return { op: 'error', err: result.err };
  }
}

export function replyForCommitted(request: Request, result: ApplyResult, db: Database): WriteReply {
  if (result.err !== 0 && request.op !== 'multi') return { err: result.err, response: null };
  switch (request.op) {
    case 'create':
      return { err: 0, response: { kind: 'create', path: result.path ?? '' } };
    case 'create2':
    case 'createContainer':
    case 'createTTL': {
      const path = result.path ?? '';
      const stat = result.stat ?? db.stat(path);
      return { err: 0, response: stat === undefined ? { kind: 'create', path } : { kind: 'create2', path, stat } };
    }
    case 'setData':
    case 'setACL':
    case 'check': {
      const stat = result.stat ?? db.stat(request.path);
      return { err: 0, response: stat === undefined ? null : { kind: 'stat', stat } };
    }
    case 'multi': {
      if (result.type === OpCode.error) return { err: result.err, response: null };
      return { err: 0, response: { kind: 'multi', results: (result.multi ?? []).map(multiResult) } };
    }
    default:
      return { err: 0, response: null };
  }
}
