/**
 * The hook through which the broker validates produced records. The broker
 * never imports a service: the platform (src/server/platform.ts) wires the
 * serde's `checkRecord` over the in-process schema registry into it.
 */
import type { SubjectNameStrategy } from './settings.ts';

/** One framed key or value to check. */
export interface RecordCheck {
  topic: string;
  isKey: boolean;
  strategy: SubjectNameStrategy;
  bytes: Buffer | null;
}

/** What the validator found (src/serde/check.ts CheckResult has this shape). */
export interface CheckResult {
  ok: boolean;
  /** e.g. BAD_FRAMING, UNKNOWN_SCHEMA_ID, SUBJECT_MISMATCH, INVALID_PAYLOAD, RULE_FAILED, RULE_ERROR. */
  code?: string;
  message?: string;
  /** The failing rule, when a rule failed. */
  rule?: { name: string; mode?: string };
  /** 'ERROR' unless the failing rule's onFailure (write side) is DLQ. */
  action?: 'ERROR' | 'DLQ';
  dlqTopic?: string;
  subject?: string;
}

/** Validates one framed key or value; never throws (a throw counts as a failure). */
export type RecordValidator = (check: RecordCheck) => Promise<CheckResult>;
