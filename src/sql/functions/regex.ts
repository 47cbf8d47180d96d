/**
 * Regular expressions: REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE, [NOT] LIKE [ESCAPE], [NOT] SIMILAR TO.
 * Patterns are Java regular expressions run on JS RegExp after a light translation (cached per pattern):
 * `(?i)`/`(?s)`/`(?m)` leading flags become RegExp flags, `\A` → `^`, `\z`/`\Z` → `$`, possessive quantifiers
 * (`a*+`) lose their possessiveness, `\p{Alpha}`-style POSIX classes map to ASCII classes. Not supported:
 * atomic groups `(?>…)`, inline flags in the middle of a pattern, `\G`. REGEXP_REPLACE's replacement is literal
 * text as in Flink (no `$1` group references). An invalid pattern gives NULL (REGEXP: FALSE), as Flink does.
 */
import { SqlRuntimeError, type SqlType, T } from '../types/index.ts';
import { anyNullable, checkArgs, registerScalar, type ScalarFunction, simpleFunction } from './registry.ts';

const cache = new Map<string, RegExp | null>();

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Space: ' \\t\\n\\x0B\\f\\r',
  XDigit: '0-9a-fA-F',
  Blank: ' \\t',
  L: 'a-zA-Z\\u00C0-\\u024F',
  IsAlphabetic: 'a-zA-Z\\u00C0-\\u024F',
  IsDigit: '0-9',
};

/** Translates a Java regex to a JS RegExp source and flags. */
export function translateJavaRegex(java: string, extraFlags = ''): RegExp {
  let src = java;
  let flags = extraFlags;
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === 'A' && !inClass) out += '^';
      else if ((n === 'z' || n === 'Z') && !inClass) out += '$';
      else if ((n === 'p' || n === 'P') && src[i + 2] === '{') {
        const end = src.indexOf('}', i);
        const name = src.slice(i + 3, end);
        const cls = POSIX[name] ?? POSIX[name.replace(/^Is/, '')];
        if (cls === undefined) throw new SyntaxError(`unsupported class ${name}`);
        const neg = n === 'P';
        out += inClass ? cls : `[${neg ? '^' : ''}${cls}]`;
        i = end;
        continue;
      } else out += c + (n ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += `\\${src[++i]}`;
      continue;
    }
    if (c === '+' && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') continue; // possessive
    out += c;
  }
  return new RegExp(out, flags);
}

/** A compiled (cached) RegExp for a Java regex; null when it does not compile. */
export function compileRegex(java: string, flags = ''): RegExp | null {
  const key = flags ? `${flags}/${java}` : java;
  let re = cache.get(key);
  if (re !== undefined) return re;
  try {
    re = translateJavaRegex(java, flags);
  } catch {
    re = null;
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, re);
  return re;
}

registerScalar(
  simpleFunction({
    name: 'REGEXP',
    forms: 'REGEXP(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'] }],
    result: () => T.boolean(),
    // Flink: an empty or invalid pattern gives FALSE (find semantics: any substring may match)
    eval(x) {
      if ((x[1] as string).length === 0) return false;
      const re = compileRegex(x[1] as string);
      return re === null ? false : re.test(x[0] as string);
    },
  }),
);

const globalCache = new Map<string, RegExp | null>();
function compileGlobal(java: string): RegExp | null {
  let re = globalCache.get(java);
  if (re !== undefined) return re;
  const base = compileRegex(java);
  re = base === null ? null : new RegExp(base.source, `${base.flags}g`);
  if (globalCache.size > 10_000) globalCache.clear();
  globalCache.set(java, re);
  return re;
}

registerScalar(
  simpleFunction({
    name: 'REGEXP_EXTRACT',
    forms: 'REGEXP_EXTRACT(<STRING>, <STRING>), REGEXP_EXTRACT(<STRING>, <STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'STRING', 'INTEGER'], min: 2 }],
    result: () => T.string(),
    alwaysNullable: true,
    // Flink: group 0 (the whole match) when no index is given; NULL on no match, bad pattern or bad index.
    eval(x) {
      const re = compileRegex(x[1] as string);
      if (re === null) return null;
      const m = re.exec(x[0] as string);
      if (!m) return null;
      const idx = x.length > 2 ? Number(x[2]) : 0;
      if (idx < 0 || idx >= m.length) return null;
      return m[idx] ?? null;
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'REGEXP_REPLACE',
    forms: 'REGEXP_REPLACE(<STRING>, <STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING', 'STRING'] }],
    result: () => T.string(),
    alwaysNullable: true,
    // Flink quotes the replacement (Matcher.quoteReplacement): `$1` and `\\` are literal text, no group references
    eval(x) {
      const re = compileGlobal(x[1] as string);
      if (re === null) return null;
      const r = x[2] as string;
      re.lastIndex = 0;
      return (x[0] as string).replace(re, () => r);
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'REGEXP_COUNT',
    forms: 'REGEXP_COUNT(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'] }],
    result: () => T.int(),
    alwaysNullable: true,
    eval(x) {
      const re = compileGlobal(x[1] as string);
      if (re === null) return null;
      re.lastIndex = 0;
      return (x[0] as string).match(re)?.length ?? 0;
    },
  }),
);

// ---- LIKE / SIMILAR TO ----------------------------------------------------------------------------------

const likeCache = new Map<string, RegExp>();
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/-]/;

/** SQL LIKE pattern → anchored RegExp (`%` any run, `_` one character; `escape` makes the next one literal). */
export function likeToRegex(pattern: string, esc?: string | null): RegExp {
  const key = `${esc ?? ''}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re) return re;
  if (esc != null && esc.length !== 1) throw new SqlRuntimeError(`Invalid esc character '${esc}'`);
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc != null && c === esc) {
      const n = pattern[++i];
      if (n === undefined || (n !== '%' && n !== '_' && n !== esc))
        throw new SqlRuntimeError(`Invalid esc sequence '${pattern}', ${i}`);
      src += REGEX_SPECIAL.test(n) ? `\\${n}` : n;
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += REGEX_SPECIAL.test(c) ? `\\${c}` : c;
  }
  re = new RegExp(`${src}$`);
  if (likeCache.size > 10_000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}

const similarCache = new Map<string, RegExp>();

/** SQL SIMILAR TO pattern → anchored RegExp (`%`, `_`, `|`, `*`, `+`, `?`, `{m,n}`, groups and classes). */
export function similarToRegex(pattern: string, esc?: string | null): RegExp {
  const key = `${esc ?? ''}\u0000${pattern}`;
  let re = similarCache.get(key);
  if (re) return re;
  let src = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc != null && c === esc) {
      const n = pattern[++i];
      if (n === undefined) throw new SqlRuntimeError(`Invalid esc sequence '${pattern}', ${i}`);
      src += `\\${n}`;
    } else if (inClass) {
      if (c === ']') inClass = false;
      src += c === '\\' ? '\\\\' : c;
    } else if (c === '[') {
      inClass = true;
      src += c;
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else if ('|*+?{}()'.includes(c)) src += c;
    else src += REGEX_SPECIAL.test(c) ? `\\${c}` : c;
  }
  try {
    re = new RegExp(`^(?:${src})$`);
  } catch {
    throw new SqlRuntimeError(`Invalid regular expression '${pattern}'`);
  }
  if (similarCache.size > 10_000) similarCache.clear();
  similarCache.set(key, re);
  return re;
}

function matcher(name: string, toRegex: (p: string, e?: string | null) => RegExp, negate: boolean): ScalarFunction {
  return {
    name,
    infer(args: SqlType[]) {
      checkArgs(name, args, `<STRING> ${name} <STRING> [ESCAPE <STRING>]`, {
        families: ['STRING', 'STRING', 'STRING'],
        min: 2,
      });
      return T.boolean(anyNullable(args));
    },
    eval(x) {
      const r = toRegex(x[1] as string, x.length > 2 ? (x[2] as string) : null).test(x[0] as string);
      return negate ? !r : r;
    },
  };
}

registerScalar(matcher('LIKE', likeToRegex, false));
registerScalar(matcher('NOT LIKE', likeToRegex, true));
registerScalar(matcher('SIMILAR TO', similarToRegex, false));
registerScalar(matcher('NOT SIMILAR TO', similarToRegex, true));
