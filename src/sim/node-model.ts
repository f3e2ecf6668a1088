// The sequential specification of one znode, for the linearizability checker: create, setData
// and delete with expected versions, and reads. Errors are part of the specification (a create
// of an existing node must answer NodeExists, a setData with a wrong version BadVersion).
// A write that answered SessionExpired never took effect, whatever the state.

import { ErrorCode } from '../proto/error-codes.js';
import type { Model } from './linearizability.js';
import type { ClientOp, OpResult } from './ops.js';

export interface NodeState {
  readonly exists: boolean;
  readonly data: string;
  readonly version: number;
}

const ABSENT: NodeState = { exists: false, data: '', version: 0 };

export type NodeInput = Extract<ClientOp, { kind: 'create' | 'set' | 'delete' | 'read' }>;

function expect(output: OpResult | null, err: number): boolean {
  return output === null || output.err === err;
}

export const nodeModel: Model<NodeState, NodeInput, OpResult> = {
  init: () => ABSENT,
  key: (s) => (s.exists ? `${s.version}:${s.data}` : '-'),
  step(s, input, out) {
    if (out !== null && out.err === ErrorCode.sessionExpired && input.kind !== 'read') return s;
    switch (input.kind) {
      case 'read':
        if (!s.exists) return expect(out, ErrorCode.noNode) ? s : undefined;
        return out === null || (out.err === ErrorCode.ok && out.data === s.data && out.version === s.version) ? s : undefined;
      case 'create':
        if (s.exists) return expect(out, ErrorCode.nodeExists) ? s : undefined;
        return expect(out, ErrorCode.ok) ? { exists: true, data: input.data, version: 0 } : undefined;
      case 'set': {
        if (!s.exists) return expect(out, ErrorCode.noNode) ? s : undefined;
        if (input.version !== -1 && input.version !== s.version) return expect(out, ErrorCode.badVersion) ? s : undefined;
        const next = { exists: true, data: input.data, version: s.version + 1 };
        return expect(out, ErrorCode.ok) && (out === null || out.version === null || out.version === next.version) ? next : undefined;
      }
      case 'delete':
        if (!s.exists) return expect(out, ErrorCode.noNode) ? s : undefined;
        if (input.version !== -1 && input.version !== s.version) return expect(out, ErrorCode.badVersion) ? s : undefined;
        return expect(out, ErrorCode.ok) ? ABSENT : undefined;
    }
  },
};
