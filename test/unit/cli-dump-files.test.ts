// `zkts log` and `zkts snapshot` render Apache's files (plain, gz, snappy) and report damage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderLogFile, renderSnapshotFile } from '../../src/cli/dump-files.js';

const FIXTURES = new URL('../fixtures/apache-3.8-storage/', import.meta.url).pathname;

test('every txn of an Apache log is printed, with its zxid and digest', () => {
  const bytes = readFileSync(join(FIXTURES, 'plain', 'log.1'));
  const { text, ok } = renderLogFile(bytes);
  assert.ok(ok);
  const lines = text.trim().split('\n');
  const count = Number(/^(\d+) txns$/.exec(lines.at(-1)!)?.[1]);
  assert.ok(count > 0);
  assert.equal(lines.filter((l) => / zxid 0x[0-9a-f]+ /.test(l)).length, count);
  assert.match(lines[1]!, /session 0x[0-9a-f]+ cxid 0x0 zxid 0x1 createSession timeout=\d+ digest=1371985504$/);
});

test('a damaged record is reported and fails the command', () => {
  const bytes = Buffer.from(readFileSync(join(FIXTURES, 'plain', 'log.1')));
  bytes[16 + 8 + 4 + 3]! ^= 0xff; // inside the first record's entry: checksum mismatch
  const { text, ok } = renderLogFile(bytes);
  assert.equal(ok, false);
  assert.match(text, /(corrupt|torn) at offset 16/);
});

test('snapshots print sessions, ACLs and every node, whatever the compression', () => {
  for (const kind of ['plain', 'gz', 'snappy']) {
    const name = readdirSync(join(FIXTURES, kind)).filter((f) => f.startsWith('snapshot.')).sort().at(-1)!;
    const text = renderSnapshotFile(name, readFileSync(join(FIXTURES, kind, name)));
    assert.match(text, /^ZooKeeper snapshot \(format version 2\)\nsessions: \d+\n/);
    const nodes = Number(/\nnodes: (\d+)\n/.exec(text)?.[1]);
    assert.ok(nodes >= 4, kind);
    assert.equal(text.split('\n').filter((l) => /^ {4}czxid=/.test(l)).length, nodes, kind);
    assert.ok(text.includes('\n  /zookeeper/quota\n'), kind);
  }
});
