/**
 * The function registry: `ScalarFunction` / `AggregateFunction` contracts, `EvalContext`, lookup by name
 * (case-insensitive), `prepareCall`/`prepareAggregate` (type inference + an evaluator specialised for the
 * argument types with NULL propagation), and helpers for Calcite-style signature errors.
 */
import { formatType, isString, type SqlType, SqlTypeError, withNullable } from '../types/index.ts';

/** What a function may read from its statement while evaluating. */
export interface EvalContext {
  /** Session time zone (`table.local-time-zone`), default 'UTC'. */
  timeZone: string;
  /** Epoch ms; fixed per statement for CURRENT_TIMESTAMP & co., wall clock for PROCTIME()/NOW() in streaming. */
  now(): number;
  /** Current watermark of the operator (epoch ms), null before the first one; for CURRENT_WATERMARK. */
  currentWatermark?: number | null;
  /** Random source for RAND() without seed; Math.random when absent. */
  random?: () => number;
}

/** Evaluates a call with already evaluated arguments. */
export type ScalarEval = (args: unknown[], ctx: EvalContext) => unknown;

/** A built-in scalar function or operator. */
export interface ScalarFunction {
  name: string;
  /**
   * Checks argument types and returns the result type, or throws SqlTypeError naming the function and its
   * forms. `literals[i]` is the value of argument i when it is a literal (undefined otherwise); a few result
   * types depend on it (ROUND(x, 2) of a DECIMAL, TO_TIMESTAMP_LTZ(x, 3)).
   */
  infer(args: SqlType[], literals?: readonly unknown[]): SqlType;
  /**
   * Evaluates with evaluated arguments. Unless `handlesNulls`, a NULL argument gives NULL (the registry wraps
   * every registered function). Without argument types it works from the runtime representation (JS numbers
   * as DOUBLE); engines should prefer `bind` / `prepareCall`.
   */
  eval(args: unknown[], ctx: EvalContext): unknown;
  /**
   * An evaluator specialised for these argument types (INT wrapping vs DOUBLE, DECIMAL result scale, implicit
   * casts). Present on functions whose result depends on the declared types, not only on the values.
   */
  bind?(args: SqlType[], result: SqlType): ScalarEval;
  /** The function sees NULL arguments itself (COALESCE, IS NULL, AND/OR, CONCAT_WS...). */
  handlesNulls?: boolean;
  /** False for RAND, UUID, NOW...: not constant-folded. Default true. */
  deterministic?: boolean;
}

/** A built-in aggregate function; accumulators are mutable objects created by `create()`. */
export interface AggregateFunction<Acc = unknown> {
  name: string;
  infer(args: SqlType[]): SqlType;
  create(): Acc;
  /** Adds one input row's arguments (NULL inputs are passed through; the function ignores them as SQL says). */
  add(acc: Acc, args: unknown[]): void;
  /** Removes one input row (retract changelog). */
  retract?(acc: Acc, args: unknown[]): void;
  merge?(a: Acc, b: Acc): void;
  result(acc: Acc): unknown;
  /** An instance specialised for these argument types (SUM of DECIMAL scale, AVG of INT integer division). */
  bind?(args: SqlType[]): AggregateFunction<Acc>;
}

const scalars = new Map<string, ScalarFunction>();
const aggregates = new Map<string, AggregateFunction<never>>();

/** Wraps an evaluator so that any NULL (or undefined) argument gives NULL without calling it. */
export function propagateNulls(f: ScalarEval): ScalarEval {
  return (args, ctx) => {
    for (let i = 0; i < args.length; i++) if (args[i] == null) return null;
    return f(args, ctx);
  };
}

/**
 * Registers a scalar function (upper-cased names; aliases share the definition). Unless it `handlesNulls`,
 * its `eval` and `bind` results are wrapped with `propagateNulls`, so callers may pass NULLs either way.
 */
export function registerScalar(fn: ScalarFunction, ...aliases: string[]): void {
  let entry = fn;
  if (!fn.handlesNulls) {
    const bind = fn.bind;
    entry = { ...fn, eval: propagateNulls(fn.eval) };
    if (bind) entry.bind = (args, result) => propagateNulls(bind.call(fn, args, result));
  }
  scalars.set(fn.name.toUpperCase(), entry);
  for (const a of aliases) scalars.set(a.toUpperCase(), entry);
}

/** Registers an aggregate function. */
export function registerAggregate<A>(fn: AggregateFunction<A>, ...aliases: string[]): void {
  aggregates.set(fn.name.toUpperCase(), fn as unknown as AggregateFunction<never>);
  for (const a of aliases) aggregates.set(a.toUpperCase(), fn as unknown as AggregateFunction<never>);
}

/** A user-defined function (functions/udf.ts) as the registry sees it. */
export interface UserFunctionEntry {
  kind: 'scalar' | 'aggregate' | 'table';
  fn: unknown;
}

// The user functions of the session that is planning (set by SqlSession before each planning; planning is
// synchronous, so one session's functions are visible while its statement is planned). Keys upper case.
let userFunctions: ReadonlyMap<string, UserFunctionEntry> | undefined;

/** Makes a session's user functions (upper-case names) visible to lookups; they shadow built-ins. */
export function setUserFunctions(fns: ReadonlyMap<string, UserFunctionEntry> | undefined): void {
  userFunctions = fns;
}

/** The user function with this name, case-insensitive, among the active session's. */
export function lookupUserFunction(name: string): UserFunctionEntry | undefined {
  return userFunctions?.get(name.toUpperCase());
}

/** A scalar function or operator by name, case-insensitive. */
export function lookupScalar(name: string): ScalarFunction | undefined {
  const u = userFunctions?.get(name.toUpperCase());
  if (u) return u.kind === 'scalar' ? (u.fn as ScalarFunction) : undefined;
  return scalars.get(name.toUpperCase());
}

/** An aggregate function by name, case-insensitive. */
export function lookupAggregate(name: string): AggregateFunction<unknown> | undefined {
  const u = userFunctions?.get(name.toUpperCase());
  if (u) return u.kind === 'aggregate' ? (u.fn as AggregateFunction<unknown>) : undefined;
  return aggregates.get(name.toUpperCase()) as AggregateFunction<unknown> | undefined;
}

/** Names of every function (not the symbolic operators), sorted, for SHOW FUNCTIONS; `extra`: user functions. */
export function listFunctions(extra: Iterable<string> = []): string[] {
  const names = new Set<string>();
  for (const k of [...scalars.keys(), ...aggregates.keys()]) if (/^[A-Z_][A-Z0-9_]*$/.test(k)) names.add(k);
  for (const k of extra) names.add(k);
  return [...names].sort();
}

/** A call ready to evaluate: its function, result type and evaluator (specialised by `bind` when available). */
export interface BoundCall {
  fn: ScalarFunction;
  type: SqlType;
  eval: ScalarEval;
}

/** Looks up, type-checks and specialises a scalar call; throws SqlTypeError for an unknown function or bad types. */
export function prepareCall(name: string, argTypes: SqlType[], literals?: readonly unknown[]): BoundCall {
  const fn = lookupScalar(name);
  if (!fn)
    throw new SqlTypeError(
      `No match found for function signature ${name}(${argTypes.map((t) => `<${argName(t)}>`).join(', ')})`,
    );
  const type = fn.infer(argTypes, literals);
  // registered functions already propagate NULLs (see registerScalar)
  return { fn, type, eval: fn.bind ? fn.bind(argTypes, type) : fn.eval };
}

/** An aggregate ready to run: specialised instance and result type. */
export interface BoundAggregate {
  fn: AggregateFunction<unknown>;
  type: SqlType;
}

/** Looks up, type-checks and specialises an aggregate call (`distinct` wraps it in distinctAggregate). */
export function prepareAggregate(
  name: string,
  argTypes: SqlType[],
  wrapDistinct?: (agg: AggregateFunction<unknown>) => AggregateFunction<unknown>,
): BoundAggregate {
  const fn = lookupAggregate(name);
  if (!fn)
    throw new SqlTypeError(
      `No match found for function signature ${name}(${argTypes.map((t) => `<${argName(t)}>`).join(', ')})`,
    );
  const type = fn.infer(argTypes);
  const bound = fn.bind ? fn.bind(argTypes) : fn;
  return { fn: wrapDistinct ? wrapDistinct(bound) : bound, type };
}

/** Flink's name of an argument type in messages (nullability left out). */
export function argName(t: SqlType): string {
  return formatType(withNullable(t, true));
}

/**
 * Calcite's message for a call that matches no signature:
 * `Cannot apply 'F' to arguments of type F(<INT>, <INT>). Supported form(s): F(<STRING>, <INT>)`.
 */
export function signatureError(name: string, args: SqlType[], forms: string | string[]): SqlTypeError {
  const shown = `${name}(${args.map((t) => `<${argName(t)}>`).join(', ')})`;
  const list = Array.isArray(forms) ? forms.join(', ') : forms;
  return new SqlTypeError(`Cannot apply '${name}' to arguments of type ${shown}. Supported form(s): ${list}`);
}

/** Argument families used by signatures. */
export type Family =
  | 'ANY'
  | 'STRING'
  | 'NUMERIC'
  | 'INTEGER'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'DATETIME'
  | 'BINARY'
  | 'ARRAY'
  | 'MAP'
  | 'INTERVAL'
  | 'COMPARABLE';

/** Whether a type belongs to a family (the NULL type fits every family). */
export function inFamily(t: SqlType, f: Family): boolean {
  if (t.kind === 'NULL' || f === 'ANY') return true;
  switch (f) {
    case 'STRING':
      return isString(t);
    case 'NUMERIC':
      return ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'].includes(t.kind);
    case 'INTEGER':
      return ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(t.kind);
    case 'BOOLEAN':
      return t.kind === 'BOOLEAN';
    case 'DATE':
      return t.kind === 'DATE';
    case 'TIME':
      return t.kind === 'TIME';
    case 'TIMESTAMP':
      return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
    case 'DATETIME':
      return t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
    case 'BINARY':
      return t.kind === 'BINARY' || t.kind === 'VARBINARY';
    case 'ARRAY':
      return t.kind === 'ARRAY';
    case 'MAP':
      return t.kind === 'MAP';
    case 'INTERVAL':
      return t.kind === 'INTERVAL_YM' || t.kind === 'INTERVAL_DT';
    case 'COMPARABLE':
      return t.kind !== 'MAP' && t.kind !== 'MULTISET';
  }
}

/**
 * Checks `args` against alternatives of families (each alternative: required families, then optional ones
 * after `min`); throws the Calcite-style error with `forms` otherwise. Returns the index of the match.
 */
export function checkArgs(
  name: string,
  args: SqlType[],
  forms: string | string[],
  ...alternatives: Array<{ families: Family[]; min?: number; variadic?: Family }>
): number {
  for (let a = 0; a < alternatives.length; a++) {
    const alt = alternatives[a]!;
    const min = alt.min ?? alt.families.length;
    if (args.length < min) continue;
    if (!alt.variadic && args.length > alt.families.length) continue;
    let ok = true;
    for (let i = 0; i < args.length && ok; i++) {
      const f = i < alt.families.length ? alt.families[i]! : alt.variadic!;
      ok = inFamily(args[i]!, f);
    }
    if (ok) return a;
  }
  throw signatureError(name, args, forms);
}

/** True when any argument type is nullable (the usual result nullability). */
export function anyNullable(args: SqlType[]): boolean {
  for (const a of args) if (a.nullable) return true;
  return false;
}

/** A scalar function whose result type does not depend on its arguments beyond nullability. */
export function simpleFunction(spec: {
  name: string;
  forms: string | string[];
  alternatives: Array<{ families: Family[]; min?: number; variadic?: Family }>;
  result: (args: SqlType[]) => SqlType;
  eval: ScalarEval;
  /** Result is nullable even when no argument is (e.g. REGEXP_EXTRACT finds nothing). */
  alwaysNullable?: boolean;
  deterministic?: boolean;
  handlesNulls?: boolean;
  bind?: (args: SqlType[], result: SqlType) => ScalarEval;
}): ScalarFunction {
  const fn: ScalarFunction = {
    name: spec.name,
    infer(args) {
      checkArgs(spec.name, args, spec.forms, ...spec.alternatives);
      const t = spec.result(args);
      return withNullable(t, spec.alwaysNullable === true || anyNullable(args));
    },
    eval: spec.eval,
  };
  if (spec.deterministic === false) fn.deterministic = false;
  if (spec.handlesNulls) fn.handlesNulls = true;
  if (spec.bind) fn.bind = spec.bind;
  return fn;
}
