import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties } from '../../../src/config/properties.js';
import { ConfigError } from '../../../src/config/errors.js';
import fc from 'fast-check';

const parse = (text: string): Record<string, string> => Object.fromEntries(parseProperties(text));

describe('parseProperties (Java Properties syntax)', () => {
  test('key=value, key: value, key value', () => {
    assert.deepEqual(parse('a=1\nb: 2\nc 3\nd\t=\t4\n'), { a: '1', b: '2', c: '3', d: '4' });
  });

  test('# and ! comments, blank and whitespace-only lines', () => {
    assert.deepEqual(parse('# c\n! c\n   # indented comment\n\n  \t\nk=v\n'), { k: 'v' });
  });

  test('a # after the value is part of the value', () => {
    assert.deepEqual(parse('k=v # not a comment'), { k: 'v # not a comment' });
  });

  test('only the first separator splits; later = and : are in the value', () => {
    assert.deepEqual(parse('server.1=zk1:2888:3888;2181'), { 'server.1': 'zk1:2888:3888;2181' });
    assert.deepEqual(parse('k==v'), { k: '=v' });
    assert.deepEqual(parse('k = : v'), { k: ': v' });
  });

  test('leading whitespace of the line and around the separator is dropped; trailing is kept', () => {
    assert.deepEqual(parse('   key   =   value  '), { key: 'value  ' });
  });

  test('key without a value', () => {
    assert.deepEqual(parse('lonely\nempty='), { lonely: '', empty: '' });
  });

  test('backslash continuation joins lines and drops the next line\'s indentation', () => {
    assert.deepEqual(parse('4lw.commands.whitelist=srvr,\\\n    ruok,\\\n\tmntr\nnext=1'), {
      '4lw.commands.whitelist': 'srvr,ruok,mntr',
      next: '1',
    });
  });

  test('an even number of trailing backslashes is not a continuation', () => {
    assert.deepEqual(parse('a=x\\\\\nb=y'), { a: 'x\\', b: 'y' });
  });

  test('a continued line starting with # is value text, not a comment', () => {
    assert.deepEqual(parse('a=1\\\n#2'), { a: '1#2' });
  });

  test('a comment line ending with a backslash does not continue', () => {
    assert.deepEqual(parse('# comment \\\nk=v'), { k: 'v' });
  });

  test('continuation at end of input', () => {
    assert.deepEqual(parse('k=v\\'), { k: 'v' });
  });

  test('CRLF and CR line endings', () => {
    assert.deepEqual(parse('a=1\r\nb=2\rc=3'), { a: '1', b: '2', c: '3' });
  });

  test('escapes in keys and values', () => {
    assert.deepEqual(parse('my\\ key=a\\tb\\u0041\\=\\:'), { 'my key': 'a\tbA=:' });
    assert.deepEqual(parse('k\\=x=1'), { 'k=x': '1' });
  });

  test('a malformed \\u escape is a ConfigError naming the line', () => {
    assert.throws(() => parse('a=1\nb=\\u12G4'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.key, 'line 2');
      return true;
    });
  });

  test('the last duplicate wins', () => {
    assert.deepEqual(parse('a=1\na=2'), { a: '2' });
  });
});

describe('parseProperties round trip (property)', () => {
  /** Write a key or value the way java.util.Properties#store escapes it. */
  function escape(text: string, isKey: boolean): string {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\' || ch === '=' || ch === ':' || ch === '#' || ch === '!') out += `\\${ch}`;
      else if (ch === ' ' && (isKey || i === 0)) out += '\\ ';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\f') out += '\\f';
      else out += ch;
    }
    return out;
  }

  test('escaped keys and values parse back to themselves', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', ' ', '=', ':', '#', '!', '\\', '\t', '\n', 'é') });
    fc.assert(
      fc.property(fc.dictionary(text.filter((k) => k !== ''), text, { maxKeys: 6 }), fc.boolean(), (entries, crlf) => {
        const lines = Object.entries(entries).map(([k, v]) => `${escape(k, true)}=${escape(v, false)}`);
        const parsed = parseProperties(lines.join(crlf ? '\r\n' : '\n'));
        assert.deepEqual(Object.fromEntries(parsed), entries);
      }),
      { numRuns: 300 },
    );
  });
});
