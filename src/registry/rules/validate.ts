/**
 * Validation of a register request's data contract: `ruleSet` and `metadata`.
 *
 * Follows Confluent's RuleSet.validate/Rule.validate (42210, its messages):
 * - rule names are required, start with a letter or `_`, go on with letters,
 *   digits or `_`, and are unique across the whole rule set;
 * - `type` is required and free-form (custom executors are allowed), but
 *   `CEL` and `CEL_FIELD` expressions must parse;
 * - migration rules are UPGRADE/DOWNGRADE/UPDOWN; domain and encoding rules
 *   WRITE/READ/WRITEREAD. A missing kind is TRANSFORM and a missing mode
 *   WRITEREAD (Confluent's defaults); the stored rule keeps what was sent.
 *
 * Stricter than Confluent (which leaves these to the client serde):
 * - kind and mode outside the enums, and wrongly typed fields, are 42210
 *   rather than a JSON mapping error;
 * - onSuccess/onFailure must be NONE, ERROR or DLQ, or a pair "X,Y" of them
 *   for WRITEREAD and UPDOWN rules;
 * - CEL and CEL_FIELD rules need an `expr`; an optional guard is written
 *   before the first `;` (`"<guard> ; <expr>"`, as Confluent's CelExecutor
 *   splits it) and both parts must compile.
 *
 * `dlq.topic` is not required for DLQ: Confluent also takes it from the
 * serde's configuration.
 */
import { parse } from '@marcbachmann/cel-js';
import { HttpError, SrErrorCode } from '../errors.ts';

export const RULE_KINDS = ['CONDITION', 'TRANSFORM'] as const;
export const RULE_MODES = ['WRITE', 'READ', 'WRITEREAD', 'UPGRADE', 'DOWNGRADE', 'UPDOWN'] as const;
export const MIGRATION_MODES: readonly string[] = ['UPGRADE', 'DOWNGRADE', 'UPDOWN'];
export const DOMAIN_MODES: readonly string[] = ['WRITE', 'READ', 'WRITEREAD'];
export const RULE_ACTIONS: readonly string[] = ['NONE', 'ERROR', 'DLQ'];
/** Modes whose actions may be a pair: the first for write/upgrade, the second for read/downgrade. */
const PAIR_MODES: readonly string[] = ['WRITEREAD', 'UPDOWN'];
const CEL_TYPES: readonly string[] = ['CEL', 'CEL_FIELD'];

/** The rule lists of a rule set, with the modes each allows and Confluent's message. */
const LISTS = [
  { key: 'migrationRules', modes: MIGRATION_MODES, message: 'Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN' },
  { key: 'domainRules', modes: DOMAIN_MODES, message: 'Domain rules can only be WRITE, READ, WRITEREAD' },
  { key: 'encodingRules', modes: DOMAIN_MODES, message: 'Encoding rules can only be WRITE, READ, WRITEREAD' },
] as const;

export type RuleKind = (typeof RULE_KINDS)[number];
export type RuleMode = (typeof RULE_MODES)[number];

export interface Rule {
  name: string;
  doc?: string;
  kind?: RuleKind;
  mode?: RuleMode;
  type: string;
  tags?: string[];
  params?: Record<string, string>;
  expr?: string;
  onSuccess?: string;
  onFailure?: string;
  disabled?: boolean;
}

export interface RuleSet {
  migrationRules?: Rule[];
  domainRules?: Rule[];
  encodingRules?: Rule[];
}

export interface Metadata {
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

/** A 42210 (invalid rule set) with the given message. */
export function invalidRuleSet(message: string): HttpError {
  return new HttpError(SrErrorCode.INVALID_RULESET, message);
}

/** A 422 for a metadata object of the wrong shape (Confluent answers JSON mapping errors with 422). */
export function invalidMetadata(message: string): HttpError {
  return new HttpError(SrErrorCode.UNPROCESSABLE_ENTITY, `Invalid metadata: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const NAME_START = /^[\p{L}_]/u;
const NAME_REST = /^[\p{L}\p{Nd}_]*$/u;

/** Checks a rule set; throws 42210 with the first problem found. Absent (undefined or null) is valid. */
export function validateRuleSet(ruleSet: unknown): void {
  if (ruleSet === undefined || ruleSet === null) return;
  if (!isObject(ruleSet)) throw invalidRuleSet('Rule set must be an object');
  const names = new Set<string>();
  for (const list of LISTS) {
    const rules = ruleSet[list.key];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) throw invalidRuleSet(`${list.key} must be an array of rules`);
    for (const rule of rules) {
      if (!isObject(rule)) throw invalidRuleSet(`${list.key} must be an array of rules`);
      const name = rule.name;
      if (typeof name === 'string' && names.has(name)) {
        throw invalidRuleSet(`Found rule with duplicate name '${name}'`);
      }
      validateRule(rule);
      names.add(name as string);
      const mode = (rule.mode as string | undefined) ?? 'WRITEREAD';
      if (!list.modes.includes(mode)) throw invalidRuleSet(list.message);
    }
  }
}

/** Checks one rule's fields (not the list-dependent mode restriction); throws 42210. */
export function validateRule(rule: Record<string, unknown>): void {
  validateName(rule.name);
  const name = rule.name as string;
  const bad = (what: string): HttpError => invalidRuleSet(`Rule '${name}': ${what}`);
  if (rule.type === undefined || rule.type === null) throw invalidRuleSet('Missing rule type');
  if (typeof rule.type !== 'string' || rule.type === '') throw bad('type must be a non-empty string');
  const optString = (key: string): void => {
    if (rule[key] !== undefined && rule[key] !== null && typeof rule[key] !== 'string') {
      throw bad(`${key} must be a string`);
    }
  };
  for (const key of ['doc', 'kind', 'mode', 'expr', 'onSuccess', 'onFailure']) optString(key);
  if (rule.kind != null && !(RULE_KINDS as readonly string[]).includes(rule.kind as string)) {
    throw bad(`invalid kind ${JSON.stringify(rule.kind)}; valid kinds are ${RULE_KINDS.join(', ')}`);
  }
  if (rule.mode != null && !(RULE_MODES as readonly string[]).includes(rule.mode as string)) {
    throw bad(`invalid mode ${JSON.stringify(rule.mode)}; valid modes are ${RULE_MODES.join(', ')}`);
  }
  if (rule.tags != null && !isStringArray(rule.tags)) throw bad('tags must be an array of strings');
  if (rule.params != null) {
    if (!isObject(rule.params)) throw bad('params must be an object of string values');
    for (const [k, v] of Object.entries(rule.params)) {
      if (typeof v !== 'string') throw bad(`param '${k}' must be a string`);
    }
  }
  if (rule.disabled != null && typeof rule.disabled !== 'boolean') throw bad('disabled must be a boolean');
  const mode = (rule.mode as string | undefined) ?? 'WRITEREAD';
  for (const key of ['onSuccess', 'onFailure'] as const) {
    const action = rule[key];
    if (action == null) continue;
    const parts = (action as string).split(',').map((p) => p.trim());
    if (parts.length > 2 || (parts.length === 2 && !PAIR_MODES.includes(mode))) {
      throw bad(
        `${key} ${JSON.stringify(action)}: a pair of actions is only allowed for WRITEREAD and UPDOWN rules, not ${mode}`,
      );
    }
    for (const p of parts) {
      if (!RULE_ACTIONS.includes(p)) {
        throw bad(
          `${key} ${JSON.stringify(action)}: unknown action '${p}'; valid actions are ${RULE_ACTIONS.join(', ')}`,
        );
      }
    }
  }
  if (CEL_TYPES.includes(rule.type)) validateCelExpr(name, rule.type, rule.expr as string | undefined);
}

function validateName(name: unknown): void {
  if (name === undefined || name === null) throw invalidRuleSet('Missing rule name');
  if (typeof name !== 'string') throw invalidRuleSet(`Rule name must be a string: ${JSON.stringify(name)}`);
  if (name.length === 0) throw invalidRuleSet('Empty rule name');
  if (!NAME_START.test(name)) throw invalidRuleSet(`Illegal initial character in rule name: ${name}`);
  if (!NAME_REST.test(name.slice(1))) throw invalidRuleSet(`Illegal character in rule name: ${name}`);
}

/** The guard and expression of a CEL/CEL_FIELD `expr`: split at the first `;`, as Confluent's executor does. */
export function splitCelExpr(expr: string): { guard?: string; expr: string } {
  const i = expr.indexOf(';');
  if (i < 0) return { expr };
  const guard = expr.slice(0, i);
  return { ...(guard.trim() !== '' && { guard }), expr: expr.slice(i + 1) };
}

/** The compiler's error for a CEL source, or undefined when it parses. */
export function celError(source: string): string | undefined {
  try {
    parse(source);
    return undefined;
  } catch (err) {
    const e = err as { message?: string; node?: { pos?: number } };
    const first = (e.message ?? String(err)).split('\n')[0];
    return e.node?.pos !== undefined ? `${first} at position ${e.node.pos}` : first;
  }
}

function validateCelExpr(name: string, type: string, expr: string | undefined): void {
  if (expr === undefined || expr === null || expr.trim() === '') {
    throw invalidRuleSet(`Rule '${name}': a ${type} rule needs an expr`);
  }
  const parts = splitCelExpr(expr);
  const check = (what: string, source: string): void => {
    if (source.trim() === '') throw invalidRuleSet(`Rule '${name}': the ${type} ${what} is empty`);
    const error = celError(source);
    if (error) {
      throw invalidRuleSet(
        `Rule '${name}': the ${type} ${what} ${JSON.stringify(source.trim())} does not compile: ${error}`,
      );
    }
  };
  if (parts.guard !== undefined) check('guard', parts.guard);
  check('expression', parts.expr);
}

/** Checks a metadata object's shape; throws 422 on wrong types. Absent (undefined or null) is valid. */
export function validateMetadata(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (!isObject(metadata)) throw invalidMetadata('metadata must be an object');
  const { tags, properties, sensitive } = metadata;
  if (tags != null) {
    if (!isObject(tags)) throw invalidMetadata('tags must be an object of field path to an array of tags');
    for (const [path, list] of Object.entries(tags)) {
      if (!isStringArray(list)) throw invalidMetadata(`tags for '${path}' must be an array of strings`);
    }
  }
  if (properties != null) {
    if (!isObject(properties)) throw invalidMetadata('properties must be an object of string values');
    for (const [k, v] of Object.entries(properties)) {
      if (typeof v !== 'string') throw invalidMetadata(`property '${k}' must be a string`);
    }
  }
  if (sensitive != null && !isStringArray(sensitive)) {
    throw invalidMetadata('sensitive must be an array of property names');
  }
}
