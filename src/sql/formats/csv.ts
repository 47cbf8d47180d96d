/**
 * Flink's `csv` format (RFC 4180 style): one line per record, fields in column order, `"` quoting.
 * Options: `field-delimiter` (default `,`), `quote-character` (`"`), `disable-quote-character`,
 * `null-literal` (none), `ignore-parse-errors`, `allow-comments`, `array-element-delimiter`, `escape-character`.
 */
import type { Field, Row } from '../runtime/changelog.ts';
import { castToString, castValue, SqlRuntimeError, T } from '../types/index.ts';
import { type Format, registerFormat } from './format.ts';

function splitLine(line: string, delim: string, quote: string | null): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (quote && line[i] === quote) {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === quote) {
          if (line[i + 1] === quote) {
            field += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      out.push(field);
      if (i >= line.length) return out;
      if (line.startsWith(delim, i)) {
        i += delim.length;
        continue;
      }
      return null;
    }
    const j = line.indexOf(delim, i);
    if (j < 0) {
      out.push(line.slice(i));
      return out;
    }
    out.push(line.slice(i, j));
    i = j + delim.length;
  }
}

function create(fields: Field[], options: Record<string, string>): Format {
  const delim = options['field-delimiter'] ?? ',';
  const quote = options['disable-quote-character'] === 'true' ? null : (options['quote-character'] ?? '"');
  const nullLiteral = options['null-literal'];
  const ignore = options['ignore-parse-errors'] === 'true';
  const stringType = T.string();
  return {
    deserialize(bytes: Buffer): Row | null {
      const line = bytes.toString('utf8').replace(/\r?\n$/, '');
      try {
        const parts = splitLine(line, delim, quote);
        if (!parts) throw new SqlRuntimeError(`Failed to deserialize CSV row '${line}'.`);
        return fields.map((f, i) => {
          const p = parts[i];
          if (p === undefined || (nullLiteral !== undefined && p === nullLiteral)) return null;
          if (p === '' && f.type.kind !== 'VARCHAR' && f.type.kind !== 'CHAR') return null;
          return castValue(p, stringType, f.type);
        });
      } catch (err) {
        if (ignore) return null;
        throw err;
      }
    },
    serialize(row: Row): Buffer {
      const parts = fields.map((f, i) => {
        const v = row[i];
        if (v === null || v === undefined) return nullLiteral ?? '';
        const s = castToString(v, f.type);
        if (quote && (s.includes(delim) || s.includes(quote) || s.includes('\n')))
          return `${quote}${s.replaceAll(quote, quote + quote)}${quote}`;
        return s;
      });
      return Buffer.from(parts.join(delim));
    },
  };
}

registerFormat({
  identifier: 'csv',
  options: [
    'field-delimiter',
    'quote-character',
    'disable-quote-character',
    'null-literal',
    'ignore-parse-errors',
    'allow-comments',
    'array-element-delimiter',
    'escape-character',
  ],
  create,
});
