// Path rules: Java's validatePath messages, the server's lighter checks, sequential suffixes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  childPath, nameOf, parentOf, sequenceSuffix, serverDeletePathValid, serverExistsPathValid, serverPathValid, validatePath,
} from '../../../src/tree/path.js';

describe('validatePath', () => {
  test('accepts ordinary paths', () => {
    for (const p of ['/', '/a', '/a/b', '/a.b', '/...', '/a..', '/.a', '/a/..b', '/zookeeper/config', '/é/日本']) {
      assert.equal(validatePath(p), null, p);
    }
  });

  test('gives the Java client texts', () => {
    assert.equal(validatePath(null), 'Path cannot be null');
    assert.equal(validatePath(''), 'Path length must be > 0');
    assert.equal(validatePath('a'), 'Path must start with / character');
    assert.equal(validatePath('/a/'), 'Path must not end with / character');
    assert.equal(validatePath('/a//b'), 'Invalid path string "/a//b" caused by empty node name specified @3');
    assert.equal(validatePath('/a/./b'), 'Invalid path string "/a/./b" caused by relative paths not allowed @3');
    assert.equal(validatePath('/a/..'), 'Invalid path string "/a/.." caused by relative paths not allowed @4');
    assert.equal(validatePath('/.'), 'Invalid path string "/." caused by relative paths not allowed @1');
    assert.equal(validatePath('/a\u0000b'), 'Invalid path string "/a\u0000b" caused by null character not allowed @2');
    assert.equal(validatePath('/a\u0001'), 'Invalid path string "/a\u0001" caused by invalid character @2');
    assert.equal(validatePath('/\u007f'), 'Invalid path string "/\u007f" caused by invalid character @1');
    assert.equal(validatePath('/x\u009f'), 'Invalid path string "/x\u009f" caused by invalid character @2');
    assert.equal(validatePath('/\ud83d\ude00'), 'Invalid path string "/\ud83d\ude00" caused by invalid character @1');
    assert.equal(validatePath('/ab\ufff0'), 'Invalid path string "/ab\ufff0" caused by invalid character @3');
    assert.equal(validatePath('/\uf8ff'), 'Invalid path string "/\uf8ff" caused by invalid character @1');
    assert.equal(validatePath('/\uf900'), null);
  });

  test('sequential paths are checked with a 1 appended', () => {
    assert.equal(validatePath('/a/', true), null);
    assert.equal(validatePath('/', true), null);
    assert.equal(validatePath('/a//', true), 'Invalid path string "/a//1" caused by empty node name specified @3');
    assert.equal(validatePath('', true), 'Path must start with / character');
  });
});

describe('server-side checks', () => {
  test('create/setData/setACL/check use full validation', () => {
    assert.equal(serverPathValid('/a/b'), true);
    assert.equal(serverPathValid('/a/'), false);
    assert.equal(serverPathValid('abc'), false);
  });

  test('delete: needs a slash, no NUL, not a special node', () => {
    assert.equal(serverDeletePathValid('/a'), true);
    assert.equal(serverDeletePathValid('/a//b'), true);
    assert.equal(serverDeletePathValid('abc'), false);
    assert.equal(serverDeletePathValid('/a\u0000'), false);
    for (const p of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) assert.equal(serverDeletePathValid(p), false);
    assert.equal(serverDeletePathValid('/zookeeper/quota/x'), true);
  });

  test('exists: only NUL is refused', () => {
    assert.equal(serverExistsPathValid('abc'), true);
    assert.equal(serverExistsPathValid('/a\u0000'), false);
  });
});

describe('sequence suffix and path helpers', () => {
  test('formats like %010d', () => {
    assert.equal(sequenceSuffix(0), '0000000000');
    assert.equal(sequenceSuffix(23), '0000000023');
    assert.equal(sequenceSuffix(2147483647), '2147483647');
    assert.equal(sequenceSuffix(-1), '-000000001');
    assert.equal(sequenceSuffix(-2147483648), '-2147483648');
  });

  test('parent, name and join', () => {
    assert.equal(parentOf('/a'), '/');
    assert.equal(parentOf('/a/b/c'), '/a/b');
    assert.equal(nameOf('/a/b'), 'b');
    assert.equal(childPath('/', 'a'), '/a');
    assert.equal(childPath('/a', 'b'), '/a/b');
  });
});
