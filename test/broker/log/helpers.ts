/** Shared helpers for the partition log tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type LogConfig, type LogFs, MemoryLogFs, NodeLogFs, PartitionLog } from '../../../src/broker/log/index.ts';
import { encodeRecordBatch, type RecordInput } from '../../../src/protocol/records/index.ts';

/** Options for {@link makeBatch}. */
export interface BatchSpec {
  /** Number of records (default 1). */
  count?: number;
  /** Bytes of each value (default 16). */
  valueSize?: number;
  /** Timestamp of record i is `timestamp + i` (default 1_000_000). */
  timestamp?: number;
  /** Explicit records instead of generated ones. */
  records?: RecordInput[];
  compression?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** Fill byte for generated values (default: the record index). */
  fill?: number;
}

/** A producer-style batch (base offset 0). */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const count = spec.count ?? 1;
  const ts = spec.timestamp ?? 1_000_000;
  const records =
    spec.records ??
    Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      value: Buffer.alloc(spec.valueSize ?? 16, spec.fill ?? i),
      timestamp: ts + i,
    }));
  return encodeRecordBatch({
    records,
    compression: spec.compression,
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: spec.baseSequence,
    transactional: spec.transactional,
  });
}

/** `buf` with its base offset set to `offset` (what the log should store for it). */
export function withBaseOffset(buf: Buffer, offset: number): Buffer {
  const copy = Buffer.from(buf);
  copy.writeBigInt64BE(BigInt(offset), 0);
  return copy;
}

/** A storage the conformance suite runs against. */
export interface LogStorage {
  name: string;
  /** A fresh directory and the fs to reach it. */
  make(t: TestContext): { dir: string; fs: LogFs };
}

const cleanups = new WeakMap<TestContext, Array<() => unknown>>();

/** Runs `fn` after the test, in reverse order of registration (logs close before their directory goes). */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const list: Array<() => unknown> = [];
    cleanups.set(t, list);
    t.after(async () => {
      for (const f of list.reverse()) await f();
    });
    stack = list;
  }
  stack.push(fn);
}

/** A temporary directory removed after the test. */
export function tempDir(t: TestContext, prefix = 'tributary-log-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const nodeStorage: LogStorage = {
  name: 'node:fs',
  make: (t) => ({ dir: join(tempDir(t), 'topic-0'), fs: new NodeLogFs() }),
};

export const memoryStorage: LogStorage = {
  name: 'memory',
  make: () => ({ dir: '/data/logs/topic-0', fs: new MemoryLogFs() }),
};

/** Opens a log and closes it after the test (if still open). */
export async function openLog(
  t: TestContext,
  dir: string,
  fs: LogFs,
  config: Partial<LogConfig> = {},
  now?: () => number,
): Promise<PartitionLog> {
  const log = await PartitionLog.open(dir, config, { fs, now });
  defer(t, () => log.close());
  return log;
}

/** Reads the whole log from `from` with reads of `maxBytes`; returns the batches' bytes. */
export function readAll(log: PartitionLog, from = log.logStartOffset, maxBytes = 64 * 1024): Buffer {
  const parts: Buffer[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, maxBytes);
    if (r.records.length === 0) break;
    parts.push(r.records);
    offset = r.nextOffset;
  }
  return Buffer.concat(parts);
}

/** Splits concatenated batches into [baseOffset, lastOffset, bytes]. */
export function batchesOf(buf: Buffer): Array<{ baseOffset: number; lastOffset: number; bytes: Buffer }> {
  const out: Array<{ baseOffset: number; lastOffset: number; bytes: Buffer }> = [];
  for (let p = 0; p < buf.length; ) {
    const size = buf.readInt32BE(p + 8) + 12;
    const baseOffset = Number(buf.readBigInt64BE(p));
    out.push({ baseOffset, lastOffset: baseOffset + buf.readInt32BE(p + 23), bytes: buf.subarray(p, p + size) });
    p += size;
  }
  return out;
}

/** Asserts a promise or function fails with a KafkaError of `code`. */
export function isKafkaError(code: number): (err: unknown) => boolean {
  return (err) => (err as { code?: number }).code === code;
}
