/**
 * Request frames captured from real clients (kcat/librdkafka 2.0.2, kafkajs
 * 2.2.4, @platformatic/kafka 1.35) by scripts/capture-client-frames.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ApiVersionsRequest, MetadataRequest, ProduceRequest } from '../../src/protocol/generated/index.ts';
import { decodeRequest, encodeRequest } from '../../src/protocol/messages.ts';

const dir = new URL('../fixtures/frames/', import.meta.url);
const manifest: Array<{ file: string; client: string; api: string; apiKey: number; apiVersion: number }> = JSON.parse(
  readFileSync(new URL('manifest.json', dir), 'utf8'),
);
const frame = (file: string): Buffer => readFileSync(new URL(file, dir));

test('every captured frame decodes and re-encodes to the same bytes', () => {
  assert.ok(manifest.length >= 20);
  for (const m of manifest) {
    const bytes = frame(m.file);
    const { header, body } = decodeRequest(bytes);
    assert.equal(header.requestApiKey, m.apiKey, m.file);
    assert.equal(header.requestApiVersion, m.apiVersion, m.file);
    const again = encodeRequest(
      {
        apiKey: header.requestApiKey as 0,
        apiVersion: header.requestApiVersion,
        correlationId: header.correlationId,
        clientId: header.clientId,
      },
      body as never,
    );
    assert.ok(again.subarray(4).equals(bytes), `${m.file} re-encodes byte for byte`);
  }
});

test('kcat (librdkafka) ApiVersions v3 carries its software name and version', () => {
  const { header, body } = decodeRequest<18>(frame('kcat-none-ApiVersions-v3.bin'));
  assert.equal(header.clientId, 'rdkafka');
  const req = body as ApiVersionsRequest;
  assert.equal(req.clientSoftwareName, 'librdkafka');
  assert.equal(req.clientSoftwareVersion, '2.0.2');
});

test('kafkajs ApiVersions v2 and platformatic v3', () => {
  const kjs = decodeRequest(frame('kafkajs-ApiVersions-v2.bin'));
  assert.equal(kjs.header.clientId, 'golden-kafkajs');
  assert.equal(kjs.header.requestApiVersion, 2);
  const plt = decodeRequest(frame('platformatic-ApiVersions-v3.bin'));
  assert.equal(plt.header.clientId, 'golden-platformatic');
  assert.equal((plt.body as ApiVersionsRequest).clientSoftwareName, 'platformatic-kafka');
});

test('Metadata requests name the topic, at each client’s version', () => {
  for (const [file, version, autoCreate] of [
    ['kcat-metadata-Metadata-v4.bin', 4, true],
    ['kafkajs-Metadata-v6.bin', 6, true],
    ['platformatic-Metadata-v12.bin', 12, false],
  ] as const) {
    const { header, body } = decodeRequest(frame(file));
    assert.equal(header.requestApiVersion, version);
    const req = body as MetadataRequest;
    assert.deepEqual(
      req.topics?.map((t) => t.name),
      ['golden'],
    );
    assert.equal(req.allowAutoTopicCreation, autoCreate, file);
  }
});

test('Produce requests carry one partition of record bytes with the client’s acks', () => {
  for (const [file, version, acks] of [
    ['kcat-gzip-Produce-v7.bin', 7, -1],
    ['kafkajs-Produce-v7.bin', 7, -1],
    ['platformatic-Produce-v11.bin', 11, 1],
  ] as const) {
    const { header, body } = decodeRequest(frame(file));
    assert.equal(header.requestApiVersion, version);
    const req = body as ProduceRequest;
    assert.equal(req.acks, acks, file);
    assert.equal(req.transactionalId, null);
    assert.equal(req.topicData.length, 1);
    assert.equal(req.topicData[0]?.name, 'golden');
    const records = req.topicData[0]?.partitionData[0]?.records;
    assert.ok(records && records.length > 61, `${file} has a record batch`);
    assert.equal(records.readInt8(16), 2, `${file}: magic 2`);
  }
});
