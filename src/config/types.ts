// The typed server configuration produced from zoo.cfg. Facts: protocol.md §9, §7.1, §2.4;
// storage-and-quorum.md §4.5, §5.4, §13.
// Invariants (established by parseZooCfg): dataDir and dataLogDir are set; tickTimeMs > 0;
// minSessionTimeoutMs <= maxSessionTimeoutMs; server ids are unique.

import type { PeerRole, QuorumServer } from './server-line.js';

export type SnapshotCompression = 'gz' | 'snappy';

export interface AdminConfig {
  readonly enableServer: boolean;
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly commandUrl: string;
  readonly idleTimeoutMs: number;
}

export interface ContainerReaperConfig {
  readonly checkIntervalMs: number;
  readonly maxPerMinute: number;
  /** 0 = never-used containers are kept forever. */
  readonly maxNeverUsedIntervalMs: number;
}

export interface ServerConfig {
  readonly tickTimeMs: number;
  /** Ticks; null when unset (required only in quorum mode). */
  readonly initLimitTicks: number | null;
  readonly syncLimitTicks: number | null;
  /** 0 = unset: initLimit is the learner's connect budget. */
  readonly connectToLearnerMasterLimitTicks: number;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly clientPort: number | null;
  readonly clientPortAddress: string | null;
  readonly secureClientPort: number | null;
  readonly secureClientPortAddress: string | null;
  readonly clientPortListenBacklog: number;
  /** Per client IP; 0 = unlimited. */
  readonly maxClientCnxns: number;
  /** Total; 0 = unlimited. */
  readonly maxCnxns: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly globalOutstandingLimit: number;
  /** Enabled four-letter words (see four-letter.ts). */
  readonly fourLetterWords: ReadonlySet<string>;
  readonly extendedTypesEnabled: boolean;
  /** zkts key `zkts.existsChecksRead` (default true): exists needs READ, as in ZooKeeper 3.9
   * (ZOOKEEPER-2590); false answers as 3.8.0 did. */
  readonly existsChecksRead: boolean;
  /** `super:<base64>`, or null. */
  readonly superDigest: string | null;
  readonly skipAcl: boolean;
  readonly digestAuthEnabled: boolean;
  readonly juteMaxBufferBytes: number;
  readonly juteMaxBufferExtraBytes: number;
  readonly preAllocSizeKb: number;
  readonly snapCount: number;
  readonly autopurgeSnapRetainCount: number;
  /** 0 = autopurge disabled. */
  readonly autopurgePurgeIntervalHours: number;
  readonly digestEnabled: boolean;
  readonly snapshotCompression: SnapshotCompression | null;
  readonly standaloneEnabled: boolean;
  readonly reconfigEnabled: boolean;
  readonly dynamicConfigFile: string | null;
  readonly localSessionsEnabled: boolean;
  readonly localSessionsUpgradingEnabled: boolean;
  readonly enforceQuota: boolean;
  readonly syncEnabled: boolean;
  readonly quorumListenOnAllIps: boolean;
  readonly multiAddressEnabled: boolean;
  /** Sorted by id. */
  readonly servers: readonly QuorumServer[];
  readonly peerType: PeerRole;
  /** 0 = retry forever. */
  readonly electionPortBindRetry: number;
  readonly readOnlyModeEnabled: boolean;
  readonly admin: AdminConfig;
  readonly container: ContainerReaperConfig;
  /** `metricsProvider.<name>` values, raw, keyed by `<name>` (e.g. className, httpPort). */
  readonly metricsProvider: ReadonlyMap<string, string>;
  /** Keys zkts does not interpret, kept as given (Apache turns them into system properties). */
  readonly extra: ReadonlyMap<string, string>;
  /** Values accepted but adjusted, as Apache does with a log warning; the shell logs these. */
  readonly warnings: readonly string[];
}
