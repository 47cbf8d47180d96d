/**
 * Collections: value constructors ARRAY[...], MAP[k, v, ...], ROW(...); ITEM (array[i] 1-based, NULL when out
 * of range; map[key], NULL when absent); CARDINALITY, ELEMENT, ARRAY_CONTAINS, ARRAY_DISTINCT,
 * ARRAY_POSITION, ARRAY_REMOVE, ARRAY_REVERSE, ARRAY_CONCAT, ARRAY_APPEND, ARRAY_PREPEND, ARRAY_JOIN,
 * ARRAY_MAX/MIN, MAP_KEYS, MAP_VALUES, MAP_ENTRIES, MAP_FROM_ARRAYS. Elements compare by SQL equality
 * (`valueKey`), so DECIMAL 1.0 and 1.00 are one element.
 */
import {
  compareValues,
  isString,
  leastRestrictive,
  SqlRuntimeError,
  type SqlType,
  T,
  type TypeOf,
  valueKey,
  valuesEqual,
  withNullable,
} from '../types/index.ts';
import { valueConverter } from './conditional.ts';
import {
  anyNullable,
  checkArgs,
  type EvalContext,
  registerScalar,
  type ScalarFunction,
  signatureError,
  simpleFunction,
} from './registry.ts';

/** Looks a key up in a MAP value (fast path for primitive keys). */
export function mapGet(m: Map<unknown, unknown>, key: unknown): unknown {
  const hit = m.get(key);
  if (hit !== undefined) return hit;
  if (typeof key === 'object' || typeof key === 'bigint' || typeof key === 'number') {
    for (const [k, v] of m) if (k !== null && valuesEqual(k, key)) return v;
  }
  return null;
}

const elementOf = (t: SqlType): SqlType => (t.kind === 'ARRAY' || t.kind === 'MULTISET' ? t.element : T.null());

function common(name: string, types: SqlType[]): SqlType {
  const t = leastRestrictive(types);
  if (!t) throw signatureError(name, types, `${name}(<EQUIVALENT_TYPE>, ...)`);
  return t;
}

registerScalar({
  name: 'ARRAY',
  handlesNulls: true,
  infer(args) {
    if (args.length === 0) throw signatureError('ARRAY', args, 'ARRAY[<ANY>, ...]');
    return T.array(common('ARRAY', args), false);
  },
  eval: (x) => x.slice(),
  bind(args, result) {
    const conv = args.map((a) => valueConverter(a, (result as TypeOf<'ARRAY'>).element));
    return (x, ctx) => x.map((v, i) => (v === null ? null : conv[i]!(v, ctx)));
  },
});

registerScalar({
  name: 'MAP',
  handlesNulls: true,
  infer(args) {
    if (args.length === 0 || args.length % 2) throw signatureError('MAP', args, 'MAP[<ANY>, <ANY>, ...]');
    const keys = args.filter((_, i) => i % 2 === 0);
    const vals = args.filter((_, i) => i % 2 === 1);
    return T.map(common('MAP', keys), common('MAP', vals), false);
  },
  eval(x) {
    const m = new Map<unknown, unknown>();
    for (let i = 0; i < x.length; i += 2) m.set(x[i], x[i + 1]);
    return m;
  },
  bind(args, result) {
    const mt = result as TypeOf<'MAP'>;
    const conv = args.map((a, i) => valueConverter(a, i % 2 ? mt.value : mt.key));
    return (x, ctx) => {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < x.length; i += 2) {
        const k = x[i] === null ? null : conv[i]!(x[i], ctx);
        // a later duplicate key wins, as Flink's MAP constructor
        for (const old of m.keys()) if (old !== k && old !== null && k !== null && valuesEqual(old, k)) m.delete(old);
        m.set(k, x[i + 1] === null ? null : conv[i + 1]!(x[i + 1], ctx));
      }
      return m;
    };
  },
});

registerScalar({
  name: 'ROW',
  handlesNulls: true,
  infer(args) {
    return T.row(
      args.map((type, i) => ({ name: `EXPR$${i}`, type })),
      false,
    );
  },
  eval: (x) => x.slice(),
});

registerScalar(
  {
    name: 'ITEM',
    infer(args) {
      const forms = '<ARRAY>[<INTEGER>], <MAP>[<ANY>]';
      if (args.length !== 2) throw signatureError('ITEM', args, forms);
      const [c, k] = args as [SqlType, SqlType];
      if (c.kind === 'ARRAY' && ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'NULL'].includes(k.kind))
        return withNullable(c.element, true);
      if (c.kind === 'MAP' && (k.kind === 'NULL' || leastRestrictive([c.key, k]))) return withNullable(c.value, true);
      throw signatureError('ITEM', args, forms);
    },
    eval(x) {
      const c = x[0];
      if (Array.isArray(c)) {
        const i = Number(x[1]);
        return i >= 1 && i <= c.length ? (c[i - 1] ?? null) : null;
      }
      return mapGet(c as Map<unknown, unknown>, x[1]);
    },
  },
  '[]',
);

registerScalar(
  simpleFunction({
    name: 'CARDINALITY',
    forms: 'CARDINALITY(<ARRAY>), CARDINALITY(<MAP>), CARDINALITY(<MULTISET>)',
    alternatives: [{ families: ['ARRAY'] }, { families: ['MAP'] }, { families: ['ANY'] }],
    result: () => T.int(),
    eval: (x) => (x[0] instanceof Map ? x[0].size : (x[0] as unknown[]).length),
  }),
);

registerScalar({
  name: 'ELEMENT',
  infer(args) {
    if (args.length !== 1 || (args[0]!.kind !== 'ARRAY' && args[0]!.kind !== 'MULTISET'))
      throw signatureError('ELEMENT', args, 'ELEMENT(<ARRAY>)');
    return withNullable(elementOf(args[0]!), true);
  },
  // Flink: NULL for an empty array, the element for one, an error for more
  eval(x) {
    const a = x[0] as unknown[];
    if (a.length === 0) return null;
    if (a.length > 1) throw new SqlRuntimeError('ELEMENT: the array has more than one element');
    return a[0];
  },
});

function arrayFn(
  name: string,
  forms: string,
  result: (args: SqlType[]) => SqlType,
  f: (x: unknown[], ctx: EvalContext) => unknown,
  opts: {
    handlesNulls?: boolean;
    second?: 'ELEMENT' | 'ARRAY' | 'STRING' | 'INTEGER';
    min?: number;
    max?: number;
  } = {},
): ScalarFunction {
  return {
    name,
    handlesNulls: opts.handlesNulls,
    infer(args) {
      const min = opts.min ?? 1;
      const max = opts.max ?? min;
      if (args.length < min || args.length > max || (args[0]!.kind !== 'ARRAY' && args[0]!.kind !== 'NULL'))
        throw signatureError(name, args, forms);
      if (args.length > 1) {
        const el = elementOf(args[0]!);
        const b = args[1]!;
        const ok =
          opts.second === 'ELEMENT'
            ? b.kind === 'NULL' || el.kind === 'NULL' || leastRestrictive([el, b]) !== undefined
            : opts.second === 'ARRAY'
              ? b.kind === 'ARRAY' || b.kind === 'NULL'
              : opts.second === 'STRING'
                ? isString(b) || b.kind === 'NULL'
                : ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'NULL'].includes(b.kind);
        if (!ok) throw signatureError(name, args, forms);
      }
      return result(args);
    },
    eval: f,
  };
}

const nullableBool = (args: SqlType[]): SqlType => T.boolean(args[0]!.nullable);
registerScalar(
  arrayFn(
    'ARRAY_CONTAINS',
    'ARRAY_CONTAINS(<ARRAY>, <ELEMENT>)',
    nullableBool,
    (x) => {
      const a = x[0] as unknown[] | null;
      if (a === null) return null;
      const v = x[1];
      for (const e of a) if (e === null ? v === null : v !== null && valuesEqual(e, v)) return true;
      return false;
    },
    { handlesNulls: true, second: 'ELEMENT', min: 2 },
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_POSITION',
    'ARRAY_POSITION(<ARRAY>, <ELEMENT>)',
    (a) => T.int(a[0]!.nullable),
    (x) => {
      const a = x[0] as unknown[] | null;
      if (a === null) return null;
      const v = x[1];
      for (let i = 0; i < a.length; i++)
        if (a[i] === null ? v === null : v !== null && valuesEqual(a[i], v)) return i + 1;
      return 0;
    },
    { handlesNulls: true, second: 'ELEMENT', min: 2 },
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_REMOVE',
    'ARRAY_REMOVE(<ARRAY>, <ELEMENT>)',
    (a) => a[0]!,
    (x) => {
      const a = x[0] as unknown[] | null;
      if (a === null) return null;
      const v = x[1];
      return a.filter((e) => !(e === null ? v === null : v !== null && valuesEqual(e, v)));
    },
    { handlesNulls: true, second: 'ELEMENT', min: 2 },
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_DISTINCT',
    'ARRAY_DISTINCT(<ARRAY>)',
    (a) => a[0]!,
    (x) => {
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const e of x[0] as unknown[]) {
        const k = valueKey(e);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(e);
        }
      }
      return out;
    },
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_REVERSE',
    'ARRAY_REVERSE(<ARRAY>)',
    (a) => a[0]!,
    (x) => (x[0] as unknown[]).slice().reverse(),
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_APPEND',
    'ARRAY_APPEND(<ARRAY>, <ELEMENT>)',
    (a) => a[0]!,
    (x) => (x[0] === null ? null : [...(x[0] as unknown[]), x[1]]),
    {
      handlesNulls: true,
      second: 'ELEMENT',
      min: 2,
    },
  ),
);
registerScalar(
  arrayFn(
    'ARRAY_PREPEND',
    'ARRAY_PREPEND(<ARRAY>, <ELEMENT>)',
    (a) => a[0]!,
    (x) => (x[0] === null ? null : [x[1], ...(x[0] as unknown[])]),
    {
      handlesNulls: true,
      second: 'ELEMENT',
      min: 2,
    },
  ),
);
registerScalar({
  name: 'ARRAY_CONCAT',
  infer(args) {
    if (args.length === 0 || !args.every((a) => a.kind === 'ARRAY' || a.kind === 'NULL'))
      throw signatureError('ARRAY_CONCAT', args, 'ARRAY_CONCAT(<ARRAY>, ...)');
    return common('ARRAY_CONCAT', args);
  },
  eval: (x) => (x as unknown[][]).flat(),
});
registerScalar(
  arrayFn(
    'ARRAY_JOIN',
    'ARRAY_JOIN(<ARRAY<STRING>>, <STRING>[, <STRING>])',
    (a) => T.string(anyNullable(a.slice(0, 2))),
    (x) => {
      const a = x[0] as unknown[] | null;
      if (a === null || x[1] === null) return null;
      const rep = x.length > 2 ? (x[2] as string | null) : null;
      const parts: string[] = [];
      for (const e of a) {
        if (e === null) {
          if (rep !== null) parts.push(rep);
        } else parts.push(String(e));
      }
      return parts.join(x[1] as string);
    },
    { handlesNulls: true, second: 'STRING', min: 2, max: 3 },
  ),
);
for (const [name, sign] of [
  ['ARRAY_MAX', 1],
  ['ARRAY_MIN', -1],
] as const) {
  registerScalar(
    arrayFn(
      name,
      `${name}(<ARRAY>)`,
      (a) => withNullable(elementOf(a[0]!), true),
      (x) => {
        let best: unknown = null;
        for (const e of x[0] as unknown[])
          if (e !== null && (best === null || compareValues(e, best) * sign > 0)) best = e;
        return best;
      },
    ),
  );
}

const mapArg = (name: string) => (args: SqlType[]) => {
  if (args.length !== 1 || (args[0]!.kind !== 'MAP' && args[0]!.kind !== 'NULL'))
    throw signatureError(name, args, `${name}(<MAP>)`);
  return args[0]!.kind === 'MAP' ? (args[0] as TypeOf<'MAP'>) : (T.map(T.null(), T.null()) as TypeOf<'MAP'>);
};
registerScalar({
  name: 'MAP_KEYS',
  infer: (args) => {
    const m = mapArg('MAP_KEYS')(args);
    return T.array(m.key, m.nullable);
  },
  eval: (x) => [...(x[0] as Map<unknown, unknown>).keys()],
});
registerScalar({
  name: 'MAP_VALUES',
  infer: (args) => {
    const m = mapArg('MAP_VALUES')(args);
    return T.array(m.value, m.nullable);
  },
  eval: (x) => [...(x[0] as Map<unknown, unknown>).values()],
});
registerScalar({
  name: 'MAP_ENTRIES',
  infer: (args) => {
    const m = mapArg('MAP_ENTRIES')(args);
    return T.array(
      T.row(
        [
          { name: 'key', type: m.key },
          { name: 'value', type: m.value },
        ],
        false,
      ),
      m.nullable,
    );
  },
  eval: (x) => [...(x[0] as Map<unknown, unknown>)].map(([k, v]) => [k, v]),
});
registerScalar({
  name: 'MAP_FROM_ARRAYS',
  infer(args) {
    checkArgs('MAP_FROM_ARRAYS', args, 'MAP_FROM_ARRAYS(<ARRAY>, <ARRAY>)', { families: ['ARRAY', 'ARRAY'] });
    return T.map(elementOf(args[0]!), elementOf(args[1]!), anyNullable(args));
  },
  eval(x) {
    const k = x[0] as unknown[];
    const v = x[1] as unknown[];
    if (k.length !== v.length)
      throw new SqlRuntimeError('MAP_FROM_ARRAYS: the key and value arrays have different lengths');
    const m = new Map<unknown, unknown>();
    for (let i = 0; i < k.length; i++) m.set(k[i], v[i]);
    return m;
  },
});
