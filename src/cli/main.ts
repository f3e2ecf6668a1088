#!/usr/bin/env node
// The `zkts` command. `zkts server [zoo.cfg]` starts a server from an Apache ZooKeeper zoo.cfg,
// or with defaults (127.0.0.1:2181, data under ./data) when no file is given.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError, defaultStandaloneConfig, isQuorumMode, parseZooCfg, type ServerConfig } from '../config/index.js';
import { StandaloneServer } from '../quorum/standalone.js';
import { QuorumReplica } from '../quorum/replica.js';
import { digestOf } from '../acl/digest.js';
import { renderLogFile, renderSnapshotFile } from './dump-files.js';
import { runShell } from '../shell/index.js';
import { runEnsembleCommand, type EnsembleCommandOptions } from './ensemble.js';

const program = new Command();
program.name('zkts').description('A ZooKeeper-compatible coordination service');

program
  .command('server')
  .description('start a server from a zoo.cfg (or with defaults)')
  .argument('[config]', 'path to a zoo.cfg, the same file Apache ZooKeeper reads')
  .option('--data-dir <dir>', 'data directory when no zoo.cfg is given', './data')
  .option('--port <port>', 'client port when no zoo.cfg is given', '2181')
  .option('--host <host>', 'client address when no zoo.cfg is given', '127.0.0.1')
  .action(async (configPath: string | undefined, options: { dataDir: string; port: string; host: string }) => {
    const logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime });
    let config: ServerConfig;
    try {
      config =
        configPath === undefined
          ? defaultStandaloneConfig({ dataDir: resolve(options.dataDir), clientPort: Number(options.port), clientPortAddress: options.host })
          : parseZooCfg(readFileSync(configPath, 'utf8'), dirname(resolve(configPath)));
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(`Invalid configuration: ${err.message}`);
        process.exit(2);
      }
      throw err;
    }
    for (const warning of config.warnings) logger.warn(warning);
    // The same zoo.cfg as Apache's: server.N lines (or standaloneEnabled=false) make a quorum member.
    const server = isQuorumMode(config) ? await QuorumReplica.start(config, logger) : await StandaloneServer.start(config, logger);
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping');
      void server.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('ensemble')
  .description('start a local ensemble of N zkts servers for development; prints the connect string, Ctrl-C stops it')
  .requiredOption('--size <n>', 'number of servers')
  .option('--dir <dir>', "directory for the members' zoo.cfg and data", './ensemble-data')
  .option('--base-port <port>', 'first client port (quorum ports +1000, election ports +2000)', '2181')
  .option('--host <host>', 'address the servers bind', '127.0.0.1')
  .option('--ready-timeout-ms <ms>', 'wait for every server to report a Mode', '120000')
  .action(async (options: EnsembleCommandOptions) => {
    await runEnsembleCommand(options);
  });

program
  .command('shell')
  .description('zkCli.sh-compatible shell: [-server host:port[,..][/chroot]] [-timeout ms] [-r] [-waitforconnection] [cmd args...]')
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .argument('[args...]')
  .action(async (args: string[]) => {
    // The shell never exits by itself (stdin could keep the process alive): exit with its code.
    process.exit(await runShell(args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }));
  });

program
  .command('digest')
  .description('print the digest ACL id for user:password')
  .argument('<userPassword>', 'user:password')
  .action((userPassword: string) => {
    console.log(`${userPassword}->${digestOf(userPassword)}`);
  });

program
  .command('log')
  .description('print a transaction log file (zkts or Apache ZooKeeper)')
  .argument('<file>', 'a version-2/log.<zxid> file')
  .action((file: string) => {
    const { text, ok } = renderLogFile(readFileSync(file));
    process.stdout.write(text);
    if (!ok) process.exitCode = 1;
  });

program
  .command('snapshot')
  .description('print a snapshot file (zkts or Apache ZooKeeper; plain, .gz or .snappy)')
  .argument('<file>', 'a version-2/snapshot.<zxid>[.gz|.snappy] file')
  .action((file: string) => {
    try {
      process.stdout.write(renderSnapshotFile(file, readFileSync(file)));
    } catch (err) {
      console.error(`cannot read snapshot ${file}: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  });

await program.parseAsync(process.argv);
