// The `conf` four-letter word's text for a standalone server. Facts: protocol.md §7.2 (conf).
// Invariants: pure; exactly the 3.8.0 standalone layout, `\n` after every line including the
// last; directories get `/version-2` appended. The quorum form's extra lines are not rendered.

import type { ServerConfig } from './types.js';

export interface ConfRuntime {
  /** Bytes used by the snapshot directory (dataDir/version-2). */
  readonly dataDirSize: number | bigint;
  /** Bytes used by the log directory (dataLogDir/version-2). */
  readonly dataLogSize: number | bigint;
  /** 0 for a standalone server. */
  readonly serverId: number;
  /** The port actually bound (ZooKeeper prints the listener's port); defaults to the config. */
  readonly clientPort?: number | undefined;
  /** A quorum member's own ports and config text (storage-and-quorum.md §9.3). */
  readonly quorum?: { readonly electionPort: number; readonly quorumPort: number; readonly observer: boolean; readonly configText: string } | undefined;
}

/** Render `conf` (standalone form). */
export function renderConf(config: ServerConfig, runtime: ConfRuntime): string {
  const lines = [
    `clientPort=${runtime.clientPort ?? config.clientPort ?? -1}`,
    `secureClientPort=${config.secureClientPort ?? -1}`,
    `dataDir=${versionDir(config.dataDir)}`,
    `dataDirSize=${runtime.dataDirSize}`,
    `dataLogDir=${versionDir(config.dataLogDir)}`,
    `dataLogSize=${runtime.dataLogSize}`,
    `tickTime=${config.tickTimeMs}`,
    `maxClientCnxns=${config.maxClientCnxns}`,
    `minSessionTimeout=${config.minSessionTimeoutMs}`,
    `maxSessionTimeout=${config.maxSessionTimeoutMs}`,
    `clientPortListenBacklog=${config.clientPortListenBacklog}`,
    `serverId=${runtime.serverId}`,
  ];
  const q = runtime.quorum;
  if (q !== undefined) {
    // A quorum member adds its quorum settings and its view of the membership: the config text
    // of §9.3, which ends without a newline (so does Apache's answer).
    lines.push(
      `initLimit=${config.initLimitTicks ?? ''}`,
      `syncLimit=${config.syncLimitTicks ?? ''}`,
      'electionAlg=3',
      `electionPort=${q.electionPort}`,
      `quorumPort=${q.quorumPort}`,
      `peerType=${q.observer ? 1 : 0}`,
      'membership: ',
    );
  }
  return lines.map((line) => `${line}\n`).join('') + (q?.configText ?? '');
}

function versionDir(dir: string): string {
  return dir.endsWith('/') ? `${dir}version-2` : `${dir}/version-2`;
}
