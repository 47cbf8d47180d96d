/**
 * Flink's `json` format: one JSON object per record, fields by name, values as ../types/json.ts converts
 * them (timestamps `yyyy-MM-dd HH:mm:ss.SSS`, DECIMAL as numbers, BYTES base64). Options:
 * `fail-on-missing-field` (default false), `ignore-parse-errors` (default false: a bad record fails the job).
 */
import type { Field, Row } from '../runtime/changelog.ts';
import { fromJson, parseJsonText, SqlRuntimeError, T, toJsonText } from '../types/index.ts';
import { type Format, registerFormat } from './format.ts';

function create(fields: Field[], options: Record<string, string>): Format {
  const ignore = options['ignore-parse-errors'] === 'true';
  const failMissing = options['fail-on-missing-field'] === 'true';
  const rowType = T.row(fields.map((f) => ({ name: f.name, type: f.type })));
  const n = fields.length;
  return {
    deserialize(bytes: Buffer): Row | null {
      const text = bytes.toString('utf8');
      try {
        const obj = JSON.parse(text) as unknown;
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
          throw new SqlRuntimeError(`Failed to deserialize JSON '${text}': not an object`);
        const o = obj as Record<string, unknown>;
        const row = new Array<unknown>(n);
        let exact = false;
        for (let i = 0; i < n; i++) {
          const f = fields[i]!;
          const v = o[f.name];
          if (v === undefined && failMissing)
            throw new SqlRuntimeError(`Failed to deserialize JSON '${text}': could not find field '${f.name}'`);
          // a number a double cannot hold exactly: read the record again keeping number texts
          if (typeof v === 'number' && inexact(v, f)) exact = true;
          row[i] = v === undefined || exact ? null : fromJson(v, f.type);
        }
        if (exact) return parseJsonText(text, rowType) as Row;
        return row;
      } catch (err) {
        if (ignore) return null;
        if (err instanceof SqlRuntimeError) throw err;
        throw new SqlRuntimeError(
          `Failed to deserialize JSON '${text.length > 100 ? `${text.slice(0, 100)}…` : text}'.`,
        );
      }
    },
    serialize(row: Row): Buffer {
      const parts: string[] = [];
      for (let i = 0; i < n; i++)
        parts.push(`${JSON.stringify(fields[i]!.name)}:${toJsonText(row[i] ?? null, fields[i]!.type)}`);
      return Buffer.from(`{${parts.join(',')}}`);
    },
  };
}

// BIGINT beyond 2^53 and DECIMAL with more than 15 significant digits lose digits in a double
function inexact(v: number, f: Field): boolean {
  if (f.type.kind === 'BIGINT') return !Number.isSafeInteger(v);
  if (f.type.kind === 'DECIMAL')
    return (
      String(v)
        .replace(/^-|\.|e.*$/gi, '')
        .replace(/^0+/, '').length > 15
    );
  return false;
}

registerFormat({
  identifier: 'json',
  options: [
    'fail-on-missing-field',
    'ignore-parse-errors',
    'timestamp-format.standard',
    'map-null-key.mode',
    'map-null-key.literal',
    'encode.decimal-as-plain-number',
  ],
  create,
});
