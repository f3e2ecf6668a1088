// The znode commands of the shell: create, get, set, stat, ls, delete, deleteall, sync,
// getEphemerals, getAllChildrenNumber (protocol.md §8.2). Output goes where zkCli puts it:
// results on stdout, `Created <path>` and errors on stderr.

import type { ZkClient } from '../client/client.js';
import type { CreateMode, Data } from '../client/types.js';
import { OPEN_ACL_UNSAFE, type Acl } from '../proto/data.js';
import { childPath } from '../tree/path.js';
import { CliError, dataText, javaInt, pathArg, versionOption, type CommandDef } from './command.js';
import { javaList, statBlock } from './format.js';
import { parseAcl } from './parse.js';

/** EphemeralType's bound on a TTL: 40 bits of milliseconds. */
const TTL_MS_MAX = 0xff_ffff_ffff;
const DELETEALL_BATCH_DEFAULT = 1000;

function createMode(sequential: boolean, ephemeral: boolean, container: boolean, ttl: boolean): CreateMode {
  if (container) return 'container';
  if (ttl) return sequential ? 'persistentSequentialWithTtl' : 'persistentWithTtl';
  if (ephemeral) return sequential ? 'ephemeralSequential' : 'ephemeral';
  return sequential ? 'persistentSequential' : 'persistent';
}

function ttlOption(text: string, ephemeral: boolean, container: boolean): number {
  if (!/^[+-]?\d+$/.test(text)) throw new CliError('-t argument must be a long value');
  if (ephemeral) throw new CliError('TTLs cannot be used with Ephemeral znodes');
  if (container) throw new CliError('TTLs cannot be used with Container znodes');
  const ttlMs = Number(text);
  if (ttlMs <= 0 || ttlMs > TTL_MS_MAX) throw new CliError(`ttl must be positive and cannot be larger than: ${TTL_MS_MAX}`);
  return ttlMs;
}

/** Parses an ACL argument, printing zkCli's complaints; an empty result is an InvalidACL failure. */
export function aclArg(text: string, err: (line: string) => void, command: 'create' | 'setAcl'): Acl[] {
  const parsed = parseAcl(text);
  for (const warning of parsed.warnings) err(`${warning}\n`);
  if (parsed.acl.length === 0) {
    // create also prints the client's InvalidACL exception text first; setAcl does not.
    if (command === 'create') err('KeeperErrorCode = InvalidACL\n');
    throw new CliError('Acl is not valid : null');
  }
  return parsed.acl;
}

/**
 * `ls -R` order: the path, then each node's sorted children as full paths, then the same for
 * each child in turn (/r, /r/a, /r/c, /r/a/b, /r/a/b/z, /r/c/d).
 */
export async function listRecursive(client: ZkClient, path: string, print: (line: string) => void): Promise<void> {
  print(path);
  const visit = async (node: string): Promise<void> => {
    const children = (await client.getChildren(node)).sort().map((c) => childPath(node, c));
    for (const child of children) print(child);
    for (const child of children) await visit(child);
  };
  await visit(path);
}

/**
 * Every node of the subtree at `path`, breadth first; children sorted, or in the server's order
 * when `sorted` is false (deleteall deletes in that order, as zkCli does, so the events match).
 */
export async function subtreeBreadthFirst(client: ZkClient, path: string, sorted = true): Promise<string[]> {
  const nodes = [path];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] ?? '/';
    const children = await client.getChildren(node);
    if (sorted) children.sort();
    for (const child of children) nodes.push(childPath(node, child));
  }
  return nodes;
}

const create: CommandDef = {
  name: 'create',
  options: { s: false, e: false, c: false, t: true },
  minWords: 2,
  async run(ctx, cmd) {
    const sequential = cmd.options.has('s');
    const ephemeral = cmd.options.has('e');
    const container = cmd.options.has('c');
    if (container && (sequential || ephemeral)) {
      throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
    }
    const ttlText = cmd.options.get('t');
    const ttlMs = ttlText === undefined ? undefined : ttlOption(ttlText, ephemeral, container);
    const path = pathArg(cmd, 1, sequential);
    // No data argument means a null buffer (get prints `null`), not an empty one.
    const data: Data = cmd.args[2] ?? null;
    const aclText = cmd.args[3];
    const acl = aclText === undefined ? OPEN_ACL_UNSAFE : aclArg(aclText, (l) => ctx.err(l), 'create');
    const mode = createMode(sequential, ephemeral, container, ttlMs !== undefined);
    const created = await ctx.client.create(path, data, ttlMs === undefined ? { mode, acl } : { mode, acl, ttlMs });
    ctx.err(`Created ${created}\n`);
    return 0;
  },
};

const get: CommandDef = {
  name: 'get',
  options: { s: false, w: false },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const watch = cmd.options.has('w') ? { watch: ctx.watcher } : {};
    const { data, stat } = await ctx.client.getData(path, watch);
    ctx.out(`${dataText(data)}\n`);
    if (cmd.options.has('s')) ctx.out(statBlock(stat));
    return 0;
  },
};

const set: CommandDef = {
  name: 'set',
  options: { s: false, v: true },
  minWords: 3,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const version = versionOption(cmd);
    const stat = await ctx.client.setData(path, cmd.args[2] ?? '', { version });
    if (cmd.options.has('s')) ctx.out(statBlock(stat));
    return 0;
  },
};

const stat: CommandDef = {
  name: 'stat',
  options: { w: false },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const found = await ctx.client.exists(path, cmd.options.has('w') ? { watch: ctx.watcher } : {});
    if (found === null) throw new CliError(`Node does not exist: ${path}`);
    ctx.out(statBlock(found));
    return 0;
  },
};

const ls: CommandDef = {
  name: 'ls',
  options: { s: false, w: false, R: false },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    if (cmd.options.has('R')) {
      await ctx.client.getData(path); // NoNode for a missing root, before any listing
      await listRecursive(ctx.client, path, (node) => ctx.out(`${node}\n`));
      return 0;
    }
    const watch = cmd.options.has('w') ? { watch: ctx.watcher } : {};
    const { children, stat: parentStat } = await ctx.client.getChildren(path, { ...watch, stat: true });
    ctx.out(`${javaList(children.sort())}\n`);
    if (cmd.options.has('s')) ctx.out(statBlock(parentStat));
    return 0;
  },
};

const del: CommandDef = {
  name: 'delete',
  options: { v: true },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    await ctx.client.delete(path, { version: versionOption(cmd) });
    return 0;
  },
};

const deleteall: CommandDef = {
  name: 'deleteall',
  options: { b: true },
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    const batchText = cmd.options.get('b');
    if (batchText !== undefined && !/^[+-]?\d+$/.test(batchText)) throw new CliError('-b argument must be an int value');
    const batch = batchText === undefined ? DELETEALL_BATCH_DEFAULT : Math.max(1, javaInt(batchText));
    const nodes = (await subtreeBreadthFirst(ctx.client, path, false)).reverse(); // deepest first
    for (let i = 0; i < nodes.length; i += batch) {
      await ctx.client.multi(nodes.slice(i, i + batch).map((p) => ({ op: 'delete' as const, path: p })));
    }
    return 0;
  },
};

const sync: CommandDef = {
  name: 'sync',
  options: {},
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    try {
      await ctx.client.sync(path);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'number') throw err;
      ctx.out(`Sync has failed. rc=${code}\n`);
      return 1;
    }
    ctx.out('Sync is OK\n');
    return 0;
  },
};

const getEphemerals: CommandDef = {
  name: 'getEphemerals',
  options: {},
  minWords: 1,
  async run(ctx, cmd) {
    const prefix = cmd.args[1] === undefined ? '/' : pathArg(cmd, 1);
    const paths = await ctx.client.getEphemerals(prefix);
    // The Java client hands back the server's paths, chroot included; zkCli prints those.
    const chroot = ctx.client.chroot;
    ctx.out(`${javaList(chroot === null ? paths : paths.map((p) => (p === '/' ? chroot : chroot + p)))}\n`);
    return 0;
  },
};

const getAllChildrenNumber: CommandDef = {
  name: 'getAllChildrenNumber',
  options: {},
  minWords: 2,
  async run(ctx, cmd) {
    const path = pathArg(cmd, 1);
    ctx.out(`${await ctx.client.getAllChildrenNumber(path)}\n`);
    return 0;
  },
};

export const NODE_COMMANDS: readonly CommandDef[] = [
  create, get, set, stat, ls, del, deleteall, sync, getEphemerals, getAllChildrenNumber,
];
