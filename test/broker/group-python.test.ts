/**
 * Python consumer groups (Debian /usr/bin/python3): kafka-python 2.0.2 with
 * its range/roundrobin assignors, and confluent-kafka-python (librdkafka
 * 2.0.2) with the cooperative-sticky assignor, whose incremental rebalances
 * move only the partitions that change owner. Each script has two members
 * split four partitions, one leave, the other take over, and a later member
 * resume from the committed offsets (see the scripts under python/).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

const PY = '/usr/bin/python3';
const N = 60;
type Got = Array<[number, string]>;
interface Summary {
  split: number[][];
  first: { sent: string[]; c1: Got; c2: Got };
  after_leave: number[][];
  second: { sent: string[]; c1: Got };
  third: { sent: string[]; c3: Got };
  events?: Array<[string, string, number[]]>;
}

const values = (g: Got): string[] => g.map(([, v]) => v).sort();
const partitions = (g: Got): number[] => [...new Set(g.map(([p]) => p))].sort();

describe('python consumer groups', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '8',
  });

  for (const script of ['group_kafka_python.py', 'group_confluent.py']) {
    test(script.replace(/^group_|\.py$/g, ''), async () => {
      const topic = topicName('py-group');
      await tb.broker.createTopic(topic, 4, 1, {});
      const path = fileURLToPath(new URL(`python/${script}`, import.meta.url));
      const r = await exec(PY, [path, tb.bootstrap, topic, topicName('pyg'), String(N)], '', 90_000);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      const s = JSON.parse(r.stdout.toString()) as Summary;
      assert.deepEqual(s.split.flat().sort(), [0, 1, 2, 3]);
      assert.deepEqual([...values(s.first.c1), ...values(s.first.c2)].sort(), [...s.first.sent].sort(), 'each once');
      assert.deepEqual(partitions(s.first.c1), s.split[0]);
      assert.deepEqual(partitions(s.first.c2), s.split[1]);
      assert.deepEqual(s.after_leave, [[0, 1, 2, 3]]);
      assert.deepEqual(values(s.second.c1), [...s.second.sent].sort());
      assert.deepEqual(values(s.third.c3), [...s.third.sent].sort(), 'resumes after the committed offsets');
      if (s.events) {
        // cooperative: while the second member joins, the first gives up only the partitions that move
        const handover = s.events.findIndex(([name, kind, p]) => name === 'ck-2' && kind === 'assign' && p.length > 0);
        const revoked = s.events
          .slice(0, handover)
          .filter(([name, kind]) => name === 'ck-1' && kind === 'revoke')
          .flatMap(([, , p]) => p);
        assert.deepEqual(revoked.sort(), s.split[1], `events ${JSON.stringify(s.events)}`);
      }
    });
  }
});
