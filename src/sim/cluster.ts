// A simulated ensemble: scheduler, network, replicas with their disks, clients, and the
// operations the fault injector and the scenarios use (crash, restart, partitions, resets,
// clock jumps). Everything random comes from forks of the run's one seeded generator.

import { serverId, type ServerId } from '../util/ids.js';
import type { ZabConfig } from '../zab/types.js';
import { ClientWorld, SimClient } from './clients.js';
import { SimDisk } from './disk.js';
import type { FaultMix } from './faults.js';
import { Network } from './network.js';
import { Observations } from './observations.js';
import { Prng } from './prng.js';
import { Replica } from './replica.js';
import { Scheduler } from './scheduler.js';

export const TICK_MS = 50;

export interface ClusterSpec {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly clients: number;
  readonly mix: FaultMix;
  readonly zab?: Partial<ZabConfig>;
}

export class SimCluster {
  readonly sched = new Scheduler();
  readonly rng: Prng;
  readonly obs = new Observations();
  readonly network: Network;
  readonly replicas: Replica[] = [];
  readonly voterIds: ServerId[];
  readonly clients: SimClient[] = [];
  readonly world: ClientWorld;
  readonly faultCounts: Record<string, number> = {};

  constructor(readonly spec: ClusterSpec) {
    this.rng = new Prng(spec.seed);
    const netRng = this.rng.fork();
    const diskRng = this.rng.fork();
    const clockRng = this.rng.fork();
    const clientRng = this.rng.fork();
    this.voterIds = Array.from({ length: spec.voters }, (_, i) => serverId(i + 1));
    const observerIds = Array.from({ length: spec.observers }, (_, i) => serverId(spec.voters + i + 1));
    this.network = new Network(this.sched, netRng, spec.mix, (id) => this.replica(id));
    for (const id of [...this.voterIds, ...observerIds]) {
      const config: ZabConfig = {
        myId: id,
        voters: this.voterIds,
        observers: observerIds,
        initLimitTicks: 10,
        syncLimitTicks: 5,
        electionResendTicks: 2,
        finalizeWaitTicks: 1,
        counterLimit: 40, // small: epoch rollover happens in most runs
        committedLogMax: 15, // small: followers far behind get SNAP
        configText: 'version=0',
        ...spec.zab,
      };
      const skew = 1 + (clockRng.float() * 2 - 1) * spec.mix.tickSkew;
      const disk = new SimDisk(this.sched, diskRng.fork(), spec.mix);
      this.replicas.push(new Replica(id, disk, { sched: this.sched, network: this.network, obs: this.obs, config }, Math.max(1, Math.round(TICK_MS * skew))));
    }
    this.world = new ClientWorld(this.sched, clientRng, () => this.replicas);
    for (let i = 0; i < spec.clients; i++) this.clients.push(new SimClient(i + 1, this.world, clientRng.fork()));
  }

  replica(id: ServerId | number): Replica {
    const r = this.replicas[id - 1];
    if (r === undefined) throw new Error(`no server ${id}`);
    return r;
  }

  get ids(): ServerId[] {
    return this.replicas.map((r) => r.id);
  }

  start(): void {
    for (const r of this.replicas) r.boot();
    for (const c of this.clients) c.start();
  }

  count(fault: string): void {
    this.faultCounts[fault] = (this.faultCounts[fault] ?? 0) + 1;
  }

  crash(id: ServerId): void {
    const r = this.replica(id);
    if (!r.up) return;
    r.crash();
    this.network.crashed(id, this.ids);
    this.count('crash');
  }

  restart(id: ServerId): void {
    const r = this.replica(id);
    if (r.up) return;
    r.boot();
    this.count('restart');
  }

  setMix(mix: FaultMix): void {
    this.network.mix = mix;
    for (const r of this.replicas) r.disk.mix = mix;
  }

  /** The serving leader that a quorum of voters serve under, if any. */
  servingLeader(): Replica | null {
    for (const r of this.replicas) {
      if (!r.up || r.role !== 'leading' || !r.serving) continue;
      const epoch = r.peer?.status().currentEpoch;
      const followers = this.replicas.filter((f) => f.up && f.serving && this.voterIds.includes(f.id) && f.peer?.status().leader === r.id && f.peer.status().currentEpoch === epoch);
      if (followers.length > this.voterIds.length / 2) return r;
    }
    return null;
  }

  runFor(ms: number, stop?: () => boolean): void {
    this.sched.runUntil(this.sched.nowMs + ms, stop);
  }
}
