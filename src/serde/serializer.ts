/**
 * Serializer: value → Confluent-framed bytes. Picks the schema (the given one,
 * registered when autoRegister — the default — or looked up; or the latest
 * version / latest with metadata), runs the domain WRITE rules (CEL,
 * CEL_FIELD, conditions and transforms; in place, as Confluent's serdes do),
 * validates and encodes, runs encoding WRITE rules on the bytes, and frames
 * it with the schema id (and message indexes for Protobuf).
 */
import { messageOf, SerdeError } from './errors.ts';
import { type CompiledSchema, compile } from './formats/index.ts';
import type { DlqRecord } from './rules/actions.ts';
import { executeRules, rulesFor } from './rules/engine.ts';
import type { SchemaSource } from './source.ts';
import { subjectName } from './subject.ts';
import type { RegisteredSchema, SchemaReference, SchemaType, SubjectNameStrategy } from './types.ts';
import { encodeFrame } from './wire.ts';

export interface SerdeOptions {
  source: SchemaSource;
  /** Subject suffix -key / -value. */
  isKey?: boolean;
  /** Default TopicNameStrategy. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Serializer: default true when a schema is given. */
  autoRegister?: boolean;
  useLatestVersion?: boolean;
  useLatestWithMetadata?: Record<string, string>;
  /** Where DLQ-action records go; called with the rule's params['dlq.topic'], the original key/value bytes and __rule.* headers. */
  dlq?: (rec: DlqRecord) => Promise<void>;
}

/** Per-call context: the record's other half (for DLQ records) and headers. */
export interface SerdeContext {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Record<string, string>;
}

interface Chosen {
  info: RegisteredSchema;
  subject: string;
  compiled: CompiledSchema;
}

export class Serializer {
  readonly type: SchemaType;
  readonly opts: SerdeOptions & { schema?: string | object; references?: SchemaReference[] };
  readonly #schemaText: string | undefined;
  readonly #chosen = new Map<string, Promise<Chosen>>();

  constructor(type: SchemaType, opts: SerdeOptions & { schema?: string | object; references?: SchemaReference[] }) {
    this.type = type;
    this.opts = opts;
    if (opts.schema !== undefined) {
      this.#schemaText = typeof opts.schema === 'string' ? opts.schema : JSON.stringify(opts.schema);
    }
    if (this.#schemaText === undefined && !opts.useLatestVersion && !opts.useLatestWithMetadata) {
      throw new SerdeError('NOT_REGISTERED', 'Serializer needs a schema, useLatestVersion or useLatestWithMetadata');
    }
  }

  async #choose(topic: string): Promise<Chosen> {
    const { source, isKey = false, subjectNameStrategy } = this.opts;
    const pinned = this.opts.useLatestWithMetadata ?? (this.opts.useLatestVersion ? 'latest' : undefined);
    if (pinned !== undefined && this.#schemaText === undefined) {
      const subject = subjectName(subjectNameStrategy, topic, isKey, '');
      const info =
        pinned === 'latest'
          ? await source.version(subject, 'latest')
          : await source.latestWithMetadata(subject, pinned);
      return { info, subject, compiled: await compile(source, info) };
    }
    const given: Omit<RegisteredSchema, 'id'> = {
      schemaType: this.type,
      schema: this.#schemaText as string,
      references: this.opts.references ?? [],
    };
    const local = await compile(source, { id: -1, ...given });
    const subject = subjectName(subjectNameStrategy, topic, isKey, local.recordName);
    let info: RegisteredSchema;
    if (pinned !== undefined) {
      info =
        pinned === 'latest'
          ? await source.version(subject, 'latest')
          : await source.latestWithMetadata(subject, pinned);
    } else {
      if (this.opts.autoRegister ?? true) await source.register(subject, given);
      // The registered version carries metadata and rules (possibly inherited from the previous version).
      info = await source.lookup(subject, given);
    }
    return { info, subject, compiled: await compile(source, info) };
  }

  #chooseCached(topic: string): Promise<Chosen> {
    // Pinned-to-latest choices follow the source's own cache; a given schema is settled once per topic.
    if (this.#schemaText === undefined || this.opts.useLatestVersion || this.opts.useLatestWithMetadata) {
      return this.#choose(topic);
    }
    let p = this.#chosen.get(topic);
    if (!p) {
      p = this.#choose(topic);
      this.#chosen.set(topic, p);
      p.catch(() => this.#chosen.delete(topic));
    }
    return p;
  }

  async serialize(topic: string, value: unknown, ctx?: SerdeContext): Promise<Buffer> {
    if (value === null || value === undefined) {
      throw new SerdeError('INVALID_PAYLOAD', 'Cannot serialize a null or undefined value');
    }
    const { info, subject, compiled } = await this.#chooseCached(topic);
    const isKey = this.opts.isKey ?? false;
    let msg: unknown = value;
    const rules = rulesFor('WRITE', info);
    if (rules.length > 0) {
      msg = await executeRules(
        {
          mode: 'WRITE',
          subject,
          topic,
          isKey,
          target: info,
          compiled,
          // The value (as JSON text when a DLQ needs it) and the record's other side.
          original: { isKey, self: null, selfValue: value, other: (isKey ? ctx?.value : ctx?.key) ?? null },
          ...(this.opts.dlq && { dlq: this.opts.dlq }),
        },
        msg,
        rules,
      );
    }
    let encoded: { payload: Buffer; messageIndexes?: number[] };
    try {
      encoded = compiled.encode(msg);
    } catch (err) {
      if (err instanceof SerdeError) throw err;
      throw new SerdeError('INVALID_PAYLOAD', messageOf(err), { cause: err });
    }
    const encodingRules = info.ruleSet?.encodingRules?.filter(
      (r) => !r.disabled && (r.mode === 'WRITE' || r.mode === 'WRITEREAD'),
    );
    let payload = encoded.payload;
    if (encodingRules && encodingRules.length > 0) {
      payload = (await executeRules(
        {
          mode: 'WRITE',
          subject,
          topic,
          isKey,
          target: info,
          compiled,
          original: { isKey, self: payload, other: (isKey ? ctx?.value : ctx?.key) ?? null },
          ...(this.opts.dlq && { dlq: this.opts.dlq }),
        },
        payload,
        encodingRules,
      )) as Buffer;
    }
    return encodeFrame(info.id, payload, this.type === 'PROTOBUF' ? encoded.messageIndexes : undefined);
  }
}
