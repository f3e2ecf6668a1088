// Client operations of the simulation, their results, and their encoding as the bodies of
// forwarded requests (a learner forwards the raw request record, as ZooKeeper does).

import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { OPEN_ACL_UNSAFE } from '../proto/data.js';
import { CreateFlag, OpCode } from '../proto/opcodes.js';
import { decodeRequest, writeRequestBody } from '../proto/requests.js';
import type { SessionId } from '../util/ids.js';
import type { ForwardedRequest } from '../zab/messages.js';

export type ClientOp =
  | { readonly kind: 'create'; readonly path: string; readonly data: string; readonly ephemeral: boolean }
  | { readonly kind: 'set'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'read'; readonly path: string }
  | { readonly kind: 'createSession'; readonly timeoutMs: number }
  | { readonly kind: 'closeSession' };

export type WriteOp = Exclude<ClientOp, { kind: 'read' }>;

/** err = ZooKeeper error code (0 ok); version/data describe the node after (writes) or as read. */
export interface OpResult {
  readonly err: number;
  readonly version: number | null;
  readonly data: string | null;
  /** The zxid of the txn a write became. */
  readonly zxid: bigint | null;
}

export function isWrite(op: ClientOp): op is WriteOp {
  return op.kind !== 'read';
}

export function encodeForward(sessionId: SessionId, cxid: number, op: WriteOp): ForwardedRequest {
  const w = new JuteWriter();
  let opType: number;
  switch (op.kind) {
    case 'create':
      opType = OpCode.create;
      writeRequestBody(w, { op: 'create', path: op.path, data: Buffer.from(op.data), acl: OPEN_ACL_UNSAFE, flags: op.ephemeral ? CreateFlag.ephemeral : CreateFlag.persistent });
      break;
    case 'set':
      opType = OpCode.setData;
      writeRequestBody(w, { op: 'setData', path: op.path, data: Buffer.from(op.data), version: op.version });
      break;
    case 'delete':
      opType = OpCode.delete;
      writeRequestBody(w, { op: 'delete', path: op.path, version: op.version });
      break;
    case 'createSession':
      opType = OpCode.createSession;
      w.writeInt(op.timeoutMs);
      break;
    case 'closeSession':
      opType = OpCode.closeSession;
      break;
  }
  return { sessionId, cxid, opType, body: Uint8Array.from(w.toBuffer()), authinfo: null };
}

export function decodeForward(req: ForwardedRequest): WriteOp {
  const r = new JuteReader(req.body);
  if (req.opType === OpCode.createSession) return { kind: 'createSession', timeoutMs: r.readInt() };
  if (req.opType === OpCode.closeSession) return { kind: 'closeSession' };
  const q = decodeRequest(req.opType, r);
  const text = (d: Uint8Array | null): string => (d === null ? '' : Buffer.from(d).toString());
  switch (q.op) {
    case 'create':
      return { kind: 'create', path: q.path, data: text(q.data), ephemeral: q.flags === CreateFlag.ephemeral };
    case 'setData':
      return { kind: 'set', path: q.path, data: text(q.data), version: q.version };
    case 'delete':
      return { kind: 'delete', path: q.path, version: q.version };
    default:
      throw new Error(`the simulation forwards no ${q.op}`);
  }
}
