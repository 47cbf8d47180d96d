/**
 * Formats turn record bytes into rows of given fields and back (Flink's `format` / `key.format` /
 * `value.format`). Each format has its own options under its identifier: `json.ignore-parse-errors`,
 * `csv.field-delimiter`, ... (prefixed with `key.` / `value.` for key and value formats).
 */
import type { Field, Row } from '../runtime/changelog.ts';

/** Bytes ↔ row for a fixed list of fields. */
export interface Format {
  /** A row of the fields, or null to skip the record (a parse error ignored by option). */
  deserialize(bytes: Buffer): Row | null;
  serialize(row: Row): Buffer;
  /**
   * Formats that need I/O per record (the registry-backed ones: schema lookups, data-contract rules) implement
   * these instead; connectors call them when present, with the record's topic, and keep record order.
   */
  deserializeAsync?(bytes: Buffer, topic: string): Promise<Row | null>;
  serializeAsync?(row: Row, topic: string): Promise<Buffer>;
}

/** Where a format is used: key or value of a connector's records, and the table's topics (when it has any). */
export interface FormatContext {
  isKey: boolean;
  topics?: readonly string[];
}

/** A format by identifier. */
export interface FormatFactory {
  identifier: string;
  /** Option names without the format prefix (`ignore-parse-errors` for `json.ignore-parse-errors`). */
  options: readonly string[];
  /** Option families (`properties.` for `avro-confluent.properties.*`), without the format prefix. */
  optionPrefixes?: readonly string[];
  /** `options` holds this format's options with the prefix removed. */
  create(fields: Field[], options: Record<string, string>, ctx?: FormatContext): Format;
}

const formats = new Map<string, FormatFactory>();

export function registerFormat(f: FormatFactory): void {
  formats.set(f.identifier, f);
}

export function getFormat(id: string): FormatFactory | undefined {
  return formats.get(id);
}

export function formatIds(): string[] {
  return [...formats.keys()].sort();
}

/** The options of format `id` found under `prefix` (`json.` or `value.json.`), prefix removed. */
export function formatOptionsOf(options: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Full option keys a format accepts under `prefix` (with `options`: also the keys of its option families found there). */
export function formatOptionKeys(id: string | undefined, prefix: string, options?: Record<string, string>): string[] {
  const f = id === undefined ? undefined : formats.get(id);
  if (!f) return [];
  const keys = f.options.map((o) => `${prefix}${id}.${o}`);
  if (options && f.optionPrefixes)
    for (const k of Object.keys(options))
      if (f.optionPrefixes.some((p) => k.startsWith(`${prefix}${id}.${p}`))) keys.push(k);
  return keys;
}
