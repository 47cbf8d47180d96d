/**
 * Captures request frames sent by real Kafka clients, for the codec's golden
 * fixtures in test/fixtures/frames/.
 *
 *   node --import tsx scripts/capture-client-frames.ts
 *
 * A minimal stand-in broker built on the project's codec answers ApiVersions,
 * Metadata, InitProducerId and Produce just well enough for kcat (librdkafka),
 * kafkajs and @platformatic/kafka to produce a few records; every request frame
 * is written to disk. Run by hand when a fixture should be refreshed: the
 * tests only read the committed files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrameDecoder } from '../src/protocol/framing.ts';
import { API_DEFINITIONS } from '../src/protocol/generated/index.ts';
import { apiDefinition, decodeRequest, encodeResponse } from '../src/protocol/messages.ts';

const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'test', 'fixtures', 'frames');
const TOPIC = 'golden';
const TOPIC_ID = Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64url');

interface Captured {
  client: string;
  apiKey: number;
  apiVersion: number;
  frame: Buffer;
}

function startBroker(captured: Captured[], client: () => string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((sock: Socket) => {
      const frames = new FrameDecoder();
      sock.on('data', (chunk) => {
        for (const frame of frames.push(chunk)) {
          const key = frame.readInt16BE(0);
          const version = frame.readInt16BE(2);
          captured.push({ client: client(), apiKey: key, apiVersion: version, frame: Buffer.from(frame) });
          const reply = answer(frame, key, version, (server.address() as { port: number }).port);
          if (reply) sock.write(reply);
        }
      });
      sock.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

function answer(frame: Buffer, key: number, version: number, port: number): Buffer | null {
  const api = apiDefinition(key);
  if (key === 18 && (!api || version > api.maxVersion)) {
    // unknown ApiVersions version: v0 answer with UNSUPPORTED_VERSION
    const corr = frame.readInt32BE(4);
    return encodeResponse(18, 0, corr, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
  }
  const { header, body } = decodeRequest(frame);
  const corr = header.correlationId;
  switch (key) {
    case 18:
      return encodeResponse(18, version, corr, {
        errorCode: 0,
        // advertise everything: librdkafka turns lz4 and zstd on only when it sees FindCoordinator and Fetch
        apiKeys: API_DEFINITIONS.map((a) => ({
          apiKey: a.key,
          minVersion: 0,
          maxVersion: a.key === 18 ? 3 : a.maxVersion,
        })),
      });
    case 3: {
      const req = body as { topics: Array<{ name: string | null }> | null };
      const names = req.topics?.map((t) => t.name ?? TOPIC) ?? [TOPIC];
      return encodeResponse(3, version, corr, {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
        clusterId: 'capture-cluster',
        controllerId: 1,
        topics: names.map((name) => ({
          errorCode: 0,
          name,
          topicId: TOPIC_ID,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] },
          ],
        })),
      });
    }
    case 22:
      return encodeResponse(22, version, corr, { errorCode: 0, producerId: 4242n, producerEpoch: 0 });
    case 0: {
      const req = body as { acks: number; topicData: Array<{ name: string; partitionData: Array<{ index: number }> }> };
      if (req.acks === 0) return null;
      return encodeResponse(0, version, corr, {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: 0n })),
        })),
      });
    }
    default:
      return null;
  }
}

function run(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'inherit', 'inherit'], env });
    p.stdin.end(input);
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const captured: Captured[] = [];
  let current = '';
  const { server, port } = await startBroker(captured, () => current);
  const broker = `127.0.0.1:${port}`;

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    current = `kcat-${codec}`;
    await run(
      'kcat',
      ['-b', broker, '-P', '-t', TOPIC, '-K', ':', '-z', codec, '-H', 'h1=v1'],
      'k1:value-1 golden golden golden golden golden golden golden golden\nk2:value-2 golden golden golden golden golden golden golden golden\n',
    );
  }
  current = 'kcat-metadata';
  await run('kcat', ['-b', broker, '-L', '-t', TOPIC], '');

  current = 'kafkajs';
  const { Kafka, CompressionTypes, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [broker], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    compression: CompressionTypes.GZIP,
    messages: [
      { key: 'k1', value: 'value-1', headers: { h1: 'v1' } },
      { key: 'k2', value: 'value-2' },
    ],
  });
  await producer.disconnect();

  current = 'platformatic';
  const { Producer, stringSerializers } = await import('@platformatic/kafka');
  const p = new Producer({
    clientId: 'golden-platformatic',
    bootstrapBrokers: [broker],
    serializers: stringSerializers,
  });
  await p.send({
    messages: [
      { topic: TOPIC, key: 'k1', value: 'value-1', headers: new Map([['h1', 'v1']]) },
      { topic: TOPIC, key: 'k2', value: 'value-2' },
    ],
  });
  await p.close();
  server.close();

  mkdirSync(outDir, { recursive: true });
  const seen = new Set<string>();
  const manifest: Array<{ file: string; client: string; api: string; apiKey: number; apiVersion: number }> = [];
  for (const c of captured) {
    const api = apiDefinition(c.apiKey)?.name ?? `key${c.apiKey}`;
    const file = `${c.client}-${api}-v${c.apiVersion}.bin`;
    if (seen.has(file)) continue;
    seen.add(file);
    writeFileSync(join(outDir, file), c.frame);
    manifest.push({ file, client: c.client, api, apiKey: c.apiKey, apiVersion: c.apiVersion });
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`captured ${manifest.length} frames into test/fixtures/frames`);
  for (const m of manifest) console.log(`  ${m.file}`);
}

await main();
