/**
 * The operator state codec: round trips of every kind of value it supports, shared references and cycles,
 * a large state in reasonable time, and the errors for values it cannot hold or bytes it cannot read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeState, encodeState, encodeStateAsync, STATE_FORMAT_VERSION } from '../../src/sql/runtime/state/codec.ts';
import { Decimal } from '../../src/sql/types/decimal.ts';
import { LosslessNumber } from '../../src/sql/types/json.ts';

function roundTrip<T>(v: T): T {
  return decodeState(encodeState(v)) as T;
}

test('primitives round-trip', () => {
  const values = [
    null,
    undefined,
    true,
    false,
    0,
    1,
    -1,
    63,
    64,
    127,
    128,
    -129,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    1.5,
    -2.25,
    1e300,
    5e-324,
    1_700_000_000_123,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    0n,
    -1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
    2n ** 64n,
    -(2n ** 100n) + 7n,
    '',
    'a',
    'hello world',
    'x'.repeat(63),
    'y'.repeat(64),
    'z'.repeat(100_000),
    'grüße ✓ 日本 🎉',
    'é',
    '\u0000\u0001',
  ];
  for (const v of values) assert.deepEqual(roundTrip(v), v, String(v));
  assert.ok(Number.isNaN(roundTrip(Number.NaN)));
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.ok(Object.is(roundTrip(0), 0));
});

test('bytes decode as Uint8Array', () => {
  const u = new Uint8Array([0, 1, 2, 255]);
  const back = roundTrip(u);
  assert.ok(back instanceof Uint8Array);
  assert.deepEqual([...back], [0, 1, 2, 255]);
  const b = roundTrip(Buffer.from('abc'));
  assert.ok(b instanceof Uint8Array);
  assert.deepEqual([...b], [97, 98, 99]);
  assert.equal(roundTrip(new Uint8Array(0)).length, 0);
  // a view into a larger buffer encodes only its bytes
  const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
  assert.deepEqual([...roundTrip(view)], [8, 7]);
});

test('containers, decimals and lossless numbers round-trip', () => {
  const v = {
    arr: [1, 'two', null, [3, [4]], undefined],
    map: new Map<unknown, unknown>([
      ['k', 1],
      [2, { x: 1 }],
      [null, [true]],
    ]),
    set: new Set<unknown>(['a', 1, 2n]),
    obj: { nested: { deep: { deeper: 'yes' } }, empty: {} },
    dec: new Decimal(-12345n, 2),
    bigDec: new Decimal(10n ** 30n + 1n, 5),
    lossless: new LosslessNumber('12345678901234567890'),
  };
  const back = roundTrip(v);
  assert.deepEqual(back, v);
  assert.ok(back.dec instanceof Decimal);
  assert.equal(back.dec.unscaled, -12345n);
  assert.equal(back.dec.scale, 2);
  assert.ok(back.lossless instanceof LosslessNumber);
  assert.equal(back.lossless.text, '12345678901234567890');
  assert.ok(back.map instanceof Map);
  assert.ok(back.set instanceof Set);
});

test('array holes decode as undefined; Map insertion order is kept', () => {
  // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
  const holes = [1, , 3];
  const back = roundTrip(holes);
  assert.equal(back.length, 3);
  assert.equal(back[1], undefined);
  const m = new Map<string, number>();
  for (let i = 0; i < 100; i++) m.set(`k${(i * 37) % 100}`, i);
  m.delete('k0');
  m.set('k0', -1);
  assert.deepEqual([...roundTrip(m).keys()], [...m.keys()]);
});

test('null-prototype objects and odd keys', () => {
  const o = Object.create(null) as Record<string, unknown>;
  o.a = 1;
  Object.defineProperty(o, '__proto__', { value: 2, enumerable: true, writable: true });
  const back = roundTrip(o);
  assert.equal(back.a, 1);
  assert.ok(Object.hasOwn(back, '__proto__'));
  assert.equal(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, 2);
  // object keys are written once and referenced afterwards
  const many = Array.from({ length: 1000 }, (_, i) => ({ sum: i, n: i + 1 }));
  const back2 = roundTrip(many);
  assert.deepEqual(back2, many);
  assert.ok(encodeState(many).length < 1000 * 16);
});

test('shared references and cycles keep their identity', () => {
  const p1 = { gk: 'a', rows: [[1]] };
  const p2 = { gk: 'b', rows: [[2]] };
  const row = [1, 'x'];
  const state = {
    partitions: new Map([
      ['a', p1],
      ['b', p2],
    ]),
    waiting: new Set([p2, p1]),
    heap: [{ at: 5, p: p1 }],
    rows: [row, row],
    bytes: [new Uint8Array([1]), new Uint8Array([1])],
  };
  const back = roundTrip(state);
  assert.equal(back.partitions.get('a'), back.heap[0]!.p);
  const ws = [...back.waiting];
  assert.equal(ws[0], back.partitions.get('b'));
  assert.equal(ws[1], back.partitions.get('a'));
  assert.equal(back.rows[0], back.rows[1]);
  assert.notEqual(back.bytes[0], back.bytes[1]);
  assert.deepEqual(back, state);

  const a: Record<string, unknown> = { name: 'a' };
  const b: Record<string, unknown> = { name: 'b', a };
  a.b = b;
  a.self = a;
  const list: unknown[] = [a];
  list.push(list);
  const m = new Map<string, unknown>();
  m.set('me', m);
  const s = new Set<unknown>();
  s.add(s);
  const back2 = roundTrip({ a, list, m, s });
  assert.equal(back2.a.self, back2.a);
  assert.equal((back2.a.b as Record<string, unknown>).a, back2.a);
  assert.equal(back2.list[1], back2.list);
  assert.equal(back2.list[0], back2.a);
  assert.equal(back2.m.get('me'), back2.m);
  assert.ok(back2.s.has(back2.s));
});

test('a big state (200k rows) encodes and decodes quickly', () => {
  const groups = new Map<string, { key: unknown[]; accs: unknown[]; count: number; last: unknown[] | null }>();
  for (let i = 0; i < 200_000; i++) {
    const key = [`user-${i}`, i % 7];
    groups.set(`user-${i}\u0001${i % 7}\u0001`, {
      key,
      accs: [{ n: i }, { sum: BigInt(i) * 1000n, n: i }, { counts: new Map([[i % 13, 1]]), best: i % 13 }],
      count: i % 5,
      last: [...key, i, i * 1.5, 1_700_000_000_000 + i],
    });
  }
  const t0 = performance.now();
  const bytes = encodeState({ groups, wm: Number.NEGATIVE_INFINITY });
  const t1 = performance.now();
  const back = decodeState(bytes) as { groups: typeof groups; wm: number };
  const t2 = performance.now();
  assert.equal(back.groups.size, 200_000);
  assert.deepEqual(back.groups.get('user-12345\u00014\u0001'), groups.get('user-12345\u00014\u0001'));
  assert.equal(back.wm, Number.NEGATIVE_INFINITY);
  assert.ok(t1 - t0 < 5000, `encode took ${t1 - t0} ms`);
  assert.ok(t2 - t1 < 5000, `decode took ${t2 - t1} ms`);
});

test('values it cannot hold throw naming the constructor', () => {
  class Custom {
    x = 1;
  }
  assert.throws(() => encodeState({ a: new Custom() }), /Cannot encode a Custom in operator state/);
  assert.throws(() => encodeState([new Date(0)]), /Cannot encode a Date/);
  assert.throws(() => encodeState(new Map([['f', () => 1]])), /Cannot encode a function/);
  assert.throws(() => encodeState(Symbol('s')), /Cannot encode a symbol/);
  assert.throws(() => encodeState(new Int32Array(2)), /Cannot encode a Int32Array/);
});

test('decoding rejects other versions and damaged bytes', () => {
  const good = encodeState({ a: [1, 2, 3] });
  assert.equal(good[0], STATE_FORMAT_VERSION);
  const other = Buffer.from(good);
  other[0] = 99;
  assert.throws(() => decodeState(other), /Unsupported operator state format version 99/);
  assert.throws(() => decodeState(good.subarray(0, good.length - 1)), /Corrupt operator state/);
  assert.throws(() => decodeState(Buffer.concat([good, Buffer.from([0])])), /trailing bytes/);
  assert.throws(() => decodeState(Buffer.alloc(0)), /empty/);
  assert.throws(() => decodeState(Buffer.from([STATE_FORMAT_VERSION, 250])), /unknown tag 250/);
  // a plain Uint8Array is accepted as input
  assert.deepEqual(decodeState(new Uint8Array(good)), { a: [1, 2, 3] });
});

test('the sliced encoder writes the same bytes and lets the event loop run meanwhile', async () => {
  const shared = { n: 1 };
  const groups = new Map<string, unknown>();
  for (let i = 0; i < 60_000; i++)
    groups.set(`k${i}`, { key: [`k${i}`], accs: [{ n: i }, new Map([[`d${i % 7}`, 1]])], count: i, last: shared });
  const state = {
    groups,
    ttl: new Map([...groups.keys()].slice(0, 100).map((k, i) => [k, i])),
    rows: Array.from({ length: 500 }, (_, i) => [i, new Decimal(BigInt(i), 2), null, 'x']),
    set: new Set(Array.from({ length: 300 }, (_, i) => i)),
    again: groups,
  };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const sliced = await encodeStateAsync(state, 2);
  clearInterval(timer);
  assert.ok(sliced.equals(encodeState(state)), 'same bytes as encodeState');
  assert.ok(ticks > 0, 'timers ran while it encoded');
  const back = decodeState(sliced) as typeof state;
  assert.equal(back.again, back.groups);
  assert.equal(back.groups.size, 60_000);
});
