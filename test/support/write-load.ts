// A write load for ensemble tests: a few clients each create persistent nodes one after another
// under a root, remembering every create the server acknowledged. Failures (connection loss
// while a server dies, a leader change) are counted and the client goes on; a create whose reply
// was lost may or may not have happened, so only acknowledged ones are promised to exist.
import { connect, type ZkClient } from '../../src/client/index.js';

export interface WriteLoadOptions {
  /** One connect string per client (a single member, or several). */
  readonly connectStrings: readonly string[];
  readonly root: string;
  readonly sessionTimeoutMs?: number;
  /** Pause between creates of one client. */
  readonly pauseMs?: number;
}

export class WriteLoad {
  readonly acknowledged = new Set<string>();
  failures = 0;
  private running = true;
  private loops: Promise<void>[] = [];
  private clients: ZkClient[] = [];

  private constructor(private readonly options: WriteLoadOptions) {}

  static async start(options: WriteLoadOptions): Promise<WriteLoad> {
    const load = new WriteLoad(options);
    const admin = await connect(options.connectStrings[0]!, { sessionTimeoutMs: options.sessionTimeoutMs ?? 8000 });
    await admin.create(options.root).catch(() => undefined);
    await admin.close();
    for (const [i, cs] of options.connectStrings.entries()) {
      const client = await connect(cs, { sessionTimeoutMs: options.sessionTimeoutMs ?? 8000 });
      load.clients.push(client);
      load.loops.push(load.loop(client, i));
    }
    return load;
  }

  /** Resolves once `count` more creates were acknowledged (or rejects after timeoutMs). */
  async progress(count: number, timeoutMs = 20_000): Promise<void> {
    const target = this.acknowledged.size + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.size < target) {
      if (Date.now() > deadline) throw new Error(`write load stalled: ${this.acknowledged.size}/${target} acknowledged, ${this.failures} failures`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
  }

  private async loop(client: ZkClient, index: number): Promise<void> {
    let n = 0;
    while (this.running) {
      const path = `${this.options.root}/c${index}-${n++}`;
      try {
        // Bounded, so a request stuck on a partitioned server cannot hold stop() forever.
        await client.create(path, Buffer.from(path), { signal: AbortSignal.timeout(5000) });
        this.acknowledged.add(path);
      } catch {
        this.failures++;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (this.options.pauseMs !== undefined) await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }
}
