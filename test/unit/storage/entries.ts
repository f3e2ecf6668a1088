// Hand-built txn entries for storage tests: a createSession txn (TxnHeader + CreateSessionTxn),
// the simplest entry Apache's tools accept, optionally with a TxnDigest.

import { JuteWriter } from '../../../src/jute/writer.js';
import { zxid as toZxid, type Zxid } from '../../../src/util/ids.js';

export function createSessionEntry(zxid: bigint, options: { sessionId?: bigint; timeoutMs?: number; timeMs?: number; digest?: bigint } = {}): Uint8Array {
  const w = new JuteWriter();
  w.writeLong(options.sessionId ?? 0x100000000000000n + zxid); // clientId
  w.writeInt(0); // cxid
  w.writeLong(zxid);
  w.writeLong(options.timeMs ?? 1_700_000_000_000 + Number(zxid));
  w.writeInt(-10); // createSession
  w.writeInt(options.timeoutMs ?? 30000);
  if (options.digest !== undefined) w.writeInt(2).writeLong(options.digest);
  return w.toBuffer();
}

export function z(n: number | bigint): Zxid {
  return toZxid(BigInt(n));
}
