// Facts about the running process and its directories that four-letter words print (envi, dirs,
// mntr): read here so the server cores stay free of process and file access.

import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ZKTS_VERSION_LINE, type DirectorySizes } from '../server/core/four-letter-words.js';

export function directorySize(dir: string): number {
  try {
    let total = 0;
    for (const name of readdirSync(dir)) total += statSync(`${dir}/${name}`).size;
    return total;
  } catch {
    return 0;
  }
}

/** The sizes of dataDir/version-2 and dataLogDir/version-2, read on first call only. */
export function directorySizes(dataDir: string, dataLogDir: string): () => DirectorySizes {
  let sizes: DirectorySizes | undefined;
  return () => (sizes ??= {
    dataDirSize: directorySize(join(dataDir, 'version-2')),
    dataLogSize: directorySize(join(dataLogDir, 'version-2')),
  });
}

export function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

export function environment(): Array<[string, string]> {
  return [
    ['zookeeper.version', ZKTS_VERSION_LINE],
    ['host.name', os.hostname()],
    ['node.version', process.version],
    ['os.name', os.type()],
    ['os.arch', os.arch()],
    ['os.version', os.release()],
    ['user.name', os.userInfo().username],
    ['user.home', os.homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', `${Math.round(os.freemem() / 1048576)}MB`],
    ['os.memory.total', `${Math.round(os.totalmem() / 1048576)}MB`],
  ];
}
