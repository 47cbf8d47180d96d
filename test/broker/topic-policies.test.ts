/**
 * Topic configs applied on produce: compression.type recompresses,
 * message.timestamp.type=LogAppendTime stamps broker time, and the timestamp
 * window rejects records with INVALID_TIMESTAMP.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeRecordBatch, ErrorCode, encodeRecordBatch, iterateBatches } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { RawConnection } from '../helpers/raw-client.ts';

describe('topic policies on produce', async () => {
  const tb = await startTestBroker(after);

  const storedBatches = (topic: string) => {
    const raw = tb.broker.log(topic, 0)?.read(0, 1 << 22);
    return [...iterateBatches(raw?.records as Buffer)];
  };

  test('compression.type=zstd recompresses what kcat sends as gzip; consumers see the same records', async () => {
    const topic = topicName('recompress');
    await tb.broker.createTopic(topic, 1, 1, { 'compression.type': 'zstd' });
    const input = Array.from({ length: 500 }, (_, i) => `k${i}:value-${i}-${'q'.repeat(i % 40)}`).join('\n');
    const p = await exec(
      'kcat',
      ['-b', tb.bootstrap, '-P', '-t', topic, '-K', ':', '-z', 'gzip', '-H', 'a=b'],
      `${input}\n`,
    );
    assert.equal(p.code, 0, p.stderr);
    const batches = storedBatches(topic);
    assert.ok(batches.length > 0);
    for (const b of batches) assert.equal(b.header.compression, 4, 'stored as zstd');
    const c = await exec('kcat', [
      '-b',
      tb.bootstrap,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k:%s|%h|%o\n',
    ]);
    const lines = c.stdout.toString().split('\n').filter(Boolean);
    assert.deepEqual(
      lines,
      input.split('\n').map((l, i) => `${l}|a=b|${i}`),
    );
  });

  test('compression.type=uncompressed stores plain batches', async () => {
    const topic = topicName('decompress');
    await tb.broker.createTopic(topic, 1, 1, { 'compression.type': 'uncompressed' });
    const p = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', topic, '-z', 'lz4'], 'one\ntwo\nthree\n');
    assert.equal(p.code, 0, p.stderr);
    const batches = storedBatches(topic);
    assert.ok(batches.every((b) => b.header.compression === 0));
    assert.deepEqual(
      batches.flatMap((b) => decodeRecordBatch(b.bytes).records.map((r) => String(r.value))),
      ['one', 'two', 'three'],
    );
  });

  test('LogAppendTime stamps the broker time; the timestamp window rejects stale records', async () => {
    const topic = topicName('logappend');
    await tb.broker.createTopic(topic, 1, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const conn = await RawConnection.open(tb.port);
    after(() => conn.close());
    const before = Date.now();
    const res = await conn.request(0, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: topic,
          partitionData: [
            { index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from('x'), timestamp: 5n }] }) },
          ],
        },
      ],
    });
    const pr = res.responses[0]?.partitionResponses[0];
    assert.equal(pr?.errorCode, 0);
    assert.ok(pr && pr.logAppendTimeMs >= BigInt(before), 'response carries the log append time');
    const c = await exec('kcat', ['-b', tb.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%T\n']);
    assert.equal(c.stdout.toString().trim(), String(pr?.logAppendTimeMs));

    const strict = topicName('window');
    await tb.broker.createTopic(strict, 1, 1, { 'message.timestamp.before.max.ms': '60000' });
    const stale = await conn.request(0, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: strict,
          partitionData: [
            {
              index: 0,
              records: encodeRecordBatch({
                records: [{ value: Buffer.from('old'), timestamp: Date.now() - 3_600_000 }],
              }),
            },
          ],
        },
      ],
    });
    assert.equal(stale.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.equal(tb.broker.log(strict, 0)?.logEndOffset, 0);
  });
});
