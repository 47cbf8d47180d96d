/**
 * What a connector is to the engine: a factory named by `'connector' = '…'` that validates a table's WITH
 * options with Flink's option names (and Flink's "Unsupported options found for 'kafka'" message), and
 * makes sources and sinks.
 *
 * A source runs as an async loop pushing rows through a SourceOutput: every row carries the values of the
 * table's physical and metadata columns in declaration order (computed columns and the watermark are the
 * engine's). A source declares how many partitions it reads so watermarks are kept per partition.
 * A sink receives changelog rows of the table's physical and writable metadata columns.
 */
import type { CatalogColumn, CatalogTable } from '../catalog/catalog.ts';
import { fullName } from '../catalog/catalog.ts';
import type { ChangelogMode, Field, Row, RowKind } from '../runtime/changelog.ts';
import type { CheckpointWriter } from '../runtime/state/checkpoints.ts';
import type { SqlType } from '../types/index.ts';

/** An error in a table's definition or options (Flink's ValidationException); one line. */
export class ConnectorOptionError extends Error {
  override readonly name = 'ConnectorOptionError';
}

/** Where sources and sinks send/print things, and how they reach Kafka. */
export interface ConnectorEnv {
  /** The print sink's output (one line per row). */
  print(line: string, stderr: boolean): void;
  /** Kafka bootstrap servers when a table has no `properties.bootstrap.servers`. */
  defaultBootstrapServers?: string;
  /** Session time zone. */
  timeZone: string;
}

/** The stream a running source writes to. */
export interface SourceOutput {
  /** How many partitions (splits) the source reads; watermarks are tracked per partition. Default 1. */
  setPartitions(n: number): void;
  emit(partition: number, kind: RowKind, row: Row): void;
  /** A partition has no more data (bounded read): it no longer holds back the watermark. */
  endPartition(partition: number): void;
  /** Lets downstream work (sinks' pending writes) catch up; sources await it between batches. */
  drain(): Promise<void>;
  /**
   * Resolves once every row emitted so far has been delivered by the job's sinks (they are flushed);
   * throws their delivery error. A source commits its read positions only after this, so a crash
   * replays rows rather than losing them (at-least-once for stateless pipelines).
   */
  checkpoint(): Promise<void>;
}

/** One running instance of a source. */
export interface SourceRuntime {
  /** Runs until the input ends (bounded) or `signal` aborts. */
  run(out: SourceOutput, signal: AbortSignal): Promise<void>;
  /**
   * Checkpoints: the read positions of every row emitted so far (called synchronously between batches,
   * while the source waits in `out.drain()`), and — before `run` — the positions to continue from.
   * A source without them starts over after a restore.
   */
  snapshotState?(): unknown;
  restoreState?(state: unknown): void;
  /** The checkpoint that holds the last snapshot committed (e.g. commit offsets to the group for monitoring). */
  checkpointComplete?(): void;
}

/** How the job runs a source. */
export interface SourceContext {
  /** The job takes checkpoints: positions are committed with them, not by the source itself. */
  checkpointing: boolean;
}

/** A source as planned. */
export interface SourceProvider {
  changelogMode: ChangelogMode;
  bounded: boolean;
  create(ctx?: SourceContext): SourceRuntime;
}

/** One running instance of a sink. */
export interface SinkRuntime {
  write(kind: RowKind, row: Row): void;
  /** Waits for everything written so far to be delivered; throws a delivery error. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A sink as planned. */
export interface SinkProvider {
  /** Which row kinds it consumes: APPEND for append-only sinks, UPSERT for upsert sinks, RETRACT for all. */
  accepts: 'append' | 'upsert' | 'all';
  create(ctx?: SinkContext): SinkRuntime;
}

/** How the job runs a sink. */
export interface SinkContext {
  /** The job takes checkpoints (exactly-once sinks need them). */
  readonly checkpointing: boolean;
  /** The cluster the job's transaction writes to (exactly-once sinks must write there). */
  readonly transactionBootstrap: string | null;
  /** The job's transaction: set before the first row reaches the sink, null without checkpoints. */
  readonly transaction: CheckpointWriter | null;
}

/** Partial lookup cache settings (Flink's `lookup.partial-cache.*`); durations in ms, 0 = never expire. */
export interface LookupCacheOptions {
  maxRows: number;
  expireAfterWriteMs: number;
  expireAfterAccessMs: number;
  /** Also cache keys that matched no row. */
  cacheMissingKey: boolean;
}

/** One running instance of a lookup source (per job). */
export interface LookupRuntime {
  /**
   * Rows of the table (its physical columns) for each key; `keys[i]` holds the values of the lookup key
   * columns. Resolves with one row list per key, in order.
   */
  lookup(keys: unknown[][]): Promise<Row[][]>;
  close(): Promise<void>;
}

/** A table that can be looked up by key (a lookup join's right side). */
export interface LookupProvider {
  /** null: no cache. */
  cache: LookupCacheOptions | null;
  /** How often a failed lookup is retried before the job fails. */
  maxRetries: number;
  /** At most this many keys per `lookup` call. */
  maxBatch: number;
  /** `keyColumns`: indexes of the lookup key columns among the physical columns. */
  create(keyColumns: number[]): LookupRuntime;
}

/** A table as a connector sees it. */
export interface TableInfo {
  /** `default_catalog.default_database.name` */
  objectName: string;
  table: CatalogTable;
  options: Record<string, string>;
  /** Physical columns in order. */
  physical: Field[];
  /** Columns a source emits (physical + metadata) / a sink receives (physical + writable metadata). */
  columns: CatalogColumn[];
}

/** A connector: option names, metadata columns, sources and sinks. */
export interface ConnectorFactory {
  identifier: string;
  requiredOptions: readonly string[];
  optionalOptions: readonly string[];
  /** Option prefixes accepted as a family (`properties.`, `fields.`). */
  optionalPrefixes?: readonly string[];
  /** Metadata keys with their types and whether sinks can write them. */
  metadata?: Readonly<Record<string, { type: SqlType; writable: boolean }>>;
  /** Option keys the table's formats consume (e.g. `json.ignore-parse-errors` when format = json). */
  formatOptions?(options: Record<string, string>): string[];
  /** Further checks once options are known to be supported (throws ConnectorOptionError). */
  validate?(info: TableInfo): void;
  source?(info: TableInfo, env: ConnectorEnv): SourceProvider;
  sink?(info: TableInfo, env: ConnectorEnv): SinkProvider;
  /** The table as a lookup join's right side (`JOIN t FOR SYSTEM_TIME AS OF o.proctime`). */
  lookup?(info: TableInfo, env: ConnectorEnv): LookupProvider;
}

const registry = new Map<string, ConnectorFactory>();

/** Adds a connector factory. */
export function registerConnector(f: ConnectorFactory): void {
  registry.set(f.identifier, f);
}

/** A connector by identifier. */
export function getConnector(id: string): ConnectorFactory | undefined {
  return registry.get(id);
}

/** Identifiers of every registered connector, sorted. */
export function connectorIds(): string[] {
  return [...registry.keys()].sort();
}

/** Table info for a catalog table; `forSink` picks the sink's columns. */
export function tableInfo(t: CatalogTable, forSink = false): TableInfo {
  return {
    objectName: fullName(t.name),
    table: t,
    options: t.options,
    physical: t.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })),
    columns: t.columns.filter((c) =>
      forSink ? c.kind === 'physical' || (c.kind === 'metadata' && !c.virtual) : c.kind !== 'computed',
    ),
  };
}

/**
 * Validates a table against its connector: `connector` present and known, required options present, no
 * unsupported options, metadata columns known (and writable where needed). Returns the factory.
 */
export function validateTable(t: CatalogTable): ConnectorFactory {
  const id = t.options.connector;
  if (id === undefined)
    throw new ConnectorOptionError(
      `Table options do not contain an option key 'connector' for discovering a connector. Table: ${fullName(t.name)}`,
    );
  const f = registry.get(id);
  if (!f)
    throw new ConnectorOptionError(
      `Could not find any factory for identifier '${id}' that implements 'org.apache.flink.table.factories.DynamicTableFactory' in the classpath. Available factory identifiers are: ${connectorIds().join(', ')}`,
    );
  const keys = Object.keys(t.options);
  const missing = f.requiredOptions.filter((k) => t.options[k] === undefined);
  if (missing.length)
    throw new ConnectorOptionError(
      `One or more required options are missing. Missing required options are: ${missing.sort().join(', ')}`,
    );
  const formatKeys = new Set(f.formatOptions?.(t.options) ?? []);
  const known = new Set(['connector', ...f.requiredOptions, ...f.optionalOptions]);
  const unsupported = keys.filter(
    (k) => !known.has(k) && !formatKeys.has(k) && !(f.optionalPrefixes ?? []).some((p) => k.startsWith(p)),
  );
  if (unsupported.length) {
    const supported = [...known, ...formatKeys].sort();
    throw new ConnectorOptionError(
      `Unsupported options found for '${id}'. Unsupported options: ${unsupported.sort().join(', ')}. Supported options: ${supported.join(', ')}`,
    );
  }
  for (const c of t.columns) {
    if (c.kind !== 'metadata') continue;
    const key = c.metadataKey ?? c.name;
    const m = f.metadata?.[key];
    if (!m)
      throw new ConnectorOptionError(
        `Invalid metadata key '${key}' in column '${c.name}' of table '${fullName(t.name)}'. The ${f.identifier} connector supports the following metadata keys: ${Object.keys(f.metadata ?? {}).join(', ') || '(none)'}`,
      );
  }
  f.validate?.(tableInfo(t));
  return f;
}

/** Parses a duration option (`10 s`, `500ms`, `1 min`, `2h`, plain number = ms). */
export function parseDuration(text: string, key: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new ConnectorOptionError(`Could not parse value '${text}' for key '${key}'.`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const mult: Record<string, number> = {
    '': 1,
    ms: 1,
    milli: 1,
    millis: 1,
    millisecond: 1,
    milliseconds: 1,
    s: 1000,
    sec: 1000,
    secs: 1000,
    second: 1000,
    seconds: 1000,
    m: 60_000,
    min: 60_000,
    mins: 60_000,
    minute: 60_000,
    minutes: 60_000,
    h: 3_600_000,
    hour: 3_600_000,
    hours: 3_600_000,
    d: 86_400_000,
    day: 86_400_000,
    days: 86_400_000,
  };
  const k = mult[unit];
  if (k === undefined) throw new ConnectorOptionError(`Could not parse value '${text}' for key '${key}'.`);
  return n * k;
}

/** An integer option, with Flink's message when it is not one. */
export function intOption(options: Record<string, string>, key: string, dflt?: number): number | undefined {
  const v = options[key];
  if (v === undefined) return dflt;
  if (!/^\s*-?\d+\s*$/.test(v)) throw new ConnectorOptionError(`Could not parse value '${v}' for key '${key}'.`);
  return Number(v);
}

/** An option restricted to some values. */
export function enumOption<T extends string>(
  options: Record<string, string>,
  key: string,
  values: readonly T[],
  dflt: T,
): T {
  const v = options[key];
  if (v === undefined) return dflt;
  if (!(values as readonly string[]).includes(v))
    throw new ConnectorOptionError(
      `Could not parse value '${v}' for key '${key}'. Expected one of: [${values.join(', ')}]`,
    );
  return v as T;
}
