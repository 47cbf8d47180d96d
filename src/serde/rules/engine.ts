/**
 * Runs a rule list in Confluent's order and with its filters: domain rules
 * in order on WRITE and reversed on READ; migration rules of the target on
 * UPGRADE and of the source, reversed, on DOWNGRADE; WRITEREAD rules run on
 * both sides and UPDOWN on both migration directions; disabled rules (or a
 * rule set whose `enableAt` is not ALL/CLIENT) are skipped. Executors: CEL,
 * CEL_FIELD, JSONATA; any other type fails the rule ("could not find rule
 * executor"), which its onFailure action then handles, as in Confluent.
 */
import { SerdeError } from '../errors.ts';
import type { CompiledSchema } from '../formats/index.ts';
import type { RegisteredSchema, Rule } from '../types.ts';
import { type DlqRecord, type ExecMode, type FailureContext, type Original, onRuleFailure } from './actions.ts';
import { celMessage } from './cel.ts';
import { celField, FieldConditionFailed } from './cel-field.ts';
import { runJsonata } from './jsonata.ts';

export interface RunContext {
  mode: ExecMode;
  subject: string;
  topic: string;
  isKey: boolean;
  /** The schema whose rules run (the reader's for READ, the migration's target/source). */
  source?: RegisteredSchema;
  target: RegisteredSchema;
  /** Compiled target schema, for field-level rules and plain data for CEL. */
  compiled: CompiledSchema;
  original: Original;
  dlq?: (rec: DlqRecord) => Promise<void>;
}

/** The rules that run for this mode, in execution order. */
export function rulesFor(mode: ExecMode, target: RegisteredSchema, source?: RegisteredSchema): Rule[] {
  let rules: Rule[] | undefined;
  let enableAt: unknown;
  switch (mode) {
    case 'UPGRADE':
      rules = target.ruleSet?.migrationRules;
      enableAt = (target.ruleSet as { enableAt?: unknown } | undefined)?.enableAt;
      break;
    case 'DOWNGRADE':
      rules = source?.ruleSet?.migrationRules?.slice().reverse();
      enableAt = (source?.ruleSet as { enableAt?: unknown } | undefined)?.enableAt;
      break;
    default:
      rules = target.ruleSet?.domainRules;
      enableAt = (target.ruleSet as { enableAt?: unknown } | undefined)?.enableAt;
      if (mode === 'READ') rules = rules?.slice().reverse();
  }
  if (!rules || rules.length === 0) return [];
  if (enableAt !== undefined && enableAt !== null && enableAt !== 'ALL' && enableAt !== 'CLIENT') return [];
  return rules.filter((r) => !r.disabled && appliesTo(r, mode));
}

/** Whether a rule's mode runs in this execution mode (a missing mode is WRITEREAD, Confluent's default). */
export function appliesTo(rule: Rule, mode: ExecMode): boolean {
  const m = rule.mode ?? 'WRITEREAD';
  if (m === 'WRITEREAD') return mode === 'WRITE' || mode === 'READ';
  if (m === 'UPDOWN') return mode === 'UPGRADE' || mode === 'DOWNGRADE';
  return m === mode;
}

/** Runs the rules for ctx.mode over msg; returns the (possibly transformed) message. */
export async function executeRules(
  ctx: RunContext,
  msg: unknown,
  rules = rulesFor(ctx.mode, ctx.target, ctx.source),
): Promise<unknown> {
  if (msg === null || msg === undefined) return msg;
  if (rules.some((r) => r.type === 'CEL' || r.type === 'CEL_FIELD')) msg = ctx.compiled.plain(msg);
  for (const rule of rules) {
    const kind = rule.kind ?? 'TRANSFORM';
    if (rule.type !== 'CEL' && rule.type !== 'CEL_FIELD' && rule.type !== 'JSONATA') {
      await onRuleFailure(failure(ctx, rule), false, new Error(`could not find rule executor of type ${rule.type}`));
      return msg;
    }
    let result: unknown;
    try {
      switch (rule.type) {
        case 'CEL':
          result = celMessage(rule, msg);
          break;
        case 'CEL_FIELD':
          result = celField(rule, ctx.compiled, ctx.target.metadata, msg);
          if (kind === 'CONDITION') result = true;
          break;
        default:
          result = await runJsonata(rule, msg);
      }
    } catch (err) {
      if (err instanceof FieldConditionFailed) {
        await onRuleFailure(failure(ctx, rule), true);
        continue;
      }
      if (err instanceof SerdeError && err.code !== 'RULE_ERROR') throw err;
      await onRuleFailure(failure(ctx, rule), false, err);
      continue;
    }
    if (kind === 'CONDITION') {
      if (result === false) await onRuleFailure(failure(ctx, rule), true);
      else if (result !== true) {
        await onRuleFailure(failure(ctx, rule), false, new Error(`condition returned ${typeof result}, not a bool`));
      }
    } else msg = result;
  }
  return msg;
}

function failure(ctx: RunContext, rule: Rule): FailureContext {
  const f: FailureContext = {
    rule,
    mode: ctx.mode,
    subject: ctx.subject,
    topic: ctx.topic,
    isKey: ctx.isKey,
    metadata: ctx.target.metadata,
    original: ctx.original,
  };
  if (ctx.dlq) f.dlq = ctx.dlq;
  return f;
}
