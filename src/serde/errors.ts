/**
 * SerdeError: every failure of the serde carries one of a few codes (bad
 * framing, unknown id, not registered, invalid payload, a rule that failed or
 * errored, a subject mismatch) and, for rule failures, the rule.
 */
import type { Rule } from './types.ts';

export type SerdeErrorCode =
  | 'BAD_FRAMING'
  | 'UNKNOWN_SCHEMA_ID'
  | 'NOT_REGISTERED'
  | 'INVALID_PAYLOAD'
  | 'RULE_FAILED'
  | 'RULE_ERROR'
  | 'SUBJECT_MISMATCH';

export class SerdeError extends Error {
  override name = 'SerdeError';
  code: SerdeErrorCode;
  rule?: Rule;

  constructor(code: SerdeErrorCode, message: string, opts?: { rule?: Rule; cause?: unknown }) {
    super(message, opts?.cause !== undefined ? { cause: opts.cause } : undefined);
    this.code = code;
    if (opts?.rule) this.rule = opts.rule;
  }
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
