// The ZooKeeper C client (cli_mt from zookeeper-bin) against each target: create / get / ls /
// set / delete with their printed results and error codes. One server per target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCliMt, type CliMtResult } from '../support/cli-mt.js';
import { startTarget, targetKinds, type Server } from '../support/target.js';

function out(r: CliMtResult, i: number): string {
  const step = r.steps[i];
  assert.ok(step, `no step ${i}\n${r.transcript}`);
  return step.output;
}

/** Asserts that step i printed every given line (exact lines, order-independent). */
function expectLines(r: CliMtResult, i: number, lines: readonly string[]): void {
  const got = out(r, i).split('\n');
  for (const line of lines) {
    assert.ok(got.includes(line), `step ${i} (${r.steps[i]?.command}) lacks ${JSON.stringify(line)}\n--- output ---\n${out(r, i)}`);
  }
}

for (const kind of targetKinds()) {
  describe(`cli_mt (C client) [${kind}]`, () => {
    let server: Server | undefined;
    const hostPort = (): string => {
      assert.ok(server, 'server not started');
      return server.connectString;
    };
    before(async () => {
      server = await startTarget(kind);
    });
    after(async () => {
      await server?.stop();
    });

    test('create, get, set, ls, delete and their error codes', async () => {
      const r = await runCliMt(hostPort(), [
        'create /cm', // 0: cli_mt stores the data "new"
        'get /cm',
        'set /cm hello',
        'get /cm',
        'ls /',
        'create +s /cms', // 5
        'create +e /cme',
        'create /cme/x',
        'create /cm',
        'create /nope/x',
        'delete /cm', // 10
        'get /cm',
        'delete /cm',
      ]);
      expectLines(r, 0, ['[/cm]: rc = 0', '\tname = /cm']);
      expectLines(r, 1, ['/cm: rc = 0', ' value_len = 3', 'new', 'Stat:', '\tversion=0\taversion=0', '\tephemeralOwner = 0']);
      expectLines(r, 2, ['/cm: rc = 0 Stat:', '\tversion=1\taversion=0']);
      expectLines(r, 3, ['/cm: rc = 0', ' value_len = 5', 'hello', '\tversion=1\taversion=0']);
      // The set changed mzxid and not czxid.
      const zxids = (i: number, key: string): string[] =>
        [...out(r, i).matchAll(new RegExp(`\\t${key}=([0-9a-f]+)`, 'g'))].map((m) => m[1] ?? '');
      assert.deepEqual(zxids(3, 'czxid'), zxids(1, 'czxid'));
      assert.notDeepEqual(zxids(3, 'mzxid'), zxids(1, 'mzxid'));
      expectLines(r, 4, ['/: rc = 0', '\tcm', '\tzookeeper']);
      expectLines(r, 5, ['[/cms]: rc = 0', '\tname = /cms0000000001']);
      expectLines(r, 6, ['[/cme]: rc = 0', '\tname = /cme']);
      expectLines(r, 7, ['[/cme/x]: rc = -108']);
      expectLines(r, 8, ['[/cm]: rc = -110']);
      expectLines(r, 9, ['[/nope/x]: rc = -101']);
      expectLines(r, 10, ['/cm: rc = 0']);
      expectLines(r, 11, ['/cm: rc = -101']);
      expectLines(r, 12, ['/cm: rc = -101']);
      // `get` leaves a data watch: the set fires it once, the delete fires NodeDeleted.
      const changed = r.transcript.match(/^Watcher CHANGED_EVENT state = CONNECTED_STATE for path \/cm$/gm) ?? [];
      assert.equal(changed.length, 1, r.transcript);
      assert.match(r.transcript, /^Watcher DELETED_EVENT state = CONNECTED_STATE for path \/cm$/m);
      assert.match(r.transcript, /^Quitting\.\.\.$/m);
    });

    test('the ephemeral is gone after the creating client quit', async () => {
      const r = await runCliMt(hostPort(), ['get /cme', 'get /cms0000000001', 'ls /']);
      expectLines(r, 0, ['/cme: rc = -101']);
      expectLines(r, 1, ['/cms0000000001: rc = 0', ' value_len = 3']);
      assert.ok(!out(r, 2).split('\n').includes('\tcme'), out(r, 2));
    });
  });
}
