// The usage texts of zkCli.sh 3.8 (protocol.md §8.1, §8.2): one line per command, and the full
// listing printed for an unknown command. Commands sort as Java's String.compareTo does
// (code units, so `addWatch` comes before `addauth`).

export const USAGES: Readonly<Record<string, string>> = {
  addWatch: 'addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
  addauth: 'addauth scheme auth',
  close: 'close ',
  config: 'config [-c] [-w] [-s]',
  connect: 'connect host:port',
  create: 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]',
  delete: 'delete [-v version] path',
  deleteall: 'deleteall path [-b batch size]',
  delquota: 'delquota [-n|-b|-N|-B] path',
  get: 'get [-s] [-w] path',
  getAcl: 'getAcl [-s] path',
  getAllChildrenNumber: 'getAllChildrenNumber path',
  getEphemerals: 'getEphemerals path',
  history: 'history ',
  listquota: 'listquota path',
  ls: 'ls [-s] [-w] [-R] path',
  printwatches: 'printwatches on|off',
  quit: 'quit ',
  reconfig: 'reconfig [-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
  redo: 'redo cmdno',
  removewatches: 'removewatches path [-c|-d|-a] [-l]',
  set: 'set [-s] [-v version] path data',
  setAcl: 'setAcl [-s] [-v version] [-R] path acl',
  setquota: 'setquota -n|-b|-N|-B val path',
  stat: 'stat [-w] path',
  sync: 'sync path',
  version: 'version ',
  whoami: 'whoami ',
};

/** Command names in zkCli's listing order. */
export const COMMAND_NAMES: readonly string[] = Object.keys(USAGES).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The listing printed (on stderr) before `Command not found`. */
export function fullUsage(): string {
  const lines = ['ZooKeeper -server host:port -client-configuration properties-file cmd args'];
  for (const name of COMMAND_NAMES) lines.push(`\t${USAGES[name] ?? name}`);
  return `${lines.join('\n')}\n`;
}
