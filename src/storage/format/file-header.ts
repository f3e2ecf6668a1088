// The 16-byte FileHeader that starts every txn log and snapshot file: int magic, int version,
// long dbid (storage-and-quorum.md §1.2, §3.1, §4.1). Logs use "ZKLG"/2/0, snapshots "ZKSN"/2/-1.

export const FILE_HEADER_BYTES = 16;
export const LOG_MAGIC = 0x5a4b4c47; // "ZKLG"
export const SNAPSHOT_MAGIC = 0x5a4b534e; // "ZKSN"
export const FORMAT_VERSION = 2;
export const LOG_DBID = 0n;
export const SNAPSHOT_DBID = -1n;

export interface FileHeader {
  readonly magic: number;
  readonly version: number;
  readonly dbid: bigint;
}

export function encodeFileHeader(header: FileHeader): Uint8Array {
  const out = new Uint8Array(FILE_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setInt32(0, header.magic);
  view.setInt32(4, header.version);
  view.setBigInt64(8, BigInt.asIntN(64, header.dbid));
  return out;
}

/** null when fewer than 16 bytes are available. */
export function decodeFileHeader(bytes: Uint8Array, offset = 0): FileHeader | null {
  if (bytes.length - offset < FILE_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FILE_HEADER_BYTES);
  return { magic: view.getInt32(0), version: view.getInt32(4), dbid: view.getBigInt64(8) };
}

export const LOG_HEADER: FileHeader = { magic: LOG_MAGIC, version: FORMAT_VERSION, dbid: LOG_DBID };
export const SNAPSHOT_HEADER: FileHeader = {
  magic: SNAPSHOT_MAGIC,
  version: FORMAT_VERSION,
  dbid: SNAPSHOT_DBID,
};
