// Differential test: the same operation sequences, through node-zookeeper-client, against two
// servers started side by side (DIFF_PAIR, default apache,zkts; apache,apache checks the
// harness itself). Per step it compares the error code and the normalized results (Stats
// without ctime/mtime, ephemeralOwner as the owning session slot, data, sorted children),
// and the watch events each session received; then the whole subtree at the end. A mismatch reports seed, step, op and both results.
// Seeds: DIFF_SEED=a,b,c, or DIFF_SEEDS=N (default 5) from DIFF_SEED_BASE (default 1, or
// `random`). Steps per seed: DIFF_STEPS (default 120).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, genState, nextOp, type Op } from '../support/diff-ops.js';
import { closeSide, drainEvents, dumpTree, learn, openSide, runOp, type Outcome, type Side } from '../support/diff-runner.js';
import { diffPair, startTarget, type Server } from '../support/target.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

function seedList(): number[] {
  const explicit = process.env['DIFF_SEED'];
  if (explicit !== undefined && explicit !== '') return explicit.split(',').map((s) => Number(s.trim()) >>> 0);
  const count = envInt('DIFF_SEEDS', 5);
  const baseRaw = process.env['DIFF_SEED_BASE'];
  const base = baseRaw === 'random' ? Math.floor(Math.random() * 1e9) : envInt('DIFF_SEED_BASE', 1);
  return Array.from({ length: count }, (_, i) => base + i);
}

const STEPS = envInt('DIFF_STEPS', 120);
const [REF_KIND, CAND_KIND] = diffPair();

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

// The servers share zxids across sequences, so a divergence can echo in later sequences
// (e.g. a write that consumed a zxid on one side only): later failures name the first one.
let firstDivergence: string | undefined;

/** Runs `op` on both sides and fails with full context if the outcomes differ. */
async function step(a: Side, b: Side, op: Op, where: string, history: string[]): Promise<Outcome> {
  const [oa, ob] = await Promise.all([runOp(a, op), runOp(b, op)]);
  const [ea, eb] = await Promise.all([drainEvents(a), drainEvents(b)]);
  if (op.op === 'reconnect') {
    // A closing session's ephemerals are deleted in unspecified order (Apache iterates a
    // HashSet), so only the set of events per session is compared.
    for (const list of [...ea, ...eb]) list.sort();
  }
  const withEvents = (o: Outcome, events: string[][]): Outcome & { events?: string[][] } =>
    events.some((e) => e.length > 0) ? { ...o, events } : o;
  const ra = withEvents(oa, ea);
  const rb = withEvents(ob, eb);
  history.push(`${show(op)} -> ${show(ra)}`);
  if (show(ra) !== show(rb)) {
    const earlier = firstDivergence === undefined ? '' : `\n  (an earlier step already diverged: ${firstDivergence})`;
    firstDivergence ??= where;
    assert.fail(
      `${where}: results differ\n  op: ${show(op)}\n  ${REF_KIND}: ${show(ra)}\n  ${CAND_KIND}: ${show(rb)}\n` +
        `  previous steps (${REF_KIND} results):\n    ${history.slice(-12, -1).join('\n    ')}${earlier}`,
    );
  }
  return ra;
}

/** Compares the final subtrees under `root`. */
async function compareTrees(a: Side, b: Side, root: string, where: string): Promise<void> {
  const [ta, tb] = await Promise.all([dumpTree(a, root), dumpTree(b, root)]);
  assert.equal(show(tb), show(ta), `${where}: final trees under ${root} differ`);
}

/** Hand-written sequences for known corners; `R` is replaced by the sequence's root. */
const HAND_WRITTEN: Record<string, Op[]> = {
  'sequential suffixes and cversion': [
    { op: 'create', s: 0, path: 'R/q-', data: 'a', mode: 2, acl: 'open' },
    { op: 'create', s: 0, path: 'R/q-', data: null, mode: 2, acl: 'open' },
    { op: 'delete', s: 0, path: 'R/q-0000000000', version: -1 },
    { op: 'create', s: 0, path: 'R/q-', data: '', mode: 3, acl: 'open' },
    { op: 'create', s: 0, path: 'R/q-0000000001', data: 'dup', mode: 0, acl: 'open' },
    { op: 'getChildren2', s: 0, path: 'R' },
    { op: 'getData', s: 0, path: 'R/q-0000000001' },
    { op: 'getData', s: 0, path: 'R/q-0000000002' },
  ],
  'ephemerals: no children, gone after the session closes': [
    { op: 'create', s: 1, path: 'R/e', data: 'x', mode: 1, acl: 'open' },
    { op: 'create', s: 0, path: 'R/e/child', data: 'x', mode: 0, acl: 'open' },
    { op: 'create', s: 1, path: 'R/e/q-', data: 'x', mode: 2, acl: 'open' },
    { op: 'exists', s: 0, path: 'R/e' },
    { op: 'reconnect', s: 1 },
    { op: 'exists', s: 0, path: 'R/e' },
    { op: 'getChildren2', s: 0, path: 'R' },
  ],
  'digest ACLs: who may read, write, create, delete, admin': [
    { op: 'create', s: 1, path: 'R/p', data: 'secret', mode: 0, acl: 'rootAll' },
    { op: 'getData', s: 0, path: 'R/p' },
    { op: 'getData', s: 2, path: 'R/p' },
    { op: 'getData', s: 1, path: 'R/p' },
    { op: 'create', s: 0, path: 'R/p/x', data: 'x', mode: 0, acl: 'open' },
    { op: 'create', s: 1, path: 'R/p/x', data: 'x', mode: 0, acl: 'open' },
    { op: 'delete', s: 0, path: 'R/p/x', version: -1 },
    { op: 'delete', s: 0, path: 'R/p/missing', version: -1 },
    { op: 'setData', s: 0, path: 'R/p/x', data: 'y', version: -1 },
    { op: 'getACL', s: 0, path: 'R/p' },
    { op: 'setACL', s: 2, path: 'R/p', acl: 'open', version: -1 },
    { op: 'setACL', s: 1, path: 'R/p', acl: 'rootAllWorldRead', version: 3 },
    { op: 'setACL', s: 1, path: 'R/p', acl: 'rootAllWorldRead', version: 0 },
    { op: 'getACL', s: 0, path: 'R/p' },
    { op: 'getACL', s: 1, path: 'R/p' },
    { op: 'getData', s: 0, path: 'R/p' },
    { op: 'exists', s: 0, path: 'R/p' },
  ],
  'ACL fix-up: invalid ACLs, auth scheme, create-only': [
    { op: 'create', s: 0, path: 'R/bad', data: 'x', mode: 0, acl: 'badDigest' },
    { op: 'create', s: 0, path: 'R/bad', data: 'x', mode: 0, acl: 'badWorld' },
    { op: 'create', s: 0, path: 'R/auth', data: 'x', mode: 0, acl: 'authAll' },
    { op: 'create', s: 1, path: 'R/auth', data: 'x', mode: 0, acl: 'authAll' },
    { op: 'getACL', s: 1, path: 'R/auth' },
    { op: 'create', s: 0, path: 'R/none', data: 'x', mode: 0, acl: 'createOnly' },
    { op: 'getData', s: 0, path: 'R/none' },
    { op: 'create', s: 0, path: 'R/none/kid', data: 'k', mode: 0, acl: 'open' },
    { op: 'getChildren2', s: 0, path: 'R/none' },
    { op: 'delete', s: 0, path: 'R/none/kid', version: -1 },
    { op: 'setACL', s: 1, path: 'R/auth', acl: 'badDigest', version: -1 },
  ],
  'multi: success, failure positions, check versions': [
    {
      op: 'multi', s: 0, ops: [
        { op: 'create', path: 'R/m', data: 'm', mode: 0 },
        { op: 'create', path: 'R/m/a', data: null, mode: 0 },
        { op: 'setData', path: 'R/m', data: 'm2', version: -1 },
        { op: 'check', path: 'R/m', version: 1 },
      ],
    },
    { op: 'getData', s: 0, path: 'R/m' },
    {
      op: 'multi', s: 0, ops: [
        { op: 'create', path: 'R/m/b', data: null, mode: 0 },
        { op: 'check', path: 'R/m', version: 2 },
        { op: 'delete', path: 'R/m/a', version: -1 },
      ],
    },
    {
      op: 'multi', s: 0, ops: [
        { op: 'delete', path: 'R/m/a', version: -1 },
        { op: 'delete', path: 'R/m', version: -1 },
        { op: 'create', path: 'R/m', data: 'again', mode: 1 },
        { op: 'create', path: 'R/m/under-ephemeral', data: null, mode: 0 },
      ],
    },
    {
      op: 'multi', s: 0, ops: [
        { op: 'delete', path: 'R/m/a', version: -1 },
        { op: 'delete', path: 'R/m', version: -1 },
        { op: 'create', path: 'R/m', data: 'again', mode: 1 },
        { op: 'create', path: 'R/q-', data: null, mode: 2 },
      ],
    },
    { op: 'getChildren2', s: 0, path: 'R' },
    { op: 'exists', s: 0, path: 'R/m' },
  ],
  'watches: data, exists, children, READ needed for delivery, ephemeral close': [
    { op: 'create', s: 0, path: 'R/w', data: 'x', mode: 0, acl: 'open' },
    { op: 'getData', s: 0, path: 'R/w', watch: true },
    { op: 'exists', s: 1, path: 'R/w', watch: true },
    { op: 'getChildren2', s: 2, path: 'R', watch: true },
    { op: 'exists', s: 2, path: 'R/later', watch: true },
    { op: 'setData', s: 1, path: 'R/w', data: 'y', version: -1 },
    { op: 'setData', s: 1, path: 'R/w', data: 'z', version: -1 },
    { op: 'create', s: 0, path: 'R/later', data: null, mode: 0, acl: 'open' },
    { op: 'create', s: 1, path: 'R/sec', data: 's', mode: 0, acl: 'rootAll' },
    { op: 'getData', s: 1, path: 'R/sec', watch: true },
    { op: 'exists', s: 0, path: 'R/sec', watch: true },
    { op: 'setData', s: 1, path: 'R/sec', data: 't', version: -1 },
    { op: 'getData', s: 0, path: 'R/w', watch: true },
    { op: 'getChildren2', s: 0, path: 'R/w', watch: true },
    { op: 'exists', s: 2, path: 'R/w', watch: true },
    { op: 'delete', s: 1, path: 'R/w', version: -1 },
    { op: 'create', s: 2, path: 'R/eph', data: null, mode: 1, acl: 'open' },
    { op: 'exists', s: 0, path: 'R/eph', watch: true },
    { op: 'getChildren2', s: 0, path: 'R', watch: true },
    { op: 'reconnect', s: 2 },
    {
      op: 'multi', s: 1, ops: [
        { op: 'create', path: 'R/m1', data: null, mode: 0 },
        { op: 'delete', path: 'R/later', version: -1 },
      ],
    },
  ],
  'versions, not-empty, TTL flags on a plain create': [
    { op: 'create', s: 0, path: 'R/v', data: '0', mode: 0, acl: 'open' },
    { op: 'setData', s: 0, path: 'R/v', data: '1', version: 1 },
    { op: 'setData', s: 0, path: 'R/v', data: '1', version: 0 },
    { op: 'create', s: 0, path: 'R/v/c', data: null, mode: 0, acl: 'open' },
    { op: 'delete', s: 0, path: 'R/v', version: 1 },
    { op: 'delete', s: 0, path: 'R/v/c', version: 2 },
    { op: 'create', s: 0, path: 'R/t', data: 'x', mode: 5, acl: 'open' },
    { op: 'create', s: 0, path: 'R/t', data: 'x', mode: 6, acl: 'open' },
    { op: 'getData', s: 0, path: 'R/missing' },
    { op: 'getChildren2', s: 0, path: 'R/missing' },
    { op: 'exists', s: 0, path: 'R/missing' },
    { op: 'getACL', s: 0, path: 'R/missing' },
    { op: 'setACL', s: 0, path: 'R/missing', acl: 'open', version: -1 },
  ],
};

function rooted(op: Op, root: string): Op {
  const fix = (p: string): string => p.replace(/^R(?=\/|$)/, root);
  if (op.op === 'reconnect') return op;
  if (op.op === 'multi') return { ...op, ops: op.ops.map((o) => ({ ...o, path: fix(o.path) })) };
  return { ...op, path: fix(op.path) };
}

describe(`differential ${REF_KIND} vs ${CAND_KIND}`, () => {
  let servers: Server[] = [];
  let sides: Side[] = [];
  const pair = (): [Side, Side] => {
    const [a, b] = sides;
    assert.ok(a && b, 'servers not started');
    return [a, b];
  };

  before(async () => {
    // Start both; if one fails, the other is still recorded so `after` stops it.
    // The oracle is Apache 3.8.0; zkts follows 3.9 where they differ. Its one such difference these
    // sequences reach (exists checks READ, ZOOKEEPER-2590) is switched to 3.8.0's answer here and
    // tested on its own in test/integration.
    const compat = { extraCfg: { 'zkts.existsChecksRead': 'false' } };
    const started = await Promise.allSettled([
      startTarget(REF_KIND, REF_KIND === 'zkts' ? compat : {}),
      startTarget(CAND_KIND, CAND_KIND === 'zkts' ? compat : {}),
    ]);
    servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [ra, rb] = servers;
    assert.ok(ra && rb);
    sides = await Promise.all([openSide(ra), openSide(rb)]);
  });

  after(async () => {
    for (const side of sides) await closeSide(side);
    await Promise.all(servers.map((s) => s.stop()));
  });

  let handIndex = 0;
  for (const [name, ops] of Object.entries(HAND_WRITTEN)) {
    const root = `/h${handIndex++}`;
    test(`hand-written: ${name}`, async () => {
      const [a, b] = pair();
      const history: string[] = [];
      await step(a, b, { op: 'create', s: 0, path: root, data: null, mode: 0, acl: 'open' }, `${name} root`, history);
      for (const [i, op] of ops.entries()) await step(a, b, rooted(op, root), `${name} step ${i}`, history);
      await compareTrees(a, b, root, name);
    });
  }

  for (const seed of seedList()) {
    test(`random sequence seed=${seed} steps=${STEPS}`, async (t: TestContext) => {
      t.diagnostic(`seed ${seed} (rerun: DIFF_SEED=${seed} DIFF_STEPS=${STEPS})`);
      const [a, b] = pair();
      const root = `/s${seed}`;
      const st = genState(root);
      const rng = new Rng(seed);
      const history: string[] = [];
      await step(a, b, { op: 'create', s: 0, path: root, data: null, mode: 0, acl: 'open' }, `seed ${seed} root`, history);
      for (let i = 0; i < STEPS; i++) {
        const op = nextOp(rng, st);
        const outcome = await step(a, b, op, `seed ${seed} step ${i}`, history);
        learn(st, op, outcome);
      }
      await compareTrees(a, b, root, `seed ${seed}`);
    });
  }

  test('self-check: a divergence is reported with the op and both results', async () => {
    const [a, b] = pair();
    // One txn on each side keeps their zxids aligned while their trees differ.
    const open = { s: 0, data: 'only-a', mode: 0, acl: 'open' } as const;
    assert.equal((await runOp(a, { op: 'create', path: '/selfcheck-a', ...open })).code, 0);
    assert.equal((await runOp(b, { op: 'create', path: '/selfcheck-b', ...open })).code, 0);
    const probe: Op = { op: 'getData', s: 0, path: '/selfcheck-a' };
    await assert.rejects(step(a, b, probe, 'self-check', []), (err: Error) => {
      assert.match(err.message, /self-check: results differ/);
      assert.match(err.message, /"path":"\/selfcheck-a"/);
      assert.match(err.message, new RegExp(`${REF_KIND}: \\{"code":0,"value":\\{"data":"only-a"`));
      assert.match(err.message, new RegExp(`${CAND_KIND}: \\{"code":-101\\}`));
      return true;
    });
    await runOp(a, { op: 'delete', s: 0, path: '/selfcheck-a', version: -1 });
    await runOp(b, { op: 'delete', s: 0, path: '/selfcheck-b', version: -1 });
  });
});
