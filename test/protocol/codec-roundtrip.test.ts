import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as generated from '../../src/protocol/generated/index.ts';
import {
  apiDefinition,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/messages.ts';
import { ProtocolDecodeError, Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { inRange, rng, type SampleMode, Sampler, spec, versionsOf } from './sample-messages.ts';

type Codec = {
  read: (r: Reader, v: number) => unknown;
  write: (w: Writer, v: number, x: unknown) => void;
};

function codecFor(name: string): Codec {
  const g = generated as unknown as Record<string, unknown>;
  const read = g[`read${name}`];
  const write = g[`write${name}`];
  assert.equal(typeof read, 'function', `read${name} is generated`);
  assert.equal(typeof write, 'function', `write${name} is generated`);
  return { read, write } as Codec;
}

function encode(c: Codec, v: number, x: unknown): Buffer {
  const w = new Writer(16);
  c.write(w, v, x);
  return Buffer.from(w.finish());
}

const MODES: SampleMode[] = ['random', 'random', 'nulls', 'empty'];

describe('every message at every version round-trips', () => {
  let seed = 1;
  for (const m of spec) {
    test(`${m.name} v${m.validVersions}`, () => {
      const c = codecFor(m.name);
      for (const v of versionsOf(m)) {
        for (const mode of MODES) {
          const sample = new Sampler(m, seed++, mode).message(v);
          const bytes = encode(c, v, sample);
          const r = new Reader(bytes);
          const decoded = c.read(r, v);
          assert.equal(r.remaining, 0, `${m.name} v${v} (${mode}): decoder left ${r.remaining} bytes`);
          assert.deepStrictEqual(decoded, sample, `${m.name} v${v} (${mode})`);
          assert.ok(encode(c, v, decoded).equals(bytes), `${m.name} v${v} (${mode}): re-encoding differs`);
        }
      }
    });
  }
});

test('unknown tagged fields survive a round trip in flexible versions', () => {
  let checked = 0;
  for (const m of spec) {
    const c = codecFor(m.name);
    for (const v of versionsOf(m)) {
      if (!inRange(m.flexibleVersions, v)) continue;
      const sample = new Sampler(m, 7, 'random').message(v);
      sample._tagged = [
        { tag: 90, data: Buffer.from([1, 2, 3]) },
        { tag: 1000, data: Buffer.alloc(0) },
      ];
      const decoded = c.read(new Reader(encode(c, v, sample)), v);
      assert.deepStrictEqual(decoded, sample, `${m.name} v${v}`);
      checked++;
    }
  }
  assert.ok(checked > 300, `checked ${checked} flexible versions`);
});

test('absent fields are written as their defaults', () => {
  // An empty input encodes like an all-default message, at every version.
  for (const m of spec) {
    const c = codecFor(m.name);
    for (const v of versionsOf(m)) {
      const empty = encode(c, v, {});
      const defaults = new Sampler(m, 1, 'empty').message(v);
      assert.ok(empty.equals(encode(c, v, defaults)), `${m.name} v${v}`);
      assert.deepStrictEqual(c.read(new Reader(empty), v), defaults, `${m.name} v${v}`);
    }
  }
});

test('truncated messages fail with ProtocolDecodeError, never another error', () => {
  const rand = rng(42);
  for (const m of spec) {
    const c = codecFor(m.name);
    const versions = versionsOf(m);
    for (const v of [versions[0] as number, versions[versions.length - 1] as number]) {
      const bytes = encode(c, v, new Sampler(m, 3, 'random').message(v));
      for (let i = 0; i < 4 && bytes.length > 0; i++) {
        const cut = Math.floor(rand() * bytes.length);
        assert.throws(
          () => c.read(new Reader(bytes.subarray(0, cut)), v),
          ProtocolDecodeError,
          `${m.name} v${v} cut at ${cut}/${bytes.length}`,
        );
      }
    }
  }
});

test('random bytes decode or fail with ProtocolDecodeError', () => {
  const rand = rng(9);
  for (const m of spec) {
    if (m.type !== 'request') continue;
    const c = codecFor(m.name);
    const versions = versionsOf(m);
    const v = versions[versions.length - 1] as number;
    for (let i = 0; i < 20; i++) {
      const junk = Buffer.alloc(Math.floor(rand() * 64));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rand() * 256);
      try {
        c.read(new Reader(junk), v);
      } catch (err) {
        assert.ok(err instanceof ProtocolDecodeError, `${m.name} v${v}: ${String(err)}`);
      }
    }
  }
});

test('whole requests and responses round-trip with the right header versions', () => {
  let n = 0;
  for (const m of spec) {
    if (m.apiKey === undefined || (m.type !== 'request' && m.type !== 'response')) continue;
    const key = m.apiKey as 0;
    for (const v of versionsOf(m)) {
      const body = new Sampler(m, n++, 'random').message(v);
      if (m.type === 'request') {
        const frame = encodeRequest(
          { apiKey: key, apiVersion: v, correlationId: n, clientId: v % 2 ? 'client-1' : null },
          body as never,
        );
        assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
        const { header, body: back } = decodeRequest(frame.subarray(4));
        assert.equal(header.requestApiKey, key);
        assert.equal(header.requestApiVersion, v);
        assert.equal(header.correlationId, n);
        // header v0 (ControlledShutdown v0) has no client id
        assert.equal(header.clientId, requestHeaderVersion(key, v) === 0 ? '' : v % 2 ? 'client-1' : null);
        assert.deepStrictEqual(back, body);
      } else {
        const frame = encodeResponse(key, v, n, body as never);
        const { correlationId, body: back } = decodeResponse(key, v, frame.subarray(4));
        assert.equal(correlationId, n);
        assert.deepStrictEqual(back, body);
      }
    }
  }
  assert.ok(n > 500);
});

test('header versions follow the flexible versions, ApiVersions responses always use v0', () => {
  assert.equal(requestHeaderVersion(0, 8), 1); // Produce v8 is not flexible
  assert.equal(requestHeaderVersion(0, 9), 2);
  assert.equal(responseHeaderVersion(0, 9), 1);
  assert.equal(requestHeaderVersion(18, 3), 2);
  assert.equal(responseHeaderVersion(18, 3), 0);
  assert.equal(requestHeaderVersion(7, 0), 0); // ControlledShutdown v0
  assert.equal(requestHeaderVersion(18, 99), 2); // unknown ApiVersions versions are parsed as flexible
  assert.equal(apiDefinition(0)?.name, 'Produce');
  assert.equal(apiDefinition(1)?.maxVersion, 17);
  assert.equal(apiDefinition(999), undefined);
});

test('the registry has every API key 0-87 with request and response codecs', () => {
  const keys = generated.API_DEFINITIONS.map((a) => a.key);
  assert.deepEqual(
    keys,
    Array.from({ length: 88 }, (_, i) => i),
  );
  for (const a of generated.API_DEFINITIONS) {
    assert.ok(a.minVersion <= a.maxVersion, a.name);
    assert.equal(typeof a.readRequest, 'function');
    assert.equal(typeof a.writeResponse, 'function');
  }
});

test('decodeRequest rejects unknown keys, versions outside the definitions and trailing bytes', () => {
  const frame = encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 1, clientId: 'x' }, { topics: null });
  const ok = decodeRequest(frame.subarray(4));
  assert.equal(ok.header.requestApiKey, 3);
  const unknownKey = Buffer.from(frame.subarray(4));
  unknownKey.writeInt16BE(200, 0);
  assert.throws(() => decodeRequest(unknownKey), /unknown API key 200/);
  const badVersion = Buffer.from(frame.subarray(4));
  badVersion.writeInt16BE(77, 2);
  assert.throws(() => decodeRequest(badVersion), /Metadata v77/);
  assert.throws(() => decodeRequest(Buffer.concat([frame.subarray(4), Buffer.from([0])])), /trailing bytes/);
  assert.throws(() => decodeRequest(Buffer.from([0, 3])), ProtocolDecodeError);
});
