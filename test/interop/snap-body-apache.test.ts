// Interop with Apache ZooKeeper 3.8 (Debian package): an Apache leader (servers 1 and 2 of a
// 3-server zoo.cfg, with zookeeper.forceSnapSync so every learner gets SNAP) syncs our learner
// transport playing server 3: FOLLOWERINFO → LEADERINFO → ACKEPOCH → SNAP. The SNAP body Apache
// writes must decode (sessions, ACL map, nodes including /zookeeper/config holding the quorum
// config, then "BenWasHere"), and the packet after it (NEWLEADER) must decode as a packet again.
// Apache is stopped by pid in the after-hook.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectToLeader, type QuorumConnection } from '../../src/quorum/learner-transport.js';
import { ZAB_PROTOCOL_VERSION, type QuorumPacket } from '../../src/zab/messages.js';
import { zxid } from '../../src/util/ids.js';
import { APACHE_MAIN_CLASS, apacheClasspath } from '../support/apache-zk.js';
import { freePort } from '../support/ports.js';
import { fourLetterWord, launch, prepareConfig, type Server } from '../support/server-process.js';
import { recordingLogger, waitFor, within } from '../quorum/helpers.js';

const servers: Server[] = [];
let learner: QuorumConnection | null = null;
after(async () => {
  learner?.close();
  await Promise.all(servers.map((s) => s.stop()));
});

async function startApacheMember(myid: number, serverLines: Record<string, string>): Promise<Server> {
  const cfg = await prepareConfig(`apache-snap-${myid}`, { tickTime: '500', initLimit: '10', syncLimit: '5', ...serverLines });
  writeFileSync(join(cfg.dataDir, 'myid'), `${myid}\n`);
  const args = ['-Xms32m', '-Xmx128m', '-XX:+UseSerialGC', '-Djava.net.preferIPv4Stack=true', '-Dzookeeper.forceSnapSync=true'];
  args.push('-cp', apacheClasspath(), APACHE_MAIN_CLASS, cfg.cfgPath);
  return launch('apache', process.env['ZK_JAVA'] ?? 'java', args, cfg, 60_000);
}

async function next(connection: QuorumConnection): Promise<QuorumPacket | null> {
  return within(connection.receive(), 10_000, () => {
    throw new Error('no packet from the Apache leader within 10 s');
  });
}

test('an Apache 3.8 leader SNAP-syncs our learner transport; its SNAP body decodes', { timeout: 120_000 }, async () => {
  const quorumPorts = [await freePort(), await freePort(), await freePort()];
  const electionPorts = [await freePort(), await freePort(), await freePort()];
  const serverLines: Record<string, string> = {};
  for (let i = 0; i < 3; i++) serverLines[`server.${i + 1}`] = `127.0.0.1:${quorumPorts[i]}:${electionPorts[i]}`;
  servers.push(...(await Promise.all([startApacheMember(1, serverLines), startApacheMember(2, serverLines)])));

  let modes: string[] = [];
  await waitFor('an Apache leader and follower', () => modes.includes('leader') && modes.includes('follower'), 40_000, async () => {
    modes = await Promise.all(servers.map((s) => fourLetterWord(s.host, s.port, 'srvr').then((t) => /Mode: (\w+)/.exec(t)?.[1] ?? 'none', () => 'none')));
  });
  const leaderIndex = modes.indexOf('leader');

  const log = recordingLogger();
  learner = await connectToLeader({ host: '127.0.0.1', port: quorumPorts[leaderIndex]!, connectTimeoutMs: 5_000, snapshotAfterSnap: true, logger: log });
  learner.send({ kind: 'packet', type: 'FOLLOWERINFO', zxid: zxid(0), info: { serverId: 3n, protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n } });
  const leaderInfo = await next(learner);
  assert.equal(leaderInfo?.type, 'LEADERINFO');
  learner.send({ kind: 'packet', type: 'ACKEPOCH', zxid: zxid(0), currentEpoch: 0 });

  const snap = await next(learner);
  assert.equal(snap?.type, 'SNAP', `got ${snap?.type}`);
  const body = learner.takeSnapshot();
  assert.ok(body !== null, 'the SNAP body came with the packet');
  const nodes = [...body.nodes];
  const paths = nodes.map((n) => n.path);
  for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) assert.ok(paths.includes(path), `snapshot has ${path}`);
  assert.equal(paths[0], '/', 'pre-order from the root');
  const config = Buffer.from(nodes.find((n) => n.path === '/zookeeper/config')!.data ?? []).toString('latin1');
  assert.match(config, new RegExp(`server\\.3=127\\.0\\.0\\.1:${quorumPorts[2]}:${electionPorts[2]}:participant`));
  const aclRefs = new Set([...body.aclCache].map(([ref]) => ref));
  for (const node of nodes) assert.ok(node.aclRef === -1n || aclRefs.has(node.aclRef), `${node.path} references a known ACL`);

  // Bytes after "BenWasHere" are packets again: Apache's NEWLEADER follows the body.
  const newLeader = await next(learner);
  assert.equal(newLeader?.type, 'NEWLEADER');
  assert.equal(newLeader.zxid, leaderInfo!.zxid);
  assert.deepEqual(log.warnings(), []);
  assert.ok(log.lines.some((l) => l.message === 'SNAP body received'));
});
