// Parsing for the shell (protocol.md §8): a command line into words (zkCli's quoting), a
// command's words into options and arguments (commons-cli style: options anywhere, `-v 3` or
// `-v3`, flags bundled as `-se`), ACL argument text into ACL entries, and zkCli's own
// command-line arguments. Pure: no I/O; problems come back as values with zkCli's texts.

import type { Acl } from '../proto/data.js';

/**
 * Splits a line into words. A word is a run of non-blank characters, or text between a pair of
 * double or single quotes (quotes dropped, blanks kept). A quote with no closing partner is an
 * ordinary character.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isBlank(line[i] ?? '')) i++;
    if (i >= line.length) break;
    const c = line[i] ?? '';
    if (c === '"' || c === "'") {
      const close = line.indexOf(c, i + 1);
      if (close >= 0) {
        words.push(line.slice(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    let j = i;
    while (j < line.length && !isBlank(line[j] ?? '')) j++;
    words.push(line.slice(i, j));
    i = j;
  }
  return words;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f';
}

/** A command's option spec: letter -> whether it takes a value. */
export type OptionSpec = Readonly<Record<string, boolean>>;

export interface ParsedCommand {
  /** The command name followed by its non-option words, in order. */
  readonly args: string[];
  /** Flags present (value ''), and options with their values. */
  readonly options: ReadonlyMap<string, string>;
}

export class OptionError extends Error {
  override name = 'OptionError';
}

/** Parses `words` (command name first) against `spec`; throws OptionError with commons-cli's text. */
export function parseCommand(words: readonly string[], spec: OptionSpec): ParsedCommand {
  const args: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (i === 0 || !word.startsWith('-') || word.length === 1) {
      args.push(word);
      continue;
    }
    if (word === '--') {
      args.push(...words.slice(i + 1));
      break;
    }
    const name = word.slice(1);
    const takesValue = spec[name];
    if (takesValue !== undefined) {
      if (!takesValue) {
        options.set(name, '');
        continue;
      }
      const value = words[i + 1];
      if (value === undefined) {
        throw new OptionError(`org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${name}`);
      }
      options.set(name, value);
      i++;
      continue;
    }
    const first = name[0] ?? '';
    if (spec[first] === true) {
      options.set(first, name.slice(1)); // `-v3`
      continue;
    }
    if ([...name].every((letter) => spec[letter] === false)) {
      for (const letter of name) options.set(letter, ''); // `-se`
      continue;
    }
    throw new OptionError(`org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ${word}`);
  }
  return { args, options };
}

export interface ParsedAcl {
  readonly acl: Acl[];
  /** Complaints zkCli prints on stderr while parsing, in order. */
  readonly warnings: string[];
}

const PERM_BITS: Readonly<Record<string, number>> = { r: 1, w: 2, c: 4, d: 8, a: 16 };

/**
 * Parses `scheme:id:perms[,...]`. The id runs from the first to the last colon (digest ids hold
 * a colon). Entries without two colons are skipped with a warning; unknown perm letters are
 * skipped with a warning each.
 */
export function parseAcl(text: string): ParsedAcl {
  const acl: Acl[] = [];
  const warnings: string[] = [];
  for (const entry of text.split(',')) {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first < 0 || first === last) {
      warnings.push(`${entry} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const letter of entry.slice(last + 1)) {
      const bit = PERM_BITS[letter];
      if (bit === undefined) warnings.push(`Unknown perm type: ${letter}`);
      else perms |= bit;
    }
    acl.push({ perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } });
  }
  return { acl, warnings };
}

/** zkCli.sh's own arguments. */
export interface ShellArgs {
  readonly server: string;
  readonly timeoutMs: number;
  readonly readOnly: boolean;
  readonly waitForConnection: boolean;
  /** A command to run once, or null for the read-eval loop. */
  readonly command: string[] | null;
}

export const DEFAULT_SERVER = 'localhost:2181';
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Parses `[-server hosts[/chroot]] [-timeout ms] [-r] [-waitforconnection]
 * [-client-configuration file] [cmd args...]`. The first word that is none of these starts the
 * command; a value-taking option at the end without its value is ignored, as zkCli does.
 */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  let server = DEFAULT_SERVER;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let readOnly = false;
  let waitForConnection = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const value = argv[i + 1];
    if (word === '-r') readOnly = true;
    else if (word === '-waitforconnection') waitForConnection = true;
    else if (word === '-server' || word === '-timeout' || word === '-client-configuration') {
      if (value === undefined) continue;
      if (word === '-server') server = value;
      else if (word === '-timeout') timeoutMs = parseTimeout(value);
      i++;
    } else break;
  }
  const command = i < argv.length ? argv.slice(i) : null;
  return { server, timeoutMs, readOnly, waitForConnection, command };
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(ms)) throw new Error(`-timeout: not a number of milliseconds: ${text}`);
  return ms;
}
