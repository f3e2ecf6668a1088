// One member of a test ensemble (test/support/ensemble.ts): its zoo.cfg and temp dir, the command
// line of each kind (zkts or Apache QuorumPeerMain), launching it, and its read-only view.
// Invariants: a member's dir, dataDir, zoo.cfg and ports never change after prepareMember, so a
// restart (as either kind) finds the same data; the log file only grows (a marker per start).
import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APACHE_MAIN_CLASS, apacheClasspath } from './apache-zk.js';
import { freePort } from './ports.js';
import { launch, prepareConfig, type PreparedConfig, type Server, type TargetKind } from './server-process.js';
import { startProxy, type HeadRewriter, type TcpProxy } from './tcp-proxy.js';
import { PROTOCOL_VERSION_V1, PROTOCOL_VERSION_V2, parseHandshake } from '../../src/quorum/net/election-handshake.js';
import { zktsMainPath } from './zkts-server.js';

export const HOST = '127.0.0.1';

/** The zoo.cfg settings startEnsemble takes (see EnsembleOptions). */
export interface MemberCfgOptions {
  readonly tickTimeMs?: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly extraCfg?: Readonly<Record<string, string>>;
}

export type MemberKind = TargetKind;
export type MemberRole = 'participant' | 'observer';
/** What `srvr` says; `mode()` gives null for anything else (not serving, no answer, read-only). */
export type MemberMode = 'leader' | 'follower' | 'observer' | 'standalone';
/** 'paused' = SIGSTOPped; 'dead' = exited (killed) and not restarted yet. */
export type MemberState = 'running' | 'paused' | 'dead';
export type MemberSignal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

export interface EnsembleMember {
  readonly id: number;
  readonly role: MemberRole;
  /** The kind currently running (changes on restart(id, kind)). */
  readonly kind: MemberKind;
  readonly state: MemberState;
  readonly host: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** `127.0.0.1:clientPort`. */
  readonly connectString: string;
  /** The current process's pid (the last one, once dead). */
  readonly pid: number;
  /** The member's temp dir (zoo.cfg, data/, server.log). */
  readonly dir: string;
  readonly dataDir: string;
  readonly cfgPath: string;
  /** stdout+stderr of every process this member ran (restarts append, after a marker line). */
  readonly logPath: string;
  readLog(): string;
}

/** Parses the Mode line of a `srvr` reply. */
export function parseMode(srvrReply: string): MemberMode | null {
  const mode = /^Mode: (\S+)/m.exec(srvrReply)?.[1];
  return mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone' ? mode : null;
}

/** The java command line of an Apache quorum member. */
function apacheCommand(cfgPath: string): { command: string; args: string[] } {
  const args = [
    '-Xms32m',
    '-Xmx192m',
    '-XX:+UseSerialGC', // 2 shared cores: keep the JVM's own threads few
    '-XX:TieredStopAtLevel=1', // faster start; these runs are short
    '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.extendedTypesEnabled=true',
    // Election backoff doubles up to 60 s by default: a member isolated for a while would rejoin slowly.
    '-Dzookeeper.fastleader.maxNotificationInterval=2000',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-cp',
    apacheClasspath(),
    APACHE_MAIN_CLASS,
    cfgPath,
  ];
  return { command: process.env['ZK_JAVA'] ?? 'java', args };
}

function zktsCommand(cfgPath: string): { command: string; args: string[] } {
  const main = zktsMainPath();
  if (!existsSync(main)) throw new Error(`zkts entry point ${main} not found: run \`npm run build\` first (npm test does it)`);
  return { command: process.execPath, args: [main, 'server', cfgPath] };
}

/** `count` distinct free loopback ports, none in `taken` (which gains them). */
export async function distinctPorts(count: number, taken: Set<number>): Promise<number[]> {
  const out: number[] = [];
  for (let attempts = 0; out.length < count; attempts++) {
    if (attempts > count * 20) throw new Error('could not find distinct free ports');
    const port = await freePort(HOST);
    if (taken.has(port)) continue;
    taken.add(port);
    out.push(port);
  }
  return out;
}

/** A proxy to `targetPort` whose own port is not in `taken` (a released member port could be reused by the OS). */
export async function proxyTo(targetPort: number, taken: Set<number>, rewriteHead?: HeadRewriter): Promise<TcpProxy> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const proxy = await startProxy(targetPort, rewriteHead === undefined ? { host: HOST } : { host: HOST, rewriteHead });
    if (!taken.has(proxy.port)) {
      taken.add(proxy.port);
      return proxy;
    }
    await proxy.close();
  }
  throw new Error('could not place a proxy on a distinct port');
}

/**
 * For the election proxy from i to j: the initiator's handshake advertises i's own election
 * address, and both Apache and zkts dial a smaller sid back at the advertised address, which
 * would bypass the proxies. Rewrite it to the proxy j uses to reach i (`backPort()`), keeping the
 * protocol version and sid. A legacy (pre-3.5) handshake carries no address and passes as is.
 */
export function electionHandshakeRewriter(backPort: () => number): HeadRewriter {
  return (head) => {
    const parsed = parseHandshake(head);
    if (parsed === null) return null;
    if (parsed.version === 'legacy') return { consumed: 0, replacement: Buffer.alloc(0) };
    const address = Buffer.from(`${HOST}:${backPort()}`, 'utf8');
    const out = Buffer.alloc(20 + address.length);
    out.writeBigInt64BE(parsed.version === 'v1' ? PROTOCOL_VERSION_V1 : PROTOCOL_VERSION_V2, 0);
    out.writeBigInt64BE(parsed.sid, 8);
    out.writeInt32BE(address.length, 16);
    address.copy(out, 20);
    return { consumed: parsed.bytes, replacement: out };
  };
}

export interface MemberSlot {
  readonly id: number;
  readonly role: MemberRole;
  kind: MemberKind;
  state: MemberState;
  readonly quorumPort: number;
  readonly electionPort: number;
  prepared: PreparedConfig | null;
  server: Server | null;
  lastPid: number;
}

/** Writes the member's temp dir: zoo.cfg (server lines through proxies when proxied), myid. */
export async function prepareMember(
  slot: MemberSlot,
  slots: readonly MemberSlot[],
  opts: MemberCfgOptions,
  pathProxies: ReadonlyMap<string, { readonly quorum: TcpProxy; readonly election: TcpProxy }>,
  taken: Set<number>,
): Promise<PreparedConfig> {
  const cfg: Record<string, string> = {
    tickTime: String(opts.tickTimeMs ?? 400),
    initLimit: String(opts.initLimit ?? 15),
    syncLimit: String(opts.syncLimit ?? 5),
  };
  if (slot.role === 'observer') cfg['peerType'] = 'observer';
  for (const peer of slots) {
    const via = peer === slot ? undefined : pathProxies.get(`${slot.id}>${peer.id}`);
    const quorumPort = via?.quorum.port ?? peer.quorumPort;
    const electionPort = via?.election.port ?? peer.electionPort;
    cfg[`server.${peer.id}`] = `${HOST}:${quorumPort}:${electionPort}${peer.role === 'observer' ? ':observer' : ''}`;
  }
  Object.assign(cfg, opts.extraCfg);
  // prepareConfig picks the client port; retry if the OS handed back one of our released ports.
  for (let attempt = 0; attempt < 20; attempt++) {
    const prepared = await prepareConfig(`ensemble-${slot.id}`, cfg);
    if (!taken.has(prepared.port)) {
      taken.add(prepared.port);
      writeFileSync(join(prepared.dataDir, 'myid'), `${slot.id}\n`);
      return prepared;
    }
    rmSync(prepared.dir, { recursive: true, force: true });
  }
  throw new Error(`no distinct client port for server.${slot.id}`);
}

export async function launchMember(slot: MemberSlot, startTimeoutMs: number): Promise<void> {
  const prepared = slot.prepared;
  if (prepared === null) throw new Error(`server.${slot.id} has no config`);
  appendFileSync(prepared.logPath, `\n===== ensemble: starting server.${slot.id} as ${slot.kind} at ${new Date().toISOString()} =====\n`);
  const { command, args } = slot.kind === 'apache' ? apacheCommand(prepared.cfgPath) : zktsCommand(prepared.cfgPath);
  const server = await launch(slot.kind, command, args, prepared, startTimeoutMs);
  slot.server = server;
  slot.lastPid = server.pid;
  slot.state = 'running';
}

export function readMemberLog(slot: MemberSlot): string {
  if (slot.server !== null) return slot.server.readLog();
  return '(no log)';
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

export function memberView(slot: MemberSlot): EnsembleMember {
  const prepared = (): PreparedConfig => {
    if (slot.prepared === null) throw new Error(`server.${slot.id} has no config`);
    return slot.prepared;
  };
  return {
    id: slot.id,
    role: slot.role,
    get kind() {
      return slot.kind;
    },
    get state() {
      return slot.state;
    },
    host: HOST,
    clientPort: prepared().port,
    quorumPort: slot.quorumPort,
    electionPort: slot.electionPort,
    connectString: `${HOST}:${prepared().port}`,
    get pid() {
      return slot.lastPid;
    },
    dir: prepared().dir,
    dataDir: prepared().dataDir,
    cfgPath: prepared().cfgPath,
    logPath: prepared().logPath,
    readLog: () => readMemberLog(slot),
  };
}
