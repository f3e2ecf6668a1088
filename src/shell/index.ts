// `zkts shell`: a zkCli.sh-compatible shell (protocol.md §8). runShell takes zkCli.sh's own
// arguments, connects, then runs either the one command given on the command line or the
// commands read from stdin (interactive with prompt and completion on a terminal, plain lines
// otherwise), and resolves with zkCli.sh's exit code: the last command's (0 ok, 1 failed,
// 127 unknown command). It never calls process.exit; output is flushed before it resolves.

import { parseShellArgs } from './parse.js';
import { runInteractive, runLineLoop } from './repl.js';
import { Shell } from './shell.js';

export interface ShellIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

export { Shell } from './shell.js';
export { parseShellArgs, parseAcl, parseCommand, splitWords, type ShellArgs } from './parse.js';
export { statBlock, watcherBlock, errorText, aclLines } from './format.js';

/** Runs the shell; resolves with the exit code the process should exit with. */
export async function runShell(argv: readonly string[], io: ShellIo): Promise<number> {
  let args;
  try {
    args = parseShellArgs(argv);
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const shell = new Shell(args.server, args, {
    out: (text) => void io.stdout.write(text),
    err: (text) => void io.stderr.write(text),
  });
  io.stdout.write(`Connecting to ${args.server}\n`);
  await shell.connect(args.server);
  let exitCode: number;
  if (args.command !== null) {
    exitCode = await shell.run(args.command);
  } else {
    const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;
    io.stdout.write(`Welcome to ZooKeeper!\nJLine support is ${interactive ? 'enabled' : 'disabled'}\n`);
    if (interactive) await runInteractive(shell, io);
    else await runLineLoop(shell, io);
    exitCode = shell.exitCode;
  }
  await shell.closeClient(true);
  await Promise.all([flush(io.stdout), flush(io.stderr)]);
  return exitCode;
}

/** Resolves once everything written so far has been handed to the OS. */
function flush(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}
