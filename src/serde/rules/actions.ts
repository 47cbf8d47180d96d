/**
 * Rule actions, as Confluent's serdes run them after a rule: ERROR throws,
 * NONE carries on, DLQ hands the record's original key/value bytes with
 * `__rule.*` headers to the configured callback and then throws (Confluent's
 * Java DlqAction). WRITEREAD and UPDOWN rules may name a pair "A,B": A on
 * write/upgrade, B on read/downgrade. The default on failure is ERROR.
 */
import { messageOf, SerdeError } from '../errors.ts';
import type { Metadata, Rule } from '../types.ts';

export type ExecMode = 'WRITE' | 'READ' | 'UPGRADE' | 'DOWNGRADE';

/**
 * What a DLQ record carries as the original key and value: this serde's own
 * side (`self` bytes, or a not-yet-serialized `selfValue` sent as JSON text)
 * and the record's other side from the call's context.
 */
export interface Original {
  isKey: boolean;
  self: Buffer | null;
  selfValue?: unknown;
  other: Buffer | null;
}

/** JSON text of a value (bigints as text, Buffers as base64): what a DLQ gets for a value not serialized yet. */
export function valueBytes(value: unknown): Buffer {
  try {
    return Buffer.from(JSON.stringify(value, jsonReplacer) ?? 'null');
  } catch {
    return Buffer.from(String(value));
  }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  const b = v as { type?: unknown; data?: unknown } | null;
  if (b && typeof b === 'object' && b.type === 'Buffer' && Array.isArray(b.data)) {
    return Buffer.from(b.data as number[]).toString('base64');
  }
  return v;
}

function originalBytes(o: Original): { key: Buffer | null; value: Buffer | null } {
  const self = o.self ?? (o.selfValue === undefined ? null : valueBytes(o.selfValue));
  return o.isKey ? { key: self, value: o.other } : { key: o.other, value: self };
}

export interface DlqRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** The action for this execution mode, from a rule's onFailure/onSuccess text (undefined when unset). */
export function actionName(rule: Rule, mode: ExecMode, action: string | undefined): string | undefined {
  if (action === undefined || action === null || action === '') return undefined;
  if ((rule.mode === 'WRITEREAD' || rule.mode === 'UPDOWN') && action.includes(',')) {
    const [first, second] = action.split(',');
    return (mode === 'WRITE' || mode === 'UPGRADE' ? first : second)?.trim();
  }
  return action.trim();
}

/** Confluent's RuleConditionError text: the rule's doc, else the expression, else its name. */
export function conditionMessage(rule: Rule): string {
  if (rule.doc) return rule.doc;
  if (rule.expr) return `Expr failed: '${rule.expr}'`;
  return `Condition failed: '${rule.name}'`;
}

/** A rule parameter: the rule's params, else the target schema's metadata properties (Confluent's getParameter). */
export function ruleParam(rule: Rule, metadata: Metadata | undefined, name: string): string | undefined {
  return rule.params?.[name] ?? metadata?.properties?.[name];
}

export interface FailureContext {
  rule: Rule;
  mode: ExecMode;
  subject: string;
  topic: string;
  isKey: boolean;
  metadata: Metadata | undefined;
  /** The record's original key and value (what DLQ receives); turned into bytes only when needed. */
  original: Original;
  dlq?: (rec: DlqRecord) => Promise<void>;
}

/**
 * Runs the failure action of a rule that failed (`conditionFalse`) or errored
 * (`error`). Returns normally only for NONE.
 */
export async function onRuleFailure(ctx: FailureContext, conditionFalse: boolean, error?: unknown): Promise<void> {
  const { rule, mode, subject } = ctx;
  const name = actionName(rule, mode, rule.onFailure) ?? 'ERROR';
  if (name === 'NONE') return;
  const detail = conditionFalse ? conditionMessage(rule) : messageOf(error);
  const code = conditionFalse ? 'RULE_FAILED' : 'RULE_ERROR';
  const message = `rule ${rule.name} failed: ${detail} (subject ${subject})`;
  if (name === 'ERROR') throw new SerdeError(code, message, { rule, cause: error });
  if (name === 'DLQ') {
    const dlqTopic = ruleParam(rule, ctx.metadata, 'dlq.topic');
    if (!ctx.dlq) {
      throw new SerdeError(code, `${message}; no DLQ handler is configured (opts.dlq)`, { rule, cause: error });
    }
    if (!dlqTopic) {
      throw new SerdeError(code, `${message}; rule has no dlq.topic parameter`, { rule, cause: error });
    }
    const headers: Record<string, string> = {
      '__rule.name': rule.name,
      '__rule.mode': mode,
      '__rule.subject': subject,
      '__rule.topic': ctx.topic,
      '__rule.exception': message,
    };
    try {
      const { key, value } = originalBytes(ctx.original);
      await ctx.dlq({ topic: dlqTopic, key, value, headers });
    } catch (err) {
      throw new SerdeError(code, `${message}; sending to DLQ topic ${dlqTopic} failed: ${messageOf(err)}`, {
        rule,
        cause: err,
      });
    }
    throw new SerdeError(code, `${message}; record sent to DLQ topic ${dlqTopic}`, { rule, cause: error });
  }
  throw new SerdeError('RULE_ERROR', `${message}; could not find rule action of type ${name}`, { rule, cause: error });
}
