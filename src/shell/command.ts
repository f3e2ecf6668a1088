// What a shell command is: its option spec, how many words it needs, whether it needs a live
// session, and an async body that writes through the context. The errors a body throws decide
// what is printed (on stderr) and the command's exit code.

import type { ZkClient } from '../client/client.js';
import type { Watcher } from '../client/types.js';
import { validatePath } from '../tree/path.js';
import type { OptionSpec, ParsedCommand } from './parse.js';
import { USAGES } from './usage.js';

export interface CommandContext {
  /** A client whose session is alive (checked before the body runs). */
  readonly client: ZkClient;
  /** The shell's one default watcher: prints events as zkCli does. */
  readonly watcher: Watcher;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandDef {
  readonly name: string;
  readonly options: OptionSpec;
  /** Words needed, the command name included; fewer prints the usage line. */
  readonly minWords: number;
  /** Resolves with the exit code (0 success, 1 failure). */
  run(ctx: CommandContext, cmd: ParsedCommand): Promise<number>;
}

/** A failure whose message zkCli prints as-is on stderr; exit code 1 unless given. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Prints the command's usage line (stderr), exit code 1. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(command: string) {
    super(USAGES[command] ?? command);
  }
}

/** The path argument, validated client-side as the Java client does (§6.6). */
export function pathArg(cmd: ParsedCommand, index: number, sequential = false): string {
  const path = cmd.args[index] ?? '';
  const problem = validatePath(path, sequential);
  if (problem !== null) throw new CliError(problem);
  return path;
}

/** A `-v version` option (default -1); a non-number fails as Java's Integer.parseInt does. */
export function versionOption(cmd: ParsedCommand): number {
  const text = cmd.options.get('v');
  if (text === undefined) return -1;
  return javaInt(text);
}

/** Integer.parseInt: decimal digits with an optional sign, in int range. */
export function javaInt(text: string): number {
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text) || n > 2147483647 || n < -2147483648) {
    throw new CliError(`For input string: "${text}"`);
  }
  return n;
}

/** Bytes as zkCli prints them: UTF-8 text, or `null` for a null buffer. */
export function dataText(data: Uint8Array | null): string {
  return data === null ? 'null' : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}
