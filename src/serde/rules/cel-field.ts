/**
 * CEL_FIELD rules: the expression runs for every non-null primitive field
 * value (walk of the format), with the variables Confluent's
 * CelFieldExecutor defines: `value`, `name`, `fullName`, `typeName`, `tags`,
 * `message` (the object holding the field). A rule with `tags` only sees
 * fields carrying one of them; a field's tags are its inline `confluent:tags`
 * plus every `metadata.tags` entry whose path pattern (Confluent's wildcards:
 * `*` within a name, `**` across dots, `?` one character) matches fullName.
 * TRANSFORM replaces the value; CONDITION must return true for every field.
 */

import { SerdeError } from '../errors.ts';
import type { CompiledSchema, FieldInfo, FieldVisitor } from '../formats/index.ts';
import type { Metadata, Rule } from '../types.ts';
import { compileCel, GUARD_FALSE, runCel } from './cel.ts';

/** Confluent's wildcard matcher as a RegExp (whole-string match). */
export function wildcardToRegExp(pattern: string): RegExp {
  const src = pattern.replaceAll('**.*', '**');
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '*') {
      if (src[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^.]*';
    } else if (c === '?') out += '[^.]';
    else if ('.+{}()|^$[]\\'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return new RegExp(`^(?:${out})$`);
}

interface TagIndex {
  patterns: Array<{ re: RegExp; tags: string[] }>;
  byField: Map<string, string[]>;
}

const indexes = new WeakMap<object, TagIndex>();
const EMPTY_INDEX: TagIndex = { patterns: [], byField: new Map() };

function tagIndex(metadata: Metadata | undefined): TagIndex {
  const tags = metadata?.tags;
  if (!tags) return EMPTY_INDEX;
  let idx = indexes.get(tags);
  if (!idx) {
    idx = {
      patterns: Object.entries(tags).map(([p, t]) => ({ re: wildcardToRegExp(p), tags: t })),
      byField: new Map(),
    };
    indexes.set(tags, idx);
  }
  return idx;
}

/** Tags of a field: inline ones plus the metadata path patterns matching its full name. */
export function fieldTags(metadata: Metadata | undefined, field: FieldInfo): string[] {
  const idx = tagIndex(metadata);
  const key = field.inlineTags.length === 0 ? field.fullName : `${field.fullName}\u0000${field.inlineTags.join(',')}`;
  let tags = idx.byField.get(key);
  if (!tags) {
    const set = new Set(field.inlineTags);
    for (const p of idx.patterns) if (p.re.test(field.fullName)) for (const t of p.tags) set.add(t);
    tags = [...set];
    idx.byField.set(key, tags);
  }
  return tags;
}

/** Thrown inside the walk when a CEL_FIELD condition is false for a field. */
export class FieldConditionFailed extends Error {
  constructor(readonly field: FieldInfo) {
    super(`field ${field.fullName}`);
  }
}

function toCel(value: unknown, field: FieldInfo): unknown {
  if (field.type === 'INT' || field.type === 'LONG') {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  }
  return value;
}

function fromCel(result: unknown, original: unknown): unknown {
  if (typeof result === 'bigint') {
    if (typeof original === 'number') return Number(result);
    if (typeof original === 'string') return result.toString();
  }
  return result;
}

/** The field visitor of a rule, made once per rule object (a closure per record would cost on every call). */
const visitors = new WeakMap<Rule, { metadata: Metadata | undefined; visit: FieldVisitor }>();

function visitorFor(rule: Rule, metadata: Metadata | undefined): FieldVisitor {
  const hit = visitors.get(rule);
  if (hit && hit.metadata === metadata) return hit.visit;
  const program = compileCel(rule);
  const ruleTags = rule.tags && rule.tags.length > 0 ? rule.tags : undefined;
  const condition = rule.kind === 'CONDITION';
  const visit: FieldVisitor = (field, value) => {
    const tags = fieldTags(metadata, field);
    if (ruleTags && !ruleTags.some((t) => tags.includes(t))) return value;
    const vars = {
      value: toCel(value, field),
      name: field.name,
      fullName: field.fullName,
      typeName: field.type,
      tags,
      message: field.containing,
    };
    let r: unknown;
    const byField = program.guardByField;
    if (byField && program.guard) {
      const key = `${field.fullName}\u0000${field.type}\u0000${tags.join(',')}`;
      let pass = byField.get(key);
      if (pass === undefined) {
        pass = program.guard(vars) !== false;
        if (byField.size < 10_000) byField.set(key, pass);
      }
      r = pass ? program.body(vars) : GUARD_FALSE;
    } else r = runCel(program, vars);
    if (condition) {
      if (r === false) throw new FieldConditionFailed(field);
      if (r !== true && r !== GUARD_FALSE) {
        throw new SerdeError('RULE_ERROR', `rule ${rule.name}: CEL_FIELD condition returned ${typeof r}, not a bool`, {
          rule,
        });
      }
      return value;
    }
    return r === GUARD_FALSE ? value : fromCel(r, value);
  };
  visitors.set(rule, { metadata, visit });
  return visit;
}

/** Runs a CEL_FIELD rule over a message (in place for TRANSFORM); returns the message. */
export function celField(rule: Rule, compiled: CompiledSchema, metadata: Metadata | undefined, msg: unknown): unknown {
  if (rule.expr === undefined || rule.expr === '') return msg;
  return compiled.walk(msg, visitorFor(rule, metadata), rule.kind !== 'CONDITION');
}
