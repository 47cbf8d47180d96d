/**
 * The project's compact protocol spec: Apache Kafka's message definitions
 * reduced to their structure (names, types, version ranges, nullable,
 * flexible and tagged versions, defaults, common structs), with no prose.
 *
 * `extractSpec` builds it from the upstream JSON files; the generator reads the
 * committed result from src/protocol/spec/messages.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One field of a message or struct. */
export interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string;
  /** Field-level override of the message's flexible versions (RequestHeader.ClientId). */
  flexibleVersions?: string;
  ignorable?: boolean;
  fields?: SpecField[];
}

/** A named struct declared once and used by type name. */
export interface SpecStruct {
  name: string;
  versions: string;
  fields: SpecField[];
}

/** One message definition (request, response, header or data). */
export interface SpecMessage {
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  listeners?: string[];
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  fields: SpecField[];
  commonStructs?: SpecStruct[];
}

/** Parses Kafka's JSON-with-line-comments. */
export function parseKafkaJson(text: string): unknown {
  const body = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n');
  return JSON.parse(body);
}

interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  default?: string | number | boolean;
  flexibleVersions?: string;
  ignorable?: boolean;
  fields?: RawField[];
}

function field(f: RawField): SpecField {
  const out: SpecField = { name: f.name, type: f.type, versions: f.versions };
  if (f.nullableVersions !== undefined) out.nullableVersions = f.nullableVersions;
  if (f.taggedVersions !== undefined) out.taggedVersions = f.taggedVersions;
  if (f.tag !== undefined) out.tag = Number(f.tag);
  if (f.default !== undefined) out.default = String(f.default);
  if (f.flexibleVersions !== undefined) out.flexibleVersions = f.flexibleVersions;
  if (f.ignorable) out.ignorable = true;
  if (f.fields) out.fields = f.fields.map(field);
  return out;
}

/** Reads every `*.json` definition in `dir` and returns the compact spec, sorted. */
export function extractSpec(dir: string): SpecMessage[] {
  const out: SpecMessage[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    // biome-ignore lint/suspicious/noExplicitAny: raw upstream JSON
    const raw = parseKafkaJson(readFileSync(join(dir, file), 'utf8')) as any;
    const m: SpecMessage = {
      name: raw.name,
      type: raw.type,
      validVersions: raw.validVersions,
      flexibleVersions: raw.flexibleVersions,
      fields: (raw.fields as RawField[]).map(field),
    };
    if (raw.apiKey !== undefined) m.apiKey = raw.apiKey;
    if (raw.listeners) m.listeners = raw.listeners;
    if (raw.deprecatedVersions) m.deprecatedVersions = raw.deprecatedVersions;
    if (raw.latestVersionUnstable) m.latestVersionUnstable = true;
    if (raw.commonStructs) {
      m.commonStructs = (raw.commonStructs as Array<{ name: string; versions: string; fields: RawField[] }>).map(
        (s) => ({ name: s.name, versions: s.versions, fields: s.fields.map(field) }),
      );
    }
    out.push(m);
  }
  const order = { header: 0, request: 1, response: 2, data: 3 };
  out.sort(
    (a, b) => (a.apiKey ?? 1000) - (b.apiKey ?? 1000) || order[a.type] - order[b.type] || (a.name < b.name ? -1 : 1),
  );
  return out;
}

/** Serialises the spec with one message per block and one field per line, so diffs stay readable. */
export function formatSpec(spec: SpecMessage[]): string {
  const fieldLines = (fields: SpecField[], indent: string): string =>
    fields
      .map((f) => {
        const { fields: sub, ...rest } = f;
        const head = JSON.stringify(rest);
        if (!sub) return `${indent}${head}`;
        return `${indent}${head.slice(0, -1)},"fields":[\n${fieldLines(sub, `${indent}  `)}\n${indent}]}`;
      })
      .join(',\n');
  const blocks = spec.map((m) => {
    const { fields, commonStructs, ...head } = m;
    let s = `{${JSON.stringify(head).slice(1, -1)},"fields":[\n${fieldLines(fields, '    ')}\n  ]`;
    if (commonStructs) {
      const cs = commonStructs.map(
        (c) =>
          `    {"name":${JSON.stringify(c.name)},"versions":${JSON.stringify(c.versions)},"fields":[\n${fieldLines(c.fields, '      ')}\n    ]}`,
      );
      s += `,"commonStructs":[\n${cs.join(',\n')}\n  ]`;
    }
    return `  ${s}}`;
  });
  return `[\n${blocks.join(',\n')}\n]\n`;
}
