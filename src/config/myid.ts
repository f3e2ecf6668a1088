// The `<dataDir>/myid` file: the server id as the text of a long on the first line.
// Facts: protocol.md §9.2, storage-and-quorum.md §6.3.
// Invariants: pure; the first line is parsed as Java's Long.parseLong would (optional sign,
// decimal digits, no surrounding spaces), else `serverid <text> is not a number`.

import type { ServerId } from '../util/ids.js';
import { serverId } from '../util/ids.js';
import { ConfigError } from './errors.js';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Parse myid file text into a server id. Throws ConfigError (key `myid`). */
export function readMyId(text: string): ServerId {
  // An empty file has no first line; Java then reports the text as `null`.
  const firstLine = text === '' ? 'null' : text.split(/\r\n|\r|\n/)[0]!;
  const notANumber = (): ConfigError =>
    new ConfigError('myid', firstLine, 'a server id (a whole number)', `serverid ${firstLine} is not a number`);
  if (!/^[+-]?[0-9]+$/.test(firstLine)) throw notANumber();
  const value = BigInt(firstLine);
  if (value < LONG_MIN || value > LONG_MAX) throw notANumber();
  if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError('myid', firstLine, 'a server id small enough to be exact (|id| <= 2^53 - 1)');
  }
  return serverId(Number(value));
}
