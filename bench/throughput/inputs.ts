/**
 * Input files, generated once per run: record i is its index (10 digits)
 * followed by printable bytes from a random pool, so it holds no newline and
 * can be re-derived to check what a consumer reads back.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { SIZE } from './options.ts';

const POOL_SIZE = 1 << 20;

const pool = (() => {
  const alphabet = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  const raw = randomBytes(POOL_SIZE + SIZE);
  for (let i = 0; i < raw.length; i++) raw[i] = alphabet[raw[i]! & 63]!;
  return raw;
})();

function writeRecord(i: number, out: Buffer, at: number): void {
  const off = (i * 7919) % POOL_SIZE;
  pool.copy(out, at, off, off + SIZE);
  out.write(String(i).padStart(10, '0'), at, 'latin1');
}

/** Record `i`: the bytes kcat and redis-cli load, re-derived to check what is read back. */
export function record(i: number): Buffer {
  const b = Buffer.allocUnsafe(SIZE);
  writeRecord(i, b, 0);
  return b;
}

/** Writes `count` records as `prefix record suffix` frames, in 8 MiB chunks. */
function writeRecords(path: string, count: number, prefix: Buffer, suffix: Buffer): number {
  const frame = prefix.length + SIZE + suffix.length;
  const perChunk = Math.max(1, Math.floor((8 << 20) / frame));
  const chunk = Buffer.allocUnsafe(perChunk * frame);
  const fd = openSync(path, 'w');
  let total = 0;
  try {
    for (let i = 0; i < count; ) {
      const n = Math.min(perChunk, count - i);
      for (let j = 0; j < n; j++, i++) {
        const at = j * frame;
        prefix.copy(chunk, at);
        writeRecord(i, chunk, at + prefix.length);
        suffix.copy(chunk, at + prefix.length + SIZE);
      }
      writeSync(fd, chunk, 0, n * frame);
      total += n * frame;
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** kcat -l input, also read by the NATS publisher: one record per line. */
export function writeLinesFile(path: string, count: number): void {
  writeRecords(path, count, Buffer.alloc(0), Buffer.from('\n'));
}

/** redis-cli --pipe input: `XADD <key> * v <record>` per record, in RESP. */
export function writeXaddFile(path: string, key: string, count: number): void {
  const prefix = Buffer.from(`*5\r\n$4\r\nXADD\r\n$${key.length}\r\n${key}\r\n$1\r\n*\r\n$1\r\nv\r\n$${SIZE}\r\n`);
  writeRecords(path, count, prefix, Buffer.from('\r\n'));
}
