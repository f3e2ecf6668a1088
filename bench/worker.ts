// A load-generator worker thread: owns some of the benchmark's sessions and runs each phase on
// them with SessionPipeline, reporting tallies and latencies to the main thread. Every successful
// reply is size-checked against the first, fully decoded one (reply-check.ts).
// Invariants: one command at a time (the main thread waits for each reply); a phase ends when every
// owned session is idle, or fails at its timeout or at the first connection/protocol error.
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { OPEN_ACL_UNSAFE } from '../src/proto/index.js';
import { sessionCreatePrefix, sessionNodePath, type WorkerCommand, type WorkerReply } from './messages.js';
import { emptyTally, LatencyLog, RequestTemplate, SessionPipeline } from './pipeline.js';
import { RawSession } from './raw-session.js';
import { replyProblem } from './reply-check.js';

if (parentPort === null) throw new Error('bench/worker.ts must run in a worker thread');
const port = parentPort;

interface Owned {
  readonly index: number;
  readonly session: RawSession;
}

let owned: Owned[] = [];
let rootPath = '';
let depth = 1;
let data = Buffer.alloc(0);
/** The failure of any session since the last command, reported by the running phase. */
let sessionFailure: Error | null = null;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function connectAll(cmd: Extract<WorkerCommand, { kind: 'connect' }>): Promise<void> {
  rootPath = cmd.rootPath;
  depth = cmd.depth;
  data = Buffer.alloc(cmd.dataBytes, 0x61);
  owned = await Promise.all(
    cmd.sessionIndexes.map(async (index) => {
      const endpoint = cmd.endpoints[index % cmd.endpoints.length]!;
      const session = await RawSession.connect(endpoint.host, endpoint.port, cmd.timeoutMs);
      session.onFailure = (err) => {
        sessionFailure ??= err;
      };
      // Each session's own node for setData/getData/exists.
      const header = await session.call(
        { op: 'create', path: sessionNodePath(rootPath, index), data, acl: OPEN_ACL_UNSAFE, flags: 0 },
        cmd.timeoutMs,
      );
      if (header.err !== 0) throw new Error(`creating ${sessionNodePath(rootPath, index)} failed with err ${header.err}`);
      return { index, session };
    }),
  );
}

function runPhase(cmd: Extract<WorkerCommand, { kind: 'phase' }>): Promise<WorkerReply> {
  return new Promise((resolve) => {
    const latencies = new LatencyLog();
    const tally = emptyTally();
    const now = performance.now();
    const warmupEndMs = now + cmd.warmupMs;
    let idle = 0;
    let settled = false;
    const settle = (result: WorkerReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      resolve(result);
    };
    const fail = (err: Error): void => settle({ kind: 'error', message: `${cmd.op}: ${err.message}` });
    const timer = setTimeout(() => fail(new Error(`phase did not finish within ${cmd.timeoutMs} ms`)), cmd.timeoutMs);
    // Connection failures surface through onFailure; poll them so a dead session fails the phase now.
    const watch = setInterval(() => {
      if (sessionFailure !== null) fail(sessionFailure);
    }, 50);
    if (sessionFailure !== null) {
      fail(sessionFailure);
      return;
    }
    owned.forEach(({ index, session }, i) => {
      const prefixOrPath = cmd.op === 'create' ? sessionCreatePrefix(rootPath, index) : sessionNodePath(rootPath, index);
      const pipeline = new SessionPipeline(session, depth, latencies, tally, fail);
      pipeline.start(
        {
          template: new RequestTemplate(cmd.op, prefixOrPath, data),
          warmupEndMs,
          measureEndMs: cmd.durationMs === null ? null : warmupEndMs + cmd.durationMs,
          measuredQuota: cmd.quotas === null ? null : (cmd.quotas[i] ?? 0),
          replyProblem: (frame) => replyProblem(cmd.op, frame, prefixOrPath, data.length),
        },
        () => {
          idle++;
          if (idle === owned.length) {
            const values = latencies.take();
            settle({ kind: 'phaseDone', tally, latencies: values });
          }
        },
      );
    });
  });
}

async function closeAll(timeoutMs: number): Promise<void> {
  await Promise.allSettled(owned.map(({ session }) => session.close(timeoutMs)));
  owned = [];
}

port.on('message', (cmd: WorkerCommand) => {
  void (async () => {
    try {
      switch (cmd.kind) {
        case 'connect':
          await connectAll(cmd);
          reply({ kind: 'connected' });
          break;
        case 'phase': {
          const result = await runPhase(cmd);
          if (result.kind === 'phaseDone') reply(result, [result.latencies.buffer as ArrayBuffer]);
          else reply(result);
          break;
        }
        case 'close':
          await closeAll(cmd.timeoutMs);
          reply({ kind: 'closed' });
          break;
      }
    } catch (err) {
      reply({ kind: 'error', message: (err as Error).message });
    }
  })();
});
