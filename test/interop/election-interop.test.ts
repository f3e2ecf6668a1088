// Interop with Apache ZooKeeper 3.8 (Debian package): Apache servers 1 and 2 of a 3-server
// zoo.cfg elect a leader while our ElectionTransport plays server 3's election port. It must be
// accepted by Apache (its handshake and dial-back), receive and decode their notifications, and
// get FOLLOWING/LEADING replies to a LOOKING notification it sends (a vote that cannot win:
// epoch 0, zxid 0). Apache is stopped by pid in the after-hook.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElectionTransport } from '../../src/quorum/election-transport.js';
import { ServerState, type Notification } from '../../src/zab/messages.js';
import { serverId, zxid, type ServerId } from '../../src/util/ids.js';
import { APACHE_MAIN_CLASS, apacheClasspath } from '../support/apache-zk.js';
import { freePort } from '../support/ports.js';
import { fourLetterWord, launch, prepareConfig, type Server } from '../support/server-process.js';
import { recordingLogger, sleep, waitFor } from '../quorum/helpers.js';

const servers: Server[] = [];
let transport: ElectionTransport | null = null;
after(async () => {
  await transport?.close();
  await Promise.all(servers.map((s) => s.stop()));
});

async function startApacheMember(myid: number, serverLines: Record<string, string>): Promise<Server> {
  const cfg = await prepareConfig(`apache-quorum-${myid}`, {
    tickTime: '500',
    initLimit: '10',
    syncLimit: '5',
    ...serverLines,
  });
  writeFileSync(join(cfg.dataDir, 'myid'), `${myid}\n`);
  const args = [
    '-Xms32m',
    '-Xmx128m',
    '-XX:+UseSerialGC',
    '-Djava.net.preferIPv4Stack=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-cp',
    apacheClasspath(),
    APACHE_MAIN_CLASS,
    cfg.cfgPath,
  ];
  return launch('apache', process.env['ZK_JAVA'] ?? 'java', args, cfg, 60_000);
}

test('Apache 3.8 accepts our election handshake and its notifications decode', { timeout: 120_000 }, async () => {
  const quorumPorts = [await freePort(), await freePort(), await freePort()];
  const electionPorts = [await freePort(), await freePort(), await freePort()];
  const serverLines: Record<string, string> = {};
  for (let i = 0; i < 3; i++) serverLines[`server.${i + 1}`] = `127.0.0.1:${quorumPorts[i]}:${electionPorts[i]}`;

  const received: { from: ServerId; n: Notification }[] = [];
  const log = recordingLogger();
  transport = new ElectionTransport({
    myId: serverId(3),
    listen: { host: '127.0.0.1', port: electionPorts[2]! },
    peers: [1, 2].map((sid) => ({ sid: serverId(sid), host: '127.0.0.1', port: electionPorts[sid - 1]! })),
    handlers: { notification: (from, n) => received.push({ from, n }) },
    logger: log,
    reconnectDelayMinMs: 50,
    reconnectDelayMaxMs: 1_000,
  });
  await transport.start();
  let modes: string[] = [];
  servers.push(...(await Promise.all([startApacheMember(1, serverLines), startApacheMember(2, serverLines)])));

  // Both Apache servers reach us (their dial is closed and we dial back, 3 > 1, 2).
  await waitFor('connections to both Apache servers', () => transport!.connectedPeers().length === 2, 30_000);
  await waitFor('LOOKING votes from both', () => new Set(received.map((r) => r.from)).size === 2, 30_000);
  for (const { n } of received) {
    assert.equal(n.state, ServerState.LOOKING);
    assert.equal(n.version, 2);
    assert.ok(n.leader === 1n || n.leader === 2n);
    assert.equal(n.zxid, 0n, 'fresh data dirs');
    assert.ok(n.electionEpoch >= 1n);
    for (let i = 0; i < 3; i++) assert.ok(n.config?.includes(`server.${i + 1}=127.0.0.1:${quorumPorts[i]}:${electionPorts[i]}:participant`));
  }

  // Once they have elected 2 (the larger sid at equal zxid), a LOOKING vote from us gets their state
  // back. The vote is for server 1, which loses to 2 at equal epoch and zxid, so it cannot sway them.
  await waitFor('an Apache leader and follower', () => modes.length === 2 && modes.includes('leader') && modes.includes('follower'), 30_000, async () => {
    modes = await Promise.all(servers.map((s) => fourLetterWord(s.host, s.port, 'srvr').then((t) => /Mode: (\w+)/.exec(t)?.[1] ?? 'none', () => 'none')));
  });
  const before = received.length;
  const ourVote: Notification = {
    kind: 'notification',
    state: ServerState.LOOKING,
    leader: 1n,
    zxid: zxid(0),
    electionEpoch: 1n,
    peerEpoch: 0n,
    version: 2,
    config: null,
  };
  const settled = (): boolean => {
    const replies = received.slice(before);
    return replies.some((r) => r.from === 1 && r.n.state === ServerState.FOLLOWING) && replies.some((r) => r.from === 2 && r.n.state === ServerState.LEADING);
  };
  await waitFor('FOLLOWING and LEADING replies', settled, 30_000, async () => {
    for (const sid of [1, 2]) transport!.send(serverId(sid), ourVote);
    await sleep(300);
  });
  for (const { n } of received.slice(before).filter((r) => r.n.state !== ServerState.LOOKING)) {
    assert.equal(n.leader, 2n);
    assert.equal(n.peerEpoch, 1n);
    assert.ok(n.electionEpoch >= 1n);
  }
  assert.deepEqual(log.warnings(), [], 'Apache sent nothing we refused');

  for (const server of servers) {
    const text = server.readLog();
    assert.doesNotMatch(text, /InitialMessage|Invalid (?:server id|protocol)|Unrecognized protocol|Exception while reading/i, `server log of ${server.pid}`);
    assert.match(text, /Received connection request/, 'Apache accepted our dial-back');
    // Apache logs every notification it takes in: ours got through the handshake, framing and decoding.
    assert.match(text, /n\.sid:3, n\.state:LOOKING, n\.leader:1, n\.round:0x1, n\.peerEpoch:0x0, n\.zxid:0x0/);
  }
});
