/**
 * SQL/JSON: JSON_VALUE, JSON_QUERY, JSON_EXISTS, IS JSON [VALUE|SCALAR|ARRAY|OBJECT], JSON_STRING,
 * JSON_QUOTE/JSON_UNQUOTE, with a JSON path subset: `lax`/`strict` mode, `$`, `.key`, `."key"`, `['key']`,
 * `[n]`, `[*]`, `.*`. Numbers print as Calcite's Jackson-based implementation does: integers as written,
 * others as Java doubles (JSON_VALUE('{"a":2.50}', '$.a') = '2.5').
 * Argument conventions (the engine lowers the SQL clauses to these):
 * - JSON_VALUE(json, path[, onEmpty, emptyDefault, onError, errorDefault]) with behaviours 'NULL' | 'ERROR' |
 *   'DEFAULT' (Flink's defaults: NULL ON EMPTY, NULL ON ERROR); RETURNING <type> via `jsonValueReturning(type)`.
 * - JSON_QUERY(json, path[, wrapper, onEmpty, onError]) with wrapper 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL'
 *   and behaviours 'NULL' | 'ERROR' | 'EMPTY ARRAY' | 'EMPTY OBJECT'.
 */
import {
  castValue,
  Decimal,
  javaDoubleString,
  LosslessNumber,
  parseJsonExact,
  SqlRuntimeError,
  type SqlType,
  T,
  toJson,
} from '../types/index.ts';
import { checkArgs, registerScalar, type ScalarFunction, simpleFunction } from './registry.ts';

type Step = { key: string } | { index: number } | { wildcard: true };
interface JsonPath {
  strict: boolean;
  steps: Step[];
}

const pathCache = new Map<string, JsonPath | Error>();

/** Parses a JSON path (cached); throws SqlRuntimeError for a malformed one. */
export function parseJsonPath(text: string): JsonPath {
  let p = pathCache.get(text);
  if (!p) {
    try {
      p = parsePathText(text);
    } catch (e) {
      p = e as Error;
    }
    if (pathCache.size > 10_000) pathCache.clear();
    pathCache.set(text, p);
  }
  if (p instanceof Error) throw p;
  return p;
}

function parsePathText(text: string): JsonPath {
  let s = text.trim();
  let strict = false;
  const mode = /^(lax|strict)\s+/i.exec(s);
  if (mode) {
    strict = mode[1]!.toLowerCase() === 'strict';
    s = s.slice(mode[0].length);
  }
  if (s[0] !== '$') throw new SqlRuntimeError(`Illegal JSON path '${text}': it must start with '$'`);
  const steps: Step[] = [];
  let i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.') {
      i++;
      if (s[i] === '*') {
        steps.push({ wildcard: true });
        i++;
      } else if (s[i] === '"') {
        const end = s.indexOf('"', i + 1);
        if (end < 0) throw new SqlRuntimeError(`Illegal JSON path '${text}'`);
        steps.push({ key: s.slice(i + 1, end) });
        i = end + 1;
      } else {
        const m = /^[A-Za-z_$][\w$]*/.exec(s.slice(i));
        if (!m) throw new SqlRuntimeError(`Illegal JSON path '${text}'`);
        steps.push({ key: m[0] });
        i += m[0].length;
      }
    } else if (c === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new SqlRuntimeError(`Illegal JSON path '${text}'`);
      const inner = s.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ wildcard: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
      else throw new SqlRuntimeError(`Illegal JSON path '${text}'`);
      i = end + 1;
    } else if (c === ' ') i++;
    else throw new SqlRuntimeError(`Illegal JSON path '${text}'`);
  }
  return { strict, steps };
}

class StructuralError extends Error {}

/** Evaluates a path; returns the matched items (empty when nothing matches in lax mode). */
export function evalJsonPath(doc: unknown, path: JsonPath): unknown[] {
  let items: unknown[] = [doc];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const it of items) {
      if ('key' in step) {
        if (Array.isArray(it) && !path.strict) {
          for (const e of it) if (isObject(e) && step.key in e) next.push(e[step.key]);
          continue;
        }
        if (!isObject(it) || !(step.key in it)) {
          if (path.strict) throw new StructuralError(`No results for path: $.${step.key}`);
          continue;
        }
        next.push(it[step.key]);
      } else if ('index' in step) {
        const arr = Array.isArray(it) ? it : path.strict ? undefined : [it];
        if (!arr || step.index >= arr.length) {
          if (path.strict) throw new StructuralError(`Array index out of bounds: ${step.index}`);
          continue;
        }
        next.push(arr[step.index]);
      } else {
        if (Array.isArray(it)) next.push(...it);
        else if (isObject(it)) next.push(...Object.values(it));
        else if (path.strict) throw new StructuralError('Wildcard on a scalar');
      }
    }
    items = next;
  }
  return items;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof LosslessNumber);
}

let lastText: string | undefined;
let lastDoc: unknown;

/** Parses JSON text, remembering the last document (JSON_VALUE is often called several times per row). */
function parseDoc(text: string): unknown {
  if (text === lastText) return lastDoc;
  const doc = parseJsonExact(text);
  lastText = text;
  lastDoc = doc;
  return doc;
}

/** A JSON number as Calcite/Jackson print it: integers as written, other numbers as Java doubles (2.50 → 2.5). */
function numberText(n: LosslessNumber): string {
  return /[.eE]/.test(n.text) ? javaDoubleString(Number(n.text)) : n.text;
}

/** Compact JSON as Jackson writes it (numbers via numberText). */
function stringifyJackson(v: unknown): string {
  if (v instanceof LosslessNumber) return numberText(v);
  if (Array.isArray(v)) return `[${v.map(stringifyJackson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringifyJackson(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function scalarText(v: unknown): string | null {
  if (v === null) return null;
  if (v instanceof LosslessNumber) return numberText(v);
  if (typeof v === 'string') return v;
  return String(v);
}

type Behaviour = 'NULL' | 'ERROR' | 'DEFAULT';

function jsonValue(x: unknown[]): unknown {
  const onEmpty = ((x[2] as string | undefined) ?? 'NULL').toUpperCase() as Behaviour;
  const onError = ((x[4] as string | undefined) ?? 'NULL').toUpperCase() as Behaviour;
  const error = (msg: string): unknown => {
    if (onError === 'ERROR') throw new SqlRuntimeError(`JSON_VALUE: ${msg}`);
    return onError === 'DEFAULT' ? (x[5] ?? null) : null;
  };
  if (x[0] === null || x[1] === null) return null;
  let items: unknown[];
  try {
    const doc = parseDoc(x[0] as string);
    items = evalJsonPath(doc, parseJsonPath(x[1] as string));
  } catch (e) {
    return error((e as Error).message);
  }
  if (items.length === 0) {
    if (onEmpty === 'ERROR') throw new SqlRuntimeError(`JSON_VALUE: no value found for path '${x[1]}'`);
    return onEmpty === 'DEFAULT' ? (x[3] ?? null) : null;
  }
  if (items.length > 1) return error('the path matches more than one item');
  const v = items[0];
  if (v !== null && typeof v === 'object' && !(v instanceof LosslessNumber))
    return error('the path does not select a scalar');
  return scalarText(v);
}

const valueForms =
  'JSON_VALUE(<STRING>, <STRING> [RETURNING <type>] [{NULL | ERROR | DEFAULT <expr>} ON EMPTY] [{NULL | ERROR | DEFAULT <expr>} ON ERROR])';

/** JSON_VALUE with `RETURNING type` (the text result is CAST to it; a failing cast counts as an error). */
export function jsonValueReturning(returning: SqlType): ScalarFunction {
  return {
    name: 'JSON_VALUE',
    handlesNulls: true,
    infer(args) {
      checkArgs('JSON_VALUE', args, valueForms, {
        families: ['STRING', 'STRING', 'STRING', 'ANY', 'STRING', 'ANY'],
        min: 2,
      });
      return { ...returning, nullable: true };
    },
    eval(x, ctx) {
      const v = jsonValue(x);
      if (v === null || typeof v !== 'string' || returning.kind === 'VARCHAR') return v;
      try {
        return castValue(v, T.string(), returning, ctx);
      } catch (e) {
        if (((x[4] as string | undefined) ?? 'NULL').toUpperCase() === 'ERROR') throw e;
        return ((x[4] as string | undefined) ?? '').toUpperCase() === 'DEFAULT' ? (x[5] ?? null) : null;
      }
    },
  };
}
registerScalar(jsonValueReturning(T.string()));

registerScalar({
  name: 'JSON_QUERY',
  handlesNulls: true,
  infer(args) {
    checkArgs(
      'JSON_QUERY',
      args,
      'JSON_QUERY(<STRING>, <STRING> [{WITHOUT | WITH CONDITIONAL | WITH UNCONDITIONAL} ARRAY WRAPPER] [{NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR} ON EMPTY] [… ON ERROR])',
      { families: ['STRING', 'STRING', 'STRING', 'STRING', 'STRING'], min: 2 },
    );
    return T.string();
  },
  eval(x) {
    if (x[0] === null || x[1] === null) return null;
    const wrapper = ((x[2] as string | undefined) ?? 'WITHOUT').toUpperCase();
    const onEmpty = ((x[3] as string | undefined) ?? 'NULL').toUpperCase();
    const onError = ((x[4] as string | undefined) ?? 'NULL').toUpperCase();
    const behave = (b: string, msg: string): unknown => {
      if (b === 'ERROR') throw new SqlRuntimeError(`JSON_QUERY: ${msg}`);
      return b === 'EMPTY ARRAY' ? '[]' : b === 'EMPTY OBJECT' ? '{}' : null;
    };
    let items: unknown[];
    try {
      items = evalJsonPath(parseDoc(x[0] as string), parseJsonPath(x[1] as string));
    } catch (e) {
      return behave(onError, (e as Error).message);
    }
    if (items.length === 0) return behave(onEmpty, `no value found for path '${x[1]}'`);
    const isStruct = (v: unknown) => v !== null && typeof v === 'object' && !(v instanceof LosslessNumber);
    if (wrapper === 'UNCONDITIONAL' || (wrapper === 'CONDITIONAL' && !(items.length === 1 && isStruct(items[0]))))
      return stringifyJackson(items);
    if (items.length > 1) return behave(onError, 'the path matches more than one item');
    if (!isStruct(items[0])) return behave(onError, 'the path selects a scalar; use JSON_VALUE or an array wrapper');
    return stringifyJackson(items[0]);
  },
});

registerScalar(
  simpleFunction({
    name: 'JSON_EXISTS',
    forms: 'JSON_EXISTS(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'] }],
    result: () => T.boolean(),
    // Flink's default FALSE ON ERROR
    eval(x) {
      try {
        return evalJsonPath(parseDoc(x[0] as string), parseJsonPath(x[1] as string)).length > 0;
      } catch {
        return false;
      }
    },
  }),
);

function isJson(name: string, test: (v: unknown) => boolean, negate: boolean): ScalarFunction {
  return {
    name,
    handlesNulls: true,
    infer(args) {
      checkArgs(name, args, `<STRING> ${name}`, { families: ['STRING'] });
      return T.boolean(false);
    },
    eval(x) {
      if (x[0] === null) return false;
      let ok: boolean;
      try {
        ok = test(parseDoc(x[0] as string));
      } catch {
        ok = false;
      }
      return negate ? !ok : ok;
    },
  };
}
const structural = (v: unknown) => v !== null && typeof v === 'object' && !(v instanceof LosslessNumber);
for (const [suffix, test] of [
  ['', () => true],
  [' VALUE', () => true],
  [' SCALAR', (v: unknown) => !structural(v)],
  [' ARRAY', (v: unknown) => Array.isArray(v)],
  [' OBJECT', (v: unknown) => structural(v) && !Array.isArray(v)],
] as Array<[string, (v: unknown) => boolean]>) {
  registerScalar(isJson(`IS JSON${suffix}`, test, false));
  registerScalar(isJson(`IS NOT JSON${suffix}`, test, true));
}

registerScalar({
  name: 'JSON_STRING',
  handlesNulls: true,
  infer(args) {
    checkArgs('JSON_STRING', args, 'JSON_STRING(<ANY>)', { families: ['ANY'] });
    return T.string();
  },
  eval(x) {
    const v = x[0];
    if (v === null) return null;
    return JSON.stringify(v instanceof Decimal ? v.toNumber() : typeof v === 'bigint' ? Number(v) : v);
  },
  bind(args) {
    const t = args[0]!;
    return (x) => (x[0] === null ? null : JSON.stringify(toJson(x[0], t)));
  },
});

registerScalar(
  simpleFunction({
    name: 'JSON_QUOTE',
    forms: 'JSON_QUOTE(<STRING>)',
    alternatives: [{ families: ['STRING'] }],
    result: () => T.string(),
    eval: (x) => JSON.stringify(x[0]),
  }),
);
registerScalar(
  simpleFunction({
    name: 'JSON_UNQUOTE',
    forms: 'JSON_UNQUOTE(<STRING>)',
    alternatives: [{ families: ['STRING'] }],
    result: () => T.string(),
    // Flink: the input unchanged when it is not a valid JSON string literal
    eval(x) {
      const s = x[0] as string;
      if (!/^".*"$/s.test(s)) return s;
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    },
  }),
);
