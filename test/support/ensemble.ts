// Starts a ZooKeeper ensemble of N member processes on loopback for tests: each member is a zkts
// server (`node dist/cli/main.js server zoo.cfg`) or an Apache ZooKeeper 3.8 QuorumPeerMain,
// mixed freely, with participants and observers, all from the same kind of zoo.cfg (server.N
// lines + dataDir/myid), so a member can be restarted as the other kind on the same dataDir.
// Optionally (`proxied: true`) every member-to-member path goes through its own fault-injecting
// TCP proxy, one per ordered pair (from → to) and port (quorum, election): member i's zoo.cfg
// names its own real ports on server.i and proxy(i→j) on server.j, so partition() can cut any
// set of paths while clients still reach every member directly. The election proxies rewrite the
// address a dialer advertises in its handshake (see electionHandshakeRewriter): otherwise the
// dial-back of the larger sid would go straight to the real port, around the partition.
// Invariants: member ids are 1..N (members[i] has id i+1); every port is distinct; every wait is
// bounded; stop() stops every process by pid (SIGCONT first, so a paused member can die) and the
// server-process exit hook SIGKILLs anything left if the test process exits first.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fourLetterWord } from './server-process.js';
import type { ProxyMode, TcpProxy } from './tcp-proxy.js';
import {
  HOST,
  distinctPorts,
  electionHandshakeRewriter,
  launchMember,
  memberView,
  parseMode,
  prepareMember,
  proxyTo,
  readMemberLog,
  tail,
  type EnsembleMember,
  type MemberKind,
  type MemberMode,
  type MemberRole,
  type MemberSignal,
  type MemberSlot,
} from './ensemble-member.js';

export { parseMode } from './ensemble-member.js';
export type { EnsembleMember, MemberKind, MemberMode, MemberRole, MemberSignal, MemberState } from './ensemble-member.js';

export interface EnsembleOptions {
  /** Number of members; defaults to kinds.length (or roles.length), else 3. */
  readonly size?: number;
  /** Kind per member (index 0 = server.1); default all 'zkts'. */
  readonly kinds?: readonly MemberKind[];
  /** Ids of observer members (`observers: [4]`); the others are participants. */
  readonly observers?: readonly number[];
  /** Role per member (index 0 = server.1), an alternative to `observers`. */
  readonly roles?: readonly MemberRole[];
  /**
   * Route every member-to-member connection through a TCP proxy per ordered pair, for
   * partition(). Written for zkts members. Apache 3.8 members work too (ensemble-tools.test.ts
   * partitions an Apache leader), although each member's server lines differ: Apache acts on a
   * peer's config only when its version is newer, and all of these are version 0. A mixed
   * proxied ensemble is untested.
   */
  readonly proxied?: boolean;
  /** Default 400 (maxSessionTimeout = 20 ticks = 8 s). */
  readonly tickTimeMs?: number;
  /** In ticks; default 15. */
  readonly initLimit?: number;
  /** In ticks; default 5. */
  readonly syncLimit?: number;
  /** Extra zoo.cfg lines for every member; they override the defaults. */
  readonly extraCfg?: Readonly<Record<string, string>>;
  /** Bound on each process's start (until it answers `ruok`). Default 60 s. */
  readonly startTimeoutMs?: number;
  /** startEnsemble waits this long for waitForQuorum(); 0 = don't wait. Default 60 s. */
  readonly quorumTimeoutMs?: number;
}

export interface PathProxies {
  readonly quorum: TcpProxy;
  readonly election: TcpProxy;
}

export interface Ensemble {
  /** members[i] is server.(i+1). */
  readonly members: readonly EnsembleMember[];
  /** Every member's client address, comma-separated. */
  readonly connectString: string;
  member(id: number): EnsembleMember;
  connectStringOf(ids: readonly number[]): string;
  /**
   * Sends a signal by pid. SIGKILL/SIGTERM resolve once the process has exited (SIGTERM to a
   * paused member is followed by SIGCONT so it can act on it); SIGSTOP/SIGCONT resolve at once.
   */
  kill(id: number, signal?: MemberSignal): Promise<void>;
  /**
   * Starts a dead member again on its dataDir and zoo.cfg, as `kind` (default: its last kind), and
   * resolves once it answers `ruok` (Apache does that while it has no quorum yet; zkts must too,
   * or restarting members one at a time without a quorum would wait out startTimeoutMs).
   */
  restart(id: number, kind?: MemberKind): Promise<void>;
  /** The member's Mode line from `srvr`, or null (not serving, no answer within 1 s, dead). */
  mode(id: number): Promise<MemberMode | null>;
  modes(ids?: readonly number[]): Promise<Map<number, MemberMode | null>>;
  /** The one member (among `ids`, default the running ones) whose mode is leader; null if none or several. */
  leader(ids?: readonly number[]): Promise<number | null>;
  /**
   * Waits until exactly one of `ids` (default: the running members) is leader and every one of
   * them serves as leader, follower or observer; resolves the leader's id.
   */
  waitForQuorum(timeoutMs?: number, ids?: readonly number[]): Promise<number>;
  /** Proxied only: the proxies carrying connections from member `from` to member `to`. */
  proxies(from: number, to: number): PathProxies;
  /**
   * Proxied only: members in the same group reach each other, every other path is set to `mode`
   * (default 'drop'). A member named in no group is cut from everyone.
   */
  partition(groups: readonly (readonly number[])[], mode?: ProxyMode): void;
  /** Proxied only: cuts `id` from every other member (the others still reach each other). */
  isolate(id: number, mode?: ProxyMode): void;
  /** Proxied only: every path back to 'pass'. */
  heal(): void;
  /** Stops every process (removing the temp dirs unless ZKTS_KEEP_DIRS is set) and the proxies. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS_DEFAULT = 60_000;
const QUORUM_TIMEOUT_MS_DEFAULT = 60_000;
const EXIT_WAIT_MS = 10_000;
const MODE_TIMEOUT_MS = 1_000;
const POLL_MS = 200;

/** Whether a process with this pid exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

function resolveRoles(size: number, opts: EnsembleOptions): MemberRole[] {
  if (opts.roles !== undefined) {
    if (opts.roles.length !== size) throw new Error(`roles has ${opts.roles.length} entries for ${size} members`);
    return [...opts.roles];
  }
  const observers = new Set(opts.observers ?? []);
  for (const id of observers) if (!Number.isInteger(id) || id < 1 || id > size) throw new Error(`observer id ${id} is not in 1..${size}`);
  return Array.from({ length: size }, (_, i) => (observers.has(i + 1) ? 'observer' : 'participant'));
}

/** Starts the ensemble; by default resolves once it has a leader and every member serves. */
export async function startEnsemble(opts: EnsembleOptions = {}): Promise<Ensemble> {
  const size = opts.size ?? opts.kinds?.length ?? opts.roles?.length ?? 3;
  if (!Number.isInteger(size) || size < 1 || size > 50) throw new Error(`bad ensemble size ${size}`);
  const kinds = opts.kinds ?? Array.from({ length: size }, (): MemberKind => 'zkts');
  if (kinds.length !== size) throw new Error(`kinds has ${kinds.length} entries for ${size} members`);
  const roles = resolveRoles(size, opts);
  const startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT;

  const taken = new Set<number>();
  const quorumPorts = await distinctPorts(size, taken);
  const electionPorts = await distinctPorts(size, taken);
  const slots: MemberSlot[] = kinds.map((kind, i) => ({
    id: i + 1,
    role: roles[i]!,
    kind,
    state: 'dead',
    quorumPort: quorumPorts[i]!,
    electionPort: electionPorts[i]!,
    prepared: null,
    server: null,
    lastPid: 0,
  }));
  const slotOf = (id: number): MemberSlot => {
    const slot = slots[id - 1];
    if (slot === undefined) throw new Error(`no member ${id} (ids are 1..${size})`);
    return slot;
  };

  // proxy(i→j) per ordered pair; key `${from}>${to}`.
  const pathProxies = new Map<string, PathProxies>();
  const allProxies = (): TcpProxy[] => [...pathProxies.values()].flatMap((p) => [p.quorum, p.election]);
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const results = await Promise.allSettled(
        slots.map(async (slot) => {
          if (slot.state === 'paused') {
            try {
              process.kill(slot.lastPid, 'SIGCONT');
            } catch {
              // already gone
            }
          }
          await slot.server?.stop();
          slot.state = 'dead';
        }),
      );
      await Promise.all(allProxies().map((p) => p.close()));
      for (const slot of slots) {
        // A member whose start failed never got a Server; its dir is ours to remove.
        if (slot.server === null && slot.prepared !== null && process.env['ZKTS_KEEP_DIRS'] === undefined) {
          rmSync(slot.prepared.dir, { recursive: true, force: true });
        }
      }
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })();
    return stopping;
  };

  try {
    if (opts.proxied === true) {
      for (const from of slots) {
        for (const to of slots) {
          if (from === to) continue;
          const quorum = await proxyTo(to.quorumPort, taken);
          // Looked up at connection time: by then every proxy exists.
          const backPort = (): number => pathProxies.get(`${to.id}>${from.id}`)!.election.port;
          const election = await proxyTo(to.electionPort, taken, electionHandshakeRewriter(backPort));
          pathProxies.set(`${from.id}>${to.id}`, { quorum, election });
        }
      }
    }
    for (const slot of slots) slot.prepared = await prepareMember(slot, slots, opts, pathProxies, taken);
    // allSettled: stop() must not run while a sibling is still starting (it would be missed).
    const started = await Promise.allSettled(slots.map((slot) => launchMember(slot, startTimeoutMs)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  const mode = async (id: number): Promise<MemberMode | null> => {
    const slot = slotOf(id);
    if (slot.state === 'dead' || slot.prepared === null) return null;
    try {
      return parseMode(await fourLetterWord(HOST, slot.prepared.port, 'srvr', MODE_TIMEOUT_MS));
    } catch {
      return null;
    }
  };
  const running = (): number[] => slots.filter((s) => s.state === 'running').map((s) => s.id);
  const modes = async (ids: readonly number[] = slots.map((s) => s.id)): Promise<Map<number, MemberMode | null>> => {
    const answers = await Promise.all(ids.map(async (id) => [id, await mode(id)] as const));
    return new Map(answers);
  };
  const leader = async (ids: readonly number[] = running()): Promise<number | null> => {
    const leaders = [...(await modes(ids))].filter(([, m]) => m === 'leader').map(([id]) => id);
    return leaders.length === 1 ? leaders[0]! : null;
  };

  const waitForQuorum = async (timeoutMs = QUORUM_TIMEOUT_MS_DEFAULT, ids?: readonly number[]): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    let last = new Map<number, MemberMode | null>();
    for (;;) {
      const among = ids ?? running();
      last = await modes(among);
      const values = [...last.values()];
      const leaders = [...last].filter(([, m]) => m === 'leader').map(([id]) => id);
      const allServe = values.every((m) => m === 'leader' || m === 'follower' || m === 'observer');
      if (leaders.length === 1 && allServe) return leaders[0]!;
      if (Date.now() > deadline) break;
      await sleep(POLL_MS);
    }
    const shown = [...last].map(([id, m]) => `server.${id}=${m ?? 'not serving'}`).join(', ');
    const tails = [...last]
      .filter(([, m]) => m === null)
      .map(([id]) => `--- server.${id} (${slotOf(id).kind}) log tail ---\n${tail(readMemberLog(slotOf(id)), 40)}`)
      .join('\n');
    throw new Error(`no quorum within ${timeoutMs} ms: ${shown}\n${tails}`);
  };

  const kill = async (id: number, signal: MemberSignal = 'SIGKILL'): Promise<void> => {
    const slot = slotOf(id);
    if (slot.state === 'dead') throw new Error(`server.${id} is not running`);
    const pid = slot.lastPid;
    process.kill(pid, signal);
    if (signal === 'SIGSTOP') {
      slot.state = 'paused';
      return;
    }
    if (signal === 'SIGCONT') {
      slot.state = 'running';
      return;
    }
    if (signal === 'SIGTERM' && slot.state === 'paused') process.kill(pid, 'SIGCONT');
    if (!(await waitForExit(pid, EXIT_WAIT_MS))) throw new Error(`server.${id} (pid ${pid}) still alive ${EXIT_WAIT_MS} ms after ${signal}`);
    slot.state = 'dead';
  };

  const restart = async (id: number, kind?: MemberKind): Promise<void> => {
    const slot = slotOf(id);
    if (slot.state !== 'dead') throw new Error(`server.${id} is ${slot.state}: kill it before restart`);
    if (kind !== undefined) slot.kind = kind;
    await launchMember(slot, startTimeoutMs);
  };

  const requireProxied = (): void => {
    if (opts.proxied !== true) throw new Error('this ensemble was started without proxied: true');
  };
  const proxies = (from: number, to: number): PathProxies => {
    requireProxied();
    const found = pathProxies.get(`${slotOf(from).id}>${slotOf(to).id}`);
    if (found === undefined) throw new Error(`no path from server.${from} to server.${to}`);
    return found;
  };
  const partition = (groups: readonly (readonly number[])[], cutMode: ProxyMode = 'drop'): void => {
    requireProxied();
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => {
      for (const id of group) {
        slotOf(id);
        if (groupOf.has(id)) throw new Error(`server.${id} is in two groups`);
        groupOf.set(id, g);
      }
    });
    for (const [key, path] of pathProxies) {
      const [from, to] = key.split('>').map(Number) as [number, number];
      const together = groupOf.has(from) && groupOf.get(from) === groupOf.get(to);
      path.quorum.setMode(together ? 'pass' : cutMode);
      path.election.setMode(together ? 'pass' : cutMode);
    }
  };
  const isolate = (id: number, cutMode: ProxyMode = 'drop'): void => {
    partition([[id], slots.filter((s) => s.id !== id).map((s) => s.id)], cutMode);
  };
  const heal = (): void => {
    requireProxied();
    for (const proxy of allProxies()) proxy.setMode('pass');
  };

  const members = slots.map((slot) => memberView(slot));
  const ensemble: Ensemble = {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    member: (id) => members[slotOf(id).id - 1]!,
    connectStringOf: (ids) => ids.map((id) => members[slotOf(id).id - 1]!.connectString).join(','),
    kill,
    restart,
    mode,
    modes,
    leader,
    waitForQuorum,
    proxies,
    partition,
    isolate,
    heal,
    stop,
  };
  const quorumTimeoutMs = opts.quorumTimeoutMs ?? QUORUM_TIMEOUT_MS_DEFAULT;
  if (quorumTimeoutMs > 0) {
    try {
      await waitForQuorum(quorumTimeoutMs);
    } catch (err) {
      await stop().catch(() => undefined);
      throw err;
    }
  }
  return ensemble;
}
