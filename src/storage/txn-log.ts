// The transaction log writer (storage-and-quorum.md §3): appends txn entries to
// `log.<hex zxid>` files with preallocation, in Apache's format, with group commit.
//
// Invariants:
// - Appended zxids strictly increase. An append's promise resolves only after an fsync that
//   covers its record; one write+fsync is in flight at a time, and every append made meanwhile
//   is covered by the next single fsync.
// - A new file starts on the first append after open and after `roll()` (never appending to an
//   existing file); the previous file is fsynced before the new one is created, and the
//   directory is fsynced after a file is created.
// - After a failed write or fsync the log is failed: pending and later appends reject with
//   LogFailedError and nothing is acknowledged again. The owner must stop and recover from disk.

import type { Disk, DiskFile } from '../io/disk.js';
import { joinPath } from '../io/disk.js';
import { assert } from '../util/assert.js';
import { hex64, type Zxid } from '../util/ids.js';
import { encodeFileHeader, LOG_HEADER, FILE_HEADER_BYTES } from './format/file-header.js';
import { logFileName } from './format/file-names.js';
import { encodeLogRecord, entryZxid, preallocatedSize, ENTRY_BYTES_MIN } from './format/log-record.js';
import { lastLoggedZxid, repairLogTail, truncateLog } from './log-files.js';

export const DEFAULT_PREALLOC_BYTES = 64 * 1024 * 1024;
const WRITE_BYTES_MAX = 4 * 1024 * 1024;

function concat(parts: readonly Uint8Array[], totalBytes: number): Uint8Array {
  const out = Buffer.allocUnsafe(totalBytes); // every byte is copied in below
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface TxnLogOptions {
  /** Preallocation step (zoo.cfg preAllocSize is in KB); 0 disables. Default 64 MiB. */
  readonly preAllocBytes?: number;
  /** The last zxid in the log as recovery found it (skips the tail repair and scan). */
  readonly lastZxid?: Zxid | null;
}

export class LogFailedError extends Error {
  override name = 'LogFailedError';
  readonly code = 'LOG_FAILED';
}

interface Pending {
  readonly zxid: Zxid;
  readonly record: Uint8Array;
  readonly startsFile: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface OpenFile {
  readonly name: string;
  readonly file: DiskFile;
  /** End of written records. */
  dataEnd: number;
  /** Size as preallocated (Apache's notion; the data may run past it). */
  sizeBytes: number;
}

export class TxnLog {
  private current: OpenFile | null = null;
  private rollPending = true;
  private readonly queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private failure: Error | null = null;
  private lastPromise: Promise<void> = Promise.resolve();
  private appendedZxid: Zxid | null;
  private syncedZxid: Zxid | null;
  private txnsInFile = 0;
  private bytesInFile = 0;
  /** Count of fsyncs of log files, for tests and metrics. */
  syncCount = 0;

  private constructor(
    private readonly disk: Disk,
    readonly dir: string,
    private readonly preAllocBytes: number,
    lastZxid: Zxid | null,
  ) {
    this.appendedZxid = lastZxid;
    this.syncedZxid = lastZxid;
  }

  /**
   * Opens the log directory for appending (creating it if needed). Without `lastZxid` it first
   * cuts a torn tail (a torn record left in a file that is no longer the newest would read as
   * corruption later) and scans for the last zxid; with it, the caller vouches that recovery
   * already did both.
   */
  static async open(disk: Disk, dir: string, options: TxnLogOptions = {}): Promise<TxnLog> {
    await disk.mkdir(dir);
    let last = options.lastZxid;
    if (last === undefined) {
      await repairLogTail(disk, dir);
      last = await lastLoggedZxid(disk, dir);
    }
    const preAllocBytes = options.preAllocBytes ?? DEFAULT_PREALLOC_BYTES;
    assert(Number.isSafeInteger(preAllocBytes) && preAllocBytes >= 0, 'preAllocBytes must be >= 0');
    return new TxnLog(disk, dir, preAllocBytes, last);
  }

  /** The last appended zxid (maybe not durable yet), or null for an empty log. */
  get lastZxid(): Zxid | null {
    return this.appendedZxid;
  }

  /** The last zxid covered by a completed fsync. */
  get durableZxid(): Zxid | null {
    return this.syncedZxid;
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Txns and record bytes appended since the last roll (the caller's roll policy, §3.3). */
  get sinceRoll(): { txns: number; bytes: number } {
    return { txns: this.txnsInFile, bytes: this.bytesInFile };
  }

  /**
   * Appends one txn entry (TxnHeader first; its zxid must equal `zxid`). Resolves once the
   * record is fsynced; rejects with LogFailedError if the log failed.
   */
  append(zxid: Zxid, entry: Uint8Array): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failedError());
    assert(entry.length >= ENTRY_BYTES_MIN, 'a txn entry starts with a TxnHeader');
    assert(entryZxid(entry) === zxid, () => `entry zxid 0x${hex64(entryZxid(entry))} != 0x${hex64(zxid)}`);
    assert(this.appendedZxid === null || zxid > this.appendedZxid, () => `zxid 0x${hex64(zxid)} does not follow the log`);
    const startsFile = this.rollPending;
    this.rollPending = false;
    this.appendedZxid = zxid;
    this.txnsInFile = startsFile ? 1 : this.txnsInFile + 1;
    const record = encodeLogRecord(entry);
    this.bytesInFile = startsFile ? record.length : this.bytesInFile + record.length;
    const promise = new Promise<void>((resolve, reject) => {
      this.queue.push({ zxid, record, startsFile, resolve, reject });
    });
    this.lastPromise = promise;
    this.schedule();
    return promise;
  }

  /** The next append starts a new file. */
  roll(): void {
    this.rollPending = true;
  }

  /** Resolves when everything appended so far is fsynced (rejects if the log failed). */
  commit(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failedError());
    return this.lastPromise;
  }

  /**
   * Waits for pending appends, then closes the current file; appending afterwards starts a new
   * file. Does not reject for an earlier failure (the appends already did).
   */
  async close(): Promise<void> {
    await this.commit().catch(() => undefined);
    const current = this.current;
    this.current = null;
    this.rollPending = true;
    if (current !== null) await current.file.close();
  }

  /**
   * §3.5 truncation (TRUNC from a leader): drops every record after `zxid`. Waits for pending
   * appends first; the next append starts a new file. Refused on a failed log.
   */
  async truncate(zxid: Zxid): Promise<void> {
    await this.close();
    if (this.failure !== null) throw this.failedError();
    const last = await truncateLog(this.disk, this.dir, zxid);
    this.appendedZxid = last;
    this.syncedZxid = last;
  }

  private failedError(): LogFailedError {
    return new LogFailedError('the txn log failed earlier; restart from disk', { cause: this.failure });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // A microtask, not a timer: every append of the current turn joins the first batch.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0 && this.failure === null) {
        const batch = this.queue.splice(0);
        try {
          await this.writeBatch(batch);
        } catch (err) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          const error = this.failedError();
          for (const p of batch) p.reject(error);
          for (const p of this.queue.splice(0)) p.reject(error);
          return;
        }
        this.syncedZxid = batch.at(-1)!.zxid;
        for (const p of batch) p.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes a batch, split at file starts; each file part is written then fsynced. */
  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      let end = start + 1;
      while (end < batch.length && !batch[end]!.startsFile) end++;
      const part = batch.slice(start, end);
      if (part[0]!.startsFile || this.current === null) await this.startFile(part[0]!.zxid);
      await this.writePart(this.current!, part);
      start = end;
    }
  }

  private async startFile(firstZxid: Zxid): Promise<void> {
    const previous = this.current;
    this.current = null;
    // Records of the previous file were fsynced when written; closing loses nothing.
    if (previous !== null) await previous.file.close();
    const name = logFileName(firstZxid);
    const file = await this.disk.open(joinPath(this.dir, name), 'create');
    await file.write(encodeFileHeader(LOG_HEADER), 0);
    this.current = { name, file, dataEnd: FILE_HEADER_BYTES, sizeBytes: FILE_HEADER_BYTES };
    // The name must be durable before any record in it is acknowledged.
    await this.disk.syncDir(this.dir);
  }

  private async writePart(target: OpenFile, part: readonly Pending[]): Promise<void> {
    // Apache checks preallocation before each append against the position flushed so far
    // (its appends are buffered), so every check in a batch sees the batch's start position.
    const position = target.dataEnd;
    let sizeBytes = target.sizeBytes;
    for (let i = 0; i < part.length; i++) sizeBytes = preallocatedSize(position, sizeBytes, this.preAllocBytes);
    // Records are written in runs of up to WRITE_BYTES_MAX: few syscalls, bounded copies.
    let at = position;
    let run: Uint8Array[] = [];
    let runBytes = 0;
    const flushRun = async (): Promise<void> => {
      if (runBytes === 0) return;
      const bytes = run.length === 1 ? run[0]! : concat(run, runBytes);
      await target.file.write(bytes, at);
      at += runBytes;
      run = [];
      runBytes = 0;
    };
    for (const p of part) {
      if (runBytes > 0 && runBytes + p.record.length > WRITE_BYTES_MAX) await flushRun();
      run.push(p.record);
      runBytes += p.record.length;
    }
    await flushRun();
    target.dataEnd = at;
    if (sizeBytes > target.sizeBytes && sizeBytes > target.dataEnd) {
      // Extend with one zero byte at the new last offset (a sparse file, as Apache does).
      await target.file.write(new Uint8Array(1), sizeBytes - 1);
    }
    // Apache's padded size, which a batch bigger than the padding may overrun (§3.2 rounds then).
    target.sizeBytes = sizeBytes;
    await target.file.sync();
    this.syncCount++;
  }
}
