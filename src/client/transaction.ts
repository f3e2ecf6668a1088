// The transaction builder: collects multi ops fluently and commits them as one multi request
// (all or nothing, protocol.md §4.6).

import type { CreateOptions, Data, OpOptions, OpResult, TransactionOp } from './types.js';

export class Transaction {
  private readonly ops: TransactionOp[] = [];

  constructor(private readonly run: (ops: readonly TransactionOp[], options?: OpOptions) => Promise<OpResult[]>) {}

  create(path: string, data?: Data, options?: Omit<CreateOptions, 'signal'>): this {
    // Omitted data becomes empty bytes (toBytes); null stays null on the wire.
    const base = data === undefined ? { op: 'create' as const, path } : { op: 'create' as const, path, data };
    this.ops.push(options === undefined ? base : { ...base, options });
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push({ op: 'delete', path, version });
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    this.ops.push({ op: 'setData', path, data, version });
    return this;
  }

  check(path: string, version: number): this {
    this.ops.push({ op: 'check', path, version });
    return this;
  }

  /** The ops collected so far. */
  get size(): number {
    return this.ops.length;
  }

  /** Sends the multi; rejects with the first failing op's error (see multiErrorResults). */
  commit(options?: OpOptions): Promise<OpResult[]> {
    return this.run([...this.ops], options);
  }
}
