/**
 * What the registry-backed formats (avro-confluent, avro-registry, json-registry) share: their registry
 * options, the schema source (../../serde RestSchemaSource, one per URL and credentials), the subject
 * (`<format>.subject`, else Confluent's TopicNameStrategy `<topic>-key` / `<topic>-value`), and the
 * serde's Serializer / Deserializer, which run the subject's data-contract rules.
 *
 * Options (without the format prefix): `url` (required; Flink's deprecated `schema-registry.url` too),
 * `subject` (`schema-registry.subject`), `schema` (an explicit writer schema instead of the derived one),
 * `auto.register.schemas` (default true: the schema is registered under the subject on the first write;
 * false: it must already be registered), `basic-auth.credentials-source` + `basic-auth.user-info` and
 * `bearer-auth.credentials-source` + `bearer-auth.token` (sent as an Authorization header),
 * `ignore-parse-errors` (default false: a record that does not decode fails the job; true: it is skipped).
 * Accepted and ignored: `ssl.*` options and the `properties.*` family (the registry client of Java).
 */
import {
  Deserializer,
  type RegisteredSchema,
  RestSchemaSource,
  type SchemaSource,
  type SchemaType,
  SerdeError,
  Serializer,
} from '../../serde/index.ts';
import { ConnectorOptionError } from '../connectors/connector.ts';
import { SqlRuntimeError } from '../types/index.ts';
import type { FormatContext } from './format.ts';

/** Option names every registry-backed format accepts (without its prefix). */
export const REGISTRY_OPTIONS = [
  'url',
  'schema-registry.url',
  'subject',
  'schema-registry.subject',
  'schema',
  'auto.register.schemas',
  'ignore-parse-errors',
  'basic-auth.credentials-source',
  'basic-auth.user-info',
  'bearer-auth.credentials-source',
  'bearer-auth.token',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.truststore.location',
  'ssl.truststore.password',
] as const;

export const REGISTRY_OPTION_PREFIXES = ['properties.'] as const;

export interface RegistrySettings {
  url: string;
  /** An explicit subject; undefined: TopicNameStrategy per topic. */
  subject: string | undefined;
  isKey: boolean;
  autoRegister: boolean;
  ignoreParseErrors: boolean;
  headers: Record<string, string>;
}

function bool(options: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = options[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new ConnectorOptionError(`Could not parse value '${v}' for key '${key}'.`);
}

/** Reads and checks the registry options (at CREATE TABLE / planning time; no I/O). */
export function registrySettings(
  formatId: string,
  options: Record<string, string>,
  ctx: FormatContext | undefined,
): RegistrySettings {
  const url = options.url ?? options['schema-registry.url'];
  if (url === undefined || url.trim() === '')
    throw new ConnectorOptionError(`One or more required options are missing. Missing required options are: url`);
  if (!/^https?:\/\//i.test(url.trim()))
    throw new ConnectorOptionError(
      `Invalid value '${url}' for option '${formatId}.url': expected the schema registry's http(s) URL.`,
    );
  const subject = options.subject ?? options['schema-registry.subject'];
  if (subject === undefined && !ctx)
    throw new ConnectorOptionError(
      `Option '${formatId}.subject' is required when the connector has no topic to derive the subject from.`,
    );
  const headers: Record<string, string> = {};
  const basicSource = (options['basic-auth.credentials-source'] ?? 'USER_INFO').toUpperCase();
  const userInfo = options['basic-auth.user-info'];
  if (userInfo !== undefined) {
    if (basicSource !== 'USER_INFO')
      throw new ConnectorOptionError(
        `Option '${formatId}.basic-auth.credentials-source' supports only USER_INFO here, got '${options['basic-auth.credentials-source']}'.`,
      );
    headers.Authorization = `Basic ${Buffer.from(userInfo).toString('base64')}`;
  }
  const token = options['bearer-auth.token'];
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return {
    url: url.trim(),
    subject,
    isKey: ctx?.isKey ?? false,
    autoRegister: bool(options, 'auto.register.schemas', true),
    ignoreParseErrors: bool(options, 'ignore-parse-errors', false),
    headers,
  };
}

const sources = new Map<string, RestSchemaSource>();

/** One REST schema source per URL and credentials (its caches and compiled schemas are shared). */
function sourceFor(s: RegistrySettings): RestSchemaSource {
  const key = `${s.url}\u0000${s.headers.Authorization ?? ''}`;
  let src = sources.get(key);
  if (!src) {
    src = new RestSchemaSource(s.url, { headers: s.headers, cacheMs: 5_000 });
    sources.set(key, src);
  }
  return src;
}

/** A schema source that answers for subject `from` with subject `to` (an explicit `<format>.subject`). */
class SubjectAlias implements SchemaSource {
  readonly #inner: SchemaSource;
  readonly #from: string;
  readonly #to: string;
  readonly compatibilityGroup?: (subject: string) => Promise<string | undefined>;

  constructor(inner: SchemaSource, from: string, to: string) {
    this.#inner = inner;
    this.#from = from;
    this.#to = to;
    if (inner.compatibilityGroup) {
      const cg = inner.compatibilityGroup.bind(inner);
      this.compatibilityGroup = (subject) => cg(this.#map(subject));
    }
  }

  #map(subject: string): string {
    return subject === this.#from ? this.#to : subject;
  }

  byId(id: number, subject?: string): Promise<RegisteredSchema> {
    return this.#inner.byId(id, subject === undefined ? undefined : this.#map(subject));
  }
  version(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    return this.#inner.version(this.#map(subject), version);
  }
  latestWithMetadata(subject: string, metadata: Record<string, string>): Promise<RegisteredSchema> {
    return this.#inner.latestWithMetadata(this.#map(subject), metadata);
  }
  versions(subject: string): Promise<number[]> {
    return this.#inner.versions(this.#map(subject));
  }
  lookup(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<RegisteredSchema> {
    return this.#inner.lookup(this.#map(subject), schema);
  }
  register(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<number> {
    return this.#inner.register(this.#map(subject), schema);
  }
}

/**
 * The serde for one format instance: a Serializer per topic (the schema registered, or looked up, under the
 * subject once) and a Deserializer, over a schema source that maps TopicNameStrategy's subject to the
 * explicit one when `subject` is set.
 */
export class RegistrySerde {
  readonly settings: RegistrySettings;
  readonly #type: SchemaType;
  readonly #schema: string;
  readonly #perTopic = new Map<string, { source: SchemaSource; ser: Serializer; de: Deserializer }>();

  constructor(type: SchemaType, schema: string, settings: RegistrySettings) {
    this.#type = type;
    this.#schema = schema;
    this.settings = settings;
  }

  /** The subject used for `topic`. */
  subjectOf(topic: string): string {
    return this.settings.subject ?? `${topic}${this.settings.isKey ? '-key' : '-value'}`;
  }

  of(topic: string): { source: SchemaSource; ser: Serializer; de: Deserializer } {
    let hit = this.#perTopic.get(topic);
    if (!hit) {
      const s = this.settings;
      const rest = sourceFor(s);
      const defaultSubject = `${topic}${s.isKey ? '-key' : '-value'}`;
      const source =
        s.subject !== undefined && s.subject !== defaultSubject
          ? new SubjectAlias(rest, defaultSubject, s.subject)
          : rest;
      const opts = { source, isKey: s.isKey, subjectNameStrategy: 'TopicNameStrategy' as const };
      hit = {
        source,
        ser: new Serializer(this.#type, { ...opts, schema: this.#schema, autoRegister: s.autoRegister }),
        de: new Deserializer(opts),
      };
      this.#perTopic.set(topic, hit);
    }
    return hit;
  }

  /** Serializes a value (already in the serde's shape) for `topic`: rules, encoding, wire format. */
  async serialize(topic: string, value: unknown, what: string): Promise<Buffer> {
    try {
      return await this.of(topic).ser.serialize(topic, value);
    } catch (err) {
      throw new SqlRuntimeError(
        `Failed to serialize ${what} into ${this.#type === 'AVRO' ? 'Avro' : 'JSON'} for subject '${this.subjectOf(topic)}': ${messageOf(err)}`,
      );
    }
  }
}

export function messageOf(err: unknown): string {
  if (err instanceof SerdeError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
