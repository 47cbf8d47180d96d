/**
 * The binary encoding of operator state for checkpoints and savepoints (see ./stateful.ts).
 *
 * `encodeState` writes one value into a single growable Buffer: a format version byte, then the value as a
 * tagged tree. It covers what operator state holds: null, undefined, booleans, numbers (±Infinity, NaN and
 * -0 kept), bigints, strings (UTF-8), bytes (Uint8Array/Buffer, decoded as Uint8Array), arrays (holes
 * decode as undefined), Maps, Sets, plain objects with string keys, SQL `Decimal`s and JSON
 * `LosslessNumber`s. Containers (arrays, Maps, Sets, objects, bytes) keep their identity: one that occurs
 * twice is written once and referenced afterwards, so shared structure and cycles decode as they were.
 * Anything else (functions, symbols, class instances) throws, naming what it met. Object keys are written
 * once per encoding and referenced by number afterwards (accumulators repeat the same few keys).
 *
 * User-defined aggregate accumulators are part of the state: they must be plain data (the kinds above).
 */
import { Decimal } from '../../types/decimal.ts';
import { LosslessNumber } from '../../types/json.ts';

/** The format version written first; `decodeState` rejects others. */
export const STATE_FORMAT_VERSION = 1;

const T_NULL = 0;
const T_UNDEFINED = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4; // zigzag varint, int32 range
const T_FLOAT = 5; // float64 LE
const T_BIGINT64 = 6; // int64 LE
const T_BIGINT = 7; // decimal text
const T_STRING = 8;
const T_BYTES = 9;
const T_ARRAY = 10;
const T_MAP = 11;
const T_SET = 12;
const T_OBJECT = 13;
const T_DECIMAL = 14; // unscaled (a value) then scale (varint)
const T_LOSSLESS = 15; // text
const T_REF = 16; // varint: index of a container met before
const T_KEY = 17; // object key, first occurrence: the string follows
const T_KEY_REF = 18; // object key met before: its varint index follows

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

const CHUNK = 1 << 20;

class Writer {
  buf: Buffer = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  /** Filled chunks before `buf` (big states grow by chunks, copied once at the end). */
  readonly done: Buffer[] = [];
  readonly refs = new Map<object, number>();
  readonly keys = new Map<string, number>();

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.buf.length < CHUNK) {
      // small so far: grow in place
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
      return;
    }
    this.done.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.pos = 0;
  }

  /** Everything written, as one Buffer. */
  result(): Buffer {
    if (this.done.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat([...this.done, this.buf.subarray(0, this.pos)]);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint (n < 2^32 on the bit path, larger through division). */
  uvar(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  string(s: string): void {
    const len = s.length;
    if (len < 64) {
      // short strings: write ASCII directly, fall back to UTF-8 at the first other char
      this.ensure(1 + len);
      const buf = this.buf;
      const start = this.pos;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === len) {
        buf[start] = len;
        this.pos = start + 1 + len;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.uvar(bytes);
    this.ensure(bytes);
    this.buf.write(s, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  /** An object key: its text the first time, its number afterwards. */
  key(k: string): void {
    const id = this.keys.get(k);
    if (id === undefined) {
      this.keys.set(k, this.keys.size);
      this.byte(T_KEY);
      this.string(k);
    } else {
      this.byte(T_KEY_REF);
      this.uvar(id);
    }
  }

  /** Registers a container; writes a back-reference and returns true when it was met before. */
  ref(o: object): boolean {
    const id = this.refs.get(o);
    if (id !== undefined) {
      this.byte(T_REF);
      this.uvar(id);
      return true;
    }
    this.refs.set(o, this.refs.size);
    return false;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !(v === 0 && 1 / v < 0)) {
          this.byte(T_INT);
          this.uvar(v >= 0 ? v * 2 : -v * 2 - 1);
        } else {
          this.ensure(9);
          this.buf[this.pos++] = T_FLOAT;
          this.buf.writeDoubleLE(v, this.pos);
          this.pos += 8;
        }
        return;
      case 'string':
        this.byte(T_STRING);
        this.string(v);
        return;
      case 'boolean':
        this.byte(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        this.byte(T_UNDEFINED);
        return;
      case 'bigint':
        if (v >= MIN_I64 && v <= MAX_I64) {
          this.ensure(9);
          this.buf[this.pos++] = T_BIGINT64;
          this.buf.writeBigInt64LE(v, this.pos);
          this.pos += 8;
        } else {
          this.byte(T_BIGINT);
          this.string(v.toString());
        }
        return;
      case 'object':
        if (v === null) this.byte(T_NULL);
        else this.object(v);
        return;
      default:
        throw new Error(`Cannot encode a ${typeof v} in operator state`);
    }
  }

  object(v: object): void {
    if (Array.isArray(v)) {
      if (this.ref(v)) return;
      const n = v.length;
      this.byte(T_ARRAY);
      this.uvar(n);
      for (let i = 0; i < n; i++) this.value(v[i]);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      if (this.ref(v)) return;
      const keys = Object.keys(v);
      this.byte(T_OBJECT);
      this.uvar(keys.length);
      for (const k of keys) {
        this.key(k);
        this.value((v as Record<string, unknown>)[k]);
      }
      return;
    }
    if (v instanceof Map) {
      if (this.ref(v)) return;
      this.byte(T_MAP);
      this.uvar(v.size);
      for (const [k, x] of v) {
        this.value(k);
        this.value(x);
      }
      return;
    }
    if (v instanceof Set) {
      if (this.ref(v)) return;
      this.byte(T_SET);
      this.uvar(v.size);
      for (const x of v) this.value(x);
      return;
    }
    if (v instanceof Decimal) {
      this.byte(T_DECIMAL);
      this.value(v.unscaled);
      this.uvar(v.scale);
      return;
    }
    if (v instanceof Uint8Array) {
      if (this.ref(v)) return;
      this.byte(T_BYTES);
      this.uvar(v.length);
      this.ensure(v.length);
      this.buf.set(v, this.pos);
      this.pos += v.length;
      return;
    }
    if (v instanceof LosslessNumber) {
      this.byte(T_LOSSLESS);
      this.string(v.text);
      return;
    }
    const name = (v as { constructor?: { name?: string } }).constructor?.name || 'an object without constructor';
    throw new Error(
      `Cannot encode a ${name} in operator state (only plain data: primitives, arrays, Map, Set, plain objects, bytes, DECIMAL)`,
    );
  }
}

/** Encodes a state value (see the module comment for what it may hold). */
export function encodeState(value: unknown): Buffer {
  const w = new Writer();
  w.byte(STATE_FORMAT_VERSION);
  w.value(value);
  return w.result();
}

/**
 * `encodeState` that gives the event loop a turn every `sliceMs` of work, so a big state does not stall
 * the process (the broker in it keeps serving). The bytes are the same. The value must not change until
 * the promise settles (a job keeps its sources parked and its timers held meanwhile). Big Maps, Sets and
 * arrays in the top three levels are written in slices; anything below is written at once.
 */
export async function encodeStateAsync(value: unknown, sliceMs = 10): Promise<Buffer> {
  const w = new Writer();
  w.byte(STATE_FORMAT_VERSION);
  let since = performance.now();
  let n = 0;
  const turn = async (): Promise<void> => {
    if ((++n & 127) !== 0 || performance.now() - since < sliceMs) return;
    await new Promise<void>((r) => setImmediate(r));
    since = performance.now();
  };
  const write = async (v: unknown, depth: number): Promise<void> => {
    if (depth >= 3 || v === null || typeof v !== 'object') {
      w.value(v);
      return;
    }
    if (v instanceof Map && v.size > 64) {
      if (w.ref(v)) return;
      w.byte(T_MAP);
      w.uvar(v.size);
      for (const [k, x] of v) {
        w.value(k);
        await write(x, depth + 1);
        await turn();
      }
      return;
    }
    if (v instanceof Set && v.size > 64) {
      if (w.ref(v)) return;
      w.byte(T_SET);
      w.uvar(v.size);
      for (const x of v) {
        await write(x, depth + 1);
        await turn();
      }
      return;
    }
    if (Array.isArray(v) && v.length > 64) {
      if (w.ref(v)) return;
      w.byte(T_ARRAY);
      w.uvar(v.length);
      for (let i = 0; i < v.length; i++) {
        await write(v[i], depth + 1);
        await turn();
      }
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && (proto === Object.prototype || proto === null)) {
      if (w.ref(v)) return;
      const keys = Object.keys(v);
      w.byte(T_OBJECT);
      w.uvar(keys.length);
      for (const k of keys) {
        w.key(k);
        await write((v as Record<string, unknown>)[k], depth + 1);
      }
      return;
    }
    w.value(v);
  };
  await write(value, 0);
  return w.result();
}

class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly refs: unknown[] = [];
  readonly keys: string[] = [];

  constructor(buf: Buffer, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  check(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('Corrupt operator state: unexpected end of data');
  }

  uvar(): number {
    const buf = this.buf;
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= buf.length) throw new Error('Corrupt operator state: unexpected end of data');
      const b = buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  }

  string(): string {
    const len = this.uvar();
    this.check(len);
    const buf = this.buf;
    const start = this.pos;
    this.pos += len;
    if (len < 16) {
      let s = '';
      for (let i = start; i < start + len; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return buf.toString('utf8', start, start + len);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return buf.toString('utf8', start, start + len);
  }

  value(): unknown {
    if (this.pos >= this.buf.length) throw new Error('Corrupt operator state: unexpected end of data');
    const tag = this.buf[this.pos++]!;
    switch (tag) {
      case T_NULL:
        return null;
      case T_UNDEFINED:
        return undefined;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT: {
        const z = this.uvar();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case T_FLOAT: {
        this.check(8);
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_BIGINT64: {
        this.check(8);
        const v = this.buf.readBigInt64LE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_BIGINT:
        return BigInt(this.string());
      case T_STRING:
        return this.string();
      case T_BYTES: {
        const len = this.uvar();
        this.check(len);
        const b = new Uint8Array(len);
        b.set(this.buf.subarray(this.pos, this.pos + len));
        this.pos += len;
        this.refs.push(b);
        return b;
      }
      case T_ARRAY: {
        const n = this.uvar();
        const a = new Array(n);
        this.refs.push(a);
        for (let i = 0; i < n; i++) a[i] = this.value();
        return a;
      }
      case T_MAP: {
        const n = this.uvar();
        const m = new Map<unknown, unknown>();
        this.refs.push(m);
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case T_SET: {
        const n = this.uvar();
        const s = new Set<unknown>();
        this.refs.push(s);
        for (let i = 0; i < n; i++) s.add(this.value());
        return s;
      }
      case T_OBJECT: {
        const n = this.uvar();
        const o: Record<string, unknown> = {};
        this.refs.push(o);
        for (let i = 0; i < n; i++) {
          const kt = this.buf[this.pos++];
          let k: string;
          if (kt === T_KEY) {
            k = this.string();
            this.keys.push(k);
          } else if (kt === T_KEY_REF) {
            const id = this.uvar();
            if (id >= this.keys.length) throw new Error('Corrupt operator state: unknown object key');
            k = this.keys[id]!;
          } else throw new Error('Corrupt operator state: bad object key');
          // defineProperty: a key named __proto__ stays an own property
          if (k === '__proto__') Object.defineProperty(o, k, { value: this.value(), enumerable: true, writable: true });
          else o[k] = this.value();
        }
        return o;
      }
      case T_DECIMAL: {
        const unscaled = this.value();
        if (typeof unscaled !== 'bigint') throw new Error('Corrupt operator state: bad DECIMAL');
        return new Decimal(unscaled, this.uvar());
      }
      case T_LOSSLESS:
        return new LosslessNumber(this.string());
      case T_REF: {
        const id = this.uvar();
        if (id >= this.refs.length) throw new Error('Corrupt operator state: unknown reference');
        return this.refs[id];
      }
      default:
        throw new Error(`Corrupt operator state: unknown tag ${tag} at byte ${this.pos - 1}`);
    }
  }
}

/** Decodes what `encodeState` wrote. */
export function decodeState(buf: Buffer | Uint8Array): unknown {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length === 0) throw new Error('Corrupt operator state: empty');
  if (b[0] !== STATE_FORMAT_VERSION)
    throw new Error(`Unsupported operator state format version ${b[0]} (expected ${STATE_FORMAT_VERSION})`);
  const r = new Reader(b, 1);
  const v = r.value();
  if (r.pos !== b.length) throw new Error('Corrupt operator state: trailing bytes');
  return v;
}
