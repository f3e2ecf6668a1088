// An in-memory Disk for storage tests: counts syncs, can hold each file sync until released,
// and can fail the next write or sync. Durability is not modelled (every write is visible).

import type { Disk, DiskFile, OpenMode } from '../../../src/io/disk.js';

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

interface Node {
  data: Uint8Array;
}

export class MemoryDisk implements Disk {
  readonly files = new Map<string, Node>();
  readonly dirs = new Set<string>(['/']);
  fileSyncs = 0;
  dirSyncs = 0;
  syncsInFlight = 0;
  syncsInFlightMax = 0;
  /** When set, each file sync waits for this promise factory (lets a test hold fsyncs). */
  syncGate: (() => Promise<void>) | null = null;
  failNextSync: Error | null = null;
  failNextWrite: Error | null = null;
  readonly events: string[] = [];

  private parent(path: string): string {
    const i = path.lastIndexOf('/');
    return i <= 0 ? '/' : path.slice(0, i);
  }

  async open(path: string, mode: OpenMode): Promise<DiskFile> {
    const exists = this.files.has(path);
    if ((mode === 'read' || mode === 'write') && !exists) throw fsError('ENOENT', path);
    if (mode === 'create' && exists) throw fsError('EEXIST', path);
    if (!this.dirs.has(this.parent(path))) throw fsError('ENOENT', this.parent(path));
    if (mode === 'create' || mode === 'replace') this.files.set(path, { data: new Uint8Array(0) });
    this.events.push(`open ${path} ${mode}`);
    return new MemoryFile(this, path);
  }

  node(path: string): Node {
    const node = this.files.get(path);
    if (node === undefined) throw fsError('ENOENT', path);
    return node;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.node(path).data.slice();
  }

  async list(dir: string): Promise<string[]> {
    if (!this.dirs.has(dir)) throw fsError('ENOENT', dir);
    const out: string[] = [];
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p !== dir && this.parent(p) === dir) out.push(p.slice(dir === '/' ? 1 : dir.length + 1));
    }
    return out;
  }

  async stat(path: string): Promise<{ sizeBytes: number; isDirectory: boolean } | null> {
    if (this.dirs.has(path)) return { sizeBytes: 0, isDirectory: true };
    const node = this.files.get(path);
    return node === undefined ? null : { sizeBytes: node.data.length, isDirectory: false };
  }

  async mkdir(path: string): Promise<void> {
    let p = path;
    while (p !== '/' && p !== '') {
      this.dirs.add(p);
      p = this.parent(p);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.files.set(to, this.node(from));
    this.files.delete(from);
    this.events.push(`rename ${from} ${to}`);
  }

  async unlink(path: string): Promise<void> {
    this.node(path);
    this.files.delete(path);
    this.events.push(`unlink ${path}`);
  }

  async syncDir(dir: string): Promise<void> {
    this.dirSyncs++;
    this.events.push(`syncDir ${dir}`);
  }

  /** Test helper: put a file (creating its directories). */
  put(path: string, data: Uint8Array): void {
    void this.mkdir(this.parent(path));
    this.files.set(path, { data: data.slice() });
  }
}

class MemoryFile implements DiskFile {
  constructor(
    private readonly disk: MemoryDisk,
    private readonly path: string,
  ) {}

  async write(bytes: Uint8Array, position: number): Promise<void> {
    if (this.disk.failNextWrite !== null) {
      const err = this.disk.failNextWrite;
      this.disk.failNextWrite = null;
      throw err;
    }
    const node = this.disk.node(this.path);
    const end = position + bytes.length;
    if (end > node.data.length) {
      const grown = new Uint8Array(end);
      grown.set(node.data);
      node.data = grown;
    }
    node.data.set(bytes, position);
    this.disk.events.push(`write ${this.path} ${position} ${bytes.length}`);
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    return this.disk.node(this.path).data.slice(position, position + length);
  }

  async size(): Promise<number> {
    return this.disk.node(this.path).data.length;
  }

  async truncate(sizeBytes: number): Promise<void> {
    const node = this.disk.node(this.path);
    const next = new Uint8Array(sizeBytes);
    next.set(node.data.subarray(0, sizeBytes));
    node.data = next;
    this.disk.events.push(`truncate ${this.path} ${sizeBytes}`);
  }

  async sync(): Promise<void> {
    const disk = this.disk;
    disk.syncsInFlight++;
    disk.syncsInFlightMax = Math.max(disk.syncsInFlightMax, disk.syncsInFlight);
    try {
      if (disk.syncGate !== null) await disk.syncGate();
      if (disk.failNextSync !== null) {
        const err = disk.failNextSync;
        disk.failNextSync = null;
        throw err;
      }
      disk.fileSyncs++;
      disk.events.push(`sync ${this.path}`);
    } finally {
      disk.syncsInFlight--;
    }
  }

  async close(): Promise<void> {
    this.disk.events.push(`close ${this.path}`);
  }
}
