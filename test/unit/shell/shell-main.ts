// Entry point that runs the shell as `zkts shell` will, for tests that spawn it before the CLI
// is wired: `node --import tsx test/unit/shell/shell-main.ts -server host:port [cmd args]`.
import { runShell } from '../../../src/shell/index.js';

const code = await runShell(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exit(code);
