// Starts a standalone Apache ZooKeeper 3.8 (Debian package `zookeeper`) with `java` directly:
// classpath = the Debian zookeeper.jar (its manifest Class-Path pulls in the dependency jars)
// plus slf4j-simple so the server log lands in <dir>/server.log. TTL nodes are enabled
// (-Dzookeeper.extendedTypesEnabled=true) so differential tests can use them.
// Overrides: ZK_JAVA (java binary), ZK_CLASSPATH (whole classpath).
import { existsSync, readFileSync } from 'node:fs';
import { launch, prepareConfig, type Server, type StartOptions } from './server-process.js';

export type { Server, StartOptions } from './server-process.js';

export const APACHE_MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

const ZK_JAR_CANDIDATES = [
  '/usr/share/java/zookeeper.jar',
  '/usr/share/zookeeper/zookeeper.jar',
  '/usr/share/java/zookeeper-3.8.0.jar',
];
const LOGGER_JAR_CANDIDATES = ['/usr/share/java/slf4j-simple.jar', '/usr/share/java/slf4j-nop.jar'];

let classpathCache: string | undefined;

/** The server classpath; throws with a clear message if the Debian jars are missing. */
export function apacheClasspath(): string {
  const override = process.env['ZK_CLASSPATH'];
  if (override !== undefined && override !== '') return override;
  if (classpathCache !== undefined) return classpathCache;
  const zkJar = ZK_JAR_CANDIDATES.find((p) => existsSync(p));
  if (zkJar === undefined) {
    throw new Error(`Apache ZooKeeper jar not found (tried ${ZK_JAR_CANDIDATES.join(', ')}); install Debian package zookeeper`);
  }
  // Zip entry names are stored uncompressed, so a byte search proves the main class is in the jar.
  const mainEntry = `${APACHE_MAIN_CLASS.replaceAll('.', '/')}.class`;
  if (!readFileSync(zkJar).includes(mainEntry)) {
    throw new Error(`${zkJar} does not contain ${mainEntry}`);
  }
  const parts = [zkJar];
  const loggerJar = LOGGER_JAR_CANDIDATES.find((p) => existsSync(p));
  if (loggerJar !== undefined) parts.push(loggerJar);
  classpathCache = parts.join(':');
  return classpathCache;
}

/** Starts Apache ZooKeeper standalone on a free loopback port; resolves once it answers imok. */
export async function startApacheZk(opts: StartOptions = {}): Promise<Server> {
  const cfg = await prepareConfig('apache-zk', opts.extraCfg);
  const java = process.env['ZK_JAVA'] ?? 'java';
  const args = [
    '-Xms32m',
    '-Xmx256m',
    '-XX:+UseSerialGC', // 2 shared cores: keep the JVM's own threads few
    '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.extendedTypesEnabled=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-cp',
    apacheClasspath(),
    APACHE_MAIN_CLASS,
    cfg.cfgPath,
  ];
  return launch('apache', java, args, cfg, opts.readyTimeoutMs);
}
