/** Counters of schema validation per topic, read in process (a later catalog shows them). */

/** Counts of one rule (by rule name) on one topic. */
export interface RuleStats {
  /** Records for which the rule failed (whatever the action). */
  failed: number;
  /** Records the rule sent to its dead letter topic. */
  deadLettered: number;
}

/** Counts of one topic since the broker started. */
export interface TopicValidationStats {
  /** Records that passed (or were kept next to dead-lettered ones) and were appended. */
  accepted: number;
  /** Records listed as record errors of refused batches (INVALID_RECORD), or in a refused batch when validation could not run. */
  rejected: number;
  /** Produce batches refused with INVALID_RECORD. */
  rejectedBatches: number;
  /** Records appended to a dead letter topic instead of this one. */
  deadLettered: number;
  /** Failures by SerdeError code (BAD_FRAMING, UNKNOWN_SCHEMA_ID, NOT_REGISTERED, INVALID_PAYLOAD, RULE_FAILED, ...). */
  failures: Record<string, number>;
  /** By rule name. */
  rules: Record<string, RuleStats>;
}

function empty(): TopicValidationStats {
  return { accepted: 0, rejected: 0, rejectedBatches: 0, deadLettered: 0, failures: {}, rules: {} };
}

/** The mutable counters behind `SchemaValidation.stats()`. */
export class ValidationStats {
  readonly #topics = new Map<string, TopicValidationStats>();

  /** The counters of a topic (created on first use). */
  of(topic: string): TopicValidationStats {
    let s = this.#topics.get(topic);
    if (!s) this.#topics.set(topic, (s = empty()));
    return s;
  }

  rule(topic: string, name: string): RuleStats {
    const s = this.of(topic);
    s.rules[name] ??= { failed: 0, deadLettered: 0 };
    return s.rules[name];
  }

  /** A copy of every topic's counters. */
  snapshot(): Record<string, TopicValidationStats> {
    const out: Record<string, TopicValidationStats> = {};
    for (const [topic, s] of this.#topics) out[topic] = copy(s);
    return out;
  }

  /** A copy of one topic's counters (zeros when nothing was validated yet). */
  topic(topic: string): TopicValidationStats {
    return copy(this.#topics.get(topic) ?? empty());
  }

  forget(topic: string): void {
    this.#topics.delete(topic);
  }

  clear(): void {
    this.#topics.clear();
  }
}

function copy(s: TopicValidationStats): TopicValidationStats {
  return {
    ...s,
    failures: { ...s.failures },
    rules: Object.fromEntries(Object.entries(s.rules).map(([k, v]) => [k, { ...v }])),
  };
}
