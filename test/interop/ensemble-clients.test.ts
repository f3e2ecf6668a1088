// Real ZooKeeper clients on different members of one zkts ensemble (3 voters + an observer) see a single system image: zkCli.sh writes through one member, node-zookeeper-client
// reads and watches through another, our client through the observer; a watch set through one
// member fires for a write through another; and each sees what the others wrote, Stat included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { connectSession, type ZkSession } from '../support/nzk.js';
import { zkCliSession } from '../support/zkcli.js';

let ensemble: Ensemble;
let nzk: ZkSession;
let ours: ZkClient;
before(async () => {
  ensemble = await startEnsemble({ size: 4, observers: [4] });
  nzk = await connectSession(ensemble.member(2).connectString, { sessionTimeoutMs: 8000 });
  ours = await connect(ensemble.member(4).connectString, { sessionTimeoutMs: 8000 });
});
after(async () => {
  await nzk?.close().catch(() => undefined);
  await ours?.close().catch(() => undefined);
  await ensemble?.stop();
});

test('zkCli.sh, node-zookeeper-client and the zkts client on different members see one tree', async () => {
  // A watch through the observer, for a node zkCli.sh will create through member 1.
  const created = new Promise<string>((resolve) => {
    void ours.exists('/image', { watch: (event) => resolve(`${event.type} ${event.path}`) });
  });
  const cli = await zkCliSession(ensemble.member(1).connectString, ['create /image v1', 'create /image/a', 'set /image v2', 'create -e /image/eph']);
  assert.equal(cli.exitCode, 0, cli.stderr);
  assert.match(cli.stderr, /Created \/image\/a/);
  assert.equal(await created, 'nodeCreated /image');

  // node-zookeeper-client through member 2. Reads are local and this client has no sync: member 2
  // may apply the commit a moment after member 1 answered zkCli, so wait for it (bounded).
  let viaNzk = await nzk.getData('/image');
  for (const deadline = Date.now() + 5000; viaNzk.data?.toString() !== 'v2' && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 50));
    viaNzk = await nzk.getData('/image');
  }
  assert.equal(viaNzk.data?.toString(), 'v2');
  await ours.sync('/image');
  const viaOurs = await ours.getData('/image');
  assert.equal(viaOurs.data?.toString(), 'v2');
  // The same Stat through both members.
  assert.equal(viaNzk.stat.mzxid, viaOurs.stat.mzxid);
  assert.equal(viaNzk.stat.czxid, viaOurs.stat.czxid);
  assert.equal(viaNzk.stat.version, viaOurs.stat.version);
  // zkCli.sh quit: its ephemeral is gone for everyone.
  await ours.sync('/');
  assert.equal(await ours.exists('/image/eph'), null);
  assert.deepEqual((await nzk.getChildren('/image')).children.sort(), ['a']);

  // A write through node-zookeeper-client fires a data watch set through the observer.
  const changed = new Promise<string>((resolve) => {
    void ours.getData('/image', { watch: (event) => resolve(`${event.type} ${event.path}`) });
  });
  await nzk.setData('/image', Buffer.from('v3'));
  assert.equal(await changed, 'nodeDataChanged /image');

  // zkCli.sh on member 3 reads what the others wrote.
  const reader = await zkCliSession(ensemble.member(3).connectString, ['sync /image', 'get /image', 'ls /image']);
  assert.deepEqual(reader.steps.map((s) => s.stdout.trim()).slice(1), ['v3', '[a]']);
});
