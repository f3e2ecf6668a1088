// Renders the four-letter words (protocol.md §7.2) from the server core's state plus a few
// facts only the shell knows (directory sizes, environment, the clock's date format, and in an
// ensemble the peer's role facts). Pure.
//
// Quorum modes, as Apache 3.8 prints them (observed on a 3-server loopback ensemble): srvr and
// stat add `Proposal sizes last/min/max: l/m/M` after "Node count" on the leader; mntr adds
// zk_peer_state and zk_quorum_size on every member, zk_learners, zk_synced_followers,
// zk_synced_non_voting_followers, zk_synced_observers, zk_pending_syncs, zk_leader_uptime and the
// proposal sizes on the leader (3.8 has no zk_followers), zk_observer_master_id on an observer.
// While the peer is not serving (electing, syncing) every word that needs the server answers
// NOT_SERVING, isro answers "null", and ruok, envi, gtmk, stmk still answer.

import { hex64 } from '../../util/ids.js';
import type { ServerCore } from './server-core.js';
import type { ConnectionState } from './connection-state.js';

export const ZKTS_VERSION_LINE = '3.8.0-zkts, built on 2026-11-30 00:00 UTC';

export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';

/** The ZAB phase of a quorum peer, as zk_peer_state names it (`following - broadcast`). */
export type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** Proposal sizes in bytes; -1 while none was proposed. */
export interface ProposalSizes {
  readonly last: number;
  readonly min: number;
  readonly max: number;
}

/** What only the leader knows about its learners. */
export interface LeaderFourLetterFacts {
  /** Learner connections (followers and observers), synced or not: zk_learners. */
  readonly learners: number;
  /** Synced voting followers: zk_synced_followers. */
  readonly syncedFollowers: number;
  /** Synced followers that are not voters (reconfig'd out): zk_synced_non_voting_followers. */
  readonly syncedNonVotingFollowers: number;
  readonly syncedObservers: number;
  /** Learner syncs in progress: zk_pending_syncs. */
  readonly pendingSyncs: number;
  /** Since this peer started leading: zk_leader_uptime. */
  readonly leaderUptimeMs: number;
  readonly proposalSizes: ProposalSizes;
}

/** Facts of an ensemble member (runtime.mode leader, follower or observer). */
export interface QuorumFourLetterFacts {
  readonly zabPhase: ZabPhase;
  /** Voting members: zk_quorum_size. */
  readonly quorumSize: number;
  /** Required when mode is 'leader'. */
  readonly leader?: LeaderFourLetterFacts;
  /** An observer's current leader/observer master sid: zk_observer_master_id. */
  readonly observerMasterId?: number;
}

export interface DirectorySizes {
  readonly dataDirSize: number;
  readonly dataLogSize: number;
}

export interface FourLetterRuntime {
  readonly nowMs: number;
  readonly monotonicMs: number;
  readonly uptimeMs: number;
  readonly mode: 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';
  readonly readOnly: boolean;
  /** Thunks for what costs a system call: only the words that print them call them. */
  readonly dirSizes: () => DirectorySizes;
  readonly conf: () => string;
  readonly environment: () => ReadonlyArray<readonly [string, string]>;
  readonly formatDate: (ms: number) => string;
  readonly openFileDescriptors: () => number;
  readonly maxFileDescriptors: number;
  /** False while a quorum peer is electing or syncing; absent means serving (standalone). */
  readonly serving?: boolean;
  /** Present in leader/follower/observer modes. */
  readonly quorum?: QuorumFourLetterFacts;
}


function briefLine(c: ConnectionState): string {
  return ` /${c.address}:${c.port}[1](queued=${c.queue.length},recved=${c.stats.packetsReceived},sent=${c.stats.packetsSent})`;
}

function longLine(c: ConnectionState, runtime: FourLetterRuntime): string {
  const s = c.stats;
  let line = ` /${c.address}:${c.port}[1](queued=${c.queue.length},recved=${s.packetsReceived},sent=${s.packetsSent}`;
  if (c.session !== null) {
    const avg = s.latencyCount === 0 ? 0 : Math.floor(s.totalLatencyMs / s.latencyCount);
    const min = s.latencyCount === 0 ? 0 : s.minLatencyMs;
    line += `,sid=0x${hex64(c.session)},lop=${s.lastOp},est=${s.establishedMs},to=${c.timeoutMs}`;
    if (s.lastCxid >= 0) line += `,lcxid=0x${s.lastCxid.toString(16)}`;
    line += `,lzxid=0x${hex64(s.lastZxid)},lresp=${s.lastResponseMs - runtime.nowMs + runtime.monotonicMs},llat=${s.lastLatencyMs},minlat=${min},avglat=${avg},maxlat=${s.maxLatencyMs}`;
  }
  return line + ')';
}

function srvrBody(core: ServerCore, runtime: FourLetterRuntime, connections: number): string[] {
  const stats = core.stats;
  return [
    `Latency min/avg/max: ${stats.minLatency()}/${formatJavaDouble(stats.averageLatencyMs())}/${stats.maxLatencyMs}`,
    `Received: ${stats.packetsReceived}`,
    `Sent: ${stats.packetsSent}`,
    `Connections: ${connections}`,
    `Outstanding: ${core.outstandingRequests()}`,
    `Zxid: 0x${hex64(core.lastZxid)}`,
    `Mode: ${runtime.mode}`,
    `Node count: ${core.db.nodeCount()}`,
    ...(runtime.quorum?.leader !== undefined ? [`Proposal sizes last/min/max: ${proposalSizesText(runtime.quorum.leader.proposalSizes)}`] : []),
  ];
}

/** A read-only server says so right after the version line (protocol.md §7). */
function readOnlyLine(runtime: FourLetterRuntime): string[] {
  return runtime.mode === 'read-only' ? ['READ-ONLY mode; serving only read-only clients'] : [];
}

function proposalSizesText(sizes: ProposalSizes): string {
  return `${sizes.last}/${sizes.min}/${sizes.max}`;
}

function peerState(mode: FourLetterRuntime['mode'], phase: ZabPhase): string {
  const state = mode === 'leader' ? 'leading' : mode === 'observer' ? 'observing' : 'following';
  return `${state} - ${phase}`;
}

/** Java prints a double with at least one decimal: 0.0, 1.0, 2.5575. */
function environmentText(runtime: FourLetterRuntime): string {
  return ['Environment:', ...runtime.environment().map(([k, v]) => `${k}=${v}`)].join('\n') + '\n';
}

export function formatJavaDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** `core` is null only while a quorum peer is not serving (it has no server core then). */
export function renderFourLetterWord(word: string, core: ServerCore | null, runtime: FourLetterRuntime): string | null {
  if (core === null || runtime.serving === false) {
    if (!KNOWN_WORDS.has(word)) return null;
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'isro':
        return 'null';
      case 'gtmk':
      case 'stmk':
        return '0';
      case 'envi':
        return environmentText(runtime);
      default:
        return word === 'hash' ? NOT_SERVING.trimEnd() : NOT_SERVING; // Apache's hash omits the newline
    }
  }
  const connections = core.connectionList();
  const sessionOf = (id: number) => core.sessionOfConnection(id) ?? undefined;
  const version = `Zookeeper version: ${ZKTS_VERSION_LINE}`;
  switch (word) {
    case 'ruok':
      return 'imok';
    case 'isro':
      return runtime.readOnly ? 'ro' : 'rw';
    case 'gtmk':
    case 'stmk':
      return '0';
    case 'crst':
      core.resetConnectionStats(runtime.nowMs);
      return 'Connection stats reset.\n';
    case 'srst':
      core.stats.reset();
      return 'Server stats reset.\n';
    case 'hash':
      // zxid in hex without 0x, the digest as a Java long, oldest first (as Apache prints it).
      return core.db.digestHistory().map(([zxid, digest]) => `${zxid.toString(16)}: ${BigInt.asIntN(64, digest)}\n`).join('');
    case 'dirs': {
      const { dataDirSize, dataLogSize } = runtime.dirSizes();
      return `datadir_size: ${dataDirSize}\nlogdir_size: ${dataLogSize}\n`;
    }
    case 'srvr':
      return [version, ...readOnlyLine(runtime), ...srvrBody(core, runtime, connections.length)].join('\n') + '\n';
    case 'stat':
      return [version, ...readOnlyLine(runtime), 'Clients:', ...connections.map(briefLine), '', ...srvrBody(core, runtime, connections.length)].join('\n') + '\n';
    case 'cons':
      return connections.map((c) => longLine(c, runtime)).join('\n') + (connections.length > 0 ? '\n' : '') + '\n';
    case 'conf':
      return runtime.conf();
    case 'envi':
      return environmentText(runtime);
    case 'wchs':
      return core.watches.renderWchs();
    case 'wchc':
      return core.watches.renderWchc(sessionOf);
    case 'wchp':
      return core.watches.renderWchp(sessionOf);
    case 'dump':
      return renderDump(core, runtime);
    case 'mntr':
      return renderMntr(core, runtime, connections.length);
    default:
      return null;
  }
}

const KNOWN_WORDS = new Set(['ruok', 'isro', 'gtmk', 'stmk', 'crst', 'srst', 'hash', 'dirs', 'srvr', 'stat', 'cons', 'conf', 'envi', 'wchs', 'wchc', 'wchp', 'dump', 'mntr']);

function renderDump(core: ServerCore, runtime: FourLetterRuntime): string {
  let out = core.sessions.dump(runtime.formatDate);
  const withEphemerals = [...core.db.sessionsWithEphemerals()];
  out += 'ephemeral nodes dump:\n';
  out += `Sessions with Ephemerals (${withEphemerals.length}):\n`;
  for (const [session, paths] of withEphemerals) {
    out += `0x${hex64(session)}:\n`;
    for (const path of paths) out += `\t${path}\n`;
  }
  out += 'Connections dump:\n';
  const conns = core.connectionList().filter((c) => c.session !== null);
  out += `Connections Sets (${conns.length > 0 ? 1 : 0})/(${conns.length}):\n`;
  if (conns.length > 0) {
    out += `${conns.length} expire at ${runtime.formatDate(runtime.nowMs)}:\n`;
    for (const c of conns) out += `\tip: /${c.address}:${c.port} sessionId: 0x${hex64(c.session!)}\n`;
  }
  return out;
}

function renderMntr(core: ServerCore, runtime: FourLetterRuntime, connections: number): string {
  const stats = core.stats;
  const rows: Array<[string, string | number]> = [
    ['zk_version', ZKTS_VERSION_LINE],
    ['zk_server_state', runtime.mode],
    ['zk_avg_latency', formatJavaDouble(stats.averageLatencyMs())],
    ['zk_max_latency', stats.maxLatencyMs],
    ['zk_min_latency', stats.minLatency()],
    ['zk_packets_received', stats.packetsReceived],
    ['zk_packets_sent', stats.packetsSent],
    ['zk_num_alive_connections', connections],
    ['zk_outstanding_requests', core.outstandingRequests()],
    ['zk_znode_count', core.db.nodeCount()],
    ['zk_watch_count', core.watches.watchCount()],
    ['zk_ephemerals_count', core.db.ephemeralCount()],
    ['zk_approximate_data_size', core.db.approximateDataSize()],
    ['zk_open_file_descriptor_count', runtime.openFileDescriptors()],
    ['zk_max_file_descriptor_count', runtime.maxFileDescriptors],
    ['zk_uptime', runtime.uptimeMs],
    ['zk_global_sessions', core.sessions.size],
    ['zk_local_sessions', 0],
    ['zk_auth_failed_count', stats.authFailed],
    ['zk_connection_drop_probability', '0.0'],
    ...lastProposalRows(runtime),
    ['zk_digest_mismatches_count', core.db.digestMismatches],
    ...quorumRows(runtime),
  ];
  return rows.map(([k, v]) => `${k}\t${v}\n`).join('');
}

/** Standalone keeps its historical `zk_last_proposal_size -1`; in an ensemble only the leader has it. */
function lastProposalRows(runtime: FourLetterRuntime): Array<[string, number]> {
  const quorum = runtime.quorum;
  if (quorum === undefined) return [['zk_last_proposal_size', -1]];
  return quorum.leader === undefined ? [] : [['zk_last_proposal_size', quorum.leader.proposalSizes.last]];
}

function quorumRows(runtime: FourLetterRuntime): Array<[string, string | number]> {
  const quorum = runtime.quorum;
  if (quorum === undefined) return [];
  const rows: Array<[string, string | number]> = [
    ['zk_peer_state', peerState(runtime.mode, quorum.zabPhase)],
    ['zk_quorum_size', quorum.quorumSize],
  ];
  const leader = quorum.leader;
  if (leader !== undefined) {
    rows.push(
      ['zk_learners', leader.learners],
      ['zk_synced_followers', leader.syncedFollowers],
      ['zk_synced_non_voting_followers', leader.syncedNonVotingFollowers],
      ['zk_synced_observers', leader.syncedObservers],
      ['zk_pending_syncs', leader.pendingSyncs],
      ['zk_leader_uptime', leader.leaderUptimeMs],
      ['zk_min_proposal_size', leader.proposalSizes.min],
      ['zk_max_proposal_size', leader.proposalSizes.max],
    );
  }
  if (quorum.observerMasterId !== undefined) rows.push(['zk_observer_master_id', quorum.observerMasterId]);
  return rows;
}
