// Four-letter words on the client port: layouts of protocol.md §7.2 and the whitelist rule.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startZkts, type Server } from '../support/zkts-server.js';
import { fourLetterWord } from '../support/server-process.js';
import { RawClient, OPEN_ACL } from './raw-client.js';

let server: Server;
let restricted: Server;
let client: RawClient;

before(async () => {
  server = await startZkts();
  restricted = await startZkts({ extraCfg: { '4lw.commands.whitelist': 'ruok' } });
  client = await RawClient.session(server.port);
  await client.call({ op: 'create', path: '/h', data: null, acl: OPEN_ACL, flags: 0 });
  await client.call({ op: 'create', path: '/h/eph', data: null, acl: OPEN_ACL, flags: 1 });
  await client.call({ op: 'getData', path: '/h', watch: true });
  await client.call({ op: 'exists', path: '/nothere', watch: true });
});

after(async () => {
  client.close();
  await server.stop();
  await restricted.stop();
});

const word = (w: string, s: Server = server) => fourLetterWord(s.host, s.port, w, 5000);

test('ruok, isro, srvr', async () => {
  assert.equal(await word('ruok'), 'imok');
  assert.equal(await word('isro'), 'rw');
  const srvr = await word('srvr');
  assert.match(srvr, /^Zookeeper version: .+\nLatency min\/avg\/max: \d+\/[\d.]+\/\d+\nReceived: \d+\nSent: \d+\nConnections: \d+\nOutstanding: 0\nZxid: 0x[0-9a-f]+\nMode: standalone\nNode count: 7\n$/);
});

test('stat lists clients; cons shows the session fields', async () => {
  const stat = await word('stat');
  assert.match(stat, /\nClients:\n( \/127\.0\.0\.1:\d+\[1\]\(queued=\d+,recved=\d+,sent=\d+\)\n)+\nLatency/);
  const cons = await word('cons');
  const hex = BigInt.asUintN(64, client.sessionId).toString(16);
  assert.match(cons, new RegExp(`sid=0x${hex},lop=[A-Z]+,est=\\d+,to=30000,lcxid=0x[0-9a-f]+,lzxid=0x[0-9a-f]+`));
  assert.ok(cons.endsWith('\n\n'));
});

test('watch words report the data-watch table', async () => {
  assert.equal(await word('wchs'), '1 connections watching 2 paths\nTotal watches:2\n');
  const hex = BigInt.asUintN(64, client.sessionId).toString(16);
  assert.equal(await word('wchc'), `0x${hex}\n\t/h\n\t/nothere\n\n`);
  assert.equal(await word('wchp'), `/h\n\t0x${hex}\n/nothere\n\t0x${hex}\n\n`);
});

test('dump shows session expiry sets and ephemerals; mntr has the core keys', async () => {
  const dump = await word('dump');
  const hex = BigInt.asUintN(64, client.sessionId).toString(16);
  assert.match(dump, /^SessionTracker dump:\nSession Sets \(\d+\)\/\(\d+\):\n/);
  assert.ok(dump.includes(`ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x${hex}:\n\t/h/eph\n`));
  const mntr = await word('mntr');
  const keys = new Map(mntr.trim().split('\n').map((line) => line.split('\t') as [string, string]));
  assert.equal(keys.get('zk_server_state'), 'standalone');
  assert.equal(keys.get('zk_znode_count'), '7');
  assert.equal(keys.get('zk_ephemerals_count'), '1');
  assert.equal(keys.get('zk_watch_count'), '2');
  assert.equal(keys.get('zk_digest_mismatches_count'), '0');
});

test('conf, envi, dirs, crst, srst', async () => {
  const conf = await word('conf');
  assert.match(conf, new RegExp(`^clientPort=${server.port}\nsecureClientPort=-1\ndataDir=.*/version-2\ndataDirSize=\\d+\ndataLogDir=.*/version-2\ndataLogSize=\\d+\ntickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n$`));
  assert.match(await word('envi'), /^Environment:\nzookeeper\.version=.*\nhost\.name=/);
  assert.match(await word('dirs'), /^datadir_size: \d+\nlogdir_size: \d+\n$/);
  assert.equal(await word('crst'), 'Connection stats reset.\n');
  assert.equal(await word('srst'), 'Server stats reset.\n');
  assert.match(await word('srvr'), /\nReceived: 0\n/);
});

test('words outside the whitelist answer the refusal text; srvr is always allowed', async () => {
  assert.equal(await word('ruok', restricted), 'imok');
  assert.equal(await word('stat', restricted), 'stat is not executed because it is not in the whitelist.\n');
  assert.match(await word('srvr', restricted), /^Zookeeper version: /);
});
