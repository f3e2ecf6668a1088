// The shell's state and command dispatch, shared by the interactive loop, piped stdin and the
// one-shot `cmd args` form: the current client and server, the default watcher that prints
// events, printwatches, the numbered history and redo, and the exit code of the last command.
// Invariants: commands run one at a time (the caller awaits execute()); every event the Java
// default watcher would print is printed while printwatches is on; a command needing a session
// runs only while the client is alive, otherwise `Not connected` (stdout, as zkCli prints it).

import { ZkClient } from '../client/client.js';
import type { ClientState, Watcher } from '../client/types.js';
import { ZooKeeperError } from '../proto/errors.js';
import { CliError, UsageError, type CommandContext, type CommandDef } from './command.js';
import { ADMIN_COMMANDS } from './commands-admin.js';
import { NODE_COMMANDS } from './commands-nodes.js';
import { errorText, keeperStateName, promptStateName, watcherBlock } from './format.js';
import { OptionError, parseCommand, splitWords } from './parse.js';
import { fullUsage, USAGES } from './usage.js';

export interface ShellOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface ShellSettings {
  readonly timeoutMs: number;
  readonly readOnly: boolean;
  readonly waitForConnection: boolean;
}

const COMMANDS: ReadonlyMap<string, CommandDef> = new Map([...NODE_COMMANDS, ...ADMIN_COMMANDS].map((c) => [c.name, c]));
// Java's States.isAlive: a session that failed auth still takes commands (they fail with AuthFailed).
const DEAD_STATES: ReadonlySet<ClientState> = new Set(['closed', 'expired']);
const HISTORY_SHOWN = 10;
const EXIT_NOT_FOUND = 127;

export class Shell {
  client: ZkClient | null = null;
  server: string;
  printWatches = true;
  /** History by command number; numbers count the non-blank lines executed. */
  readonly history = new Map<number, string>();
  commandCount = 0;
  exitCode = 0;
  /** Set by `quit`; the loop stops reading. */
  quitting = false;
  private unsubscribe: (() => void) | null = null;
  readonly watcher: Watcher;

  constructor(server: string, private readonly settings: ShellSettings, private readonly output: ShellOutput) {
    this.server = server;
    this.watcher = (event) => this.printEvent(this.connectedStateName(), event.type, event.path);
  }

  /** `[zk: host:port(CONNECTED) 3] ` */
  prompt(): string {
    const state = this.client === null ? 'CLOSED' : promptStateName(this.client.state);
    return `[zk: ${this.server}(${state}) ${this.commandCount}] `;
  }

  /** Closes any current session (its Closed event prints) and opens one to `server`; false for a bad connect string. */
  async connect(server: string): Promise<boolean> {
    await this.closeClient(false);
    this.server = server;
    let client: ZkClient;
    try {
      client = new ZkClient(server, {
        sessionTimeoutMs: this.settings.timeoutMs,
        canBeReadOnly: this.settings.readOnly,
      });
    } catch (err) {
      this.output.err(`${err instanceof Error ? err.message : String(err)}\n`);
      return false;
    }
    this.client = client;
    this.unsubscribe = client.onStateChange((event) => {
      const name = keeperStateName(event.state);
      if (name !== null) this.printEvent(name, null, null);
    });
    // Without -waitforconnection commands are queued by the client until the session is up.
    const started = client.start().then(() => undefined, () => undefined);
    if (this.settings.waitForConnection) await started;
    return true;
  }

  /** Closes the session; with `quiet` no Closed event is printed (end of input, one-shot exit). */
  async closeClient(quiet: boolean): Promise<void> {
    const client = this.client;
    if (client === null) return;
    if (quiet) this.detach();
    if (!DEAD_STATES.has(client.state)) await client.close().catch(() => undefined);
    this.detach();
  }

  /** Runs one input line: records it in the history, then runs it. Returns the exit code. */
  async executeLine(line: string): Promise<number> {
    const words = splitWords(line);
    if (words.length === 0) return this.exitCode;
    this.history.set(this.commandCount, line);
    try {
      this.exitCode = await this.run(words);
    } finally {
      this.commandCount++;
    }
    return this.exitCode;
  }

  /** Runs a parsed command (one-shot form and redo); returns its exit code. */
  async run(words: readonly string[]): Promise<number> {
    const name = words[0] ?? '';
    try {
      return await this.dispatch(name, words);
    } catch (err) {
      if (err instanceof OptionError) this.output.err(`${err.message}\n`);
      else if (err instanceof CliError) this.output.err(`${err.message}\n`);
      else if (err instanceof ZooKeeperError) this.output.err(`${errorText(err)}\n`);
      else this.output.err(`${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof CliError ? err.exitCode : 1;
    }
  }

  private async dispatch(name: string, words: readonly string[]): Promise<number> {
    switch (name) {
      case 'quit':
        this.quitting = true;
        await this.closeClient(false);
        return this.exitCode;
      case 'history':
        for (let i = this.commandCount - HISTORY_SHOWN; i <= this.commandCount; i++) {
          if (i >= 0) this.output.out(`${i} - ${this.history.get(i) ?? 'null'}\n`);
        }
        return 0;
      case 'redo':
        return this.redo(words);
      case 'printwatches':
        return this.printwatches(words);
      case 'connect':
        return (await this.connect(words[1] ?? this.server)) ? 0 : 1;
      default:
        break;
    }
    const command = COMMANDS.get(name);
    if (command === undefined && name !== 'close') {
      if (USAGES[name] !== undefined) throw new CliError(`${name}: not supported by the zkts shell`);
      this.output.err(fullUsage());
      throw new CliError(`Command not found: Command not found ${name}`, EXIT_NOT_FOUND);
    }
    const client = this.client;
    if (client === null || DEAD_STATES.has(client.state)) {
      this.output.out('Not connected\n');
      return 1;
    }
    if (command === undefined) {
      await this.closeClient(false); // `close`
      return 0;
    }
    const parsed = parseCommand(words, command.options);
    if (parsed.args.length < command.minWords) throw new UsageError(name);
    const ctx: CommandContext = {
      client,
      watcher: this.watcher,
      out: (text) => this.output.out(text),
      err: (text) => this.output.err(text),
    };
    return command.run(ctx, parsed);
  }

  private async redo(words: readonly string[]): Promise<number> {
    const text = words[1];
    if (text === undefined) return 0;
    const index = Number(text);
    if (!/^\d+$/.test(text) || index >= this.commandCount) throw new CliError('Command index out of range');
    const line = this.history.get(index) ?? '';
    const redoWords = splitWords(line);
    if (redoWords[0] === 'redo') throw new CliError('No redoing redos');
    this.history.set(this.commandCount, line);
    return this.run(redoWords);
  }

  private printwatches(words: readonly string[]): number {
    const arg = words[1];
    if (arg === undefined) this.output.out(`printwatches is ${this.printWatches ? 'on' : 'off'}\n`);
    else if (arg === 'on') this.printWatches = true;
    else if (arg === 'off') this.printWatches = false;
    return 0;
  }

  private printEvent(state: string, type: Parameters<typeof watcherBlock>[1], path: string | null): void {
    if (this.printWatches) this.output.out(watcherBlock(state, type, path));
  }

  private connectedStateName(): string {
    return this.client?.state === 'connectedReadOnly' ? 'ConnectedReadOnly' : 'SyncConnected';
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}

/** Names the shell accepts (for completion). */
export function shellCommandNames(): string[] {
  return Object.keys(USAGES);
}
