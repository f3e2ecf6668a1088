// Renders the four-letter words (protocol.md §7.2) from the server core's state plus a few
// facts only the shell knows (directory sizes, environment, the clock's date format). Pure.

import { hex64 } from '../../util/ids.js';
import type { ServerCore } from './server-core.js';
import type { ConnectionState } from './connection-state.js';

export const ZKTS_VERSION_LINE = '3.8.0-zkts, built on 2026-11-30 00:00 UTC';

export interface FourLetterRuntime {
  readonly nowMs: number;
  readonly monotonicMs: number;
  readonly uptimeMs: number;
  readonly mode: 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';
  readonly readOnly: boolean;
  readonly dataDirSize: number;
  readonly dataLogSize: number;
  readonly conf: () => string;
  readonly environment: ReadonlyArray<readonly [string, string]>;
  readonly formatDate: (ms: number) => string;
  readonly openFileDescriptors: number;
  readonly maxFileDescriptors: number;
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
  ];
}

/** Java prints a double with at least one decimal: 0.0, 1.0, 2.5575. */
export function formatJavaDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

export function renderFourLetterWord(word: string, core: ServerCore, runtime: FourLetterRuntime): string | null {
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
      return '';
    case 'dirs':
      return `datadir_size: ${runtime.dataDirSize}\nlogdir_size: ${runtime.dataLogSize}\n`;
    case 'srvr':
      return [version, ...srvrBody(core, runtime, connections.length)].join('\n') + '\n';
    case 'stat':
      return [version, 'Clients:', ...connections.map(briefLine), '', ...srvrBody(core, runtime, connections.length)].join('\n') + '\n';
    case 'cons':
      return connections.map((c) => longLine(c, runtime)).join('\n') + (connections.length > 0 ? '\n' : '') + '\n';
    case 'conf':
      return runtime.conf();
    case 'envi':
      return ['Environment:', ...runtime.environment.map(([k, v]) => `${k}=${v}`)].join('\n') + '\n';
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
    ['zk_open_file_descriptor_count', runtime.openFileDescriptors],
    ['zk_max_file_descriptor_count', runtime.maxFileDescriptors],
    ['zk_uptime', runtime.uptimeMs],
    ['zk_global_sessions', core.sessions.size],
    ['zk_local_sessions', 0],
    ['zk_auth_failed_count', stats.authFailed],
    ['zk_connection_drop_probability', '0.0'],
    ['zk_last_proposal_size', -1],
    ['zk_digest_mismatches_count', core.db.digestMismatches],
  ];
  return rows.map(([k, v]) => `${k}\t${v}\n`).join('');
}
