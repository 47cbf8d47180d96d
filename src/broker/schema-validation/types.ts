/** Types schema validation shares with the serde library (src/serde) it calls. */
import type { CheckResult, checkRecord } from '../../serde/check.ts';
import type { SchemaSource } from '../../serde/source.ts';

export type { CheckResult, SchemaSource };

/** The validator of one framed key or value: src/serde/check.ts `checkRecord`. */
export type CheckFn = typeof checkRecord;
