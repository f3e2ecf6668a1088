// The Disk port: the only way storage/ touches files, so the simulator can supply a disk that
// loses unsynced writes, tears the tail of a write or fails an fsync. Paths are POSIX strings.
//
// Contract (what an implementation must keep, and what storage/ relies on):
// - A write is durable only after `sync()` on its file resolved. A new, renamed or deleted
//   directory entry is durable only after `syncDir()` on its directory resolved.
// - Every method rejects on failure with an Error whose `code` is the errno name where one
//   exists (ENOENT, EEXIST, EIO, ENOSPC...).
// - `write` writes all of `bytes` at `position` (extending the file with zeros if needed).

export interface DiskFile {
  /** Writes all bytes at the absolute position. */
  write(bytes: Uint8Array, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position`; shorter only at end of file. */
  read(position: number, length: number): Promise<Uint8Array>;
  size(): Promise<number>;
  truncate(sizeBytes: number): Promise<void>;
  /** fdatasync-like: makes this file's written bytes durable. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** 'read': existing file, read only. 'write': existing file, read/write. 'create': new file (fails with EEXIST). 'replace': create or truncate to empty. */
export type OpenMode = 'read' | 'write' | 'create' | 'replace';

export interface Disk {
  open(path: string, mode: OpenMode): Promise<DiskFile>;
  /** The whole content of a file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Entry names (not paths) of a directory, in no particular order. ENOENT if missing. */
  list(dir: string): Promise<string[]>;
  /** Size in bytes, or null if nothing exists at the path. */
  stat(path: string): Promise<{ sizeBytes: number; isDirectory: boolean } | null>;
  /** Creates the directory and its missing parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** Atomically replaces `to` with `from` (same directory). */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the directory's entries (creates, renames, deletes) durable. */
  syncDir(dir: string): Promise<void>;
}

/** Joins path segments with '/', for the POSIX paths the Disk port takes. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/** Errors from a Disk carry the errno name in `code` (as node's fs errors do). */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
