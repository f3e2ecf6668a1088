// The fault mix of one simulation run. Each seed draws its own mix (VOPR style): every fault
// kind the command line allows is switched on or off by a coin, and its rate drawn from a range,
// so some seeds are calm and some are storms.

import type { Prng } from './prng.js';

export const FAULT_KINDS = ['net', 'conn', 'partition', 'crash', 'disk', 'clock'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMix {
  /** Election messages: loss, duplication probability; all messages: delay range (reorders election traffic). */
  readonly notificationLoss: number;
  readonly notificationDup: number;
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  /** Per second of virtual time: a quorum connection is reset (TCP loss seen as a drop + reconnect). */
  readonly connResetsPerSec: number;
  /** Per second: a partition starts (symmetric, asymmetric, or the leader cut from a quorum). */
  readonly partitionsPerSec: number;
  readonly partitionMsMax: number;
  /** Per second: a server crashes (restarted after a random down time). */
  readonly crashesPerSec: number;
  readonly downMsMax: number;
  /** Disk: fsync latency range; chance that a crash leaves a torn last record. */
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  readonly tornWriteChance: number;
  /** Clock: per-server tick-rate skew bound (0.2 = ±20%), and per-second chance of a clock jump. */
  readonly tickSkew: number;
  readonly clockJumpsPerSec: number;
  /** Planted bug: disks acknowledge fsync without persisting (the checkers must catch it). */
  readonly lyingDisk: boolean;
}

export const CALM: FaultMix = {
  notificationLoss: 0,
  notificationDup: 0,
  delayMsMin: 1,
  delayMsMax: 3,
  connResetsPerSec: 0,
  partitionsPerSec: 0,
  partitionMsMax: 0,
  crashesPerSec: 0,
  downMsMax: 0,
  fsyncMsMin: 1,
  fsyncMsMax: 2,
  tornWriteChance: 0,
  tickSkew: 0,
  clockJumpsPerSec: 0,
  lyingDisk: false,
};

export function parseFaultKinds(text: string): FaultKind[] {
  if (text === 'all' || text === '') return [...FAULT_KINDS];
  if (text === 'none') return [];
  const kinds = text.split(',').map((s) => s.trim());
  for (const k of kinds) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault kind ${k} (known: ${FAULT_KINDS.join(', ')}, all, none)`);
  return kinds as FaultKind[];
}

/** Draws a mix: each allowed kind on with probability 3/4, its rates drawn from a range. */
export function drawFaultMix(rng: Prng, allowed: readonly FaultKind[]): FaultMix {
  const on = (k: FaultKind): boolean => allowed.includes(k) && rng.chance(0.75);
  const net = on('net');
  const conn = on('conn');
  const partition = on('partition');
  const crash = on('crash');
  const disk = on('disk');
  const clock = on('clock');
  return {
    notificationLoss: net ? rng.float() * 0.3 : 0,
    notificationDup: net ? rng.float() * 0.2 : 0,
    delayMsMin: 1,
    delayMsMax: net ? rng.int(5, 60) : 3,
    connResetsPerSec: conn ? rng.float() * 0.8 : 0,
    partitionsPerSec: partition ? 0.05 + rng.float() * 0.3 : 0,
    partitionMsMax: partition ? rng.int(500, 4000) : 0,
    crashesPerSec: crash ? 0.05 + rng.float() * 0.3 : 0,
    downMsMax: crash ? rng.int(200, 3000) : 0,
    fsyncMsMin: 1,
    fsyncMsMax: disk ? rng.int(5, 200) : 2,
    tornWriteChance: disk ? rng.float() : 0,
    tickSkew: clock ? rng.float() * 0.5 : 0,
    clockJumpsPerSec: clock ? rng.float() * 0.3 : 0,
    lyingDisk: false,
  };
}
