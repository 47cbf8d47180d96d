/**
 * String functions with Flink's semantics: || CONCAT CONCAT_WS, CHAR_LENGTH, UPPER/LOWER/INITCAP, TRIM (BOTH,
 * LEADING, TRAILING with a character set) LTRIM RTRIM BTRIM, POSITION/LOCATE/INSTR (1-based, 0 when absent),
 * SUBSTRING/SUBSTR (1-based; a start ≤ 0 counts as... see `substringSql`), LEFT/RIGHT, REPLACE, OVERLAY,
 * LPAD/RPAD, REPEAT, REVERSE, SPLIT_INDEX, STR_TO_MAP, ASCII/CHR, TO_BASE64/FROM_BASE64, HEX/UNHEX/BIN, UUID,
 * PARSE_URL. Lengths and positions count code points (Flink counts characters of the UTF-8 string).
 */
import { randomUUID } from 'node:crypto';
import {
  Decimal,
  isBinary,
  isString,
  MAX_LENGTH,
  SqlRuntimeError,
  type SqlType,
  T,
  withNullable,
} from '../types/index.ts';
import { toBigint } from './arithmetic.ts';
import { compileRegex } from './regex.ts';
import {
  anyNullable,
  checkArgs,
  registerScalar,
  type ScalarFunction,
  signatureError,
  simpleFunction,
} from './registry.ts';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code point length (UTF-16 length when the string has no surrogate pairs). */
export function charLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Substring by code point indexes [start, end). */
function cpSlice(s: string, start: number, end?: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

function strLen(args: SqlType[]): number {
  let n = 0;
  for (const a of args) {
    if (a.kind !== 'CHAR' && a.kind !== 'VARCHAR') return MAX_LENGTH;
    n += a.length;
  }
  return Math.min(n, MAX_LENGTH);
}

const str = (): SqlType => T.string();
const int = (): SqlType => T.int();

// ---- concatenation ---------------------------------------------------------------------------------------

const concatForms = 'CONCAT(<STRING>, ...), <STRING> || <STRING>, <BYTES> || <BYTES>';
function concatFn(name: string): ScalarFunction {
  return {
    name,
    infer(args) {
      const a = checkArgs(
        name,
        args,
        concatForms,
        { families: ['STRING'], variadic: 'STRING' },
        { families: ['BINARY'], variadic: 'BINARY' },
      );
      const nullable = anyNullable(args);
      if (a === 1 && args.some((t) => isBinary(t))) return T.bytes(nullable);
      return T.varchar(Math.max(1, strLen(args)), nullable);
    },
    eval(x) {
      if (x[0] instanceof Uint8Array) return new Uint8Array(Buffer.concat(x as Uint8Array[]));
      if (x.length === 2) return (x[0] as string) + (x[1] as string);
      return (x as string[]).join('');
    },
  };
}
registerScalar(concatFn('||'));
registerScalar(concatFn('CONCAT'));

registerScalar(
  simpleFunction({
    name: 'CONCAT_WS',
    forms: 'CONCAT_WS(<STRING>, <STRING>, ...)',
    alternatives: [{ families: ['STRING'], variadic: 'STRING' }],
    result: str,
    handlesNulls: true,
    // Flink: NULL separator → NULL; NULL values are skipped.
    eval(x) {
      const sep = x[0];
      if (sep === null) return null;
      let out = '';
      let first = true;
      for (let i = 1; i < x.length; i++) {
        const v = x[i];
        if (v === null) continue;
        out += first ? v : (sep as string) + (v as string);
        first = false;
      }
      return out;
    },
  }),
);

// ---- case and length -------------------------------------------------------------------------------------

const oneString = (name: string, result: (a: SqlType[]) => SqlType, f: (s: string) => unknown): ScalarFunction =>
  simpleFunction({
    name,
    forms: `${name}(<STRING>)`,
    alternatives: [{ families: ['STRING'] }],
    result,
    eval: (x) => f(x[0] as string),
  });

const sameString = (args: SqlType[]): SqlType => (isString(args[0]!) ? args[0]! : T.string());

registerScalar(oneString('CHAR_LENGTH', int, charLength), 'CHARACTER_LENGTH');
registerScalar(
  oneString('UPPER', sameString, (s) => s.toUpperCase()),
  'UCASE',
);
registerScalar(
  oneString('LOWER', sameString, (s) => s.toLowerCase()),
  'LCASE',
);
registerScalar(
  oneString('REVERSE', sameString, (s) =>
    SURROGATE.test(s) ? Array.from(s).reverse().join('') : s.split('').reverse().join(''),
  ),
);
registerScalar(
  oneString('INITCAP', sameString, (s) => {
    // Flink: the first letter of each alphanumeric word upper case, the rest lower case
    let out = '';
    let start = true;
    for (const ch of s) {
      const alnum = /[\p{L}\p{N}]/u.test(ch);
      out += alnum ? (start ? ch.toUpperCase() : ch.toLowerCase()) : ch;
      start = !alnum;
    }
    return out;
  }),
);
registerScalar(oneString('ASCII', int, (s) => (s.length === 0 ? 0 : s.charCodeAt(0) & 0xff)));
registerScalar(
  simpleFunction({
    name: 'CHR',
    forms: 'CHR(<INTEGER>)',
    alternatives: [{ families: ['INTEGER'] }],
    result: () => T.char(1),
    // Flink: '' for a negative code, otherwise the character of the low 8 bits (code & 0xFF)
    eval(x) {
      const n = Number(x[0]);
      return n < 0 ? '' : String.fromCharCode(n & 0xff);
    },
  }),
);

// ---- trimming ------------------------------------------------------------------------------------------

function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let a = 0;
  let b = s.length;
  if (chars === ' ') {
    if (leading) while (a < b && s.charCodeAt(a) === 32) a++;
    if (trailing) while (b > a && s.charCodeAt(b - 1) === 32) b--;
  } else {
    if (leading) while (a < b && chars.includes(s[a]!)) a++;
    if (trailing) while (b > a && chars.includes(s[b - 1]!)) b--;
  }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Trims the characters of `chars` from the chosen ends of `s`. */
export function trim(s: string, mode: 'BOTH' | 'LEADING' | 'TRAILING' = 'BOTH', chars = ' '): string {
  return trimChars(s, chars, mode !== 'TRAILING', mode !== 'LEADING');
}

registerScalar({
  name: 'TRIM',
  // TRIM(str) | TRIM(mode, chars, str) with mode 'BOTH' | 'LEADING' | 'TRAILING' (Calcite's operand order)
  infer(args) {
    checkArgs(
      'TRIM',
      args,
      "TRIM(<STRING>), TRIM(<'BOTH'|'LEADING'|'TRAILING'>, <STRING>, <STRING>)",
      { families: ['STRING'] },
      { families: ['STRING', 'STRING', 'STRING'] },
    );
    return args.length === 1 ? withNullable(sameString(args), anyNullable(args)) : T.string(anyNullable(args));
  },
  eval(x) {
    if (x.length === 1) return trimChars(x[0] as string, ' ', true, true);
    const mode = (x[0] as string).toUpperCase();
    return trimChars(x[2] as string, x[1] as string, mode !== 'TRAILING', mode !== 'LEADING');
  },
});
for (const [name, l, r] of [
  ['LTRIM', true, false],
  ['RTRIM', false, true],
  ['BTRIM', true, true],
] as const) {
  registerScalar(
    simpleFunction({
      name,
      forms: `${name}(<STRING>), ${name}(<STRING>, <STRING>)`,
      alternatives: [{ families: ['STRING', 'STRING'], min: 1 }],
      result: str,
      eval: (x) => trimChars(x[0] as string, x.length > 1 ? (x[1] as string) : ' ', l, r),
    }),
  );
}

// ---- positions and substrings --------------------------------------------------------------------------

function cpIndexOf(hay: string, needle: string, fromCp: number): number {
  if (!SURROGATE.test(hay)) {
    const i = hay.indexOf(needle, fromCp);
    return i;
  }
  const cps = Array.from(hay);
  const ncps = Array.from(needle);
  outer: for (let i = fromCp; i + ncps.length <= cps.length; i++) {
    for (let j = 0; j < ncps.length; j++) if (cps[i + j] !== ncps[j]) continue outer;
    return i;
  }
  return -1;
}

registerScalar(
  simpleFunction({
    name: 'POSITION',
    forms: 'POSITION(<STRING> IN <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'] }],
    result: int,
    eval: (x) => cpIndexOf(x[1] as string, x[0] as string, 0) + 1,
  }),
);
registerScalar(
  simpleFunction({
    name: 'INSTR',
    forms: 'INSTR(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'] }],
    result: int,
    eval: (x) => cpIndexOf(x[0] as string, x[1] as string, 0) + 1,
  }),
);
registerScalar(
  simpleFunction({
    name: 'LOCATE',
    forms: 'LOCATE(<STRING>, <STRING>), LOCATE(<STRING>, <STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'STRING', 'INTEGER'], min: 2 }],
    result: int,
    // Flink: position of the first occurrence of arg 1 in arg 2 at or after `start` (1-based); 0 if none
    eval(x) {
      const start = x.length > 2 ? Number(x[2]) : 1;
      if (start < 1) return 0;
      return cpIndexOf(x[1] as string, x[0] as string, start - 1) + 1;
    },
  }),
);

/**
 * Flink's SUBSTRING(s, pos[, len]) (BinaryStringDataUtil.substringSQL): pos > 0 is 1-based, pos = 0 acts as 1,
 * pos < 0 counts from the end (a start before the beginning gives ''); len < 0 gives NULL.
 */
export function substringSql(s: string, pos: number, len?: number): string | null {
  if (len !== undefined && len < 0) return null;
  if (s.length === 0) return '';
  const n = charLength(s);
  let start: number;
  if (pos > 0) {
    start = pos - 1;
    if (start >= n) return '';
  } else if (pos < 0) {
    start = n + pos;
    if (start < 0) return '';
  } else start = 0;
  const end = len === undefined || n - start < len ? n : start + len;
  return cpSlice(s, start, end);
}

const substringFn: ScalarFunction = simpleFunction({
  name: 'SUBSTRING',
  forms: 'SUBSTRING(<STRING>, <INTEGER>[, <INTEGER>])',
  alternatives: [{ families: ['STRING', 'INTEGER', 'INTEGER'], min: 2 }],
  result: (a) =>
    sameString(a).kind === 'CHAR' ? T.varchar((sameString(a) as { length: number }).length) : sameString(a),
  alwaysNullable: true,
  eval: (x) => substringSql(x[0] as string, Number(x[1]), x.length > 2 ? Number(x[2]) : undefined),
});
registerScalar(substringFn);
registerScalar({
  ...substringFn,
  name: 'SUBSTR',
  infer: (a) => {
    try {
      return substringFn.infer(a);
    } catch {
      throw signatureError('SUBSTR', a, 'SUBSTR(<STRING>, <INTEGER>[, <INTEGER>])');
    }
  },
});

registerScalar(
  simpleFunction({
    name: 'LEFT',
    forms: 'LEFT(<STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'INTEGER'] }],
    result: str,
    eval: (x) => (Number(x[1]) <= 0 ? '' : cpSlice(x[0] as string, 0, Number(x[1]))),
  }),
);
registerScalar(
  simpleFunction({
    name: 'RIGHT',
    forms: 'RIGHT(<STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'INTEGER'] }],
    result: str,
    eval(x) {
      const n = Number(x[1]);
      const s = x[0] as string;
      if (n <= 0) return '';
      const len = charLength(s);
      return n >= len ? s : cpSlice(s, len - n);
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'REPLACE',
    forms: 'REPLACE(<STRING>, <STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING', 'STRING'] }],
    result: str,
    eval: (x) => ((x[1] as string) === '' ? x[0] : (x[0] as string).replaceAll(x[1] as string, x[2] as string)),
  }),
);

registerScalar(
  simpleFunction({
    name: 'OVERLAY',
    // OVERLAY(s PLACING r FROM pos [FOR len]) → OVERLAY(s, r, pos[, len])
    forms: 'OVERLAY(<STRING> PLACING <STRING> FROM <INTEGER> [FOR <INTEGER>])',
    alternatives: [{ families: ['STRING', 'STRING', 'INTEGER', 'INTEGER'], min: 3 }],
    result: str,
    // Flink: a start outside 1..length leaves the string unchanged; the tail after start+len is kept only when
    // it exists and len > 0
    eval(x) {
      const s = x[0] as string;
      const r = x[1] as string;
      const start = Number(x[2]);
      const len = x.length > 3 ? Number(x[3]) : charLength(r);
      const n = charLength(s);
      if (start <= 0 || start > n) return s;
      const tail = start + len <= n && len > 0 ? cpSlice(s, start - 1 + len) : '';
      return cpSlice(s, 0, start - 1) + r + tail;
    },
  }),
);

function pad(left: boolean): ScalarFunction {
  const name = left ? 'LPAD' : 'RPAD';
  return simpleFunction({
    name,
    forms: `${name}(<STRING>, <INTEGER>, <STRING>)`,
    alternatives: [{ families: ['STRING', 'INTEGER', 'STRING'] }],
    result: str,
    alwaysNullable: true,
    // Flink: NULL for a negative length or an empty pad (even when no padding is needed); longer input truncates.
    eval(x) {
      const s = x[0] as string;
      const n = Number(x[1]);
      const p = x[2] as string;
      if (n < 0 || p === '') return null;
      const len = charLength(s);
      if (n <= len) return cpSlice(s, 0, n);
      const fill = p.repeat(Math.ceil((n - len) / p.length)).slice(0, n - len);
      return left ? fill + s : s + fill;
    },
  });
}
registerScalar(pad(true));
registerScalar(pad(false));

registerScalar(
  simpleFunction({
    name: 'REPEAT',
    forms: 'REPEAT(<STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'INTEGER'] }],
    result: str,
    eval: (x) => (Number(x[1]) <= 0 ? '' : (x[0] as string).repeat(Number(x[1]))),
  }),
);

const splitCache = new Map<string, string[]>();
/**
 * Flink's SPLIT_INDEX(str, sep, index): splits by the whole separator (empty tokens kept), 0-based index,
 * NULL for a negative or out-of-range index.
 */
export function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0) return null;
  if (sep === '') {
    const parts = s.split(/\s+/).filter((p) => p !== '');
    return parts[index] ?? null;
  }
  const key = s.length < 256 ? `${sep}\u0000${s}` : undefined;
  let parts = key !== undefined ? splitCache.get(key) : undefined;
  if (!parts) {
    parts = s === '' ? [] : s.split(sep);
    if (key !== undefined) {
      if (splitCache.size > 4096) splitCache.clear();
      splitCache.set(key, parts);
    }
  }
  return parts[index] ?? null;
}
registerScalar(
  simpleFunction({
    name: 'SPLIT_INDEX',
    forms: 'SPLIT_INDEX(<STRING>, <STRING>, <INTEGER>), SPLIT_INDEX(<STRING>, <INTEGER>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'STRING', 'INTEGER'] }, { families: ['STRING', 'INTEGER', 'INTEGER'] }],
    result: str,
    alwaysNullable: true,
    // the separator may also be a character code 1..255 (Flink's second overload)
    eval(x) {
      const sep = x[1];
      if (typeof sep === 'string') return splitIndex(x[0] as string, sep, Number(x[2]));
      const code = Number(sep);
      return code < 1 || code > 255 ? null : splitIndex(x[0] as string, String.fromCharCode(code), Number(x[2]));
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'STR_TO_MAP',
    forms: 'STR_TO_MAP(<STRING>[, <STRING>, <STRING>])',
    alternatives: [{ families: ['STRING', 'STRING', 'STRING'], min: 1 }],
    result: () => T.map(T.string(), T.string()),
    // Flink: delimiters are regular expressions, default ',' and '='; a pair without '=' maps to NULL
    eval(x) {
      const listRe = compileRegex(x.length > 1 ? (x[1] as string) : ',');
      const kvRe = compileRegex(x.length > 2 ? (x[2] as string) : '=');
      if (!listRe || !kvRe) throw new SqlRuntimeError('STR_TO_MAP: invalid delimiter pattern');
      const m = new Map<unknown, unknown>();
      const s = x[0] as string;
      if (s === '') return m;
      for (const pair of s.split(listRe)) {
        const kv = kvRe.exec(pair);
        if (!kv) m.set(pair, null);
        else m.set(pair.slice(0, kv.index), pair.slice(kv.index + kv[0].length));
      }
      return m;
    },
  }),
);

// ---- encodings -----------------------------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

registerScalar(
  simpleFunction({
    name: 'TO_BASE64',
    forms: 'TO_BASE64(<STRING>), TO_BASE64(<BYTES>)',
    alternatives: [{ families: ['STRING'] }, { families: ['BINARY'] }],
    result: str,
    eval: (x) => Buffer.from(typeof x[0] === 'string' ? utf8.encode(x[0]) : (x[0] as Uint8Array)).toString('base64'),
  }),
);
registerScalar(
  simpleFunction({
    name: 'FROM_BASE64',
    forms: 'FROM_BASE64(<STRING>)',
    alternatives: [{ families: ['STRING'] }],
    result: str,
    eval: (x) => utf8d.decode(Buffer.from(x[0] as string, 'base64')),
  }),
);
registerScalar(
  simpleFunction({
    name: 'HEX',
    forms: 'HEX(<INTEGER>), HEX(<STRING>)',
    alternatives: [{ families: ['NUMERIC'] }, { families: ['STRING'] }, { families: ['BINARY'] }],
    result: str,
    // Flink: integers as Long.toHexString (two's complement), strings as the hex of their UTF-8 bytes; upper case
    eval(x) {
      const v = x[0];
      if (typeof v === 'string') return Buffer.from(utf8.encode(v)).toString('hex').toUpperCase();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').toUpperCase();
      const n = v instanceof Decimal || typeof v === 'number' ? toBigint(v) : (v as bigint);
      return BigInt.asUintN(64, n).toString(16).toUpperCase();
    },
  }),
);
registerScalar(
  simpleFunction({
    name: 'UNHEX',
    forms: 'UNHEX(<STRING>)',
    alternatives: [{ families: ['STRING'] }],
    result: () => T.bytes(),
    alwaysNullable: true,
    eval(x) {
      let s = x[0] as string;
      if (!/^[0-9a-fA-F]*$/.test(s)) return null;
      if (s.length % 2) s = `0${s}`;
      return new Uint8Array(Buffer.from(s, 'hex'));
    },
  }),
);
registerScalar(
  simpleFunction({
    name: 'BIN',
    forms: 'BIN(<INTEGER>)',
    alternatives: [{ families: ['INTEGER'] }],
    result: str,
    eval: (x) => BigInt.asUintN(64, toBigint(x[0])).toString(2),
  }),
);
registerScalar(
  simpleFunction({
    name: 'UUID',
    forms: 'UUID()',
    alternatives: [{ families: [] }],
    result: () => T.char(36, false),
    deterministic: false,
    eval: () => randomUUID(),
  }),
);

registerScalar(
  simpleFunction({
    name: 'PARSE_URL',
    forms: 'PARSE_URL(<STRING>, <STRING>[, <STRING>])',
    alternatives: [{ families: ['STRING', 'STRING', 'STRING'], min: 2 }],
    result: str,
    alwaysNullable: true,
    // Hive/Flink parts: HOST PATH QUERY REF PROTOCOL FILE AUTHORITY USERINFO; QUERY with a key gives its value
    eval(x) {
      let u: URL;
      try {
        u = new URL(x[0] as string);
      } catch {
        return null;
      }
      const part = x[1] as string; // case-sensitive, as Flink
      const orNull = (s: string): string | null => (s === '' ? null : s);
      switch (part) {
        case 'HOST':
          return orNull(u.hostname);
        case 'PATH':
          return u.pathname;
        case 'QUERY': {
          const q = u.search.slice(1);
          if (x.length < 3) return orNull(q);
          // Flink: the first match of (&|^)key=([^&]*)
          for (const kv of q.split('&'))
            if (kv.startsWith(`${x[2] as string}=`)) return kv.slice((x[2] as string).length + 1);
          return null;
        }
        case 'REF':
          return orNull(u.hash.slice(1));
        case 'PROTOCOL':
          return u.protocol.replace(/:$/, '');
        case 'FILE':
          return u.pathname + u.search;
        case 'AUTHORITY':
          return orNull(u.host);
        case 'USERINFO':
          return orNull(u.username + (u.password ? `:${u.password}` : ''));
        default:
          return null;
      }
    },
  }),
);
