/**
 * Durability: a broker child process is killed with SIGKILL while a producer
 * with acks=all runs. After a restart every acknowledged record is readable,
 * in order, at the offset it was acknowledged with.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startChildBroker, waitExit } from '../helpers/child-broker.ts';
import { exec } from '../helpers/exec.ts';

test('kill -9 during acks=all produce loses no acknowledged record', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-crash-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const topic = 'crash-test';

  let broker = await startChildBroker(dataDir);
  const kafka = new Kafka({
    clientId: 'crash',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  const acked = new Map<string, string>(); // "partition:offset" -> value
  let stop = false;
  const killAfterMs = 700 + Math.floor(Math.random() * 800);
  const writers = [0, 1].map(async (partition) => {
    for (let i = 0; !stop; i++) {
      const values = Array.from({ length: 20 }, (_, j) => `p${partition}-b${i}-r${j}-${'z'.repeat(j * 7)}`);
      try {
        const [res] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ partition, value })) });
        const base = Number(res?.baseOffset);
        for (const [j, v] of values.entries()) acked.set(`${partition}:${base + j}`, v);
      } catch {
        return; // the broker died under us
      }
    }
  });
  await new Promise((r) => setTimeout(r, killAfterMs));
  broker.proc.kill('SIGKILL');
  stop = true;
  await waitExit(broker.proc);
  await Promise.allSettled(writers);
  await producer.disconnect().catch(() => {});
  assert.ok(acked.size > 100, `only ${acked.size} records were acknowledged before the kill`);

  broker = await startChildBroker(dataDir);
  t.after(() => broker.proc.kill('SIGKILL'));
  for (const partition of [0, 1]) {
    const r = await exec('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      String(partition),
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%o\t%s\n',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().split('\n').filter(Boolean);
    const seen = new Map(lines.map((l) => l.split('\t') as [string, string]));
    // offsets are dense from 0 and every acknowledged record is there
    for (const [i, l] of lines.entries()) assert.equal(l.split('\t')[0], String(i));
    for (const [key, value] of acked) {
      const [p, o] = key.split(':');
      if (Number(p) !== partition) continue;
      assert.equal(seen.get(o as string), value, `acknowledged record ${key} after restart`);
    }
  }
  broker.proc.kill('SIGTERM');
  assert.equal(await waitExit(broker.proc), 0, 'SIGTERM stops the broker cleanly with exit code 0');
});
