// What a quorum member derives from zoo.cfg and its myid: the consensus core's configuration
// (voters, observers, limits in core ticks), the config text ZooKeeper sends in notifications and
// NEWLEADER (storage-and-quorum.md §9.3), and the addresses to listen on and dial. Pure.
//
// Core ticks: the consensus core counts time in ticks of `peerTickMs` (at most tickTime/2, the
// leader's PING period, and at most 100 ms so elections settle quickly); initLimit and syncLimit,
// given in zoo.cfg in tickTime units, are converted so that their length in milliseconds is the
// one ZooKeeper uses.

import type { QuorumServer, ServerConfig } from '../config/index.js';
import { serverId, type ServerId } from '../util/ids.js';
import { DEFAULT_COUNTER_LIMIT, type ZabConfig } from '../zab/types.js';

/** ZooKeeper's finalizeWait and first notification timeout (200 ms). */
const ELECTION_WAIT_MS = 200;
/** ZooKeeper's commitLogCount: committed proposals a leader keeps for DIFF. */
export const COMMITTED_LOG_MAX = 500;

export interface QuorumSetup {
  readonly zab: ZabConfig;
  readonly peerTickMs: number;
  readonly me: QuorumServer;
  readonly others: readonly QuorumServer[];
  /** Where clients connect to this member. */
  readonly clientHost: string;
  readonly clientPort: number;
}

export class QuorumConfigError extends Error {}

export function quorumSetup(config: ServerConfig, myId: ServerId): QuorumSetup {
  const me = config.servers.find((s) => s.id === myId);
  if (me === undefined) throw new QuorumConfigError(`myid ${myId} has no server.${myId} line in the config`);
  if (config.initLimitTicks === null || config.syncLimitTicks === null) throw new QuorumConfigError('initLimit and syncLimit are required in quorum mode');
  const peerTickMs = Math.max(10, Math.min(100, Math.floor(config.tickTimeMs / 2)));
  const ticks = (ms: number): number => Math.max(1, Math.ceil(ms / peerTickMs));
  const clientPort = me.clientPort ?? config.clientPort;
  if (clientPort === null || clientPort === undefined) throw new QuorumConfigError(`no client port for server.${myId} (clientPort or ;host:port on its line)`);
  const zab: ZabConfig = {
    myId,
    voters: config.servers.filter((s) => s.role === 'participant').map((s) => serverId(s.id)),
    observers: config.servers.filter((s) => s.role === 'observer').map((s) => serverId(s.id)),
    initLimitTicks: ticks(config.initLimitTicks * config.tickTimeMs),
    syncLimitTicks: ticks(config.syncLimitTicks * config.tickTimeMs),
    electionResendTicks: ticks(ELECTION_WAIT_MS),
    finalizeWaitTicks: ticks(ELECTION_WAIT_MS),
    counterLimit: DEFAULT_COUNTER_LIMIT,
    committedLogMax: COMMITTED_LOG_MAX,
    configText: configText(config.servers),
  };
  return {
    zab,
    peerTickMs,
    me,
    others: config.servers.filter((s) => s.id !== myId),
    clientHost: me.clientHost ?? config.clientPortAddress ?? '0.0.0.0',
    clientPort,
  };
}

/** `server.N=host:quorum:election:role[;clientHost:clientPort]` lines, then `version=0` (§9.3). */
export function configText(servers: readonly QuorumServer[]): string {
  const lines = servers.map((s) => {
    const client = s.clientPort === undefined ? '' : `;${s.clientHost ?? '0.0.0.0'}:${s.clientPort}`;
    return `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role}${client}`;
  });
  return [...lines, 'version=0'].join('\n');
}
