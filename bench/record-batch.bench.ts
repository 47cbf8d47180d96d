/**
 * Record batch throughput: encode and decode of 1000 records × 100-byte
 * values for each codec, and CRC-32C over 64 MiB.
 * Run: node --import tsx bench/record-batch.bench.ts
 *
 * MB/s is measured on the uncompressed batch size (what the records weigh
 * before compression), so codecs compare on the same work.
 */
import { randomBytes } from 'node:crypto';
import {
  codecName,
  crc32c,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
} from '../src/protocol/records/index.ts';

const RECORDS = 1000;
const VALUE_SIZE = 100;
const MB = 1e6;

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns runs per second. */
function rate(fn: () => unknown, ms = 1000): number {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    runs++;
    now = performance.now();
  }
  return (runs * 1000) / (now - start);
}

function records(): RecordInput[] {
  const ts = Date.now();
  const words = ['order', 'created', 'user', 'amount', 'EUR', 'status', 'paid', 'shipped'];
  return Array.from({ length: RECORDS }, (_, i) => {
    let value = `{"id":${i},"ts":${ts + i}`;
    while (value.length < VALUE_SIZE - 2)
      value += `,"${words[i % words.length]}":"${words[(i * 7) % words.length]}${i % 97}"`;
    return { key: `key-${i % 100}`, value: `${value.slice(0, VALUE_SIZE - 1)}}`, timestamp: ts + i };
  });
}

const input = records();
const rawSize = encodeRecordBatch({ records: input }).length;
const rows: string[][] = [['codec', 'batch bytes', 'ratio', 'encode MB/s', 'decode MB/s', 'records/s (decode)']];
for (const codec of [0, 1, 2, 3, 4]) {
  const batch = encodeRecordBatch({ records: input, compression: codec });
  const enc = rate(() => encodeRecordBatch({ records: input, compression: codec }));
  const dec = rate(() => decodeRecordBatch(batch));
  rows.push([
    codecName(codec),
    String(batch.length),
    (rawSize / batch.length).toFixed(2),
    ((enc * rawSize) / MB).toFixed(0),
    ((dec * rawSize) / MB).toFixed(0),
    `${((dec * RECORDS) / 1e6).toFixed(2)}M`,
  ]);
}

const big = randomBytes(64 * 1024 * 1024);
const crcRate = rate(() => crc32c(big), 2000);
const crcRow = `CRC-32C over 64 MiB: ${((crcRate * big.length) / 1e9).toFixed(2)} GB/s`;

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(
  `${RECORDS} records × ${VALUE_SIZE}-byte values, uncompressed batch ${rawSize} bytes; Node ${process.version}`,
);
for (const r of rows)
  console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
console.log(crcRow);
