/**
 * User-defined functions in TypeScript / JavaScript, registered with
 * `CREATE [TEMPORARY] [SYSTEM] FUNCTION [IF NOT EXISTS] name AS 'module-path' [LANGUAGE JAVASCRIPT|TYPESCRIPT]`.
 *
 * The module is loaded with a dynamic `import()` from the session's UDF folder (`table.udf.dir`, else
 * `SessionOptions.udfDir`, default `./udf`); the path is resolved inside that folder (a path leaving it, or
 * a Java class name such as `com.example.CountChar`, is refused). `.ts` modules work through tsx; `.js`/`.mjs`
 * always. A path without extension tries `.ts`, `.mts`, `.js`, `.mjs`.
 *
 * The module's default export (or the named export matching the function name, case-insensitive) is one of:
 *
 * - scalar: `{ kind: 'scalar', returns: 'INT', args?: ['STRING', 'STRING'] | 'any', eval(...args),
 *   deterministic?: boolean }`, or a plain function with a `returns` property (`fn.returns = 'INT'`).
 * - table: `{ kind: 'table', returns: 'ROW<word STRING, len INT>', args?, eval(...args): Iterable<row> }` where
 *   a row is an array (field order) or an object (by field name); a non-ROW `returns` gives one column `f0`
 *   and each item is that value (likewise a one-field ROW accepts bare values). Used as `LATERAL TABLE(fn(x))`, `CROSS JOIN LATERAL TABLE(fn(x)) AS T(a, b)`
 *   or `LEFT JOIN LATERAL TABLE(fn(x)) AS T(a, b) ON TRUE`.
 * - aggregate: `{ kind: 'aggregate', returns, args?, create(): Acc, add(acc, ...args), retract?(acc, ...args),
 *   result(acc) }`. `add`/`retract` may mutate `acc` or return a new accumulator. Without `retract` the function
 *   is refused over an updating input ("... does not implement retract"). The accumulator is operator state
 *   (checkpoints and savepoints encode it): it must be plain data — primitives, bigint, arrays, Map, Set,
 *   plain objects, Uint8Array, DECIMAL — not a class instance, Date or function.
 *
 * Arguments arrive as the engine's runtime values (src/sql/types/values.ts): BOOLEAN boolean; TINYINT..INT,
 * FLOAT, DOUBLE number; BIGINT bigint; DECIMAL Decimal; CHAR/VARCHAR string; BINARY Uint8Array; DATE days
 * since epoch; TIME ms of day; TIMESTAMP wall-clock epoch ms; TIMESTAMP_LTZ epoch ms; ARRAY array; MAP Map;
 * ROW array; NULL null. With declared `args`, arguments are first cast to those types (implicit casts only).
 * Scalar functions are not called with a NULL argument unless they set `handlesNulls: true` (then NULL → null).
 * Results are converted to `returns` (number → BIGINT, bigint → INT, Date → TIMESTAMP, string → DECIMAL...);
 * `undefined` is NULL. A UDF that throws fails the statement with
 * `UDF 'name' failed on (arg, ...): message`.
 *
 * A `.ts` module is compiled by tsx as CommonJS unless it is `.mts` or its folder's package.json says
 * `"type": "module"` (then top-level await works); either way the default export is found. User functions
 * belong to the session (not persisted by the statement service) and shadow built-ins of the same name.
 */
import { existsSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cursor } from '../parser/cursor.ts';
import { parseDataType } from '../parser/parse-types.ts';
import { toSqlType } from '../planner/data-type.ts';
import {
  canImplicitCast,
  castValue,
  Decimal,
  formatType,
  SqlRuntimeError,
  type SqlType,
  SqlTypeError,
  T,
  withNullable,
} from '../types/index.ts';
import { type AggregateFunction, argName, type ScalarFunction } from './registry.ts';

/** A table function: result row type and a generator of rows (arrays in field order). */
export interface TableFunction {
  name: string;
  /** The row type of its output (a non-ROW `returns` is wrapped as ROW<f0 ...>). */
  rowType: Extract<SqlType, { kind: 'ROW' }>;
  infer(args: SqlType[]): void;
  bind(args: SqlType[]): (args: unknown[]) => unknown[][];
}

/** A loaded user function. */
export type UserFunction =
  | { kind: 'scalar'; name: string; path: string; fn: ScalarFunction }
  | { kind: 'aggregate'; name: string; path: string; fn: AggregateFunction<unknown> }
  | { kind: 'table'; name: string; path: string; fn: TableFunction };

/** Why a module could not be used (the session turns it into a SQL validation error with position). */
export class UdfLoadError extends Error {
  override readonly name = 'UdfLoadError';
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];

/** Resolves a module path inside the UDF folder; throws UdfLoadError for escapes, Java class names, missing files. */
export function resolveUdfPath(dir: string, modulePath: string): string {
  const root = resolve(dir);
  const ext = extname(modulePath);
  if (
    /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(modulePath) &&
    !EXTENSIONS.includes(ext) &&
    !modulePath.includes('/')
  )
    throw new UdfLoadError(
      `'${modulePath}' looks like a Java class name; Tributary runs TypeScript/JavaScript UDFs: give a module path inside the UDF folder, e.g. 'count_char.ts'`,
    );
  const full = resolve(root, modulePath);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new UdfLoadError(`UDF module path '${modulePath}' is outside the UDF folder '${root}'`);
  const candidates = EXTENSIONS.includes(ext) ? [full] : [full, ...EXTENSIONS.map((e) => full + e)];
  const hit = candidates.find((c) => existsSync(c));
  if (!hit) throw new UdfLoadError(`UDF module '${modulePath}' not found in the UDF folder '${root}'`);
  return hit;
}

/** Parses a Flink type string ('INT', 'ROW<a STRING, b INT>', 'DECIMAL(10, 2)'). */
export function parseTypeString(text: string): SqlType {
  const c = new Cursor(text);
  const t = toSqlType(parseDataType(c));
  if (!c.atEnd()) throw new UdfLoadError(`Invalid type '${text}'`);
  return t;
}

/** One argument value as shown in UDF error messages. */
function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof Decimal) return v.toString();
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${showValue(k)}=${showValue(x)}`).join(', ')}}`;
  return String(v);
}

function failure(name: string, args: unknown[], err: unknown): SqlRuntimeError {
  const msg = err instanceof Error ? err.message : String(err);
  return new SqlRuntimeError(`UDF '${name}' failed on (${args.map(showValue).join(', ')}): ${msg.split('\n')[0]}`);
}

/** Converts a JS result to the runtime value of `type`. */
export function toValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      if (typeof v === 'bigint') return castValue(v, T.bigint(), type);
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new Error(`result ${v} is not a valid ${formatType(type)}`);
        return castValue(Math.trunc(v), T.bigint(), type) ?? Math.trunc(v);
      }
      break;
    case 'BIGINT':
      if (typeof v === 'bigint') return BigInt.asIntN(64, v);
      if (typeof v === 'number' && Number.isFinite(v)) return BigInt.asIntN(64, BigInt(Math.trunc(v)));
      break;
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Decimal) return castValue(v, T.decimal(38, v.scale), type);
      break;
    case 'DECIMAL': {
      let d: Decimal | undefined;
      if (v instanceof Decimal) d = v;
      else if (typeof v === 'bigint') d = Decimal.fromBigInt(v);
      else if (typeof v === 'number') d = Decimal.fromNumber(v);
      else if (typeof v === 'string') d = Decimal.parse(v);
      if (d) return castValue(d, T.decimal(38, Math.min(d.scale, 38)), type);
      break;
    }
    case 'CHAR':
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      break;
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      break;
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (typeof v === 'number') return v;
      if (v instanceof Date && type.kind !== 'DATE' && type.kind !== 'TIME') return v.getTime();
      break;
    case 'ARRAY':
    case 'MULTISET':
      if (Array.isArray(v)) return v.map((x) => toValue(x, type.element));
      break;
    case 'ROW':
      if (Array.isArray(v)) return type.fields.map((f, i) => toValue(v[i], f.type));
      if (typeof v === 'object') return type.fields.map((f) => toValue((v as Record<string, unknown>)[f.name], f.type));
      break;
    default:
      return v;
  }
  throw new Error(`returned ${showValue(v)} (${typeof v}), which is not a ${formatType(type)}`);
}

interface Spec {
  kind: 'scalar' | 'table' | 'aggregate';
  returns: SqlType;
  args: SqlType[] | 'any';
  mod: Record<string, unknown>;
}

function checkArgTypes(name: string, spec: Spec, args: SqlType[]): void {
  if (spec.args === 'any') return;
  const want = spec.args;
  if (args.length === want.length && args.every((a, i) => a.kind === 'NULL' || canImplicitCast(a, want[i]!))) return;
  const shown = `${name}(${args.map((t) => `<${argName(t)}>`).join(', ')})`;
  const form = `${name}(${want.map((t) => `<${argName(t)}>`).join(', ')})`;
  throw new SqlTypeError(`Cannot apply '${name}' to arguments of type ${shown}. Supported form(s): ${form}`);
}

/** Casts evaluated arguments to the declared argument types. */
function argCaster(spec: Spec, args: SqlType[]): (vs: unknown[]) => unknown[] {
  if (spec.args === 'any') return (vs) => vs;
  const want = spec.args;
  const casts = args.map((a, i) => (a.kind === 'NULL' || a.kind === want[i]!.kind ? null : ([a, want[i]!] as const)));
  if (casts.every((c) => c === null)) return (vs) => vs;
  return (vs) => vs.map((v, i) => (v == null || !casts[i] ? v : castValue(v, casts[i]![0], casts[i]![1])));
}

function pickExport(mod: Record<string, unknown>, name: string): unknown {
  if (mod.default !== undefined) return mod.default;
  const key = Object.keys(mod).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : mod[key];
}

function specOf(x: unknown, name: string): Spec {
  if (x === null || (typeof x !== 'object' && typeof x !== 'function'))
    throw new UdfLoadError(
      `UDF module for '${name}' has no default export (or export named '${name}') that is a function or a { kind, returns, ... } object`,
    );
  const mod = x as Record<string, unknown>;
  const kind = typeof x === 'function' ? 'scalar' : (mod.kind ?? 'scalar');
  if (kind !== 'scalar' && kind !== 'table' && kind !== 'aggregate')
    throw new UdfLoadError(`UDF '${name}': kind must be 'scalar', 'table' or 'aggregate', not '${String(kind)}'`);
  if (typeof mod.returns !== 'string')
    throw new UdfLoadError(`UDF '${name}': 'returns' must be a Flink type string such as 'INT' or 'ROW<a STRING>'`);
  let returns: SqlType;
  try {
    returns = parseTypeString(mod.returns);
  } catch (err) {
    throw new UdfLoadError(`UDF '${name}': invalid 'returns' type '${mod.returns}': ${(err as Error).message}`);
  }
  let args: SqlType[] | 'any' = 'any';
  if (mod.args !== undefined && mod.args !== 'any') {
    if (!Array.isArray(mod.args) || mod.args.some((a) => typeof a !== 'string'))
      throw new UdfLoadError(`UDF '${name}': 'args' must be 'any' or an array of type strings`);
    try {
      args = (mod.args as string[]).map(parseTypeString);
    } catch (err) {
      throw new UdfLoadError(`UDF '${name}': invalid 'args' type: ${(err as Error).message}`);
    }
  }
  const need = kind === 'aggregate' ? ['create', 'add', 'result'] : typeof x === 'function' ? [] : ['eval'];
  for (const m of need)
    if (typeof mod[m] !== 'function') throw new UdfLoadError(`UDF '${name}': a ${kind} function needs a '${m}' method`);
  if (kind === 'aggregate' && mod.retract !== undefined && typeof mod.retract !== 'function')
    throw new UdfLoadError(`UDF '${name}': 'retract' must be a method`);
  return { kind, returns, args, mod };
}

function makeScalar(name: string, spec: Spec, x: unknown): ScalarFunction {
  const mod = spec.mod;
  const fn = (typeof x === 'function' ? x : mod.eval) as (...a: unknown[]) => unknown;
  const self = typeof x === 'function' ? undefined : mod;
  const handlesNulls = mod.handlesNulls === true;
  const returns = spec.returns;
  const build = (argTypes: SqlType[]) => {
    const cast = argCaster(spec, argTypes);
    return (vs: unknown[]) => {
      if (!handlesNulls) for (const v of vs) if (v == null) return null;
      let out: unknown;
      try {
        out = toValue(fn.apply(self, cast(vs)), returns);
      } catch (err) {
        throw failure(name, vs, err);
      }
      return out;
    };
  };
  const scalar: ScalarFunction = {
    name: name.toUpperCase(),
    infer(args) {
      checkArgTypes(name, spec, args);
      return withNullable(returns, true);
    },
    eval: build([]),
    bind: (args) => {
      const f = build(args);
      return (vs) => f(vs);
    },
    handlesNulls: true,
  };
  if (mod.deterministic === false) scalar.deterministic = false;
  return scalar;
}

function makeAggregate(name: string, spec: Spec): AggregateFunction<unknown> {
  const mod = spec.mod as {
    create(): unknown;
    add(acc: unknown, ...a: unknown[]): unknown;
    retract?(acc: unknown, ...a: unknown[]): unknown;
    result(acc: unknown): unknown;
  };
  const returns = spec.returns;
  // accumulators are boxed so that add/retract may return a new accumulator
  type Box = { v: unknown };
  const make = (argTypes: SqlType[]): AggregateFunction<unknown> => {
    const cast = argCaster(spec, argTypes);
    const agg: AggregateFunction<Box> = {
      name: name.toUpperCase(),
      infer(args) {
        checkArgTypes(name, spec, args);
        return withNullable(returns, true);
      },
      create() {
        try {
          return { v: mod.create() };
        } catch (err) {
          throw failure(name, [], err);
        }
      },
      add(acc, vs) {
        try {
          const r = mod.add(acc.v, ...cast(vs));
          if (r !== undefined) acc.v = r;
        } catch (err) {
          throw failure(name, vs, err);
        }
      },
      result(acc) {
        try {
          return toValue(mod.result(acc.v), returns);
        } catch (err) {
          throw failure(name, [], err);
        }
      },
      bind: (args) => make(args) as AggregateFunction<Box>,
    };
    if (mod.retract)
      agg.retract = (acc, vs) => {
        try {
          const r = mod.retract!(acc.v, ...cast(vs));
          if (r !== undefined) acc.v = r;
        } catch (err) {
          throw failure(name, vs, err);
        }
      };
    return agg as unknown as AggregateFunction<unknown>;
  };
  const fn = make([]);
  userAggregates.add(fn.name);
  return fn;
}

function makeTable(name: string, spec: Spec): TableFunction {
  const mod = spec.mod;
  const evalFn = mod.eval as (...a: unknown[]) => Iterable<unknown>;
  const rowType: Extract<SqlType, { kind: 'ROW' }> =
    spec.returns.kind === 'ROW'
      ? spec.returns
      : (T.row([{ name: 'f0', type: spec.returns }], true) as Extract<SqlType, { kind: 'ROW' }>);
  const wrap = spec.returns.kind !== 'ROW';
  const single = rowType.fields.length === 1;
  return {
    name: name.toUpperCase(),
    rowType,
    infer(args) {
      checkArgTypes(name, spec, args);
    },
    bind(args) {
      const cast = argCaster(spec, args);
      return (vs) => {
        try {
          const it = evalFn.apply(mod, cast(vs));
          const out: unknown[][] = [];
          if (it == null) return out;
          if (typeof (it as Iterable<unknown>)[Symbol.iterator] !== 'function')
            throw new Error('eval must return an iterable of rows');
          for (const r of it) {
            // a one-column row may be given as its bare value
            const bare = wrap || (single && (r === null || typeof r !== 'object' || r instanceof Decimal));
            out.push(toValue(bare ? [r] : r, rowType) as unknown[]);
          }
          return out;
        } catch (err) {
          throw failure(name, vs, err);
        }
      };
    },
  };
}

/** Names (upper case) of aggregate functions that came from UDF modules (for the planner's retract check). */
export const userAggregates = new Set<string>();

/** Builds a user function from a loaded module object; throws UdfLoadError when its shape is wrong. */
export function userFunctionFrom(mod: Record<string, unknown>, name: string, path: string): UserFunction {
  const x = pickExport(mod, name);
  const spec = specOf(x, name);
  switch (spec.kind) {
    case 'scalar':
      return { kind: 'scalar', name, path, fn: makeScalar(name, spec, x) };
    case 'aggregate':
      return { kind: 'aggregate', name, path, fn: makeAggregate(name, spec) };
    case 'table':
      return { kind: 'table', name, path, fn: makeTable(name, spec) };
  }
}

/** Loads `modulePath` from the UDF folder `dir` as function `name`. */
export async function loadUserFunction(dir: string, modulePath: string, name: string): Promise<UserFunction> {
  const file = resolveUdfPath(dir, modulePath);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UdfLoadError(
      `UDF module '${modulePath}' could not be loaded: ${((err as Error).message ?? String(err)).split('\n')[0]}`,
    );
  }
  return userFunctionFrom(mod, name, file);
}
