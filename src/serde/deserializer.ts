/**
 * Deserializer: Confluent-framed bytes → value. Reads the id, fetches and
 * compiles the writer schema, runs encoding READ rules on the payload,
 * decodes (Protobuf: the message the indexes name; JSON: validated), then —
 * when the reader is pinned with useLatestVersion/useLatestWithMetadata —
 * migrates between the writer's and the reader's version, and finally runs
 * the domain READ rules of the reader (else the writer) schema, reversed.
 *
 * Migrations follow Confluent's chain: every version between writer and
 * reader whose rule set has UPGRADE (or DOWNGRADE) migration rules is one
 * step, run in order (JSONATA transforms, typically). As an addition to
 * Confluent's JS serde, a step is skipped when both of its versions carry the
 * compatibility-group property and its value is the same (the versions are
 * then compatible and need no migration). The property's name is the
 * subject's `compatibilityGroup` config when the source can read it
 * (SchemaSource.compatibilityGroup), else a `compatibilityGroup` param on the
 * step's migration rules, else `major_version`. Without migrations, an Avro
 * reader schema different from the writer's resolves the data (Avro schema
 * resolution).
 */
import { SerdeError } from './errors.ts';
import { type CompiledSchema, compile } from './formats/index.ts';
import type { ProtobufSchema } from './formats/protobuf.ts';
import type { ExecMode } from './rules/actions.ts';
import { executeRules, rulesFor } from './rules/engine.ts';
import type { SerdeContext, SerdeOptions } from './serializer.ts';
import type { SchemaSource } from './source.ts';
import { subjectName } from './subject.ts';
import type { RegisteredSchema } from './types.ts';
import { decodeFrame, readMessageIndexes } from './wire.ts';

interface Migration {
  mode: ExecMode;
  source: RegisteredSchema;
  target: RegisteredSchema;
}

function hasMigrationRules(s: RegisteredSchema, mode: 'UPGRADE' | 'DOWNGRADE'): boolean {
  return (s.ruleSet?.migrationRules ?? []).some((r) => r.mode === mode || r.mode === 'UPDOWN');
}

/** The migration steps from the writer's version to the reader's. */
export async function migrationsBetween(
  source: SchemaSource,
  subject: string,
  writer: RegisteredSchema,
  reader: RegisteredSchema,
): Promise<Migration[]> {
  let writerVersion = writer.subject === subject ? writer.version : undefined;
  if (writerVersion === undefined) {
    try {
      writerVersion = (await source.lookup(subject, writer)).version;
    } catch (err) {
      if (err instanceof SerdeError && err.code === 'NOT_REGISTERED') return [];
      throw err;
    }
  }
  const readerVersion = reader.version;
  if (writerVersion === undefined || readerVersion === undefined || writerVersion === readerVersion) return [];
  const mode = writerVersion < readerVersion ? 'UPGRADE' : 'DOWNGRADE';
  const lo = Math.min(writerVersion, readerVersion);
  const hi = Math.max(writerVersion, readerVersion);
  const between = (await source.versions(subject)).filter((v) => v > lo && v < hi);
  const first = mode === 'UPGRADE' ? { ...writer, version: writerVersion } : reader;
  const last = mode === 'UPGRADE' ? reader : { ...writer, version: writerVersion };
  const chain = [first, ...(await Promise.all(between.map((v) => source.version(subject, v)))), last];
  const configured = source.compatibilityGroup ? await source.compatibilityGroup(subject) : undefined;
  const steps: Migration[] = [];
  for (let i = 1; i < chain.length; i++) {
    const prev = chain[i - 1] as RegisteredSchema;
    const cur = chain[i] as RegisteredSchema;
    if (!hasMigrationRules(cur, mode)) continue;
    const group =
      configured ??
      cur.ruleSet?.migrationRules?.find((r) => r.params?.compatibilityGroup)?.params?.compatibilityGroup ??
      'major_version';
    const pg = prev.metadata?.properties?.[group];
    const cg = cur.metadata?.properties?.[group];
    if (pg !== undefined && cg !== undefined && pg === cg) continue;
    steps.push(mode === 'UPGRADE' ? { mode, source: prev, target: cur } : { mode, source: cur, target: prev });
  }
  return mode === 'DOWNGRADE' ? steps.reverse() : steps;
}

export class Deserializer {
  readonly opts: SerdeOptions;

  constructor(opts: SerdeOptions) {
    this.opts = opts;
  }

  async deserialize(topic: string, bytes: Buffer, ctx?: SerdeContext): Promise<unknown> {
    // Confluent's deserializers answer null (tombstones) and empty payloads with null.
    if (bytes === null || bytes === undefined || bytes.length === 0) return null;
    const { source, isKey = false, subjectNameStrategy } = this.opts;
    const frame = decodeFrame(bytes);
    const topicSubject =
      (subjectNameStrategy ?? 'TopicNameStrategy') === 'TopicNameStrategy'
        ? `${topic}${isKey ? '-key' : '-value'}`
        : undefined;
    const writer = await source.byId(frame.id, topicSubject);
    const compiled = await compile(source, writer);
    let payload = frame.payload;
    let messageIndexes: number[] | undefined;
    if (writer.schemaType === 'PROTOBUF') {
      ({ messageIndexes, payload } = readMessageIndexes(payload));
    }
    const subject = topicSubject ?? subjectName(subjectNameStrategy, topic, isKey, compiled.recordName);
    const base = {
      subject,
      topic,
      isKey,
      original: { isKey, self: bytes, other: (isKey ? ctx?.value : ctx?.key) ?? null },
      ...(this.opts.dlq && { dlq: this.opts.dlq }),
    };

    const encodingRules = writer.ruleSet?.encodingRules?.filter(
      (r) => !r.disabled && (r.mode === 'READ' || r.mode === 'WRITEREAD'),
    );
    if (encodingRules && encodingRules.length > 0) {
      payload = (await executeRules(
        { ...base, mode: 'READ', target: writer, compiled },
        payload,
        encodingRules.slice().reverse(),
      )) as Buffer;
    }

    const pinned = this.opts.useLatestWithMetadata ?? (this.opts.useLatestVersion ? 'latest' : undefined);
    const reader =
      pinned === undefined
        ? undefined
        : pinned === 'latest'
          ? await source.version(subject, 'latest')
          : await source.latestWithMetadata(subject, pinned);
    const migrations = reader ? await migrationsBetween(source, subject, writer, reader) : [];

    let msg: unknown;
    let targetCompiled: CompiledSchema = compiled;
    if (migrations.length > 0) {
      msg = compiled.decode(payload, messageIndexes);
      for (const m of migrations) {
        msg = await executeRules(
          {
            ...base,
            mode: m.mode,
            source: m.source,
            target: m.target,
            compiled: await compile(source, m.target),
          },
          msg,
        );
      }
      targetCompiled = await compile(source, reader as RegisteredSchema);
      if (targetCompiled.validate) {
        const problem = targetCompiled.validate(msg);
        if (problem !== null) throw new SerdeError('INVALID_PAYLOAD', `After migration: ${problem}`);
      }
    } else if (reader && reader.id !== writer.id) {
      targetCompiled = await compile(source, reader);
      msg = targetCompiled.decodeAs
        ? targetCompiled.decodeAs(compiled, payload, messageIndexes)
        : compiled.decode(payload, messageIndexes);
    } else {
      msg = compiled.decode(payload, messageIndexes);
    }
    if (writer.schemaType === 'PROTOBUF' && msg && typeof msg === 'object') {
      const t = (compiled as ProtobufSchema).typeAt(messageIndexes ?? [0]);
      Object.defineProperty(msg, '$typeName', { value: t.fullName.slice(1), enumerable: false, configurable: true });
    }
    const target = reader ?? writer;
    const rules = rulesFor('READ', target);
    if (rules.length > 0) {
      msg = await executeRules({ ...base, mode: 'READ', target, compiled: targetCompiled }, msg, rules);
    }
    return msg;
  }
}
