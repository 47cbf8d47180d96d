/**
 * Builds sample message values straight from the compact spec, independently
 * of the generator, so the round-trip tests check the generated code against
 * a second reading of the definitions.
 */
import { readFileSync } from 'node:fs';
import type { SpecField, SpecMessage } from '../../scripts/protocol-spec.ts';

export const spec: SpecMessage[] = JSON.parse(
  readFileSync(new URL('../../src/protocol/spec/messages.json', import.meta.url), 'utf8'),
);

const ZERO_UUID = Buffer.alloc(16).toString('base64url');

export function inRange(range: string | undefined, v: number): boolean {
  if (range === undefined || range === 'none') return false;
  if (range.endsWith('+')) return v >= Number(range.slice(0, -1));
  const [a, b] = range.split('-');
  return v >= Number(a) && v <= Number(b ?? a);
}

export function versionsOf(m: SpecMessage): number[] {
  const [lo, hi] = m.validVersions.split('-').map(Number) as [number, number?];
  const out: number[] = [];
  for (let v = lo; v <= (hi ?? lo); v++) out.push(v);
  return out;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Value = unknown;
type Obj = Record<string, Value>;

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** 'empty' fills every field with its default; 'nulls' prefers null where allowed; 'random' varies. */
export type SampleMode = 'random' | 'nulls' | 'empty';

export class Sampler {
  readonly #m: SpecMessage;
  readonly #structs = new Map<string, SpecField[]>();
  readonly #rand: () => number;
  readonly #mode: SampleMode;

  constructor(m: SpecMessage, seed: number, mode: SampleMode) {
    this.#m = m;
    this.#rand = rng(seed);
    this.#mode = mode;
    for (const s of m.commonStructs ?? []) this.#collect(s.name, s.fields);
    this.#collect(m.name, m.fields);
  }

  #collect(name: string, fields: SpecField[]): void {
    this.#structs.set(name, fields);
    for (const f of fields) if (f.fields) this.#collect(f.type.replace(/^\[\]/, ''), f.fields);
  }

  #int(lo: number, hi: number): number {
    return lo + Math.floor(this.#rand() * (hi - lo + 1));
  }

  #flexible(v: number): boolean {
    return inRange(this.#m.flexibleVersions, v);
  }

  /** A whole message at version v. */
  message(v: number): Obj {
    return this.#struct(this.#m.name, v, 0);
  }

  #struct(name: string, v: number, depth: number): Obj {
    const fields = this.#structs.get(name);
    if (!fields) throw new Error(`no struct ${name}`);
    const o: Obj = {};
    for (const f of fields) {
      const present =
        f.tag !== undefined
          ? this.#flexible(v) && inRange(f.taggedVersions, v) && inRange(f.versions, v)
          : inRange(f.versions, v);
      o[camel(f.name)] = present && this.#mode !== 'empty' ? this.#value(f, v, depth) : this.defaultOf(f, v);
    }
    return o;
  }

  /** The value a decoder must produce for a field absent from version v. */
  defaultOf(f: SpecField, v: number): Value {
    if (f.default === 'null') return null;
    if (f.type.startsWith('[]')) return [];
    switch (f.type) {
      case 'bool':
        return f.default?.toLowerCase() === 'true';
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'float64':
        return f.default ? Number(f.default) : 0;
      case 'int64':
        return f.default ? BigInt(f.default) : 0n;
      case 'string':
        return f.default ?? '';
      case 'uuid':
        return ZERO_UUID;
      case 'bytes':
        return Buffer.alloc(0);
      case 'records':
        return f.nullableVersions !== undefined ? null : Buffer.alloc(0);
      default: {
        const fields = this.#structs.get(f.type);
        if (!fields) throw new Error(`no struct ${f.type}`);
        const o: Obj = {};
        for (const sf of fields) o[camel(sf.name)] = this.defaultOf(sf, v);
        return o;
      }
    }
  }

  #value(f: SpecField, v: number, depth: number): Value {
    const nullable = inRange(f.nullableVersions, v);
    if (nullable && (this.#mode === 'nulls' || this.#rand() < 0.15)) return null;
    let x = this.#nonNull(f.type, f.name, v, depth);
    if (f.tag !== undefined) {
      // a tagged field equal to its default is not written, so pick another value
      const d = this.defaultOf(f, v);
      if (typeof x === 'number' && x === d) x = x + 1;
      if (typeof x === 'bigint' && x === d) x = x + 1n;
      if (typeof x === 'boolean' && x === d) x = !x;
    }
    return x;
  }

  #nonNull(t: string, name: string, v: number, depth: number): Value {
    if (t.startsWith('[]')) {
      const n = depth > 3 ? 0 : this.#int(this.#mode === 'random' && depth < 2 ? 1 : 0, 2);
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(this.#nonNull(t.slice(2), name, v, depth + 1));
      return out;
    }
    switch (t) {
      case 'bool':
        return this.#rand() < 0.5;
      case 'int8':
        return this.#int(-128, 127);
      case 'int16':
        return this.#int(-32768, 32767);
      case 'uint16':
        return this.#int(0, 65535);
      case 'int32':
        return this.#int(-2147483648, 2147483647);
      case 'uint32':
        return this.#int(0, 4294967295);
      case 'float64':
        return this.#rand() * 1e6 - 5e5;
      case 'int64':
        return BigInt(this.#int(-2147483648, 2147483647)) * 4294967296n + BigInt(this.#int(0, 4294967295));
      case 'string':
        return `${name}-${this.#int(0, 999)}${this.#rand() < 0.2 ? '-ünï' : ''}`;
      case 'uuid': {
        const b = Buffer.alloc(16);
        for (let i = 0; i < 16; i++) b[i] = this.#int(0, 255);
        return b.toString('base64url');
      }
      case 'bytes':
      case 'records': {
        const b = Buffer.alloc(this.#int(0, 12));
        for (let i = 0; i < b.length; i++) b[i] = this.#int(0, 255);
        return b;
      }
      default:
        return this.#struct(t, v, depth + 1);
    }
  }
}
