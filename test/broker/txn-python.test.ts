/**
 * confluent-kafka-python (Debian package, librdkafka 2.0) transactions: a
 * committed transaction is visible to read_committed readers and an aborted
 * one only to read_uncommitted ones; a consume-transform-produce loop with
 * send_offsets_to_transaction delivers every input exactly once although one
 * transaction aborts and the consumer and producer are replaced midway.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

interface Summary {
  committed: Array<[number, string]>;
  uncommitted: Array<[number, string]>;
  first: number[];
  aborted: number[];
  second: number[];
  group_offset: number;
  sink: string[];
}

test('confluent-kafka-python: commit, abort and exactly-once consume-transform-produce', async () => {
  const tb = await startTestBroker(after, {
    'transaction.state.log.num.partitions': '4',
    'group.initial.rebalance.delay.ms': '0',
  });
  const script = fileURLToPath(new URL('python/txn_confluent.py', import.meta.url));
  const r = await exec('/usr/bin/python3', [script, tb.bootstrap, topicName('py-txn')], '', 120_000);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout.toString()) as Summary;
  assert.deepEqual(s.committed, [
    [0, 'committed-0'],
    [1, 'committed-1'],
    [2, 'committed-2'],
    [8, 'committed-last'],
  ]);
  assert.deepEqual(
    s.uncommitted.map(([, v]) => v),
    ['committed-0', 'committed-1', 'committed-2', 'aborted-0', 'aborted-1', 'aborted-2', 'committed-last'],
  );
  assert.deepEqual(s.first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(s.aborted, [10, 11, 12, 13, 14]);
  assert.deepEqual(s.second, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], 'the new consumer resumes after the abort');
  assert.equal(s.group_offset, 20);
  assert.deepEqual(
    s.sink,
    Array.from({ length: 20 }, (_, i) => `out-${i}`),
    'every input exactly once',
  );
});
