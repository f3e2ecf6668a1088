// Decodes one successful reply completely and checks it is the answer the benchmark asked for, so
// a server that replies err 0 with the wrong body cannot post a flattering figure. The pipeline
// runs this on each session's first successful reply of a phase; every later reply must have the
// same frame length (the workload's replies are fixed-size: create paths are fixed-width).
import { JuteReader } from '../src/jute/reader.js';
import { decodeReplyHeader, decodeResponse } from '../src/proto/index.js';
import type { BenchOp } from './options.js';

/** Returns why `frame` (ReplyHeader + body) is not a correct reply to `op`, or null when it is. */
export function replyProblem(op: BenchOp, frame: Buffer, pathOrPrefix: string, dataBytes: number): string | null {
  try {
    const r = new JuteReader(frame);
    const header = decodeReplyHeader(r);
    if (header.err !== 0) return `err ${header.err}`;
    switch (op) {
      case 'create': {
        const body = decodeResponse('create', r);
        return body.path.startsWith(pathOrPrefix) ? null : `created ${body.path}, expected a path under ${pathOrPrefix}`;
      }
      case 'setData':
      case 'exists': {
        const body = decodeResponse('stat', r);
        return body.stat.dataLength === dataBytes ? null : `stat.dataLength ${body.stat.dataLength}, expected ${dataBytes}`;
      }
      case 'getData': {
        const body = decodeResponse('getData', r);
        const length = body.data?.length ?? -1;
        if (length !== dataBytes) return `data length ${length}, expected ${dataBytes}`;
        return body.stat.dataLength === dataBytes ? null : `stat.dataLength ${body.stat.dataLength}, expected ${dataBytes}`;
      }
    }
  } catch (err) {
    return `undecodable reply: ${(err as Error).message}`;
  }
}
