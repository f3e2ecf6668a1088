// ReconnectingClient and SessionHandle: recipes that must outlive a session (persistent nodes,
// caches, service registrations, leader latches) run on a handle that says which ZkClient is
// current and when a new session replaced an expired one. A plain ZkClient is a handle whose
// session never comes back: after expiry those recipes stop and report 'lost'.
// Invariants: a ReconnectingClient has at most one live ZkClient; after the current one expires
// it connects a new one (retrying with its policy until closed) and tells listeners once per new
// session; state listeners hear every state of every client in order.

import { connect, ZkClient, type ClientOptions, type StateEvent } from '../client/index.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { Listeners, sleep } from './util.js';

/** What a recipe needs from its connection: the current client and news of new sessions. */
export interface SessionHandle {
  readonly client: ZkClient;
  /** Called with the new client after an expired session was replaced. */
  onNewSession(listener: (client: ZkClient) => void): () => void;
  /** State changes of the current client (and of the next ones, for a ReconnectingClient). */
  onStateChange(listener: (event: StateEvent) => void): () => void;
}

/** A client or a ReconnectingClient: what session-aware recipes take. */
export type ClientSource = ZkClient | ReconnectingClient;

export function handleOf(source: ClientSource): SessionHandle {
  if (source instanceof ReconnectingClient) return source;
  return {
    client: source,
    onNewSession: () => () => undefined,
    onStateChange: (listener) => source.onStateChange(listener),
  };
}

export interface ReconnectingClientOptions extends ClientOptions {
  /** Backoff between attempts to open a new session after expiry; retried forever until close(). */
  readonly reconnectPolicy?: RetryPolicy;
}

/** A client that opens a new session whenever its session expires (like Curator's framework). */
export class ReconnectingClient implements SessionHandle {
  private current: ZkClient;
  private closed = false;
  private readonly sessions = new Listeners<[ZkClient]>();
  private readonly states = new Listeners<[StateEvent]>();
  private unsubscribe: () => void;

  private constructor(private readonly connectString: string, private readonly options: ReconnectingClientOptions, first: ZkClient) {
    this.current = first;
    this.unsubscribe = this.follow(first);
  }

  static async connect(connectString: string, options: ReconnectingClientOptions = {}): Promise<ReconnectingClient> {
    const first = await connect(connectString, options);
    return new ReconnectingClient(connectString, options, first);
  }

  get client(): ZkClient {
    return this.current;
  }

  onNewSession(listener: (client: ZkClient) => void): () => void {
    return this.sessions.add(listener);
  }

  onStateChange(listener: (event: StateEvent) => void): () => void {
    return this.states.add(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.current.close();
    this.states.emit({ state: 'closed' });
  }

  private follow(client: ZkClient): () => void {
    return client.onStateChange((event) => {
      if (event.state === 'closed' && this.closed) return;
      this.states.emit(event);
      if (event.state === 'expired') void this.replace();
    });
  }

  private async replace(): Promise<void> {
    const policy = this.options.reconnectPolicy ?? DEFAULT_RETRY_POLICY;
    const { sessionId: _id, sessionPassword: _pw, ...fresh } = this.options;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const next = await connect(this.connectString, fresh);
        if (this.closed) {
          await next.close();
          return;
        }
        this.unsubscribe();
        this.current = next;
        this.unsubscribe = this.follow(next);
        this.states.emit({ state: next.state, server: next.server ?? '' });
        this.sessions.emit(next);
        return;
      } catch {
        // Policies give up eventually; a reconnecting client never does, it caps at the last delay.
        await sleep(policy.delayMs(attempt, 0, Math.random) ?? 1000);
      }
    }
  }
}
