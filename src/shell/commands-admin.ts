// The ACL, auth, watch and configuration commands of the shell: getAcl, setAcl, addauth,
// whoami, addWatch, removewatches, config, version (protocol.md §8.2).

import { readFileSync } from 'node:fs';
import type { AddWatchModeName, WatcherTypeName } from '../client/types.js';
import { CliError, dataText, pathArg, UsageError, versionOption, type CommandDef } from './command.js';
import { aclArg, subtreeBreadthFirst } from './commands-nodes.js';
import { aclLines, statBlock } from './format.js';

const CONFIG_NODE = '/zookeeper/config';

const getAcl: CommandDef = {
  name: 'getAcl',
  options: { s: false },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const { acl, stat } = await ctx.client.getACL(path);
    ctx.out(aclLines(acl));
    if (cmd.options.has('s')) ctx.out(statBlock(stat));
    return 0;
  },
};

const setAcl: CommandDef = {
  name: 'setAcl',
  options: { s: false, v: true, R: false },
  minWords: 3,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const version = versionOption(cmd);
    const acl = aclArg(cmd.args[2] ?? '', (l) => ctx.err(l), 'setAcl');
    if (cmd.options.has('R')) {
      for (const node of await subtreeBreadthFirst(ctx.client, path)) await ctx.client.setACL(node, acl, { version });
      return 0;
    }
    const stat = await ctx.client.setACL(path, acl, { version });
    if (cmd.options.has('s')) ctx.out(statBlock(stat));
    return 0;
  },
};

const addauth: CommandDef = {
  name: 'addauth',
  options: {},
  minWords: 2,
  async run(ctx, cmd) {
    const scheme = cmd.args[1] ?? '';
    // The Java client sends the credential and returns; a rejection shows up as the AuthFailed
    // event (printed by the state listener), so waiting here only orders the output.
    await ctx.client.addAuth(scheme, cmd.args[2] ?? '').catch(() => undefined);
    return 0;
  },
};

const whoami: CommandDef = {
  name: 'whoami',
  options: {},
  minWords: 1,
  async run(ctx) {
    const infos = await ctx.client.whoAmI();
    ctx.out('Auth scheme: User\n');
    for (const info of infos) ctx.out(`${info.authScheme}: ${info.user}\n`);
    return 0;
  },
};

const ADD_WATCH_MODES: Readonly<Record<string, AddWatchModeName>> = {
  PERSISTENT: 'persistent',
  PERSISTENT_RECURSIVE: 'persistentRecursive',
};

const addWatch: CommandDef = {
  name: 'addWatch',
  options: { m: true },
  minWords: 2,
  async run(ctx, cmd) {
    const modeText = cmd.options.get('m');
    const mode = modeText === undefined ? 'persistentRecursive' : ADD_WATCH_MODES[modeText];
    if (mode === undefined) throw new UsageError('addWatch');
    const path = pathArg(cmd, 1);
    await ctx.client.addWatch(path, ctx.watcher, { mode });
    return 0;
  },
};

const removewatches: CommandDef = {
  name: 'removewatches',
  options: { c: false, d: false, a: false, l: false },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    let type: WatcherTypeName = 'any';
    if (cmd.options.has('c')) type = 'children';
    else if (cmd.options.has('d')) type = 'data';
    await ctx.client.removeWatches(path, type, { local: cmd.options.has('l') });
    return 0;
  },
};

/**
 * The client form of a dynamic config (`config -c`): the version, a space, then the client
 * addresses of the servers, comma separated.
 */
export function clientConfigString(configText: string): string {
  let version = '';
  const clients: string[] = [];
  for (const line of configText.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'version') version = value;
    else if (key.startsWith('server.')) {
      const semi = value.indexOf(';');
      if (semi < 0) continue;
      const client = value.slice(semi + 1);
      const serverHost = value.slice(0, value.indexOf(':'));
      clients.push(client.includes(':') ? client : `${serverHost}:${client}`);
    }
  }
  return `${version} ${clients.join(',')}`;
}

const config: CommandDef = {
  name: 'config',
  options: { c: false, w: false, s: false },
  minWords: 1,
  async run(ctx, cmd) {
    if (ctx.client.chroot !== null) {
      // The client applies its chroot to every path; the config node lives outside it.
      throw new CliError('config is not supported with a chroot by the zkts shell');
    }
    const watch = cmd.options.has('w') ? { watch: ctx.watcher } : {};
    const { data, stat } = await ctx.client.getData(CONFIG_NODE, watch);
    const text = data === null ? '' : dataText(data);
    ctx.out(`${cmd.options.has('c') ? clientConfigString(text) : text}\n`);
    if (cmd.options.has('s')) ctx.out(statBlock(stat));
    return 0;
  },
};

function packageVersion(): string {
  try {
    const json: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version = (json as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const version: CommandDef = {
  name: 'version',
  options: {},
  minWords: 1,
  run(ctx) {
    ctx.out(`ZooKeeper CLI version: zkts ${packageVersion()}\n`);
    return Promise.resolve(0);
  },
};

export const ADMIN_COMMANDS: readonly CommandDef[] = [
  getAcl, setAcl, addauth, whoami, addWatch, removewatches, config, version,
];
