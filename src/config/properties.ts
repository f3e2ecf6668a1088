// Java `Properties` text syntax, as zoo.cfg is read: logical lines, comments, separators,
// escapes. Facts: protocol.md §9.1 (and the java.util.Properties file format).
// Invariants: pure; a later duplicate key replaces an earlier one but keeps its first position;
// keys and values are returned as Properties gives them (zoo.cfg's trimming is the caller's).
// Note: Java reads the file bytes as ISO-8859-1; this takes already-decoded text.

import { ConfigError } from './errors.js';

const WHITESPACE = new Set([' ', '\t', '\f']);

/** Split text into natural lines (\n, \r or \r\n). */
function naturalLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** True when the line ends in an odd number of backslashes (a continuation). */
function endsWithContinuation(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

function skipWhitespace(line: string, from: number): number {
  let i = from;
  while (i < line.length && WHITESPACE.has(line[i]!)) i++;
  return i;
}

/** Join continuation lines into logical lines, dropping blank and comment lines. */
function logicalLines(text: string): Array<{ line: string; lineNumber: number }> {
  const lines = naturalLines(text);
  const result: Array<{ line: string; lineNumber: number }> = [];
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let current = lines[index]!.slice(skipWhitespace(lines[index]!, 0));
    if (current === '' || current[0] === '#' || current[0] === '!') continue;
    // A continued line drops its trailing backslash and the next line's leading whitespace.
    while (endsWithContinuation(current) && index + 1 < lines.length) {
      index++;
      const next = lines[index]!;
      current = current.slice(0, -1) + next.slice(skipWhitespace(next, 0));
    }
    if (endsWithContinuation(current)) current = current.slice(0, -1);
    result.push({ line: current, lineNumber });
  }
  return result;
}

/** Resolve backslash escapes: \t \n \r \f \uXXXX; any other escaped character stands for itself. */
function unescape(raw: string, lineNumber: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i++;
    if (i >= raw.length) break;
    const escaped = raw[i]!;
    if (escaped === 't') out += '\t';
    else if (escaped === 'n') out += '\n';
    else if (escaped === 'r') out += '\r';
    else if (escaped === 'f') out += '\f';
    else if (escaped === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError(`line ${lineNumber}`, raw, 'a \\uXXXX escape with 4 hex digits');
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += escaped;
  }
  return out;
}

/** Split one logical line into its raw (still escaped) key and value. */
function splitKeyValue(line: string): { rawKey: string; rawValue: string } {
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '=' || ch === ':' || WHITESPACE.has(ch)) break;
    i++;
  }
  const rawKey = line.slice(0, Math.min(i, line.length));
  let j = skipWhitespace(line, i);
  // One `=` or `:` may follow the key (after whitespace), then more whitespace.
  if (j < line.length && (line[j] === '=' || line[j] === ':')) j = skipWhitespace(line, j + 1);
  return { rawKey, rawValue: line.slice(j) };
}

/** Parse Properties text into an ordered key → value map. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const { line, lineNumber } of logicalLines(text)) {
    const { rawKey, rawValue } = splitKeyValue(line);
    properties.set(unescape(rawKey, lineNumber), unescape(rawValue, lineNumber));
  }
  return properties;
}
