// The operation model of the differential test and its seeded random generator.
// Pure: randomness comes from a seeded PRNG passed in, so a seed reproduces the same sequence
// given the same reference results (the generator learns which nodes exist from them).
// Paths stay in a small space under one root per sequence, so ops often collide: creates on
// existing nodes, missing parents, children of ephemerals, wrong versions, non-empty deletes,
// and ACL denials through three sessions with different digest credentials. Reads may leave
// a watch, so watch delivery (which session gets which event) is compared too.
import { createHash } from 'node:crypto';

/** Session slots: 0 no auth, 1 digest root:12345, 2 digest eve:secret. */
export const SESSION_AUTH: readonly (string | null)[] = [null, 'root:12345', 'eve:secret'];

export type AclSpec = 'open' | 'rootAll' | 'readOnly' | 'rootAllWorldRead' | 'authAll' | 'createOnly' | 'badDigest' | 'badWorld';

export type SubOp =
  | { readonly op: 'create'; readonly path: string; readonly data: string | null; readonly mode: number }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

export type Op =
  | { readonly op: 'create'; readonly s: number; readonly path: string; readonly data: string | null; readonly mode: number; readonly acl: AclSpec }
  | { readonly op: 'delete'; readonly s: number; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly s: number; readonly path: string; readonly data: string; readonly version: number }
  | { readonly op: 'setACL'; readonly s: number; readonly path: string; readonly acl: AclSpec; readonly version: number }
  | { readonly op: 'getData' | 'exists' | 'getChildren2'; readonly s: number; readonly path: string; readonly watch?: boolean }
  | { readonly op: 'getACL'; readonly s: number; readonly path: string }
  | { readonly op: 'multi'; readonly s: number; readonly ops: readonly SubOp[] }
  | { readonly op: 'reconnect'; readonly s: number };

/** ACL entries as (perms, scheme, id) triples; resolved by the runner into client ACLs. */
export function aclEntries(spec: AclSpec): [number, string, string][] {
  const root = digestIdOf('root:12345');
  switch (spec) {
    case 'open':
      return [[31, 'world', 'anyone']];
    case 'rootAll':
      return [[31, 'digest', root]];
    case 'readOnly':
      return [[1, 'world', 'anyone']];
    case 'rootAllWorldRead':
      return [[31, 'digest', root], [1, 'world', 'anyone']];
    case 'authAll':
      return [[31, 'auth', '']];
    case 'createOnly': // perms 0 would be more extreme, but node-zookeeper-client rejects it
      return [[4, 'world', 'anyone']];
    case 'badDigest':
      return [[31, 'digest', 'nocolon']];
    case 'badWorld':
      return [[31, 'world', 'someone']];
  }
}

/** `user:` + base64(sha1(`user:password`)), the digest scheme's id (§6.12). */
export function digestIdOf(userPassword: string): string {
  const user = userPassword.split(':')[0] ?? userPassword;
  return `${user}:${createHash('sha1').update(userPassword, 'utf8').digest('base64')}`;
}

/** mulberry32: a small, fast, seedable 32-bit PRNG. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** What the generator knows: the root and the paths the reference server reported created. */
export interface GenState {
  readonly root: string;
  /** Paths believed to exist (may be stale: ephemerals vanish on reconnect); biases picks. */
  readonly known: Set<string>;
  /** Ephemeral path -> owning session slot, to forget them when that slot reconnects. */
  readonly ephemerals: Map<string, number>;
}

export function genState(root: string): GenState {
  return { root, known: new Set([root]), ephemerals: new Map() };
}

/** Learns from the reference's outcome: created paths join `known`, deleted ones leave. */
export function observe(st: GenState, created: readonly string[], deleted: readonly string[], ephemeralOwner?: number): void {
  for (const p of created) {
    st.known.add(p);
    if (ephemeralOwner !== undefined) st.ephemerals.set(p, ephemeralOwner);
  }
  for (const p of deleted) st.known.delete(p);
}

/** A session slot was closed: its ephemerals are gone. */
export function forgetSession(st: GenState, slot: number): void {
  for (const [p, owner] of st.ephemerals) {
    if (owner !== slot) continue;
    st.known.delete(p);
    st.ephemerals.delete(p);
  }
}

const NAMES = ['a', 'b', 'c'];

/** A path in the small space: root, root/x, root/x/y (x, y in a..c), or a node known to exist. */
function pickPath(rng: Rng, st: GenState): string {
  if (st.known.size > 0 && rng.chance(0.6)) return rng.pick([...st.known]);
  const depth = rng.pick([0, 1, 1, 1, 2, 2, 3]);
  let path = st.root;
  for (let i = 0; i < depth; i++) path += `/${rng.pick(NAMES)}`;
  return path;
}

function pickVersion(rng: Rng): number {
  return rng.pick([-1, -1, 0, 0, 1, 2]);
}

function pickData(rng: Rng): string {
  return rng.pick(['', 'x', 'hello', `v${rng.int(100)}`]);
}

/** Modes: 0-3 as the client names them; 5 and 6 are TTL flags on a plain create (rejected). */
function pickMode(rng: Rng): number {
  return rng.chance(0.04) ? rng.pick([5, 6]) : rng.pick([0, 0, 0, 1, 1, 2, 3]);
}

function pickAcl(rng: Rng): AclSpec {
  if (rng.chance(0.7)) return 'open';
  return rng.pick<AclSpec>(['rootAll', 'readOnly', 'rootAllWorldRead', 'authAll', 'createOnly', 'badDigest', 'badWorld']);
}

function pickSubOp(rng: Rng, st: GenState): SubOp {
  const path = pickPath(rng, st);
  switch (rng.pick(['create', 'create', 'delete', 'setData', 'check'] as const)) {
    case 'create': {
      const mode = rng.pick([0, 0, 1, 2, 3]);
      return { op: 'create', path: mode >= 2 ? `${path}/q-` : path, data: rng.chance(0.2) ? null : pickData(rng), mode };
    }
    case 'delete':
      return { op: 'delete', path, version: pickVersion(rng) };
    case 'setData':
      return { op: 'setData', path, data: pickData(rng), version: pickVersion(rng) };
    case 'check':
      return { op: 'check', path, version: rng.pick([-1, 1, 2]) };
  }
}

/** The next op of a random sequence. */
export function nextOp(rng: Rng, st: GenState): Op {
  const s = rng.int(SESSION_AUTH.length);
  const path = pickPath(rng, st);
  const r = rng.next();
  if (r < 0.3) {
    const mode = pickMode(rng);
    const sequential = mode === 2 || mode === 3 || mode === 6;
    const target = rng.chance(0.5) ? `${pickPath(rng, st)}/${rng.pick(NAMES)}` : path;
    return { op: 'create', s, path: sequential ? `${path}/q-` : target, data: rng.chance(0.2) ? null : pickData(rng), mode, acl: pickAcl(rng) };
  }
  if (r < 0.42) return { op: 'delete', s, path, version: pickVersion(rng) };
  if (r < 0.54) return { op: 'setData', s, path, data: pickData(rng), version: pickVersion(rng) };
  if (r < 0.6) return { op: 'setACL', s, path, acl: pickAcl(rng), version: pickVersion(rng) };
  if (r < 0.68) return { op: 'getData', s, path, watch: rng.chance(0.4) };
  if (r < 0.74) return { op: 'exists', s, path, watch: rng.chance(0.4) };
  if (r < 0.82) return { op: 'getChildren2', s, path, watch: rng.chance(0.4) };
  if (r < 0.85) return { op: 'getACL', s, path };
  if (r < 0.97) {
    const n = 1 + rng.int(4);
    return { op: 'multi', s, ops: Array.from({ length: n }, () => pickSubOp(rng, st)) };
  }
  return { op: 'reconnect', s };
}
