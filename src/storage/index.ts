// Public surface of storage/: the txn log, snapshots, recovery and epoch files over the Disk
// port, plus the pure formats they use. Import from here rather than from the files.

export { TxnLog, LogFailedError, DEFAULT_PREALLOC_BYTES, type TxnLogOptions } from './txn-log.js';
export {
  readLog,
  repairLogTail,
  lastLoggedZxid,
  truncateLog,
  listLogFiles,
  LogCorruptError,
  type LogEntry,
  type TailRepair,
} from './log-files.js';
export {
  writeSnapshot,
  readSnapshot,
  readSnapshotBytes,
  loadNewestSnapshot,
  listSnapshots,
  passesQuickTest,
  type WriteSnapshotOptions,
  type LoadedSnapshot,
} from './snapshots.js';
export { purge, type PurgeOptions } from './purge.js';
export { recover, RecoveryError, type RecoveryOptions, type RecoveryResult } from './recovery.js';
export {
  readEpoch,
  writeEpoch,
  readEpochs,
  parseEpoch,
  EpochFileError,
  ACCEPTED_EPOCH_FILE,
  CURRENT_EPOCH_FILE,
  type Epochs,
  type EpochFileName,
} from './epochs.js';
export {
  encodeSnapshot,
  decodeSnapshot,
  decodeSnapshotWire,
  looksLikeSnapshot,
  SnapshotFormatError,
  DIGEST_VERSION,
  type SnapshotContent,
  type SnapshotNode,
  type SnapshotDigest,
  type SnapshotFraming,
  type DecodedSnapshot,
} from './format/snapshot-format.js';
export { encodeLogRecord, scanLogFile, entryZxid, type LogRecord, type LogScan, type LogTail } from './format/log-record.js';
export {
  VERSION_DIR,
  logFileName,
  snapshotFileName,
  sortLogFileNames,
  sortSnapshotFileNames,
  type SnapshotCompression,
  type SnapshotFileName,
  type LogFileName,
} from './format/file-names.js';
export { adler32, Adler32 } from './format/adler32.js';
