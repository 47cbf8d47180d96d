/**
 * Which parts of a topic's records are validated, and under which subject
 * name strategy, from the topic's configs. The tributary.* and Confluent
 * Server's confluent.* names are synonyms: either turns validation on; for the
 * strategy a topic setting of the tributary name wins over the Confluent one.
 */
import type { TopicMeta } from '../metadata/metadata-store.ts';

export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';

/** The validation a topic asks for; a null part is not validated. */
export interface ValidationSettings {
  key: SubjectNameStrategy | null;
  value: SubjectNameStrategy | null;
}

/** The config names of one part (key or value). */
export const VALIDATION_CONFIGS = {
  key: {
    enable: ['tributary.key.schema.validation', 'confluent.key.schema.validation'],
    strategy: ['tributary.key.subject.name.strategy', 'confluent.key.subject.name.strategy'],
  },
  value: {
    enable: ['tributary.value.schema.validation', 'confluent.value.schema.validation'],
    strategy: ['tributary.value.subject.name.strategy', 'confluent.value.subject.name.strategy'],
  },
} as const;

/** `io.confluent.kafka.serializers.subject.RecordNameStrategy` → `RecordNameStrategy`. */
export function normalizeStrategy(value: string): SubjectNameStrategy {
  const short = value.trim().slice(value.trim().lastIndexOf('.') + 1);
  if (short === 'RecordNameStrategy' || short === 'TopicRecordNameStrategy') return short;
  return 'TopicNameStrategy';
}

/**
 * Topics schema validation never applies to: Kafka's internal topics
 * (`__consumer_offsets`, `__transaction_state`), the registry's `_schemas`
 * and Confluent's `_confluent-*` — every topic whose name starts with `_`.
 */
export function isExemptTopic(name: string): boolean {
  return name.startsWith('_');
}

function part(
  configs: Record<string, string>,
  names: { enable: readonly string[]; strategy: readonly string[] },
): SubjectNameStrategy | null {
  if (!names.enable.some((n) => configs[n]?.trim().toLowerCase() === 'true')) return null;
  const set = names.strategy.map((n) => configs[n]).find((v) => v !== undefined);
  return normalizeStrategy(set ?? 'TopicNameStrategy');
}

/** The topic's validation settings, or null when neither keys nor values are validated. */
export function validationSettings(topic: Pick<TopicMeta, 'name' | 'configs'>): ValidationSettings | null {
  if (isExemptTopic(topic.name)) return null;
  const key = part(topic.configs, VALIDATION_CONFIGS.key);
  const value = part(topic.configs, VALIDATION_CONFIGS.value);
  return key || value ? { key, value } : null;
}
