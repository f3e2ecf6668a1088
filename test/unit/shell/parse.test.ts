// Parsing in the zkts shell: zkCli's word splitting and quoting, commons-cli style options,
// ACL argument text, and zkCli.sh's own command-line arguments. Expected values come from
// zkCli.sh 3.8 runs (protocol.md §8).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OptionError, parseAcl, parseCommand, parseShellArgs, splitWords } from '../../../src/shell/parse.js';

describe('splitWords', () => {
  test('blanks separate words; runs of blanks and edges are ignored', () => {
    assert.deepEqual(splitWords('  ls   /  '), ['ls', '/']);
    assert.deepEqual(splitWords('\tget\t-s /a'), ['get', '-s', '/a']);
    assert.deepEqual(splitWords(''), []);
    assert.deepEqual(splitWords('   '), []);
  });
  test('double and single quotes group blanks and are dropped', () => {
    assert.deepEqual(splitWords('create /a "x y"'), ['create', '/a', 'x y']);
    assert.deepEqual(splitWords("create /a 'single q'"), ['create', '/a', 'single q']);
    assert.deepEqual(splitWords('create /a ""'), ['create', '/a', '']);
    assert.deepEqual(splitWords(`set /a "it's"`), ['set', '/a', "it's"]);
  });
  test('a quote inside a word or without a partner is an ordinary character', () => {
    assert.deepEqual(splitWords('create /qb ab"cd ef"'), ['create', '/qb', 'ab"cd', 'ef"']);
    assert.deepEqual(splitWords('create /qc "unterm x'), ['create', '/qc', '"unterm', 'x']);
  });
  test('words without blanks or quotes round-trip through a join', () => {
    const word = fc.stringMatching(/^[^\s"']+$/);
    fc.assert(fc.property(fc.array(word, { maxLength: 8 }), (words) => {
      assert.deepEqual(splitWords(words.join('  ')), words);
    }));
  });
});

describe('parseCommand', () => {
  const spec = { s: false, e: false, v: true, R: false };
  test('options anywhere after the command, the rest are arguments in order', () => {
    const parsed = parseCommand(['set', '/a', '-s', 'data', '-v', '3'], spec);
    assert.deepEqual(parsed.args, ['set', '/a', 'data']);
    assert.equal(parsed.options.get('s'), '');
    assert.equal(parsed.options.get('v'), '3');
  });
  test('a value glued to its option, bundled flags, a lone dash', () => {
    const parsed = parseCommand(['x', '-v7', '-se', '-'], spec);
    assert.equal(parsed.options.get('v'), '7');
    assert.ok(parsed.options.has('s') && parsed.options.has('e'));
    assert.deepEqual(parsed.args, ['x', '-']);
  });
  test('a value may start with a dash (create -t -5)', () => {
    assert.equal(parseCommand(['create', '-v', '-5', '/a'], spec).options.get('v'), '-5');
  });
  test('unknown options and missing values fail with commons-cli texts', () => {
    assert.throws(() => parseCommand(['get', '-x', '/'], spec), new OptionError('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x'));
    assert.throws(() => parseCommand(['set', '/a', 'd', '-v'], spec), new OptionError('org.apache.commons.cli.MissingArgumentException: Missing argument for option: v'));
    assert.throws(() => parseCommand(['ls', '-sx', '/'], spec), /Unrecognized option: -sx/);
  });
  test('the command name itself is never an option', () => {
    assert.deepEqual(parseCommand(['-s'], spec).args, ['-s']);
  });
});

describe('parseAcl', () => {
  test('scheme:id:perms, with the id running from the first to the last colon', () => {
    assert.deepEqual(parseAcl('world:anyone:cdrwa'), { acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], warnings: [] });
    assert.deepEqual(parseAcl('digest:root:j9h0MUOgtRf8FIMdZlrZpfoup3c=:rw').acl, [{ perms: 3, id: { scheme: 'digest', id: 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=' } }]);
    assert.deepEqual(parseAcl('auth::cdrwa').acl, [{ perms: 31, id: { scheme: 'auth', id: '' } }]);
    assert.deepEqual(parseAcl('ip:10.0.0.0/8:r').acl, [{ perms: 1, id: { scheme: 'ip', id: '10.0.0.0/8' } }]);
  });
  test('a comma list; each perm letter adds its bit once', () => {
    const parsed = parseAcl('ip:127.0.0.1:cdrwa,world:anyone:rr');
    assert.deepEqual(parsed.acl.map((a) => a.perms), [31, 1]);
  });
  test('unknown perm letters and malformed entries warn and are skipped', () => {
    assert.deepEqual(parseAcl('world:anyone:rwx'), { acl: [{ perms: 3, id: { scheme: 'world', id: 'anyone' } }], warnings: ['Unknown perm type: x'] });
    assert.deepEqual(parseAcl('b'), { acl: [], warnings: ['b does not have the form scheme:id:perm'] });
    assert.deepEqual(parseAcl('world:anyone'), { acl: [], warnings: ['world:anyone does not have the form scheme:id:perm'] });
  });
});

describe('parseShellArgs', () => {
  test('defaults: localhost:2181, 30 s, interactive', () => {
    assert.deepEqual(parseShellArgs([]), { server: 'localhost:2181', timeoutMs: 30000, readOnly: false, waitForConnection: false, command: null });
  });
  test('every zkCli.sh option, then the command and its arguments', () => {
    const args = parseShellArgs(['-server', 'h1:1,h2:2/app', '-timeout', '5000', '-r', '-waitforconnection', '-client-configuration', 'x.properties', 'get', '-s', '/a']);
    assert.deepEqual(args, { server: 'h1:1,h2:2/app', timeoutMs: 5000, readOnly: true, waitForConnection: true, command: ['get', '-s', '/a'] });
  });
  test('the first word that is not a shell option starts the command', () => {
    assert.deepEqual(parseShellArgs(['ls', '-server', 'x']).command, ['ls', '-server', 'x']);
    assert.equal(parseShellArgs(['-server']).server, 'localhost:2181');
  });
  test('a timeout that is not a number is refused', () => {
    assert.throws(() => parseShellArgs(['-timeout', 'soon']), /-timeout/);
  });
});
