// One-line renderings of inputs and effects, for ZAB_TRACE=1 runs of the scripted tests.

import type { PeerMessage } from '../../src/zab/messages.js';
import type { ZabEffect, ZabInput } from '../../src/zab/types.js';

/** One line per input or effect, for ZAB_TRACE=1 runs. */
export function show(x: ZabInput | ZabEffect): string {
  const hexOf = (v: bigint): string => (v < 0n ? v.toString() : `0x${v.toString(16)}`);
  const body = (m: PeerMessage): string =>
    m.kind === 'notification'
      ? `N(${m.state} L${m.leader} z${hexOf(m.zxid)} ee${m.electionEpoch} pe${m.peerEpoch})`
      : `${m.type} ${hexOf(m.zxid)}`;
  switch (x.kind) {
    case 'message': return `${x.from}: ${body(x.message)}`;
    case 'send': return `send ${x.to}: ${body(x.message)}`;
    case 'persist': return `persist ${x.txns.map((t) => hexOf(t.header.zxid)).join(',')}`;
    case 'persisted': return `persisted ${hexOf(x.zxidUpTo)}`;
    case 'commit': return `commit ${hexOf(x.zxidUpTo)}`;
    default: return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? hexOf(v) : v));
  }
}

