/**
 * kcat (librdkafka 2.0.2) against the broker: metadata, and 100k records per
 * compression codec produced and consumed with keys and headers intact.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

const N = 100_000;

describe('kcat', async () => {
  const tb = await startTestBroker(after);

  test('-L lists the broker and a topic it auto-creates', async () => {
    const topic = topicName('kcat-meta');
    const r = await exec('kcat', ['-b', tb.bootstrap, '-L', '-t', topic, '-J']);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(r.stdout.toString());
    assert.equal(meta.brokers.length, 1);
    assert.equal(meta.brokers[0].id, 1);
    assert.equal(meta.brokers[0].name, `127.0.0.1:${tb.port}`);
    assert.equal(meta.topics[0].topic, topic);
    assert.equal(meta.topics[0].partitions.length, 1);
    assert.equal(meta.topics[0].partitions[0].leader, 1);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    test(`produce and consume ${N} records with ${codec}, keys and headers intact`, async () => {
      const topic = topicName(`kcat-${codec}`);
      const lines: string[] = [];
      for (let i = 0; i < N; i++) lines.push(`key-${i % 1000}\tvalue-${i}-${'x'.repeat(i % 50)}`);
      const input = `${lines.join('\n')}\n`;
      const p = await exec(
        'kcat',
        [
          '-b',
          tb.bootstrap,
          '-P',
          '-t',
          topic,
          '-K',
          '\t',
          '-z',
          codec,
          '-H',
          `codec=${codec}`,
          '-X',
          'acks=all',
          '-X',
          'linger.ms=5',
        ],
        input,
        120_000,
      );
      assert.equal(p.code, 0, p.stderr);
      const c = await exec(
        'kcat',
        ['-b', tb.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\t%h\t%o\n'],
        '',
        120_000,
      );
      assert.equal(c.code, 0, c.stderr);
      const got = c.stdout.toString().split('\n').filter(Boolean);
      assert.equal(got.length, N);
      for (let i = 0; i < N; i++) {
        assert.equal(got[i], `${lines[i]}\tcodec=${codec}\t${i}`, `record ${i}`);
      }
    });
  }
});
