// One error class per code of §5.1 (except ok), with code, path, cause and the Java message.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, errorMessage } from '../../../src/proto/error-codes.js';
import {
  BadVersionError, ERROR_CLASSES, NoAuthError, NoNodeError, NodeExistsError, NotEmptyError,
  SessionExpiredError, ZooKeeperError, errorForCode,
} from '../../../src/proto/errors.js';

describe('ZooKeeper errors', () => {
  const codes = Object.values(ErrorCode).filter((code) => code !== 0);

  test('every non-ok code has its own class', () => {
    assert.equal(codes.length, 31);
    assert.deepStrictEqual([...ERROR_CLASSES.keys()].sort(), [...codes].sort());
    const names = new Set<string>();
    for (const code of codes) {
      const error = errorForCode(code, '/p');
      assert.ok(error instanceof ZooKeeperError && error instanceof Error);
      assert.notEqual(error.constructor, ZooKeeperError, `code ${code} has a class`);
      assert.equal(error.code, code);
      assert.equal(error.path, '/p');
      assert.equal(error.message, `KeeperErrorCode = ${errorMessage(code)} for /p`);
      assert.equal(error.name, error.constructor.name);
      names.add(error.name);
    }
    assert.equal(names.size, codes.length);
  });

  test('classes match their codes and messages', () => {
    const cases: Array<[ZooKeeperError, number, string]> = [
      [new NoNodeError('/a'), -101, 'KeeperErrorCode = NoNode for /a'],
      [new NodeExistsError('/b'), -110, 'KeeperErrorCode = NodeExists for /b'],
      [new BadVersionError(), -103, 'KeeperErrorCode = BadVersion'],
      [new NoAuthError('/c'), -102, 'KeeperErrorCode = NoAuth for /c'],
      [new NotEmptyError('/d'), -111, 'KeeperErrorCode = Directory not empty for /d'],
      [new SessionExpiredError(), -112, 'KeeperErrorCode = Session expired'],
    ];
    for (const [error, code, message] of cases) {
      assert.equal(error.code, code);
      assert.equal(error.message, message);
    }
    assert.ok(errorForCode(-101) instanceof NoNodeError);
    assert.equal(errorForCode(-101).path, undefined);
  });

  test('cause is kept', () => {
    const cause = new Error('socket closed');
    const error = errorForCode(ErrorCode.connectionLoss, undefined, { cause });
    assert.equal(error.cause, cause);
    assert.equal(new NoNodeError('/x').cause, undefined);
  });

  test('unknown codes give a plain ZooKeeperError with that code', () => {
    const error = errorForCode(-126, '/q');
    assert.equal(error.constructor, ZooKeeperError);
    assert.equal(error.code, -126);
    assert.equal(error.message, 'KeeperErrorCode = Unknown error -126 for /q');
  });
});
