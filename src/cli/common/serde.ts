/**
 * Registry-backed encoding for `topic produce` and `topic consume`: the
 * `--schema` / `--key-schema` flags turn JSON lines into Confluent-framed
 * records (magic byte, schema id, payload) and framed records back into JSON.
 *
 * A produce spec is one of:
 * - `latest`: the subject's latest version (TopicNameStrategy subject
 *   `<topic>-value` or `<topic>-key`);
 * - `version:N`: that version of the subject;
 * - `id:N`: the schema with that id (it must be registered under the subject);
 * - a file (`.avsc` → AVRO, `.json` → JSON Schema, `.proto` → PROTOBUF, or
 *   `--schema-type`), registered under the subject unless
 *   `--no-auto-register`.
 * Data contracts run as in any serde: domain WRITE rules on produce, READ
 * rules and migrations on consume; a failing rule fails that record.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { Deserializer, RestSchemaSource, type SchemaSource, type SchemaType, Serializer } from '../../serde/index.ts';
import { UsageError } from './errors.ts';
import { resolveRegistryUrl } from './registry.ts';

/** Flags of `topic produce` that pick schemas. */
export interface ProduceSchemaFlags {
  schema?: string;
  keySchema?: string;
  schemaType?: 'avro' | 'json' | 'protobuf';
  autoRegister: boolean;
  registryUrl?: string;
}

/** Flags of `topic consume` that decode with the registry. */
export interface ConsumeSchemaFlags {
  schema?: boolean;
  keySchema?: boolean;
  registryUrl?: string;
}

const REGISTRY_URL_HELP =
  'schema registry URL (env TRIBUTARY_REGISTRY_URL, profile "registryUrl"; default http://localhost:8081)';

/** Adds --schema, --key-schema, --schema-type, --no-auto-register and --registry-url to `topic produce`. */
export function withProduceSchemaOptions(cmd: Command): Command {
  return cmd
    .option(
      '--schema <spec>',
      'encode each line (JSON) with a registered schema: latest, version:N, id:N or a schema file',
    )
    .option('--key-schema <spec>', 'encode keys the same way (needs --key-separator)')
    .addOption(
      new Option('--schema-type <type>', 'type of a schema file (default: from its extension)').choices([
        'avro',
        'json',
        'protobuf',
      ]),
    )
    .option('--no-auto-register', 'fail instead of registering a schema file that is not registered yet')
    .option('--registry-url <url>', REGISTRY_URL_HELP);
}

/** Adds --schema, --key-schema and --registry-url to `topic consume`. */
export function withConsumeSchemaOptions(cmd: Command): Command {
  return cmd
    .option('--schema', 'decode values with the schema registry (Confluent wire format) and print them as JSON')
    .option('--key-schema', 'decode keys the same way')
    .option('--registry-url <url>', REGISTRY_URL_HELP);
}

const TYPES: Record<string, SchemaType> = { avro: 'AVRO', json: 'JSON', protobuf: 'PROTOBUF' };
const EXTENSIONS: Record<string, SchemaType> = { '.avsc': 'AVRO', '.json': 'JSON', '.proto': 'PROTOBUF' };

/** Encodes a line's key or value: JSON text in, framed bytes out. */
export type LineEncoder = (topic: string, text: string) => Promise<Buffer>;

function positive(spec: string, prefix: string, flag: string): number {
  const n = Number(spec.slice(prefix.length));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${spec}: ${prefix}N needs a positive integer`);
  return n;
}

/** A parsed produce spec. */
type Spec =
  | { kind: 'latest' }
  | { kind: 'version'; version: number }
  | { kind: 'id'; id: number }
  | { kind: 'file'; type: SchemaType; text: string };

/** Parses a --schema/--key-schema spec; usage errors come before any connection. */
function parseSpec(spec: string, flag: string, flags: ProduceSchemaFlags): Spec {
  if (spec === 'latest') return { kind: 'latest' };
  if (spec.startsWith('version:')) return { kind: 'version', version: positive(spec, 'version:', flag) };
  if (spec.startsWith('id:')) return { kind: 'id', id: positive(spec, 'id:', flag) };
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${flag} ${spec}: not latest, version:N or id:N, and not a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const type = flags.schemaType ? TYPES[flags.schemaType] : EXTENSIONS[extname(spec).toLowerCase()];
  if (!type) throw new UsageError(`${flag} ${spec}: give --schema-type avro|json|protobuf for this file`);
  return { kind: 'file', type, text };
}

/** Builds the serializer a spec names. */
async function serializerFor(
  source: SchemaSource,
  topic: string,
  spec: Spec,
  isKey: boolean,
  autoRegister: boolean,
): Promise<Serializer> {
  const subject = `${topic}-${isKey ? 'key' : 'value'}`;
  switch (spec.kind) {
    case 'latest': {
      const latest = await source.version(subject, 'latest');
      return new Serializer(latest.schemaType, { source, isKey, useLatestVersion: true, autoRegister: false });
    }
    case 'version':
    case 'id': {
      const s = spec.kind === 'id' ? await source.byId(spec.id, subject) : await source.version(subject, spec.version);
      return new Serializer(s.schemaType, {
        source,
        isKey,
        schema: s.schema,
        references: s.references,
        autoRegister: false,
      });
    }
    case 'file':
      return new Serializer(spec.type, { source, isKey, schema: spec.text, autoRegister });
  }
}

/** Encoders for keys and values; usage errors are thrown at once, the registry is asked on `open`. */
export function produceEncoders(flags: ProduceSchemaFlags): {
  open(topic: string): Promise<{ key: LineEncoder | null; value: LineEncoder | null }>;
} {
  const valueSpec = flags.schema === undefined ? undefined : parseSpec(flags.schema, '--schema', flags);
  const keySpec = flags.keySchema === undefined ? undefined : parseSpec(flags.keySchema, '--key-schema', flags);
  const url = valueSpec || keySpec ? resolveRegistryUrl(flags.registryUrl) : undefined;
  return {
    async open(topic) {
      if (url === undefined) return { key: null, value: null };
      const source = new RestSchemaSource(url);
      const encoder = async (spec: Spec | undefined, flag: string, isKey: boolean): Promise<LineEncoder | null> => {
        if (spec === undefined) return null;
        const ser = await serializerFor(source, topic, spec, isKey, flags.autoRegister);
        return async (t, line) => {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch (err) {
            throw new UsageError(
              `${flag}: a ${isKey ? 'key' : 'line'} is not JSON (${(err as Error).message}): ${line}`,
            );
          }
          return ser.serialize(t, value);
        };
      };
      return {
        key: await encoder(keySpec, '--key-schema', true),
        value: await encoder(valueSpec, '--schema', false),
      };
    },
  };
}

/** Decodes a record's key or value to JSON text. */
export type Decoder = (topic: string, bytes: Buffer) => Promise<string>;

/** JSON text of a decoded value: bytes as base64, 64-bit integers as numbers when exact, else strings. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && 'data' in v) {
      return Buffer.from((v as { data: number[] }).data).toString('base64');
    }
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v;
  });
}

/** Decoders for keys and values from the consume flags; null where not asked for. */
export function consumeDecoders(flags: ConsumeSchemaFlags): { key: Decoder | null; value: Decoder | null } {
  if (!flags.schema && !flags.keySchema) return { key: null, value: null };
  const source = new RestSchemaSource(resolveRegistryUrl(flags.registryUrl));
  const decoder = (isKey: boolean): Decoder => {
    const de = new Deserializer({ source, isKey });
    return async (topic, bytes) => jsonText(await de.deserialize(topic, bytes));
  };
  return { key: flags.keySchema ? decoder(true) : null, value: flags.schema ? decoder(false) : null };
}
