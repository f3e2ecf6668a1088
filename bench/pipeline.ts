// The load generator's hot path: keeps `depth` requests outstanding on one RawSession, timing each
// from the socket write to its reply.
// - Request frames are encoded once per phase (RequestTemplate); each send copies the template and
//   patches the xid (and, for create, a fixed-width decimal counter in the path), so no encoder
//   runs per request.
// - Writes are coalesced: all requests sent in one turn (one reply chunk) go out in one write.
// Invariants: replies are matched FIFO and their xid is checked, so a mismatched or lost reply is
// an error, never a silent mis-timing; only requests sent inside the measured window (after the
// warm-up, before the end or quota) are counted; a reply with err != 0 is counted as an error.
import { performance } from 'node:perf_hooks';
import { encodeRequest, OPEN_ACL_UNSAFE, type Request } from '../src/proto/index.js';
import type { BenchOp } from './options.js';
import type { RawSession } from './raw-session.js';

const COUNTER_DIGITS = 10;
const ZERO = 0x30;

/** One request frame, ready to be stamped with an xid (and, for create, a fresh path). */
export class RequestTemplate {
  private readonly frame: Buffer;
  /** Offset of the path's decimal counter in the frame, or -1 when the path is fixed. */
  private readonly counterOffset: number;
  private counter = 0;

  constructor(op: BenchOp, path: string, data: Buffer) {
    let request: Request;
    switch (op) {
      case 'create': {
        // `path` is a prefix; the counter makes every create's path unique without a sequential flag.
        const fullPath = path + '0'.repeat(COUNTER_DIGITS);
        request = { op: 'create', path: fullPath, data, acl: OPEN_ACL_UNSAFE, flags: 0 };
        break;
      }
      case 'setData': request = { op: 'setData', path, data, version: -1 }; break;
      case 'getData': request = { op: 'getData', path, watch: false }; break;
      case 'exists': request = { op: 'exists', path, watch: false }; break;
    }
    this.frame = encodeRequest(0, request);
    if (op === 'create') {
      const digits = Buffer.from(path + '0'.repeat(COUNTER_DIGITS), 'utf8');
      const at = this.frame.indexOf(digits);
      if (at < 0) throw new Error('create path not found in its encoded frame');
      this.counterOffset = at + digits.length - COUNTER_DIGITS;
    } else this.counterOffset = -1;
  }

  get frameBytes(): number {
    return this.frame.length;
  }

  /** Writes the frame with `xid` at `out[offset..]`. */
  stamp(out: Buffer, offset: number, xid: number): void {
    this.frame.copy(out, offset);
    out.writeInt32BE(xid, offset + 4); // the length prefix comes first, then RequestHeader.xid
    if (this.counterOffset >= 0) {
      let n = this.counter++;
      for (let i = this.counterOffset + offset + COUNTER_DIGITS - 1; i >= this.counterOffset + offset; i--) {
        out[i] = ZERO + (n % 10);
        n = Math.floor(n / 10);
      }
    }
  }
}

/** A growable list of latencies in milliseconds. */
export class LatencyLog {
  private values = new Float64Array(1 << 16);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = ms;
  }

  /** The recorded values (a copy sized exactly), and a reset. */
  take(): Float64Array {
    const out = this.values.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/** Per-worker tallies for one phase. Times are absolute (timeOrigin + now) to compare across threads. */
export interface PhaseTally {
  measured: number;
  errors: number;
  firstErrorCode: number;
  firstMeasuredSendAbsMs: number;
  lastMeasuredReplyAbsMs: number;
}

export function emptyTally(): PhaseTally {
  return { measured: 0, errors: 0, firstErrorCode: 0, firstMeasuredSendAbsMs: Infinity, lastMeasuredReplyAbsMs: -Infinity };
}

export interface PhasePlan {
  readonly template: RequestTemplate;
  /** performance.now() at which measurement starts (sends before are warm-up). */
  readonly warmupEndMs: number;
  /** Duration mode: no sends at or after this time. Null in ops mode. */
  readonly measureEndMs: number | null;
  /** Ops mode: measured requests this session sends. Null in duration mode. */
  readonly measuredQuota: number | null;
  /** Why a successful reply is wrong, or null; run on the first one, later ones must match its size. */
  readonly replyProblem: (frame: Buffer) => string | null;
}

export class SessionPipeline {
  private readonly sendTimes: Float64Array;
  private readonly sendXids: Int32Array;
  private readonly sendMeasured: Uint8Array;
  private head = 0;
  private outstanding = 0;
  private measuredSent = 0;
  private stopped = true;
  private fillScheduled = false;
  /** Frame length of this phase's first successful (and fully checked) reply; -1 before it. */
  private replyBytes = -1;
  private plan: PhasePlan | null = null;
  private onIdle: () => void = () => undefined;

  constructor(
    private readonly session: RawSession,
    private readonly depth: number,
    private readonly latencies: LatencyLog,
    private readonly tally: PhaseTally,
    private readonly onError: (err: Error) => void,
  ) {
    this.sendTimes = new Float64Array(depth);
    this.sendXids = new Int32Array(depth);
    this.sendMeasured = new Uint8Array(depth);
  }

  /** Starts a phase; `onIdle` runs once sending has stopped and every reply is in. */
  start(plan: PhasePlan, onIdle: () => void): void {
    this.plan = plan;
    this.onIdle = onIdle;
    this.measuredSent = 0;
    this.replyBytes = -1;
    this.stopped = false;
    this.session.setReplyHandler((frame) => this.onReply(frame));
    this.fill(performance.now());
  }

  private fill(now: number): void {
    const plan = this.plan;
    if (plan === null || this.stopped) return;
    let count = this.depth - this.outstanding;
    const measured = now >= plan.warmupEndMs;
    if (measured) {
      if (plan.measureEndMs !== null && now >= plan.measureEndMs) count = 0;
      if (plan.measuredQuota !== null) count = Math.min(count, plan.measuredQuota - this.measuredSent);
      if (count <= 0) {
        this.stopped = true;
        if (this.outstanding === 0) this.finish();
        return;
      }
      this.measuredSent += count;
      if (now + performance.timeOrigin < this.tally.firstMeasuredSendAbsMs) {
        this.tally.firstMeasuredSendAbsMs = now + performance.timeOrigin;
      }
    }
    if (count <= 0) return;
    const frameBytes = plan.template.frameBytes;
    const out = Buffer.allocUnsafe(count * frameBytes);
    let slot = (this.head + this.outstanding) % this.depth;
    for (let i = 0; i < count; i++) {
      const xid = this.session.takeXid();
      plan.template.stamp(out, i * frameBytes, xid);
      this.sendTimes[slot] = now;
      this.sendXids[slot] = xid;
      this.sendMeasured[slot] = measured ? 1 : 0;
      slot = slot + 1 === this.depth ? 0 : slot + 1;
    }
    this.outstanding += count;
    this.session.write(out);
  }

  private onReply(frame: Buffer): void {
    // ReplyHeader layout: xid int32 @0, zxid int64 @4, err int32 @12 (decodeReplyHeader's order).
    const xid = frame.readInt32BE(0);
    if (xid < 0) return; // no watches or pings are requested; ignore defensively
    if (this.outstanding === 0 || xid !== this.sendXids[this.head]) {
      this.onError(new Error(`reply xid ${xid} does not match the oldest outstanding request ${this.outstanding === 0 ? 'none' : this.sendXids[this.head]}`));
      return;
    }
    const now = performance.now();
    const err = frame.readInt32BE(12);
    if (err !== 0) {
      if (this.tally.errors === 0) this.tally.firstErrorCode = err;
      this.tally.errors++;
    } else if (frame.length !== this.replyBytes) {
      if (this.replyBytes >= 0) {
        this.onError(new Error(`reply of ${frame.length} bytes, expected ${this.replyBytes} like the first one`));
        return;
      }
      const problem = this.plan!.replyProblem(frame);
      if (problem !== null) {
        this.onError(new Error(`wrong reply: ${problem}`));
        return;
      }
      this.replyBytes = frame.length;
    }
    if (this.sendMeasured[this.head] === 1) {
      this.latencies.push(now - this.sendTimes[this.head]!);
      this.tally.measured++;
      const abs = now + performance.timeOrigin;
      if (abs > this.tally.lastMeasuredReplyAbsMs) this.tally.lastMeasuredReplyAbsMs = abs;
    }
    this.head = this.head + 1 === this.depth ? 0 : this.head + 1;
    this.outstanding--;
    if (!this.stopped) {
      // Top up once per batch of replies: wait until this chunk's frames are consumed, which the
      // microtask gives us (RawSession.onData loops over every frame of a chunk synchronously).
      this.scheduleFill();
    } else if (this.outstanding === 0) this.finish();
  }

  private scheduleFill(): void {
    if (this.fillScheduled) return;
    this.fillScheduled = true;
    queueMicrotask(() => {
      this.fillScheduled = false;
      this.fill(performance.now());
    });
  }

  private finish(): void {
    this.session.setReplyHandler(null);
    const onIdle = this.onIdle;
    this.onIdle = () => undefined;
    onIdle();
  }
}
