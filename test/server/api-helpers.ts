/**
 * The platform in process for API and CLI tests: broker, registry and API on port 0 in a data dir that
 * can be reused for a restart, plus small clients for the statements API and for Kafka topics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Client } from '../../src/client/index.ts';
import { type Platform, startPlatform } from '../../src/server/index.ts';

/** A fresh data dir. */
export function tempDir(prefix = 'tributary-api-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a data dir. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A platform in a fresh data dir; `cleanup` stops it, then removes the dir. */
export async function tempPlatform(cleanup: (fn: () => Promise<void>) => void): Promise<Platform> {
  const dir = tempDir();
  const p = await platform(dir);
  cleanup(async () => {
    await p.close();
    removeDir(dir);
  });
  return p;
}

/** Starts the whole platform on free ports. */
export function platform(dataDir: string): Promise<Platform> {
  return startPlatform(
    {
      dataDir,
      host: '127.0.0.1',
      kafkaPort: 0,
      registryPort: 0,
      apiPort: 0,
      logLevel: 'silent',
      broker: { 'group.initial.rebalance.delay.ms': '0' },
    },
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
}

/** The kafka address of a platform. */
export function bootstrap(p: Platform): string {
  return `127.0.0.1:${p.broker.port}`;
}

/** An HTTP answer: status and parsed JSON body (null for none). */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
  body: any;
}

/** Requests to a platform's API. */
export function api(p: Platform): (method: string, path: string, body?: unknown) => Promise<Answer> {
  const url = p.api!.url;
  return async (method, path, body) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

/** Polls until `check` answers a value (not undefined) or the time is up. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates a one-partition topic. */
export async function createTopic(bootstrapServers: string, name: string): Promise<void> {
  const client = new Client({ bootstrapServers });
  try {
    const [r] = await client.admin().createTopics([{ name, numPartitions: 1 }]);
    assert.equal(r!.error, null);
  } finally {
    await client.close();
  }
}

/** Produces JSON values to partition 0. */
export async function produce(bootstrapServers: string, topic: string, values: unknown[]): Promise<void> {
  const client = new Client({ bootstrapServers });
  try {
    const producer = client.producer();
    for (const v of values) await producer.send({ topic, partition: 0, value: JSON.stringify(v) });
    await producer.close();
  } finally {
    await client.close();
  }
}

/** Every value of a topic's partition 0 up to its end, parsed as JSON. */
export async function readTopic(bootstrapServers: string, topic: string): Promise<unknown[]> {
  const client = new Client({ bootstrapServers });
  try {
    const [end] = await client.admin().listOffsets([{ topic, partition: 0, at: 'latest' }]);
    const out: unknown[] = [];
    if (!end || end.offset === 0n) return out;
    const consumer = client.consumer({ autoCommit: false, maxWaitMs: 100 });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    while ((consumer.position({ topic, partition: 0 }) ?? 0n) < end.offset)
      for (const r of await consumer.poll(200)) if (r.value) out.push(JSON.parse(r.value.toString('utf8')));
    await consumer.close();
    return out;
  } finally {
    await client.close();
  }
}
