// Four-letter words on a quorum member: the server core's answers with the member's mode and
// quorum facts (zk_peer_state, the leader's learner counts and proposal sizes), and ZooKeeper's
// "not currently serving" answers while the member is electing or syncing.

import { ALL_FOUR_LETTER_WORDS, notWhitelistedMessage, renderConf, type ServerConfig } from '../config/index.js';
import type { ServerCore } from '../server/core/server-core.js';
import { renderFourLetterWord, type LeaderFourLetterFacts, type ZabPhase } from '../server/core/four-letter-words.js';
import { javaDateString } from '../util/java-date.js';
import type { ServerId } from '../util/ids.js';
import type { Role } from '../zab/types.js';
import { directorySizes, environment, openFileDescriptors } from './runtime-info.js';

export interface QuorumWordContext {
  readonly config: ServerConfig;
  readonly core: ServerCore | null;
  readonly role: Role;
  readonly myId: ServerId;
  readonly leader: ServerId | null;
  readonly clientPort: number;
  readonly startedMs: number;
  readonly quorumSize: number;
  readonly quorumConf: { readonly electionPort: number; readonly quorumPort: number; readonly observer: boolean; readonly configText: string };
  /** Present while leading and serving. */
  readonly leaderFacts: LeaderFourLetterFacts | null;
}

export function renderQuorumFourLetterWord(word: string, ctx: QuorumWordContext): string | null {
  if (!ALL_FOUR_LETTER_WORDS.includes(word)) return null;
  const { config, core } = ctx;
  if (!config.fourLetterWords.has(word)) return notWhitelistedMessage(word);
  const nowMs = Date.now();
  const dirSizes = directorySizes(config.dataDir, config.dataLogDir);
  const readOnly = core?.config.mode === 'readOnly';
  const mode = readOnly ? 'read-only' : ctx.role === 'leading' ? 'leader' : ctx.role === 'observing' ? 'observer' : 'follower';
  const zabPhase: ZabPhase = core !== null ? 'broadcast' : ctx.role === 'looking' ? 'election' : 'synchronization';
  return renderFourLetterWord(word, core, {
    nowMs,
    monotonicMs: Math.round(performance.now()),
    uptimeMs: nowMs - ctx.startedMs,
    mode,
    readOnly,
    dirSizes,
    conf: () => renderConf(config, { ...dirSizes(), serverId: ctx.myId, clientPort: ctx.clientPort, quorum: ctx.quorumConf }),
    environment,
    formatDate: javaDateString,
    openFileDescriptors,
    maxFileDescriptors: 1048576,
    serving: core !== null,
    quorum: {
      zabPhase,
      quorumSize: ctx.quorumSize,
      ...(ctx.leaderFacts !== null && mode === 'leader' ? { leader: ctx.leaderFacts } : {}),
      ...(mode === 'observer' && ctx.leader !== null ? { observerMasterId: ctx.leader } : {}),
    },
  });
}
