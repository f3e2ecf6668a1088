// Service discovery and group membership. An instance registers as an ephemeral node
// `${basePath}/${name}/${id}` holding its description as JSON (kept alive by a PersistentNode, so
// it comes back after a session loss with a ReconnectingClient). Clients list instances directly
// or through a ServiceCache (a TreeCache of the service's node) and pick one with a provider
// strategy: round-robin, random, or sticky (the same instance until it disappears).
// GroupMember is the same mechanism without the service shape: one ephemeral member node with a
// payload, and the current members as a map.
// Connection states: registrations follow PersistentNode; caches follow TreeCache (stale while
// disconnected, re-read on reconnect and on a new session).

import { randomUUID } from 'node:crypto';
import { NoNodeError, type ZkClient } from '../client/index.js';
import { PersistentNode } from './persistent-node.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import { TreeCache } from './tree-cache.js';
import { joinPath, nameOf } from './util.js';

export interface ServiceInstance<T = unknown> {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port?: number;
  readonly payload?: T;
  /** Epoch ms of the registration. */
  readonly registrationTimeMs: number;
}

export type NewServiceInstance<T> = Omit<ServiceInstance<T>, 'id' | 'registrationTimeMs'> & { readonly id?: string };

export class ServiceDiscovery<T = unknown> {
  private readonly handle: SessionHandle;
  private readonly registrations = new Map<string, PersistentNode>();

  constructor(private readonly source: ClientSource, readonly basePath: string) {
    this.handle = handleOf(source);
  }

  /** Registers an instance (ephemeral); resolves once its node exists. */
  async register(instance: NewServiceInstance<T>, options: { timeoutMs?: number } = {}): Promise<ServiceInstance<T>> {
    const full: ServiceInstance<T> = { ...instance, id: instance.id ?? randomUUID(), registrationTimeMs: Date.now() };
    const path = this.instancePath(full.name, full.id);
    if (this.registrations.has(path)) throw new Error(`${full.name}/${full.id} already registered`);
    const node = new PersistentNode(this.source, path, JSON.stringify(full), { mode: 'ephemeral' });
    this.registrations.set(path, node);
    node.start();
    if (!(await node.waitForInitialCreate({ timeoutMs: options.timeoutMs ?? 30_000 }))) {
      this.registrations.delete(path);
      await node.close();
      throw new Error(`could not register ${path}`);
    }
    return full;
  }

  /** Replaces a registered instance's description. */
  async update(instance: ServiceInstance<T>): Promise<void> {
    const node = this.registrations.get(this.instancePath(instance.name, instance.id));
    if (node === undefined) throw new Error(`${instance.name}/${instance.id} is not registered here`);
    await node.setData(JSON.stringify(instance));
  }

  async unregister(instance: Pick<ServiceInstance<T>, 'name' | 'id'>): Promise<void> {
    const path = this.instancePath(instance.name, instance.id);
    const node = this.registrations.get(path);
    this.registrations.delete(path);
    await node?.close();
  }

  /** Service names. */
  async names(): Promise<string[]> {
    return (await this.client.getChildren(this.basePath).catch(notFoundAsEmpty)).sort();
  }

  /** The instances of a service, read now. */
  async instances(name: string): Promise<Array<ServiceInstance<T>>> {
    const dir = joinPath(this.basePath, name);
    const out: Array<ServiceInstance<T>> = [];
    for (const id of (await this.client.getChildren(dir).catch(notFoundAsEmpty)).sort()) {
      const instance = await this.instance(name, id);
      if (instance !== null) out.push(instance);
    }
    return out;
  }

  async instance(name: string, id: string): Promise<ServiceInstance<T> | null> {
    try {
      return parseInstance<T>((await this.client.getData(this.instancePath(name, id))).data);
    } catch (err) {
      if (err instanceof NoNodeError) return null;
      throw err;
    }
  }

  /** A live view of a service's instances. */
  cache(name: string): ServiceCache<T> {
    return new ServiceCache<T>(this.source, joinPath(this.basePath, name));
  }

  /** A provider over a started cache of `name`, choosing with `strategy`. */
  async provider(name: string, strategy: ProviderStrategy<T> = new RoundRobinStrategy<T>()): Promise<ServiceProvider<T>> {
    const cache = this.cache(name);
    await cache.start();
    return new ServiceProvider<T>(cache, strategy);
  }

  /** Unregisters everything registered through this object. */
  async close(): Promise<void> {
    for (const node of this.registrations.values()) await node.close();
    this.registrations.clear();
  }

  private get client(): ZkClient {
    return this.handle.client;
  }

  private instancePath(name: string, id: string): string {
    return joinPath(joinPath(this.basePath, name), id);
  }
}

export class ServiceCache<T = unknown> {
  private readonly tree: TreeCache;

  constructor(source: ClientSource, readonly servicePath: string) {
    this.tree = new TreeCache(source, servicePath);
  }

  start(): Promise<void> {
    return this.tree.start();
  }

  /** The cached instances, sorted by id. */
  instances(): Array<ServiceInstance<T>> {
    const out: Array<ServiceInstance<T>> = [];
    for (const id of this.tree.children(this.servicePath)) {
      const instance = parseInstance<T>(this.tree.get(joinPath(this.servicePath, id))?.data ?? null);
      if (instance !== null) out.push(instance);
    }
    return out;
  }

  /** Told after each change of the instance set or of an instance. */
  onChange(listener: () => void): () => void {
    return this.tree.on((e) => {
      if (e.type === 'initialized' || e.node.path !== this.servicePath) listener();
    });
  }

  close(): Promise<void> {
    return this.tree.close();
  }
}

/** Picks one instance from the current list (null when there is none). */
export interface ProviderStrategy<T> {
  pick(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | null;
}

export class RoundRobinStrategy<T> implements ProviderStrategy<T> {
  private next = 0;

  pick(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | null {
    if (instances.length === 0) return null;
    return instances[this.next++ % instances.length]!;
  }
}

export class RandomStrategy<T> implements ProviderStrategy<T> {
  constructor(private readonly random: () => number = Math.random) {}

  pick(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | null {
    if (instances.length === 0) return null;
    return instances[Math.floor(this.random() * instances.length)]!;
  }
}

/** Keeps returning the same instance while it is registered; then asks `fallback` for another. */
export class StickyStrategy<T> implements ProviderStrategy<T> {
  private current: string | null = null;

  constructor(private readonly fallback: ProviderStrategy<T> = new RoundRobinStrategy<T>()) {}

  pick(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | null {
    const stuck = instances.find((i) => i.id === this.current);
    if (stuck !== undefined) return stuck;
    const chosen = this.fallback.pick(instances);
    this.current = chosen?.id ?? null;
    return chosen;
  }
}

export class ServiceProvider<T = unknown> {
  constructor(readonly cache: ServiceCache<T>, private readonly strategy: ProviderStrategy<T>) {}

  /** One instance by the strategy, or null when none is registered. */
  instance(): ServiceInstance<T> | null {
    return this.strategy.pick(this.cache.instances());
  }

  all(): Array<ServiceInstance<T>> {
    return this.cache.instances();
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}

/** A member of a group: an ephemeral node with a payload; reads the current members. */
export class GroupMember {
  private readonly node: PersistentNode;
  private readonly handle: SessionHandle;
  private cacheView: TreeCache | null = null;

  constructor(private readonly source: ClientSource, readonly groupPath: string, readonly memberId: string, payload: Buffer | string = '') {
    this.handle = handleOf(source);
    this.node = new PersistentNode(source, joinPath(groupPath, memberId), payload, { mode: 'ephemeral' });
  }

  /** Joins; resolves once our member node exists, and the member view is loaded. */
  async start(options: { timeoutMs?: number } = {}): Promise<void> {
    this.node.start();
    if (!(await this.node.waitForInitialCreate({ timeoutMs: options.timeoutMs ?? 30_000 }))) {
      throw new Error(`could not join ${this.groupPath} as ${this.memberId}`);
    }
    this.cacheView = new TreeCache(this.source, this.groupPath);
    await this.cacheView.start();
  }

  setPayload(payload: Buffer | string): Promise<void> {
    return this.node.setData(payload);
  }

  /** Member id -> payload, from the live view. */
  members(): Map<string, Buffer> {
    const view = this.cacheView;
    const out = new Map<string, Buffer>();
    if (view === null) return out;
    for (const id of view.children(this.groupPath)) out.set(id, view.get(joinPath(this.groupPath, id))?.data ?? Buffer.alloc(0));
    return out;
  }

  /** Member id -> payload, read from the server now. */
  async readMembers(): Promise<Map<string, Buffer>> {
    const client = this.handle.client;
    const out = new Map<string, Buffer>();
    for (const id of await client.getChildren(this.groupPath)) {
      try {
        out.set(nameOf(id), (await client.getData(joinPath(this.groupPath, id))).data ?? Buffer.alloc(0));
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
    }
    return out;
  }

  onChange(listener: () => void): () => void {
    if (this.cacheView === null) throw new Error('GroupMember not started');
    return this.cacheView.on(() => listener());
  }

  async close(): Promise<void> {
    await this.cacheView?.close();
    await this.node.close();
  }
}

function parseInstance<T>(data: Buffer | null): ServiceInstance<T> | null {
  if (data === null || data.length === 0) return null;
  try {
    return JSON.parse(data.toString('utf8')) as ServiceInstance<T>;
  } catch {
    return null; // not ours: ignore foreign nodes
  }
}

function notFoundAsEmpty(err: unknown): string[] {
  if (err instanceof NoNodeError) return [];
  throw err;
}
