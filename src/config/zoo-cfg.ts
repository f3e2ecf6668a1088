// zoo.cfg → ServerConfig: Properties syntax, then typed and validated fields with ZooKeeper's
// defaults. Facts: protocol.md §9.1, §7.1, §2.4, §1.3; storage-and-quorum.md §4.5, §5.4, §13.
// Invariants: pure (node:path is only string manipulation); every invalid value throws a
// ConfigError naming key, value and expectation; unknown keys land in `extra`, never an error.
// Deliberate differences from Apache ZooKeeper 3.8 (each commented where it is read):
// extendedTypesEnabled defaults to true, jute.maxbuffer is honoured from zoo.cfg, the
// znode.container.* keys are zoo.cfg keys, and booleans other than true/false are errors.

import * as path from 'node:path';
import { isValidDigestId } from '../acl/digest.js';
import { ConfigError } from './errors.js';
import { resolveFourLetterWhitelist } from './four-letter.js';
import { parseProperties } from './properties.js';
import { parseServerLine } from './server-line.js';
import type { QuorumServer } from './server-line.js';
import type { AdminConfig, ContainerReaperConfig, ServerConfig, SnapshotCompression } from './types.js';
import { readBoolean, readChoice, readDecodedInt32, readInt32, readInteger, readPort } from './values.js';

const DEFAULT_TICK_TIME_MS = 3000;
const DEFAULT_JUTE_MAX_BUFFER_BYTES = 0xfffff;

/** Reads trimmed values by key and remembers which keys were consumed. */
class Entries {
  private readonly values = new Map<string, string>();
  private readonly consumed = new Set<string>();

  constructor(properties: ReadonlyMap<string, string>) {
    // zoo.cfg trims keys and values on top of the Properties syntax.
    for (const [key, value] of properties) this.values.set(key.trim(), value.trim());
  }

  /** The value of `key`, or null when absent. */
  get(key: string): string | null {
    this.consumed.add(key);
    return this.values.get(key) ?? null;
  }

  /** Keys starting with `prefix` (not yet consumed), consuming them. */
  takePrefixed(prefix: string): Array<[string, string]> {
    const found: Array<[string, string]> = [];
    for (const [key, value] of this.values) {
      if (key.startsWith(prefix) && !this.consumed.has(key)) {
        this.consumed.add(key);
        found.push([key.slice(prefix.length), value]);
      }
    }
    return found;
  }

  rest(): Map<string, string> {
    const rest = new Map<string, string>();
    for (const [key, value] of this.values) if (!this.consumed.has(key)) rest.set(key, value);
    return rest;
  }

  int(key: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
    const value = this.get(key);
    return value === null ? fallback : readInt32(key, value, bounds);
  }

  optionalInt(key: string, bounds: { min?: number; max?: number } = {}): number | null {
    const value = this.get(key);
    return value === null ? null : readInt32(key, value, bounds);
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    return value === null ? fallback : readBoolean(key, value);
  }

  string(key: string, fallback: string): string {
    return this.get(key) ?? fallback;
  }

  optionalPort(key: string): number | null {
    const value = this.get(key);
    return value === null ? null : readPort(key, value);
  }

  /** An optional non-empty string; an empty value counts as unset. */
  optionalString(key: string): string | null {
    const value = this.get(key);
    return value === null || value === '' ? null : value;
  }
}

/** A directory path: relative ones are taken from baseDir when given; trailing slashes dropped. */
function resolvePath(value: string, baseDir: string | undefined): string {
  const resolved = baseDir !== undefined && !path.isAbsolute(value) ? path.join(baseDir, value) : value;
  return resolved.length > 1 ? resolved.replace(/\/+$/, '') : resolved;
}

/** Parse zoo.cfg text. `baseDir` (usually the file's directory) anchors relative paths. */
export function parseZooCfg(text: string, baseDir?: string): ServerConfig {
  return configFromProperties(parseProperties(text), baseDir);
}

/** Build a ServerConfig from already-split key/value pairs (zoo.cfg keys). */
export function configFromProperties(properties: ReadonlyMap<string, string>, baseDir?: string): ServerConfig {
  const entries = new Entries(properties);
  const warnings: string[] = [];

  const tickTimeMs = entries.int('tickTime', DEFAULT_TICK_TIME_MS, { min: 1 });
  const dataDirText = entries.optionalString('dataDir');
  if (dataDirText === null) throw new ConfigError('dataDir', null, 'a directory path');
  const dataDir = resolvePath(dataDirText, baseDir);
  const dataLogDirText = entries.optionalString('dataLogDir');
  const dataLogDir = dataLogDirText === null ? dataDir : resolvePath(dataLogDirText, baseDir);

  const { minSessionTimeoutMs, maxSessionTimeoutMs } = sessionTimeouts(entries, tickTimeMs);

  const readOnlyModeEnabled = entries.bool('readonlymode.enabled', false);
  // zkts default: TRUE. Apache ZooKeeper defaults extendedTypesEnabled to false (TTL nodes then
  // fail with Unimplemented); `extendedTypesEnabled=false` restores that behaviour here.
  const extendedTypesEnabled = entries.bool('extendedTypesEnabled', true);
  const multiAddressEnabled = entries.bool('multiAddress.enabled', false);
  const standaloneEnabled = entries.bool('standaloneEnabled', true);

  const servers = parseServers(entries, { multiAddressEnabled, maxServerId: extendedTypesEnabled ? 254 : 255 });
  const initLimitTicks = entries.optionalInt('initLimit', { min: 1 });
  const syncLimitTicks = entries.optionalInt('syncLimit', { min: 1 });
  if (servers.length > 1 || (servers.length === 1 && !standaloneEnabled)) {
    if (initLimitTicks === null) throw new ConfigError('initLimit', null, 'a number of ticks (required in quorum mode)');
    if (syncLimitTicks === null) throw new ConfigError('syncLimit', null, 'a number of ticks (required in quorum mode)');
  }

  const juteMaxBufferBytes = readJuteMaxBuffer(entries);
  const extraSize = entries.get('jute.maxbuffer.extrasize');
  const juteMaxBufferExtraBytes = Math.max(
    1024,
    extraSize === null ? juteMaxBufferBytes : readDecodedInt32('jute.maxbuffer.extrasize', extraSize, { min: 0 }),
  );

  const config: ServerConfig = {
    tickTimeMs,
    initLimitTicks,
    syncLimitTicks,
    connectToLearnerMasterLimitTicks: entries.int('connectToLearnerMasterLimit', 0, { min: 0 }),
    dataDir,
    dataLogDir,
    clientPort: entries.optionalPort('clientPort'),
    clientPortAddress: entries.optionalString('clientPortAddress'),
    secureClientPort: entries.optionalPort('secureClientPort'),
    secureClientPortAddress: entries.optionalString('secureClientPortAddress'),
    clientPortListenBacklog: entries.int('clientPortListenBacklog', -1, { min: -1 }),
    maxClientCnxns: entries.int('maxClientCnxns', 60, { min: 0 }),
    maxCnxns: entries.int('maxCnxns', 0, { min: 0 }),
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    globalOutstandingLimit: entries.int('globalOutstandingLimit', 1000, { min: 1 }),
    fourLetterWords: resolveFourLetterWhitelist(entries.get('4lw.commands.whitelist'), readOnlyModeEnabled),
    extendedTypesEnabled,
    existsChecksRead: entries.bool('zkts.existsChecksRead', true),
    superDigest: readSuperDigest(entries),
    skipAcl: readSkipAcl(entries),
    digestAuthEnabled: entries.bool('DigestAuthenticationProvider.enabled', true),
    juteMaxBufferBytes,
    juteMaxBufferExtraBytes,
    preAllocSizeKb: entries.int('preAllocSize', 65536, { min: 1 }),
    snapCount: clampWithWarning(entries.int('snapCount', 100000), 2, 'snapCount', warnings),
    autopurgeSnapRetainCount: clampWithWarning(
      entries.int('autopurge.snapRetainCount', 3),
      3,
      'autopurge.snapRetainCount',
      warnings,
    ),
    // Zero or negative disables the purge task, as in ZooKeeper.
    autopurgePurgeIntervalHours: Math.max(0, entries.int('autopurge.purgeInterval', 0)),
    digestEnabled: entries.bool('digest.enabled', true),
    snapshotCompression: readSnapshotCompression(entries, warnings),
    standaloneEnabled,
    reconfigEnabled: entries.bool('reconfigEnabled', false),
    dynamicConfigFile: optionalPath(entries.optionalString('dynamicConfigFile'), baseDir),
    localSessionsEnabled: entries.bool('localSessionsEnabled', false),
    localSessionsUpgradingEnabled: entries.bool('localSessionsUpgradingEnabled', false),
    enforceQuota: entries.bool('enforceQuota', false),
    syncEnabled: entries.bool('syncEnabled', true),
    quorumListenOnAllIps: entries.bool('quorumListenOnAllIPs', false),
    multiAddressEnabled,
    servers,
    peerType: readChoice('peerType', entries.string('peerType', 'participant'), ['participant', 'observer'] as const),
    electionPortBindRetry: entries.int('electionPortBindRetry', 3, { min: 0 }),
    readOnlyModeEnabled,
    admin: readAdmin(entries),
    container: readContainer(entries),
    metricsProvider: new Map(entries.takePrefixed('metricsProvider.')),
    extra: new Map(),
    warnings,
  };
  const electionAlg = entries.get('electionAlg');
  if (electionAlg !== null) readChoice('electionAlg', electionAlg, ['3'] as const);
  return { ...config, extra: entries.rest() };
}

function sessionTimeouts(entries: Entries, tickTimeMs: number): { minSessionTimeoutMs: number; maxSessionTimeoutMs: number } {
  // -1 (ZooKeeper's "unset" marker) also selects the default.
  const minSet = entries.int('minSessionTimeout', -1, { min: -1 });
  const maxSet = entries.int('maxSessionTimeout', -1, { min: -1 });
  const minSessionTimeoutMs = minSet === -1 ? 2 * tickTimeMs : minSet;
  const maxSessionTimeoutMs = maxSet === -1 ? 20 * tickTimeMs : maxSet;
  if (minSessionTimeoutMs > maxSessionTimeoutMs) {
    throw new ConfigError(
      'minSessionTimeout',
      String(minSessionTimeoutMs),
      `a value not larger than maxSessionTimeout (${maxSessionTimeoutMs})`,
    );
  }
  return { minSessionTimeoutMs, maxSessionTimeoutMs };
}

function parseServers(entries: Entries, options: { multiAddressEnabled: boolean; maxServerId: number }): QuorumServer[] {
  const servers: QuorumServer[] = [];
  for (const [idText, value] of entries.takePrefixed('server.')) {
    const server = parseServerLine(idText, value, options);
    if (servers.some((other) => other.id === server.id)) {
      throw new ConfigError(`server.${idText}`, value, `a server id not used by another server.N line`);
    }
    servers.push(server);
  }
  return servers.sort((a, b) => a.id - b.id);
}

function readJuteMaxBuffer(entries: Entries): number {
  // zkts honours jute.maxbuffer from zoo.cfg; Apache 3.8 reads it only as a JVM system property
  // and a zoo.cfg line has no effect there.
  const value = entries.get('jute.maxbuffer');
  return value === null ? DEFAULT_JUTE_MAX_BUFFER_BYTES : readDecodedInt32('jute.maxbuffer', value, { min: 1 });
}

function readSuperDigest(entries: Entries): string | null {
  // The Apache key (a system property through the unknown-key rule) and the zkts shorthand.
  const apacheKey = 'DigestAuthenticationProvider.superDigest';
  const apacheValue = entries.optionalString(apacheKey);
  const shortValue = entries.optionalString('superDigest');
  if (apacheValue !== null && shortValue !== null && apacheValue !== shortValue) {
    throw new ConfigError('superDigest', shortValue, `the same value as ${apacheKey} (${apacheValue}) or only one of the two keys`);
  }
  const value = apacheValue ?? shortValue;
  if (value !== null && !isValidDigestId(value)) {
    throw new ConfigError(apacheValue !== null ? apacheKey : 'superDigest', value, "a digest id 'super:<base64 sha1>' (see `zkts digest`)");
  }
  return value;
}

function readSkipAcl(entries: Entries): boolean {
  const value = entries.get('skipACL');
  if (value === null) return false;
  // ZooKeeper enables this only for exactly `yes`; anything but yes/no is refused rather than
  // read as "no", so a `skipACL=true` line cannot silently mean the opposite of its intent.
  return readChoice('skipACL', value, ['yes', 'no'] as const) === 'yes';
}

function readSnapshotCompression(entries: Entries, warnings: string[]): SnapshotCompression | null {
  const value = entries.get('snapshot.compression.method');
  if (value === null || value === '') return null;
  if (value === 'gz' || value === 'snappy') return value;
  // Apache falls back to plain snapshots for unknown methods.
  warnings.push(`snapshot.compression.method '${value}' is unknown; snapshots are written uncompressed`);
  return null;
}

function clampWithWarning(value: number, min: number, key: string, warnings: string[]): number {
  if (value >= min) return value;
  warnings.push(`${key}=${value} is below the minimum ${min}; using ${min}`);
  return min;
}

function optionalPath(value: string | null, baseDir: string | undefined): string | null {
  return value === null ? null : resolvePath(value, baseDir);
}

function readAdmin(entries: Entries): AdminConfig {
  return {
    enableServer: entries.bool('admin.enableServer', true),
    serverAddress: entries.string('admin.serverAddress', '0.0.0.0'),
    serverPort: readPort('admin.serverPort', entries.string('admin.serverPort', '8080')),
    commandUrl: entries.string('admin.commandURL', '/commands'),
    idleTimeoutMs: entries.int('admin.idleTimeout', 30000, { min: 0 }),
  };
}

function readContainer(entries: Entries): ContainerReaperConfig {
  // Plain JVM properties in Apache; zkts accepts them as zoo.cfg keys.
  return {
    checkIntervalMs: entries.int('znode.container.checkIntervalMs', 60000, { min: 1 }),
    maxPerMinute: entries.int('znode.container.maxPerMinute', 10000, { min: 1 }),
    maxNeverUsedIntervalMs: readInteger(
      'znode.container.maxNeverUsedIntervalMs',
      entries.string('znode.container.maxNeverUsedIntervalMs', '0'),
      { min: 0 },
    ),
  };
}

/** True when the config describes a replicated ensemble rather than a standalone server. */
export function isQuorumMode(config: ServerConfig): boolean {
  return config.servers.length > 1 || (config.servers.length === 1 && !config.standaloneEnabled);
}

/**
 * The config `npm start` runs with when no zoo.cfg is given: ZooKeeper's defaults, except
 * tickTime 2000 as in ZooKeeper's sample config (sessions 4 s .. 40 s).
 */
export function defaultStandaloneConfig(options: {
  dataDir: string;
  clientPort: number;
  clientPortAddress?: string | undefined;
}): ServerConfig {
  const properties = new Map<string, string>([
    ['tickTime', '2000'],
    ['dataDir', options.dataDir],
    ['clientPort', String(options.clientPort)],
  ]);
  if (options.clientPortAddress !== undefined) properties.set('clientPortAddress', options.clientPortAddress);
  return configFromProperties(properties);
}
