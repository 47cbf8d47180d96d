/**
 * Starts a real broker in process on port 0 with a fresh data dir, stopped
 * and removed when the test ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';

export interface TestBroker {
  broker: Broker;
  /** host:port for clients */
  bootstrap: string;
  port: number;
  dataDir: string;
}

let seq = 0;

/** A unique topic name for this test run. */
export function topicName(prefix = 't'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

/** Registers cleanup: `t.after` of a test, or `after` from node:test inside a describe. */
export type Cleanup = (fn: () => Promise<void>) => void;

/** Starts a broker for one test (or suite); `cleanup` stops it and removes its data. */
export async function startTestBroker(
  cleanup: Cleanup,
  configs: Record<string, string> = {},
  dataDir?: string,
): Promise<TestBroker> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-test-'));
  const broker = await Broker.start({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    configs,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  cleanup(async () => {
    await broker.close();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  });
  return { broker, bootstrap: `127.0.0.1:${broker.port}`, port: broker.port, dataDir: dir };
}
