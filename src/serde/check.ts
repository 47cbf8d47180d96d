/**
 * checkRecord: the broker's schema validation of one produced key or value.
 * Checks, in order: framing (magic byte, id), the id is known, the id is
 * registered under the subject the strategy names, the payload decodes and
 * is valid for the schema, and the domain CONDITION rules (CEL, CEL_FIELD)
 * with mode WRITE/WRITEREAD pass. TRANSFORM rules are not run (the broker
 * never rewrites payloads), nor are rule types the broker cannot evaluate.
 *
 * Everything costly is cached: compiled schemas per source and id
 * (formats/index.ts), CEL programs per expression (rules/cel.ts), and which
 * subject-version holds an id under a subject (30 s; 1 s for "not
 * registered" and unknown ids, so a registration is seen quickly). A record
 * whose schema is cached costs one decode plus the rules. Never throws.
 */
import { messageOf, SerdeError } from './errors.ts';
import { type CompiledSchema, compile, compiledById } from './formats/index.ts';
import type { ProtobufSchema } from './formats/protobuf.ts';
import { actionName, conditionMessage, ruleParam } from './rules/actions.ts';
import { celMessage } from './rules/cel.ts';
import { celField, FieldConditionFailed } from './rules/cel-field.ts';
import { appliesTo } from './rules/engine.ts';
import type { SchemaSource } from './source.ts';
import { subjectName } from './subject.ts';
import type { RegisteredSchema, Rule, SubjectNameStrategy } from './types.ts';
import { decodeFrame, readMessageIndexes } from './wire.ts';

export interface CheckResult {
  ok: boolean;
  code?: SerdeError['code'];
  message?: string;
  rule?: Rule;
  /** 'ERROR' unless a failing rule's onFailure (write side) is DLQ. */
  action?: 'ERROR' | 'DLQ';
  dlqTopic?: string;
  subject?: string;
}

const POSITIVE_MS = 30_000;
const NEGATIVE_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Held {
  at: number;
  schema: RegisteredSchema | null;
}

interface SourceCache {
  /** `${subject}\0${id}` → the subject-version with that id (null: none). */
  held: Map<string, Held>;
  /** id → when it was last found unknown. */
  unknown: Map<number, number>;
  /** rules to run per subject-version object. */
  rules: WeakMap<RegisteredSchema, Rule[]>;
}

const caches = new WeakMap<SchemaSource, SourceCache>();

function cacheOf(source: SchemaSource): SourceCache {
  let c = caches.get(source);
  if (!c) {
    c = { held: new Map(), unknown: new Map(), rules: new WeakMap() };
    caches.set(source, c);
  }
  return c;
}

async function heldUnder(
  source: SchemaSource,
  cache: SourceCache,
  subject: string,
  id: number,
): Promise<RegisteredSchema | null> {
  const key = `${subject}\u0000${id}`;
  const now = Date.now();
  const hit = cache.held.get(key);
  if (hit && now - hit.at < (hit.schema ? POSITIVE_MS : NEGATIVE_MS)) return hit.schema;
  let found: RegisteredSchema | null = null;
  try {
    const versions = await source.versions(subject);
    for (let i = versions.length - 1; i >= 0 && !found; i--) {
      const s = await source.version(subject, versions[i] as number);
      if (s.id === id) found = s;
    }
  } catch (err) {
    if (!(err instanceof SerdeError && err.code === 'NOT_REGISTERED')) throw err;
  }
  if (cache.held.size >= MAX_ENTRIES) cache.held.clear();
  cache.held.set(key, { at: now, schema: found });
  return found;
}

function checkRules(schema: RegisteredSchema, cache: SourceCache): Rule[] {
  let rules = cache.rules.get(schema);
  if (!rules) {
    const enableAt = (schema.ruleSet as { enableAt?: unknown } | undefined)?.enableAt;
    const enabled = enableAt === undefined || enableAt === null || enableAt === 'ALL' || enableAt === 'CLIENT';
    rules = enabled
      ? (schema.ruleSet?.domainRules ?? []).filter(
          (r) =>
            !r.disabled &&
            r.kind === 'CONDITION' &&
            (r.type === 'CEL' || r.type === 'CEL_FIELD') &&
            appliesTo(r, 'WRITE'),
        )
      : [];
    cache.rules.set(schema, rules);
  }
  return rules;
}

function fail(code: SerdeError['code'], message: string, subject?: string): CheckResult {
  return { ok: false, code, message, action: 'ERROR', ...(subject !== undefined && { subject }) };
}

/**
 * Validates one framed key or value of a produced record: framing, id known, id registered under the
 * subject the strategy names, payload decodes and is valid for the schema, domain CONDITION rules with
 * mode WRITE/WRITEREAD pass (TRANSFORM rules are not run: the broker never rewrites payloads). Never throws.
 */
export async function checkRecord(
  source: SchemaSource,
  args: { topic: string; isKey: boolean; strategy: SubjectNameStrategy; bytes: Buffer | null },
): Promise<CheckResult> {
  const { topic, isKey, strategy, bytes } = args;
  if (bytes === null || bytes === undefined) return { ok: true };
  let subject: string | undefined;
  // Errors that are not SerdeErrors (the registry unreachable, say) are reported by stage.
  let stage: 'lookup' | 'decode' = 'lookup';
  let id = -1;
  try {
    const frame = decodeFrame(bytes);
    id = frame.id;
    const cache = cacheOf(source);
    let compiled: CompiledSchema | undefined = compiledById(source, frame.id);
    if (!compiled) {
      const unknownAt = cache.unknown.get(frame.id);
      if (unknownAt !== undefined && Date.now() - unknownAt < NEGATIVE_MS) {
        return fail('UNKNOWN_SCHEMA_ID', `Schema id ${frame.id} not found in the registry`);
      }
      try {
        compiled = await compile(source, await source.byId(frame.id));
      } catch (err) {
        if (err instanceof SerdeError && err.code === 'UNKNOWN_SCHEMA_ID') {
          if (cache.unknown.size >= MAX_ENTRIES) cache.unknown.clear();
          cache.unknown.set(frame.id, Date.now());
        }
        throw err;
      }
    }
    const c = compiled;
    subject = subjectName(strategy, topic, isKey, c.recordName);
    const held = await heldUnder(source, cache, subject, frame.id);
    if (!held) {
      return fail('SUBJECT_MISMATCH', `Schema id ${frame.id} is not registered under subject ${subject}`, subject);
    }
    stage = 'decode';
    let payload = frame.payload;
    let messageIndexes: number[] | undefined;
    if (c.info.schemaType === 'PROTOBUF') ({ messageIndexes, payload } = readMessageIndexes(payload));
    const msg = c.decode(payload, messageIndexes);
    if (c.info.schemaType === 'PROTOBUF' && msg && typeof msg === 'object') {
      const t = (c as ProtobufSchema).typeAt(messageIndexes ?? [0]);
      Object.defineProperty(msg, '$typeName', { value: t.fullName.slice(1), enumerable: false });
    }
    const rules = checkRules(held, cache);
    const data = rules.length > 0 ? c.plain(msg) : msg;
    for (const rule of rules) {
      let passed: boolean;
      let error: unknown;
      try {
        if (rule.type === 'CEL') {
          const r = celMessage(rule, data);
          passed = r === true;
          if (r !== true && r !== false) error = new Error(`condition returned ${typeof r}, not a bool`);
        } else {
          celField(rule, c, held.metadata, data);
          passed = true;
        }
      } catch (err) {
        passed = false;
        if (!(err instanceof FieldConditionFailed)) error = err;
      }
      if (passed) continue;
      const action = actionName(rule, 'WRITE', rule.onFailure) ?? 'ERROR';
      if (action === 'NONE') continue;
      const detail = error === undefined ? conditionMessage(rule) : messageOf(error);
      const result: CheckResult = {
        ok: false,
        code: error === undefined ? 'RULE_FAILED' : 'RULE_ERROR',
        message: `rule ${rule.name} failed: ${detail} (subject ${subject})`,
        rule,
        action: action === 'DLQ' ? 'DLQ' : 'ERROR',
        subject,
      };
      if (action === 'DLQ') {
        const dlqTopic = ruleParam(rule, held.metadata, 'dlq.topic');
        if (dlqTopic) result.dlqTopic = dlqTopic;
      }
      return result;
    }
    return { ok: true, subject };
  } catch (err) {
    if (err instanceof SerdeError) return fail(err.code, err.message, subject);
    if (stage === 'lookup') {
      return fail('UNKNOWN_SCHEMA_ID', `Could not look up schema id ${id}: ${messageOf(err)}`, subject);
    }
    return fail('INVALID_PAYLOAD', messageOf(err), subject);
  }
}
