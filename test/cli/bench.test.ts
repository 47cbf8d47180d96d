/**
 * `tributary bench`: the real binary against an in-process broker. Checks
 * the JSON (exact counts, positive rates, ordered percentiles), the human
 * summary of e2e, and the exit codes: 2 with one line for a bad option, 1
 * when the records are not there.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

function bench(...args: string[]): ReturnType<typeof exec> {
  return exec(process.execPath, [BIN, 'bench', ...args], '', 60_000);
}

interface Latency {
  count: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function checkLatency(l: Latency, count: number): void {
  assert.equal(l.count, count);
  assert.ok(l.p50Ms > 0, `p50 ${l.p50Ms}`);
  assert.ok(l.p50Ms <= l.p99Ms && l.p99Ms <= l.p999Ms && l.p999Ms <= l.maxMs, JSON.stringify(l));
  assert.ok(l.avgMs > 0 && l.avgMs <= l.maxMs, JSON.stringify(l));
}

describe('tributary bench', async () => {
  const tb = await startTestBroker(after);
  const topic = topicName('bench');
  const common = ['--bootstrap-server', tb.bootstrap, '--topic', topic];

  test('produce, then consume, report exact counts, rates and latency percentiles', async () => {
    const p = await bench(
      'produce',
      ...common,
      '--records',
      '2000',
      '--record-size',
      '100',
      '--partitions',
      '2',
      '--json',
    );
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stderr, '', 'no progress line when stderr is not a terminal');
    const r = JSON.parse(p.stdout.toString());
    assert.equal(r.mode, 'produce');
    assert.equal(r.topic, topic);
    assert.equal(r.partitions, 2, 'created with --partitions');
    assert.equal(r.records, 2000);
    assert.equal(r.bytes, 200_000);
    assert.equal(r.errors, 0);
    assert.ok(r.recordsPerSec > 0 && r.mbPerSec > 0 && r.seconds > 0, JSON.stringify(r));
    checkLatency(r.latencyMs, 2000);
    assert.equal(r.config.acks, 'all');

    const c = await bench('consume', ...common, '--records', '2000', '--json');
    assert.equal(c.code, 0, c.stderr);
    const cr = JSON.parse(c.stdout.toString());
    assert.equal(cr.mode, 'consume');
    assert.equal(cr.records, 2000);
    assert.equal(cr.bytes, 200_000);
    assert.equal(cr.partitions, 2);
    assert.ok(cr.recordsPerSec > 0 && cr.mbPerSec > 0, JSON.stringify(cr));
    assert.ok(cr.timeToFirstRecordMs > 0, JSON.stringify(cr));

    // more records than the topic holds: exit 1 after --timeout-ms without a record
    const short = await bench('consume', ...common, '--records', '2001', '--timeout-ms', '300', '--json');
    assert.equal(short.code, 1, short.stderr);
    assert.match(short.stderr, /read 2000 of 2001 records/);
  });

  test('e2e: a human summary with end-to-end and ack latency', async () => {
    const t = topicName('bench-e2e');
    const r = await bench(
      'e2e',
      ...['--bootstrap-server', tb.bootstrap, '--topic', t, '--records', '500', '--record-size', '64'],
      ...['--acks', '1', '--compression', 'lz4', '--producers', '2', '--throughput', '5000'],
    );
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /^e2e 500 records, topic /);
    assert.match(out, /throughput +[\d,]+ records\/s +[\d.]+ MB\/s/);
    assert.match(out, /end-to-end +avg [\d.]+ +p50 [\d.]+ +p99 [\d.]+ +p99\.9 [\d.]+ +max [\d.]+ ms/);
    assert.match(out, /ack +avg /);
  });

  test('a bad option exits 2 with one line on stderr', async () => {
    const cases = [
      ['produce', '--acks', '2'],
      ['produce', '--records', '0'],
      ['consume', '--no-such-option'],
      ['e2e', '--record-size', '4'],
    ];
    const results = await Promise.all(cases.map((args) => bench(...args, '--bootstrap-server', tb.bootstrap)));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.length, 0);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.length > 10, r.stderr);
    });
  });
});
