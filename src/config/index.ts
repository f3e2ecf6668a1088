// Public surface of the config layer: zoo.cfg parsing, myid, the `conf` rendering and the
// four-letter-word whitelist.

export { parseZooCfg, configFromProperties, defaultStandaloneConfig, isQuorumMode } from './zoo-cfg.js';
export { parseProperties } from './properties.js';
export { parseServerLine } from './server-line.js';
export type { PeerRole, QuorumAddress, QuorumServer } from './server-line.js';
export { readMyId } from './myid.js';
export { renderConf } from './render-conf.js';
export type { ConfRuntime } from './render-conf.js';
export { ALL_FOUR_LETTER_WORDS, resolveFourLetterWhitelist, notWhitelistedMessage } from './four-letter.js';
export { ConfigError } from './errors.js';
export type { ServerConfig, AdminConfig, ContainerReaperConfig, SnapshotCompression } from './types.js';
