/**
 * Output for people and scripts: plain ASCII tables with aligned columns
 * (headers in capitals, "-" for nothing), or JSON with `--format json`
 * (bigints as numbers when they fit, strings otherwise).
 */
import { UsageError } from './errors.ts';

/** A table cell. */
export type Cell = string | number | bigint | boolean | null | undefined;

/** The output format a command was asked for. */
export type OutputFormat = 'table' | 'json';

/** Checks a --format value. */
export function outputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if (v !== 'table' && v !== 'json') throw new UsageError(`--format must be table or json, not "${v}"`);
  return v;
}

function cell(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  return String(c);
}

/** Renders rows under headers, columns separated by two spaces, no trailing spaces. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return `${text
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Renders name/value pairs as a two-column list without headers. */
export function pairs(rows: Array<[string, Cell]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`.trimEnd()).join('\n')}\n`;
}

/** JSON.stringify replacer: bigint → number when exact, else string; Buffer → UTF-8 string. */
export function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    return Buffer.from((value as { data: number[] }).data).toString('utf8');
  }
  return value;
}

/** Serialises a value for `--format json` (indented, with a final newline). */
export function json(value: unknown): string {
  return `${JSON.stringify(value, jsonValue, 2)}\n`;
}

/** Writes to stdout. */
export function print(text: string): void {
  process.stdout.write(text);
}

/** Prints `data` as JSON or the table text `render` makes of it. */
export function emit<T>(format: OutputFormat, data: T, render: (data: T) => string): void {
  print(format === 'json' ? json(data) : render(data));
}

/** A per-item error as the JSON output shows it: Kafka's name and the message, or null. */
export function errorJson(
  err: { errorName: string; message: string } | null,
): { code: string; message: string } | null {
  return err ? { code: err.errorName, message: err.message } : null;
}
