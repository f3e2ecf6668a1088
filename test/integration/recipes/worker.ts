// A recipe participant in its own process, for the multi-process tests. It prints one line per
// event on stdout and runs until killed (the parent stops it by pid). Roles:
//   latch <connectString> <path> <id> <sessionTimeoutMs>  -> JOINED <node>, LEADER, NOTLEADER
//   consume <connectString> <path> <die|ack>               -> TOOK <data> (die: then hangs),
//                                                             ACKED <data> (ack: forever)
//   mutex <connectString> <path>                           -> HELD (then hangs)
import { connect } from '../../../src/client/index.js';
import { LeaderLatch, LockingQueue, Mutex } from '../../../src/recipes/index.js';

const [role, connectString, path, arg1, arg2] = process.argv.slice(2);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const hang = (): Promise<never> => new Promise(() => setInterval(() => undefined, 1 << 30));

async function main(): Promise<void> {
  if (connectString === undefined || path === undefined) throw new Error('usage: worker <role> <connectString> <path> ...');
  const sessionTimeoutMs = role === 'latch' ? Number(arg2 ?? 2000) : 2000;
  const client = await connect(connectString, { sessionTimeoutMs, initialConnectTimeoutMs: 10_000 });
  say(`SESSION ${client.sessionId.toString(16)}`);
  switch (role) {
    case 'latch': {
      const latch = new LeaderLatch(client, path, arg1 ?? '');
      latch.onChange((isLeader) => say(isLeader ? 'LEADER' : 'NOTLEADER'));
      await latch.start();
      say(`JOINED ${latch.nodePath}`);
      return hang();
    }
    case 'consume': {
      const queue = new LockingQueue(client, path);
      for (;;) {
        const item = await queue.take({ timeoutMs: 60_000 });
        if (item === null) continue;
        say(`TOOK ${item.data.toString()}`);
        if (arg1 === 'die') return hang();
        await item.ack();
        say(`ACKED ${item.data.toString()}`);
      }
    }
    case 'mutex': {
      const mutex = new Mutex(client, path);
      await mutex.acquire();
      say('HELD');
      return hang();
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
