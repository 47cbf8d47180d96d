/**
 * Bad input closes only the offending connection (or gets Kafka's error
 * code), and the broker keeps serving everyone else.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ErrorCode, encodeRecordBatch, encodeRequest } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';

const batch = (values: string[]): Buffer =>
  encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [], timestamp: BigInt(Date.now()) })),
  });

describe('bad input', async () => {
  const tb = await startTestBroker(after, { 'socket.request.max.bytes': String(1024 * 1024) });

  async function healthy(): Promise<void> {
    const c = await RawConnection.open(tb.port);
    const res = await c.request(18, 3, { clientSoftwareName: 'check', clientSoftwareVersion: '1' });
    assert.equal(res.errorCode, 0);
    c.close();
  }

  test('a frame larger than socket.request.max.bytes closes the connection without reading it', async () => {
    const c = await RawConnection.open(tb.port);
    const head = Buffer.alloc(4);
    head.writeInt32BE(200 * 1024 * 1024);
    c.write(head);
    await c.waitClosed();
    await healthy();
  });

  test('a negative frame size closes the connection', async () => {
    const c = await RawConnection.open(tb.port);
    c.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
    await c.waitClosed();
    await healthy();
  });

  test('an unknown API key closes the connection', async () => {
    const c = await RawConnection.open(tb.port);
    const frame = encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'x' }, {});
    frame.writeInt16BE(999, 4);
    c.write(frame);
    await c.waitClosed();
    await healthy();
  });

  test('Produce v2 (magic 0/1 era) is not served: the connection closes', async () => {
    const c = await RawConnection.open(tb.port);
    c.write(
      encodeRequest(
        { apiKey: 0, apiVersion: 2, correlationId: 1, clientId: 'x' },
        { acks: 1, timeoutMs: 1000, topicData: [] },
      ),
    );
    await c.waitClosed();
    await healthy();
  });

  test('ApiVersions at an unknown version gets a v0 UNSUPPORTED_VERSION answer and the connection stays open', async () => {
    const c = await RawConnection.open(tb.port);
    const frame = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'x' },
      { clientSoftwareName: 'a', clientSoftwareVersion: '1' },
    );
    frame.writeInt16BE(9, 6); // claim v9
    c.write(frame);
    const reply = await c.next();
    assert.ok(reply);
    assert.equal(reply.readInt32BE(0), 7);
    assert.equal(reply.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
    assert.equal(reply.readInt32BE(6), 1, 'one ApiKeys entry');
    assert.deepEqual([reply.readInt16BE(10), reply.readInt16BE(12), reply.readInt16BE(14)], [18, 0, 4]);
    const ok = await c.request(18, 3, { clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    assert.equal(ok.errorCode, 0);
    assert.ok(ok.apiKeys.some((k) => k.apiKey === 0 && k.minVersion === 0 && k.maxVersion === 11));
    c.close();
  });

  test('ApiVersions v3 with an invalid client software name gets INVALID_REQUEST', async () => {
    const c = await RawConnection.open(tb.port);
    const res = await c.request(18, 3, { clientSoftwareName: '-bad name-', clientSoftwareVersion: '1' });
    assert.equal(res.errorCode, ErrorCode.INVALID_REQUEST);
    c.close();
  });

  test('a body that does not decode closes the connection', async () => {
    const c = await RawConnection.open(tb.port);
    const good = encodeRequest(
      { apiKey: 3, apiVersion: 12, correlationId: 1, clientId: 'x' },
      { topics: [{ name: 'abc' }] },
    );
    const cut = Buffer.from(good.subarray(0, good.length - 6));
    cut.writeInt32BE(cut.length - 4, 0);
    c.write(cut);
    await c.waitClosed();
    await healthy();
  });

  test('record batches: CRC mismatch, magic 1, oversize and unknown partitions get their error codes', async () => {
    const topic = topicName('bad-records');
    await tb.broker.createTopic(topic, 1, 1, { 'max.message.bytes': '2000' });
    const c = await RawConnection.open(tb.port);
    const produce = async (records: Buffer, partition = 0): Promise<number> => {
      const res = await c.request(0, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
      });
      return res.responses[0]?.partitionResponses[0]?.errorCode as number;
    };
    const corrupt = Buffer.from(batch(['hello']));
    corrupt[corrupt.length - 1] ^= 0xff;
    assert.equal(await produce(corrupt), ErrorCode.CORRUPT_MESSAGE);
    const magic1 = Buffer.from(batch(['hello']));
    magic1[16] = 1;
    // Kafka answers INVALID_RECORD: ProduceRequest.validateRecords rejects magic < 2 for Produce v3+
    assert.equal(await produce(magic1), ErrorCode.INVALID_RECORD);
    assert.equal(await produce(batch(['x'.repeat(5000)])), ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(await produce(batch(['fine']), 3), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(await produce(batch(['fine'])), ErrorCode.NONE);
    const unknown = await c.request(0, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topicName('nope'), partitionData: [{ index: 0, records: batch(['x']) }] }],
    });
    assert.equal(unknown.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const acks = await c.request(0, 9, {
      acks: 2,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(['x']) }] }],
    });
    assert.equal(acks.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
    // only the good batch landed
    assert.equal(tb.broker.log(topic, 0)?.logEndOffset, 1);
    c.close();
  });

  test('fuzz: random and mutated frames never take the broker down or corrupt data', async () => {
    const topic = topicName('fuzz');
    await tb.broker.createTopic(topic, 1, 1, {});
    const c0 = await RawConnection.open(tb.port);
    await c0.request(0, 9, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(['keep-1', 'keep-2']) }] }],
    });
    c0.close();
    const valid = [
      encodeRequest(
        { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'f' },
        { clientSoftwareName: 'a', clientSoftwareVersion: '1' },
      ),
      encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 2, clientId: 'f' }, { topics: [{ name: topic }] }),
      encodeRequest(
        { apiKey: 1, apiVersion: 12, correlationId: 3, clientId: 'f' },
        {
          maxWaitMs: 10,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }],
        },
      ),
      encodeRequest(
        { apiKey: 2, apiVersion: 7, correlationId: 4, clientId: 'f' },
        { topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] },
      ),
      encodeRequest(
        { apiKey: 19, apiVersion: 7, correlationId: 5, clientId: 'f' },
        { topics: [{ name: topicName('fz'), numPartitions: 1, replicationFactor: 1 }], validateOnly: true },
      ),
    ];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 300; i++) {
      const c = await RawConnection.open(tb.port);
      let frame: Buffer;
      if (i % 3 === 0) {
        frame = Buffer.alloc(4 + rand(64));
        for (let j = 4; j < frame.length; j++) frame[j] = rand(256);
        frame.writeInt32BE(frame.length - 4, 0);
      } else {
        frame = Buffer.from(valid[rand(valid.length)] as Buffer);
        for (let m = 0; m < 1 + rand(4); m++) frame[4 + rand(frame.length - 4)] = rand(256);
      }
      c.write(frame);
      await c.next(200); // a response or a close; either is fine
      c.close();
    }
    await healthy();
    const c = await RawConnection.open(tb.port);
    const res = await c.request(1, 12, {
      maxWaitMs: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    const p = res.responses[0]?.partitions[0];
    assert.equal(p?.errorCode, 0);
    assert.ok(p?.highWatermark !== undefined && p.highWatermark >= 2n);
    c.close();
  });
});
