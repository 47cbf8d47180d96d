/**
 * kafka-python and confluent-kafka-python (Debian packages, /usr/bin/python3)
 * against the broker: create a topic, produce with acks=all, consume by
 * assignment, list offsets.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

const PY = '/usr/bin/python3';
const N = 200;

interface Summary {
  acked: Array<[number, number]>;
  records: Array<{ p: number; o: number; k: string; v: string; h: Array<[string, string]> }>;
  end: number[];
  beginning: number[];
  by_time_p0: number | null;
}

function expected(): Summary['records'] {
  const out: Summary['records'] = [];
  for (let i = 0; i < N; i++)
    out.push({ p: i % 2, o: Math.floor(i / 2), k: `k${i}`, v: `v${i}`, h: [['h', String(i)]] });
  return out.sort((a, b) => a.p - b.p || a.o - b.o);
}

describe('python clients', async () => {
  const tb = await startTestBroker(after);

  for (const client of ['kafka_python_client.py', 'confluent_kafka_client.py']) {
    test(client.replace('_client.py', ''), async () => {
      const script = fileURLToPath(new URL(`python/${client}`, import.meta.url));
      const r = await exec(PY, [script, tb.bootstrap, topicName('py'), String(N)], '', 90_000);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout.toString()) as Summary;
      assert.equal(s.acked.length, N);
      assert.deepEqual(
        s.acked.map(([p, o]) => `${p}:${o}`).sort(),
        expected()
          .map((e) => `${e.p}:${e.o}`)
          .sort(),
      );
      assert.deepEqual(s.records, expected());
      assert.deepEqual(s.end, [N / 2, N / 2]);
      assert.deepEqual(s.beginning, [0, 0]);
      assert.equal(s.by_time_p0, 0);
    });
  }
});
