// Preloaded into the zkts server (NODE_OPTIONS=--import <this file>) by `npm run bench --
// --zkts-cpu-prof DIR`, because node refuses --cpu-prof in NODE_OPTIONS and the test launcher
// takes no node flags. Starts the V8 CPU profiler at startup and writes
// DIR/zkts-<pid>.cpuprofile when the process exits (zkts exits via process.exit on SIGTERM).
// An in-thread inspector session dispatches synchronously, so the exit handler can finish it.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.ZKTS_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) {
        process.stderr.write(`cpu profile failed: ${err.message}\n`);
        return;
      }
      writeFileSync(join(dir, `zkts-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
