// The server core's configuration from zoo.cfg, shared by the standalone server and quorum
// members (they differ only in mode and server id).

import type { ServerConfig } from '../config/index.js';
import type { CoreMode, ServerCoreConfig } from '../server/core/types.js';

/** Requests queued on one connection before its reads are paused. */
const OUTSTANDING_PER_CONNECTION_MAX = 1000;

export function coreConfigOf(config: ServerConfig, mode: CoreMode, serverId: number): ServerCoreConfig {
  return {
    mode,
    tickTimeMs: config.tickTimeMs,
    minSessionTimeoutMs: config.minSessionTimeoutMs,
    maxSessionTimeoutMs: config.maxSessionTimeoutMs,
    extendedTypesEnabled: config.extendedTypesEnabled,
    skipAcl: config.skipAcl,
    superDigest: config.superDigest,
    digestEnabled: config.digestEnabled,
    serverId,
    fourLetterWords: config.fourLetterWords,
    containerCheckIntervalMs: config.container.checkIntervalMs,
    containerMaxPerMinute: config.container.maxPerMinute,
    containerMaxNeverUsedIntervalMs: config.container.maxNeverUsedIntervalMs,
    existsChecksRead: config.existsChecksRead,
    outstandingPerConnectionMax: OUTSTANDING_PER_CONNECTION_MAX,
  };
}
