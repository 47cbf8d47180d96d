/**
 * Shared setup for the serde tests: one broker + registry per suite, a
 * register helper over REST, and Confluent's JS serdes loaded as CommonJS.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { sr } from '../registry/helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS client used as an oracle
export const confluent: any = require('@confluentinc/schemaregistry');

let seq = 0;
/** A subject/topic prefix unique within this process. */
export function unique(prefix: string): string {
  return `${prefix}${process.pid}x${(seq++).toString(36)}`;
}

/** Registers a schema over REST; returns its id. */
export async function register(url: string, subject: string, body: Record<string, unknown>): Promise<number> {
  const res = await sr(url, 'POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.id as number;
}

/** Sets a subject-level config over REST. */
export async function setConfig(url: string, subject: string, body: Record<string, unknown>): Promise<void> {
  const res = await sr(url, 'PUT', `/config/${encodeURIComponent(subject)}`, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** Awaits a promise expected to reject with a SerdeError-like code; returns the error. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { code: string };
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** A deep copy with class instances (avsc records) as plain objects; Buffers kept. */
export function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}
