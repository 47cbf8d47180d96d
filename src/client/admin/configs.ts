/**
 * DescribeConfigs and IncrementalAlterConfigs for topics, brokers, broker
 * loggers and groups. Broker resources go to that broker (the empty name,
 * the cluster-wide defaults, to the controller); the others to the controller.
 */
import type { Cluster } from '../cluster.ts';
import type { ApiKeyNumber, Connection } from '../connection.ts';
import { KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, groupBy, type ItemResult, requireApi, sendItems, throwFirst } from './request.ts';

/** The kinds of resource that have configs. */
export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger' | 'group';

const RESOURCE_CODES: Record<ConfigResourceType, number> = { topic: 2, broker: 4, 'broker-logger': 8, group: 32 };

/** The wire code of a config resource type. */
export function configResourceCode(type: ConfigResourceType): number {
  return RESOURCE_CODES[type];
}

function resourceTypeName(code: number): ConfigResourceType {
  const found = (Object.keys(RESOURCE_CODES) as ConfigResourceType[]).find((k) => RESOURCE_CODES[k] === code);
  return found ?? 'topic';
}

/** Where a config value comes from, with the names Kafka's admin client uses. */
export type ConfigSource =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'DYNAMIC_CLIENT_METRICS_CONFIG'
  | 'DYNAMIC_GROUP_CONFIG';

const SOURCES: ConfigSource[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'DYNAMIC_CLIENT_METRICS_CONFIG',
  'DYNAMIC_GROUP_CONFIG',
];

/** The source name of a wire ConfigSource code. */
export function configSourceName(code: number): ConfigSource {
  return SOURCES[code] ?? 'UNKNOWN';
}

const TYPES = ['UNKNOWN', 'BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'] as const;

/** One config of a resource. */
export interface ConfigEntry {
  name: string;
  /** null for sensitive values (the broker never sends them) and unset ones. */
  value: string | null;
  source: ConfigSource;
  readOnly: boolean;
  sensitive: boolean;
  isDefault: boolean;
  /** Value type (DescribeConfigs v3+; UNKNOWN before). */
  type: (typeof TYPES)[number];
  /** Where else the value is set, highest precedence first (with `includeSynonyms`). */
  synonyms: Array<{ name: string; value: string | null; source: ConfigSource }>;
  documentation: string | null;
}

/** A resource to describe; `keys` limits the answer to those configs. */
export interface ConfigResource {
  type: ConfigResourceType;
  /** Topic name, broker id as a string ("" for the cluster-wide broker defaults), group id. */
  name: string;
  keys?: string[];
}

/** The configs of one resource. */
export interface ResourceConfigs {
  type: ConfigResourceType;
  name: string;
  configs: ConfigEntry[];
}

/** Options of describeConfigs. */
export interface DescribeConfigsOptions {
  includeSynonyms?: boolean;
  includeDocumentation?: boolean;
}

/** The connection a resource's config request goes to: a named broker itself, otherwise the controller. */
async function connectionFor(cluster: Cluster, type: ConfigResourceType, name: string): Promise<Connection> {
  if ((type === 'broker' || type === 'broker-logger') && /^\d+$/.test(name)) return cluster.connection(Number(name));
  return cluster.controller();
}

/** Runs `call` on the resource's broker; a Kafka failure (lost connection, unsupported API) is returned for its items to carry. */
async function routed<T>(
  cluster: Cluster,
  r: { type: ConfigResourceType; name: string },
  apiKey: ApiKeyNumber,
  call: (conn: Connection) => Promise<T>,
): Promise<T | KafkaError> {
  try {
    const conn = await connectionFor(cluster, r.type, r.name);
    requireApi(conn, apiKey);
    return await call(conn);
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
}

function routeKey(r: { type: ConfigResourceType; name: string }): string {
  return (r.type === 'broker' || r.type === 'broker-logger') && /^\d+$/.test(r.name)
    ? `broker-${r.name}`
    : 'controller';
}

/** Describes configs; throws the first resource error (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
export async function describeConfigs(
  cluster: Cluster,
  resources: ConfigResource[],
  opts: DescribeConfigsOptions = {},
): Promise<ResourceConfigs[]> {
  type R = ItemResult & ResourceConfigs;
  const results = await sendItems<ConfigResource, R>(cluster, resources, async (batch) => {
    const out: R[] = new Array(batch.length);
    const routes = groupBy(
      batch.map((_, j) => j),
      (j) => routeKey(batch[j] as ConfigResource),
    );
    await Promise.all(
      [...routes.values()].map(async (idx) => {
        const first = batch[idx[0] as number] as ConfigResource;
        const res = await routed(cluster, first, ApiKey.DescribeConfigs, (conn) =>
          conn.request(ApiKey.DescribeConfigs, {
            resources: idx.map((j) => {
              const r = batch[j] as ConfigResource;
              return { resourceType: RESOURCE_CODES[r.type], resourceName: r.name, configurationKeys: r.keys ?? null };
            }),
            includeSynonyms: opts.includeSynonyms ?? false,
            includeDocumentation: opts.includeDocumentation ?? false,
          }),
        );
        idx.forEach((j, k) => {
          if (res instanceof KafkaError) {
            const r = batch[j] as ConfigResource;
            out[j] = { type: r.type, name: r.name, configs: [], error: res };
            return;
          }
          const r = batch[j] as ConfigResource;
          const got =
            res.results.find((x) => x.resourceName === r.name && x.resourceType === RESOURCE_CODES[r.type]) ??
            res.results[k];
          out[j] = {
            type: r.type,
            name: r.name,
            configs: (got?.configs ?? [])
              .map(
                (c): ConfigEntry => ({
                  name: c.name,
                  value: c.value,
                  // v0 carries IsDefault only; later versions the source.
                  source: c.configSource >= 0 ? configSourceName(c.configSource) : 'UNKNOWN',
                  readOnly: c.readOnly,
                  sensitive: c.isSensitive,
                  isDefault: c.configSource >= 0 ? c.configSource === 5 : c.isDefault,
                  type: TYPES[c.configType] ?? 'UNKNOWN',
                  synonyms: c.synonyms.map((s) => ({
                    name: s.name,
                    value: s.value,
                    source: configSourceName(s.source),
                  })),
                  documentation: c.documentation,
                }),
              )
              .sort((a, b) => a.name.localeCompare(b.name)),
            error: got
              ? errorFor(got.errorCode, `${r.type} ${r.name}`, got.errorMessage)
              : errorFor(-1, `${r.type} ${r.name}`, 'no answer for this resource'),
          };
        });
      }),
    );
    return out;
  });
  throwFirst(results);
  return results.map(({ error: _, ...rest }) => rest);
}

/** One change of an incremental config alteration. */
export interface ConfigOperation {
  name: string;
  /** set: replace; delete: back to the default; append/subtract: add to or remove from a list config. */
  op: 'set' | 'delete' | 'append' | 'subtract';
  value?: string | null;
}

const OPS = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

/** Changes to one resource's configs. */
export interface AlterConfigsResource {
  type: ConfigResourceType;
  name: string;
  ops: ConfigOperation[];
}

/** Outcome for one resource. */
export interface AlterConfigsResult extends ItemResult {
  type: ConfigResourceType;
  name: string;
}

/** IncrementalAlterConfigs: per-resource results, `error` set where the broker refused. */
export async function incrementalAlterConfigs(
  cluster: Cluster,
  resources: AlterConfigsResource[],
  opts: { validateOnly?: boolean } = {},
): Promise<AlterConfigsResult[]> {
  return sendItems(cluster, resources, async (batch) => {
    const out: AlterConfigsResult[] = new Array(batch.length);
    const routes = groupBy(
      batch.map((_, j) => j),
      (j) => routeKey(batch[j] as ConfigResource),
    );
    await Promise.all(
      [...routes.values()].map(async (idx) => {
        const first = batch[idx[0] as number] as AlterConfigsResource;
        const res = await routed(cluster, first, ApiKey.IncrementalAlterConfigs, (conn) =>
          conn.request(ApiKey.IncrementalAlterConfigs, {
            resources: idx.map((j) => {
              const r = batch[j] as AlterConfigsResource;
              return {
                resourceType: RESOURCE_CODES[r.type],
                resourceName: r.name,
                configs: r.ops.map((o) => ({ name: o.name, configOperation: OPS[o.op], value: o.value ?? null })),
              };
            }),
            validateOnly: opts.validateOnly ?? false,
          }),
        );
        idx.forEach((j, k) => {
          const r = batch[j] as AlterConfigsResource;
          if (res instanceof KafkaError) {
            out[j] = { type: r.type, name: r.name, error: res };
            return;
          }
          const got =
            res.responses.find((x) => x.resourceName === r.name && resourceTypeName(x.resourceType) === r.type) ??
            res.responses[k];
          out[j] = {
            type: r.type,
            name: r.name,
            error: got
              ? errorFor(got.errorCode, `${r.type} ${r.name}`, got.errorMessage)
              : errorFor(-1, `${r.type} ${r.name}`, 'no answer for this resource'),
          };
        });
      }),
    );
    return out;
  });
}
