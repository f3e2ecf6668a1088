// Checks for ensemble tests that run real processes: a write load from several clients (zkts's
// own client and node-zookeeper-client) that records every acknowledged write, a full dump of one
// member's tree (paths, data, every Stat field) read through a client connected to that member
// alone after `sync`, the sync mode (DIFF/TRUNC/SNAP) a member's log says it got or sent, `mntr`
// and `srvr` readings, digest-mismatch and crash checks on members' logs.
// Invariants: a write counts as acknowledged only once its success reply arrived; a failed or
// unanswered write is "unknown" and never asserted either way; every wait is bounded; clients are
// closed by the caller (stop() of a load closes its own).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ZkClient } from '../../src/client/index.js';
import type { Ensemble, EnsembleMember } from './ensemble.js';
import { connectSession, type ZkSession } from './nzk.js';
import { fourLetterWord } from './server-process.js';

export { sleep };

/** Runs `fn` until it resolves true or `timeoutMs` passes; throws with `what` then. */
export async function waitUntil(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

// ---- tree dump ----------------------------------------------------------------------------------

/** One node as a member serves it; bigints as hex so deepEqual diffs read well. */
export interface DumpedNode {
  readonly data: string;
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid: string;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

export type TreeDump = Map<string, DumpedNode>;

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Every node under `/` except the /zookeeper subtree, read through `client`. */
export async function dumpTree(client: ZkClient): Promise<TreeDump> {
  const out: TreeDump = new Map();
  const visit = async (path: string): Promise<void> => {
    const { data, stat } = await client.getData(path);
    out.set(path, {
      data: data === null ? '<null>' : data.toString('base64'),
      czxid: hex(stat.czxid),
      mzxid: hex(stat.mzxid),
      pzxid: hex(stat.pzxid),
      ctime: stat.ctime,
      mtime: stat.mtime,
      version: stat.version,
      cversion: stat.cversion,
      aversion: stat.aversion,
      ephemeralOwner: hex(stat.ephemeralOwner),
      dataLength: stat.dataLength,
      numChildren: stat.numChildren,
    });
    if (stat.numChildren === 0) return;
    const children = (await client.getChildren(path)).filter((name) => !(path === '/' && name === 'zookeeper'));
    // Bounded fan-out: 64 reads in flight per level.
    for (let i = 0; i < children.length; i += 64) {
      await Promise.all(children.slice(i, i + 64).map((name) => visit(childPath(path, name))));
    }
  };
  await visit('/');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Connects to `member` alone, syncs with the leader, dumps the tree, closes. */
export async function dumpMember(member: EnsembleMember, timeoutMs = 30_000): Promise<TreeDump> {
  const client = await connect(member.connectString, { sessionTimeoutMs: 20_000, initialConnectTimeoutMs: timeoutMs });
  try {
    await client.sync('/');
    return await dumpTree(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Dumps every running member (or `ids`) and asserts the dumps are identical; returns them by member id. */
export async function assertIdenticalTrees(ensemble: Ensemble, ids?: readonly number[]): Promise<Map<number, TreeDump>> {
  const members = (ids ?? ensemble.members.filter((m) => m.state === 'running').map((m) => m.id)).map((id) => ensemble.member(id));
  assert.ok(members.length > 0, 'no member to dump');
  const dumps: TreeDump[] = [];
  for (const m of members) dumps.push(await dumpMember(m));
  const first = dumps[0]!;
  for (let i = 1; i < dumps.length; i++) {
    const a = members[0]!;
    const b = members[i]!;
    assertSameDump(first, dumps[i]!, `server.${a.id} (${a.kind}) vs server.${b.id} (${b.kind})`);
  }
  return new Map(members.map((m, i) => [m.id, dumps[i]!]));
}

/** deepEqual with a short message naming the first differing paths (a full diff can be huge). */
export function assertSameDump(a: TreeDump, b: TreeDump, label: string): void {
  const differing: string[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) !== JSON.stringify(y)) differing.push(`${path}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`);
  }
  assert.equal(differing.length, 0, `${label}: ${differing.length} nodes differ (${a.size} vs ${b.size} nodes); first:\n${differing.slice(0, 5).join('\n')}`);
}

// ---- write load ---------------------------------------------------------------------------------

/** What a load writer got acknowledged. */
export interface WriterRecord {
  readonly name: string;
  /** Paths whose create was acknowledged, with the data written. */
  readonly created: Map<string, string>;
  /** Highest acknowledged setData value of `/<root>/<name>` (-1 = none). */
  lastSet: number;
  failures: number;
}

interface Writer {
  readonly record: WriterRecord;
  readonly loop: Promise<void>;
  close(): Promise<void>;
}

export interface WriteLoad {
  readonly writers: readonly WriterRecord[];
  /** Acknowledged writes so far, over all writers. */
  acknowledged(): number;
  /** Holds every writer between two writes; resolves once none has a write in flight. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops writing, waits for the loops, closes the clients. */
  stop(): Promise<void>;
}

export interface WriteLoadOptions {
  /** Parent of every node written; created if missing. */
  readonly root: string;
  /** One zkts client per connect string. */
  readonly zktsConnectStrings: readonly string[];
  /** One node-zookeeper-client per connect string. */
  readonly nzkConnectStrings: readonly string[];
  /** Pause between one writer's writes. Default 80 ms. */
  readonly pauseMs?: number;
  /** Bound on one write before it counts as unknown. Default 15 s. */
  readonly writeTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
}

/** Starts writers: each alternates create `/<root>/<name>-<n>` and setData `/<root>/<name>` = n. */
export async function startWriteLoad(opts: WriteLoadOptions): Promise<WriteLoad> {
  const pauseMs = opts.pauseMs ?? 80;
  const writeTimeoutMs = opts.writeTimeoutMs ?? 15_000;
  const sessionTimeoutMs = opts.sessionTimeoutMs ?? 20_000;
  let running = true;
  let paused = false;
  let idle = 0; // writers waiting at the pause point
  const writers: Writer[] = [];

  const setup = await connect(opts.zktsConnectStrings[0] ?? opts.nzkConnectStrings[0] ?? '', { sessionTimeoutMs });
  try {
    if ((await setup.exists(opts.root)) === null) await setup.create(opts.root, '');
    const names = [...opts.zktsConnectStrings.map((_, i) => `z${i}`), ...opts.nzkConnectStrings.map((_, i) => `n${i}`)];
    for (const name of names) if ((await setup.exists(`${opts.root}/${name}`)) === null) await setup.create(`${opts.root}/${name}`, '-1');
  } finally {
    await setup.close();
  }

  const bounded = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('write timed out')), writeTimeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e as Error);
        },
      );
    });

  const run = (record: WriterRecord, create: (path: string, data: string) => Promise<unknown>, set: (path: string, data: string) => Promise<unknown>): Promise<void> =>
    (async () => {
      for (let n = 0; running; n++) {
        if (paused) {
          idle++;
          while (paused && running) await sleep(20);
          idle--;
          if (!running) break;
        }
        const path = `${opts.root}/${record.name}-${n}`;
        const data = `${record.name}:${n}`;
        try {
          await bounded(create(path, data));
          record.created.set(path, data);
          await bounded(set(`${opts.root}/${record.name}`, String(n)));
          record.lastSet = n;
        } catch {
          record.failures++; // outcome unknown (connection loss, timeout): assert nothing about it
          await sleep(200);
        }
        await sleep(pauseMs);
      }
    })();

  for (const [i, cs] of opts.zktsConnectStrings.entries()) {
    const client = await connect(cs, { sessionTimeoutMs, shuffleSeed: i + 1 });
    const record: WriterRecord = { name: `z${i}`, created: new Map(), lastSet: -1, failures: 0 };
    const loop = run(record, (p, d) => client.create(p, d), (p, d) => client.setData(p, d));
    writers.push({ record, loop, close: () => client.close().catch(() => undefined) });
  }
  for (const [i, cs] of opts.nzkConnectStrings.entries()) {
    const session: ZkSession = await connectSession(cs, { sessionTimeoutMs });
    const record: WriterRecord = { name: `n${i}`, created: new Map(), lastSet: -1, failures: 0 };
    const loop = run(record, (p, d) => session.create(p, Buffer.from(d)), (p, d) => session.setData(p, Buffer.from(d)));
    writers.push({ record, loop, close: () => session.close().catch(() => undefined) });
  }

  return {
    writers: writers.map((w) => w.record),
    acknowledged: () => writers.reduce((sum, w) => sum + w.record.created.size + (w.record.lastSet >= 0 ? 1 : 0), 0),
    pause: async () => {
      paused = true;
      await waitUntil('the writers to pause', () => idle === writers.length, writeTimeoutMs + 5_000, 20);
    },
    resume: () => {
      paused = false;
    },
    stop: async () => {
      running = false;
      await Promise.all(writers.map((w) => w.loop));
      await Promise.all(writers.map((w) => w.close()));
    },
  };
}

/** Asserts every acknowledged write of `load` is in `dump` (creates with their data; setData at least as new). */
export function assertAcknowledgedIn(dump: TreeDump, writers: readonly WriterRecord[], label: string, root: string): void {
  let checked = 0;
  for (const w of writers) {
    for (const [path, data] of w.created) {
      const node = dump.get(path);
      assert.ok(node !== undefined, `${label}: acknowledged create ${path} is missing`);
      assert.equal(Buffer.from(node.data, 'base64').toString(), data, `${label}: data of ${path}`);
      checked++;
    }
    const counter = dump.get(`${root}/${w.name}`);
    assert.ok(counter !== undefined, `${label}: ${root}/${w.name} missing`);
    const value = Number(Buffer.from(counter.data, 'base64').toString());
    assert.ok(value >= w.lastSet, `${label}: ${root}/${w.name} = ${value}, but setData ${w.lastSet} was acknowledged`);
  }
  assert.ok(checked > 0, `${label}: no acknowledged write to check`);
}

// ---- clients on a chosen member ------------------------------------------------------------------

/**
 * A zkts client whose connect string lists `first` and `second` and that is connected to `first`
 * (host shuffle seeds are tried until it lands there), so losing `first` moves it to `second`.
 */
export async function connectPreferring(ensemble: Ensemble, first: number, second: number, sessionTimeoutMs = 20_000): Promise<ZkClient> {
  const target = ensemble.member(first).connectString;
  for (let seed = 1; seed <= 16; seed++) {
    const client = await connect(ensemble.connectStringOf([first, second]), { sessionTimeoutMs, shuffleSeed: seed });
    if (client.server === target) return client;
    await client.close();
  }
  throw new Error(`no shuffle seed connected to server.${first}`);
}

// ---- logs and four-letter words ----------------------------------------------------------------

export type SyncMode = 'DIFF' | 'TRUNC' | 'SNAP';

/** The log of the member's current process (text after the last start marker). */
export function currentRunLog(member: EnsembleMember): string {
  const log = member.readLog();
  const at = log.lastIndexOf('===== ensemble: starting server.');
  return at < 0 ? log : log.slice(at);
}

/** Sync modes the member's current process got from a leader, in order (zkts JSON or Apache text). */
export function learnerSyncModes(member: EnsembleMember): SyncMode[] {
  const log = currentRunLog(member);
  const out: SyncMode[] = [];
  const re = /sync from the leader: (DIFF|TRUNC|SNAP)|(Getting a diff from the leader)|(Getting a snapshot from leader)|(Truncating log to get in sync)/g;
  for (const m of log.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1] as SyncMode);
    else if (m[2] !== undefined) out.push('DIFF');
    else if (m[3] !== undefined) out.push('SNAP');
    else out.push('TRUNC');
  }
  return out;
}

/** Sync modes the member's current process sent to learners, in order (zkts JSON or Apache text). */
export function leaderSyncModes(member: EnsembleMember): SyncMode[] {
  const log = currentRunLog(member);
  const out: SyncMode[] = [];
  const re = /sync to a learner: (DIFF|TRUNC|SNAP)|Sending (DIFF|TRUNC) zxid|(Sending snapshot last zxid)/g;
  for (const m of log.matchAll(re)) out.push((m[1] ?? m[2] ?? 'SNAP') as SyncMode);
  return out;
}

/** The `Zxid:` line of `srvr`, or null. */
export async function servedZxid(member: EnsembleMember): Promise<bigint | null> {
  try {
    const reply = await fourLetterWord(member.host, member.clientPort, 'srvr', 2_000);
    const m = /^Zxid: (0x[0-9a-f]+)/m.exec(reply);
    return m === null ? null : BigInt(m[1]!);
  } catch {
    return null;
  }
}

/** Lines of a zkts member's log that show a crash: node's uncaught-exception output, pino fatal (60). */
export function crashLines(log: string): string[] {
  return log.split('\n').filter((l) => /Uncaught|UnhandledPromiseRejection|^\s+at .*\.js:\d+|FATAL|"level":60/.test(l));
}

/** `mntr` of a member as key → value. */
export async function mntrOf(member: EnsembleMember): Promise<Map<string, string>> {
  const text = await fourLetterWord(member.host, member.clientPort, 'mntr', 3_000);
  return new Map(text.split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t', 2) as [string, string]));
}

/**
 * No member's tree digest ever disagreed with a txn's digest (ZooKeeper's digest, so a mismatch
 * between kinds means real divergence): `mntr` zk_digest_mismatches_count is 0 on every running
 * member, and no member's log (any run) reports a mismatch.
 */
export async function assertNoDigestMismatch(ensemble: Ensemble): Promise<void> {
  for (const m of ensemble.members) {
    assert.doesNotMatch(m.readLog(), /First digest mismatch|digest mismatch: this server diverged/, `server.${m.id} logged a digest mismatch`);
    if (m.state !== 'running') continue;
    const count = (await mntrOf(m)).get('zk_digest_mismatches_count');
    assert.equal(count, '0', `server.${m.id} (${m.kind}) mntr zk_digest_mismatches_count`);
  }
  // `hash` lists (zxid, tree digest) every 128 zxids since each member's start (a member synced by
  // SNAP starts without history; an epoch with fewer than 128 txns records none): wherever two
  // members recorded the same zxid, the digests agree.
  const seen = new Map<string, { digest: string; member: number }>();
  for (const m of ensemble.members) {
    if (m.state !== 'running') continue;
    const text = await fourLetterWord(m.host, m.clientPort, 'hash', 5000);
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const [zxid, digest] = line.split(': ') as [string, string];
      const other = seen.get(zxid);
      if (other === undefined) seen.set(zxid, { digest, member: m.id });
      else assert.equal(digest, other.digest, `digest at zxid 0x${zxid}: server.${m.id} (${m.kind}) vs server.${other.member}`);
    }
  }
}

/**
 * readonlymode.enabled ensembles of 3: writes `path` = `data`, kills servers 1 and 2, and resolves
 * server 3 once its srvr says `Mode: read-only` (bounded).
 */
export async function leaveServer3ReadOnly(ensemble: Ensemble, path: string, data: string): Promise<EnsembleMember> {
  const setup = await connect(ensemble.connectString);
  await setup.create(path, Buffer.from(data));
  await setup.close();
  await ensemble.kill(1, 'SIGKILL');
  await ensemble.kill(2, 'SIGKILL');
  const lone = ensemble.member(3);
  await waitUntil(
    'server.3 serving read-only',
    async () => /Mode: read-only/.test(await fourLetterWord(lone.host, lone.clientPort, 'srvr').catch(() => '')),
    20_000,
  );
  return lone;
}
