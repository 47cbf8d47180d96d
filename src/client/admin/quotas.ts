/**
 * Client quotas: DescribeClientQuotas and AlterClientQuotas (KIP-546), to
 * the controller. An entity is a map of entity types ("user", "client-id",
 * "ip") to a name, or to null for that type's default entity.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, type ItemResult, onController } from './request.ts';

/** Entity type → name (null: the default entity of that type). */
export type QuotaEntity = Record<string, string | null>;

/** One component of a quota filter. */
export interface QuotaFilterComponent {
  entityType: string;
  /** A name: exactly that entity; null: the default entity; absent: any entity of the type. */
  match?: string | null;
}

/** Quotas of one entity. */
export interface QuotaEntry {
  entity: QuotaEntity;
  /** Quota key (e.g. producer_byte_rate) → value. */
  values: Record<string, number>;
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

/** DescribeClientQuotas; `strict` leaves out entities with more types than the filter names. */
export function describeClientQuotas(
  cluster: Cluster,
  components: QuotaFilterComponent[] = [],
  opts: { strict?: boolean } = {},
): Promise<QuotaEntry[]> {
  return onController(cluster, ApiKey.DescribeClientQuotas, async (conn) => {
    const res = await conn.request(ApiKey.DescribeClientQuotas, {
      components: components.map((c) => ({
        entityType: c.entityType,
        matchType: c.match === undefined ? MATCH_SPECIFIED : c.match === null ? MATCH_DEFAULT : MATCH_EXACT,
        match: c.match ?? null,
      })),
      strict: opts.strict ?? false,
    });
    const err = errorFor(res.errorCode, 'DescribeClientQuotas', res.errorMessage);
    if (err) throw err;
    return (res.entries ?? []).map((e) => ({
      entity: Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName])),
      values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
    }));
  });
}

/** Changes to one entity's quotas: a value sets the key, `remove` drops it. */
export interface QuotaAlteration {
  entity: QuotaEntity;
  ops: Array<{ key: string; value?: number; remove?: boolean }>;
}

/** Outcome per entity of alterClientQuotas. */
export interface AlterQuotaResult extends ItemResult {
  entity: QuotaEntity;
}

function sameEntity(a: QuotaEntity, b: Array<{ entityType: string; entityName: string | null }>): boolean {
  const keys = Object.keys(a);
  return keys.length === b.length && b.every((x) => x.entityType in a && a[x.entityType] === x.entityName);
}

/** AlterClientQuotas: one result per entity. */
export function alterClientQuotas(
  cluster: Cluster,
  alterations: QuotaAlteration[],
  opts: { validateOnly?: boolean } = {},
): Promise<AlterQuotaResult[]> {
  return onController(cluster, ApiKey.AlterClientQuotas, async (conn) => {
    const res = await conn.request(ApiKey.AlterClientQuotas, {
      entries: alterations.map((a) => ({
        entity: Object.entries(a.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
        ops: a.ops.map((o) => ({ key: o.key, value: o.value ?? 0, remove: o.remove ?? false })),
      })),
      validateOnly: opts.validateOnly ?? false,
    });
    return alterations.map((a, i) => {
      const r = res.entries.find((e) => sameEntity(a.entity, e.entity)) ?? res.entries[i];
      return {
        entity: a.entity,
        error: r
          ? errorFor(r.errorCode, `quota entity ${JSON.stringify(a.entity)}`, r.errorMessage)
          : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, 'AlterClientQuotas', 'no answer for this entity'),
      };
    });
  });
}
