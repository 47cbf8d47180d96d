/**
 * Client quota configuration: entities, keys, validation, and the durable
 * store (metadata entities of kind 'quota'), as Kafka's controller keeps them
 * (ClientQuotaControlManager) and brokers describe them (ClientQuotasImage).
 *
 * - An entity maps entity types ("user", "client-id", "ip") to a name, or to
 *   null for that type's default entity (`<default>` in kafka-configs).
 * - user / client-id / user+client-id take producer_byte_rate and
 *   consumer_byte_rate (whole numbers), request_percentage and
 *   controller_mutation_rate; ip takes connection_creation_rate (stored, not
 *   enforced). Values must be positive.
 * - Validation errors are INVALID_REQUEST with Kafka's messages; a bad entity
 *   fails alone, the valid ones of the same request apply together.
 */
import { isIP } from 'node:net';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { MetadataStore } from '../metadata/metadata-store.ts';

/** Metadata entity kind of client quotas. */
export const QUOTA_KIND = 'quota';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';

/** Entity type → name; null names the type's default entity. */
export type QuotaEntity = Record<string, string | null>;

/** One entity's quotas as stored. */
export interface StoredQuota {
  entity: QuotaEntity;
  values: Record<string, number>;
}

type KeyType = 'long' | 'int' | 'double';

/** Kafka's QuotaConfig keys for user and client-id entities, with their types. */
const USER_CLIENT_KEYS: Record<string, KeyType> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
};
const IP_KEYS: Record<string, KeyType> = { connection_creation_rate: 'int' };

const TYPE_ORDER = [USER, CLIENT_ID, IP];

/** The canonical store key of an entity (types in a fixed order). */
export function entityKey(entity: QuotaEntity): string {
  const types = Object.keys(entity).sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  return JSON.stringify(types.map((t) => [t, entity[t]]));
}

/** An entity as Java's ClientQuotaEntity prints it, for error messages. */
export function entityText(entity: QuotaEntity): string {
  const parts = Object.entries(entity).map(([t, n]) => `${t}=${n ?? 'null'}`);
  return `ClientQuotaEntity(entries={${parts.join(', ')}})`;
}

const invalid = (message: string): KafkaError => new KafkaError(ErrorCode.INVALID_REQUEST, message);

/** Kafka's entity checks (validateEntity, configKeysForEntityType); answers the keys it takes. */
function keysFor(entity: QuotaEntity): Record<string, KeyType> {
  const types = Object.keys(entity);
  if (types.length === 0) throw invalid('Invalid empty client quota entity');
  for (const type of types) {
    if (type !== USER && type !== CLIENT_ID && type !== IP) {
      throw invalid(`Unhandled client quota entity type: ${type}`);
    }
    if (entity[type] === '') throw invalid(`Empty ${type} not supported`);
  }
  if (IP in entity) {
    if (USER in entity || CLIENT_ID in entity) {
      throw invalid('Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId');
    }
    const ip = entity[IP];
    if (ip != null && isIP(ip) === 0) throw invalid(`${ip} is not a valid IP or resolvable host.`);
    return IP_KEYS;
  }
  return USER_CLIENT_KEYS;
}

/** Kafka's validateQuotaKeyValue. */
function checkValue(keys: Record<string, KeyType>, key: string, value: number): void {
  const type = keys[key];
  if (!type) throw invalid(`Invalid configuration key ${key}`);
  if (!(value > 0)) throw invalid(`Quota ${key} must be greater than 0`);
  if (type === 'double') return;
  if (type === 'int' && value > 2147483647) throw invalid(`Proposed value for ${key} is too large for an INT.`);
  if (type === 'long' && value > 2 ** 63) {
    throw invalid(`Proposed value for ${key} is too large for a LONG.`);
  }
  if (Math.abs(value % 1) > 1e-6) throw invalid(`${key} cannot be a fractional value.`);
}

/** One entity's changes: a number sets the key, null removes it. */
export interface QuotaAlterationInput {
  entity: Array<{ entityType: string; entityName: string | null }>;
  ops: Array<{ key: string; value: number; remove: boolean }>;
}

/** The outcome for one entity. */
export interface QuotaAlterationResult {
  entity: QuotaEntity;
  error: KafkaError | null;
}

/** Every stored entity with its quotas. */
export function allQuotas(metadata: MetadataStore): StoredQuota[] {
  return [...metadata.entities<StoredQuota>(QUOTA_KIND).values()];
}

/**
 * Applies AlterClientQuotas entries (unless `validateOnly`), as Kafka's
 * controller does: per entity, duplicates rejected, every set value checked,
 * removals of absent keys ignored; one result per distinct entity.
 */
export function alterQuotas(
  metadata: MetadataStore,
  entries: readonly QuotaAlterationInput[],
  validateOnly: boolean,
): QuotaAlterationResult[] {
  const results = new Map<string, QuotaAlterationResult>();
  const changes = new Map<string, StoredQuota>();
  for (const e of entries) {
    // a repeated type keeps its last name, as Kafka's request reads it into a map
    const entity: QuotaEntity = {};
    for (const x of e.entity) entity[x.entityType] = x.entityName;
    const key = entityKey(entity);
    const ops = new Map<string, number | null>();
    let duplicateKey = false;
    for (const op of e.ops) {
      if (ops.has(op.key)) duplicateKey = true;
      else ops.set(op.key, op.remove ? null : op.value);
    }
    // Kafka records "Duplicate quota key" and then, seeing a result for the
    // entity, replaces it with "Ignoring duplicate entity"
    if (duplicateKey || results.has(key)) {
      results.set(key, { entity, error: invalid(`Ignoring duplicate entity ${entityText(entity)}`) });
      continue;
    }
    try {
      const keys = keysFor(entity);
      const current = metadata.entity<StoredQuota>(QUOTA_KIND, key)?.values ?? {};
      const values = { ...current };
      for (const [k, v] of ops) {
        if (v === null) delete values[k];
        else {
          checkValue(keys, k, v);
          values[k] = v;
        }
      }
      if (JSON.stringify(values) !== JSON.stringify(current)) changes.set(key, { entity, values });
      results.set(key, { entity, error: null });
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      results.set(key, { entity, error: err });
    }
  }
  // as Kafka, the changes of an entity stand even when a later duplicate of it fails
  if (!validateOnly) {
    for (const [key, q] of changes) metadata.putEntity(QUOTA_KIND, key, Object.keys(q.values).length > 0 ? q : null);
  }
  return [...results.values()];
}

/** DescribeClientQuotas filter component (matchType 0 exact, 1 default, 2 any). */
export interface QuotaFilterInput {
  entityType: string;
  matchType: number;
  match: string | null;
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

/**
 * The entities matching a filter, as Kafka's ClientQuotasImage.describe:
 * INVALID_REQUEST for a malformed filter, UNSUPPORTED_VERSION for an unknown
 * entity type; `strict` keeps only entities with exactly the filter's types.
 */
export function describeQuotas(
  metadata: MetadataStore,
  components: readonly QuotaFilterInput[],
  strict: boolean,
): StoredQuota[] {
  const exact = new Map<string, string | null>();
  const any = new Set<string>();
  for (const c of components) {
    if (c.entityType === '') throw invalid('Invalid empty entity type.');
    if (exact.has(c.entityType) || any.has(c.entityType)) {
      throw invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
    }
    if (c.entityType !== IP && c.entityType !== USER && c.entityType !== CLIENT_ID) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
    }
    if (c.matchType === MATCH_EXACT) {
      if (c.match === null) throw invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
      exact.set(c.entityType, c.match);
    } else if (c.matchType === MATCH_DEFAULT) {
      if (c.match !== null) throw invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
      exact.set(c.entityType, null);
    } else if (c.matchType === MATCH_SPECIFIED) {
      if (c.match !== null) {
        throw invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
      }
      any.add(c.entityType);
    } else {
      throw invalid(`Unknown match type ${c.matchType}`);
    }
  }
  const names = (t: string): boolean => exact.has(t) || any.has(t);
  if (names(IP) && (names(USER) || names(CLIENT_ID))) {
    throw invalid(
      'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    );
  }
  return allQuotas(metadata).filter(({ entity }) => {
    if (strict && Object.keys(entity).length !== exact.size + any.size) return false;
    for (const [t, name] of exact) if (!(t in entity) || entity[t] !== name) return false;
    for (const t of any) if (!(t in entity)) return false;
    return true;
  });
}
