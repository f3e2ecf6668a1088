// Typed readers for zoo.cfg values: integers (Java int/long rules), booleans, ports, enums.
// Invariants: pure; every reader either returns a valid value or throws a ConfigError naming
// the key, the value and the accepted form.

import { ConfigError } from './errors.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const DECIMAL = /^[+-]?[0-9]+$/;

export interface IntBounds {
  readonly min?: number;
  readonly max?: number;
}

function describeBounds(bounds: IntBounds, kind: string): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return `${kind} between ${min} and ${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/** A decimal integer (optional sign, as Java's parseInt/parseLong accept) within bounds. */
export function readInteger(key: string, value: string, bounds: IntBounds = {}, kind = 'an integer'): number {
  const expected = describeBounds(bounds, kind);
  if (!DECIMAL.test(value)) throw new ConfigError(key, value, expected);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new ConfigError(key, value, expected);
  if (bounds.min !== undefined && parsed < bounds.min) throw new ConfigError(key, value, expected);
  if (bounds.max !== undefined && parsed > bounds.max) throw new ConfigError(key, value, expected);
  return parsed;
}

/** A Java int (32-bit signed) within bounds. */
export function readInt32(key: string, value: string, bounds: IntBounds = {}): number {
  return readInteger(key, value, { min: bounds.min ?? INT32_MIN, max: bounds.max ?? INT32_MAX });
}

/**
 * A Java int as Integer.decode reads it (`jute.maxbuffer` is read that way): decimal, or hex
 * with a `0x`/`0X`/`#` prefix.
 */
export function readDecodedInt32(key: string, value: string, bounds: IntBounds = {}): number {
  const hex = /^([+-]?)(?:0[xX]|#)([0-9a-fA-F]+)$/.exec(value);
  if (hex === null) return readInt32(key, value, bounds);
  const parsed = (hex[1] === '-' ? -1 : 1) * parseInt(hex[2]!, 16);
  const min = bounds.min ?? INT32_MIN;
  const max = bounds.max ?? INT32_MAX;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(key, value, describeBounds({ min, max }, 'an integer (decimal or 0x hex)'));
  }
  return parsed;
}

/** A TCP port: 0..65535 (0 lets the OS choose) unless bounds say otherwise. */
export function readPort(key: string, value: string, min = 0): number {
  return readInteger(key, value, { min, max: 65535 }, 'a port number');
}

/** `true` or `false`, case-insensitive. Anything else is an error rather than silently false. */
export function readBoolean(key: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ConfigError(key, value, "'true' or 'false'");
}

/** One of a fixed set of strings. */
export function readChoice<T extends string>(key: string, value: string, choices: readonly T[]): T {
  const found = choices.find((choice) => choice === value);
  if (found === undefined) throw new ConfigError(key, value, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  return found;
}
