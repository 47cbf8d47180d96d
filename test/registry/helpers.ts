/**
 * A broker plus a registry in process on port 0 for one test, and a small
 * HTTP helper speaking the registry's content type.
 */
import { type RunningRegistry, startRegistry } from '../../src/registry/index.ts';
import { type Cleanup, startTestBroker, type TestBroker } from '../helpers/broker.ts';

export interface TestRegistry {
  broker: TestBroker;
  registry: RunningRegistry;
  url: string;
}

/** Starts a registry on port 0 against `bootstrap`; stopped by `cleanup`. */
export async function startTestRegistryOn(cleanup: Cleanup, bootstrap: string): Promise<RunningRegistry> {
  const registry = await startRegistry({ bootstrapServers: bootstrap, host: '127.0.0.1', port: 0 });
  cleanup(() => registry.close());
  return registry;
}

/** Broker configs for registry tests: the leader election's group forms at once. */
export const REGISTRY_BROKER_CONFIGS = { 'group.initial.rebalance.delay.ms': '0' };

/** A fresh broker and a registry on it. */
export async function startTestRegistry(cleanup: Cleanup): Promise<TestRegistry> {
  const broker = await startTestBroker(cleanup, REGISTRY_BROKER_CONFIGS);
  const registry = await startTestRegistryOn(cleanup, broker.bootstrap);
  return { broker, registry, url: registry.url };
}

export interface SrResponse {
  status: number;
  contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  body: any;
}

/** One request; `body` objects are sent as JSON with Confluent's content type. */
export async function sr(url: string, method: string, path: string, body?: unknown): Promise<SrResponse> {
  const res = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

/** A small Avro record schema with the given fields (all strings). */
export function avroRecord(
  name: string,
  fields: Array<string | { name: string; type: unknown; default?: unknown }>,
): string {
  return JSON.stringify({
    type: 'record',
    name,
    fields: fields.map((f) => (typeof f === 'string' ? { name: f, type: 'string' } : f)),
  });
}
