/**
 * `jdbc`: a PostgreSQL table, with Flink's JDBC connector options (flink-connector-jdbc). It serves as
 *
 * - a lookup source: the right side of `JOIN t FOR SYSTEM_TIME AS OF o.proc_time` (../../planner/lookup-join.ts);
 *   keys are fetched in batches, with an optional partial cache (`lookup.cache` = PARTIAL and
 *   `lookup.partial-cache.*`, or the legacy `lookup.cache.max-rows`/`ttl`/`caching-missing-key`) and
 *   `lookup.max-retries` retries;
 * - a bounded scan source: the table is read once;
 * - a sink: rows are inserted, or upserted by the primary key (`INSERT ... ON CONFLICT DO UPDATE`, deletes
 *   on -D), in batches of `sink.buffer-flush.max-rows` or every `sink.buffer-flush.interval`.
 *
 * Only `jdbc:postgresql://host[:port]/database` URLs are supported.
 */
import type { Row } from '../../runtime/changelog.ts';
import { APPEND, RowKind } from '../../runtime/changelog.ts';
import { groupKey } from '../../runtime/group-aggregate.ts';
import { formatType } from '../../types/index.ts';
import {
  type ConnectorFactory,
  ConnectorOptionError,
  enumOption,
  intOption,
  type LookupCacheOptions,
  type LookupProvider,
  parseDuration,
  registerConnector,
  type SinkRuntime,
  type TableInfo,
} from '../connector.ts';
import { createPool, identifier, parseJdbcUrl, queryText, rowFromPg, supportedType, toPgParam } from './postgres.ts';

/** Lookup queries run per table (`default_catalog.default_database.t`): tests check the cache with it. */
export const jdbcLookupQueries = new Map<string, number>();

const OPTIONS = [
  'driver',
  'username',
  'password',
  'connection.max-retry-timeout',
  'scan.partition.column',
  'scan.partition.num',
  'scan.partition.lower-bound',
  'scan.partition.upper-bound',
  'scan.fetch-size',
  'scan.auto-commit',
  'lookup.cache',
  'lookup.partial-cache.max-rows',
  'lookup.partial-cache.expire-after-write',
  'lookup.partial-cache.expire-after-access',
  'lookup.partial-cache.cache-missing-key',
  'lookup.cache.max-rows',
  'lookup.cache.ttl',
  'lookup.cache.caching-missing-key',
  'lookup.max-retries',
  'sink.buffer-flush.max-rows',
  'sink.buffer-flush.interval',
  'sink.max-retries',
  'sink.parallelism',
  'property-version',
];

function boolOption(o: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l !== 'true' && l !== 'false') throw new ConnectorOptionError(`Could not parse value '${v}' for key '${key}'.`);
  return l === 'true';
}

function durationOption(o: Record<string, string>, key: string, dflt: number): number {
  const v = o[key];
  return v === undefined ? dflt : parseDuration(v, key);
}

function nonNegative(o: Record<string, string>, key: string, dflt: number): number {
  const n = intOption(o, key, dflt)!;
  if (n < 0) throw new ConnectorOptionError(`The value of '${key}' option shouldn't be negative, but is ${n}.`);
  return n;
}

/** The cache a table's options ask for (null: none), as Flink's JDBC connector reads them. */
function cacheOptions(o: Record<string, string>): LookupCacheOptions | null {
  const mode = enumOption(o, 'lookup.cache', ['NONE', 'PARTIAL', 'FULL'] as const, 'NONE');
  if (mode === 'FULL')
    throw new ConnectorOptionError(`'lookup.cache' = 'FULL' is not supported yet by the jdbc connector; use PARTIAL.`);
  if (mode === 'PARTIAL') {
    const keys = [
      'lookup.partial-cache.expire-after-access',
      'lookup.partial-cache.expire-after-write',
      'lookup.partial-cache.max-rows',
    ];
    if (keys.every((k) => o[k] === undefined))
      throw new ConnectorOptionError(
        `Missing '${keys[0]}' or '${keys[1]}' or '${keys[2]}' in the configuration (needed when 'lookup.cache' = 'PARTIAL').`,
      );
    return {
      maxRows: nonNegative(o, 'lookup.partial-cache.max-rows', Number.MAX_SAFE_INTEGER),
      expireAfterWriteMs: durationOption(o, 'lookup.partial-cache.expire-after-write', 0),
      expireAfterAccessMs: durationOption(o, 'lookup.partial-cache.expire-after-access', 0),
      cacheMissingKey: boolOption(o, 'lookup.partial-cache.cache-missing-key', true),
    };
  }
  // legacy options: a cache when lookup.cache.max-rows is positive (ttl defaults to 10 s)
  const maxRows = intOption(o, 'lookup.cache.max-rows', -1)!;
  const ttl = durationOption(o, 'lookup.cache.ttl', 10_000);
  const missing = boolOption(o, 'lookup.cache.caching-missing-key', true);
  if (maxRows > 0 && ttl > 0)
    return { maxRows, expireAfterWriteMs: ttl, expireAfterAccessMs: 0, cacheMissingKey: missing };
  return null;
}

function target(info: TableInfo) {
  const o = info.options;
  const t = parseJdbcUrl(o.url!);
  return { ...t, user: o.username ?? t.user, password: o.password ?? t.password };
}

function connectTimeout(o: Record<string, string>): number {
  return durationOption(o, 'connection.max-retry-timeout', 60_000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sink writing batches: upserts by primary key (deletes on -D), or plain inserts without one. */
function jdbcSink(info: TableInfo): SinkRuntime {
  const o = info.options;
  const cols = info.physical;
  const table = identifier(o['table-name']!);
  const names = cols.map((c) => identifier(c.name));
  const pk = info.table.primaryKey ?? [];
  const pkIdx = pk.map((k) => cols.findIndex((c) => c.name === k));
  const maxRows = intOption(o, 'sink.buffer-flush.max-rows', 100)!;
  const interval = durationOption(o, 'sink.buffer-flush.interval', 1000);
  const maxRetries = nonNegative(o, 'sink.max-retries', 3);
  const pool = createPool(target(info), connectTimeout(o), 1);
  // by key: the last change wins within a batch (upsert); without a key, inserts in order
  let buffer = new Map<string, { kind: RowKind; row: Row }>();
  let seq = 0;
  let writing: Promise<void> = Promise.resolve();
  let error: Error | null = null;
  let timer: NodeJS.Timeout | null = null;

  const upsertSql = (n: number): string => {
    const values = Array.from(
      { length: n },
      (_, r) => `(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(', ')})`,
    ).join(', ');
    let sql = `INSERT INTO ${table} (${names.join(', ')}) VALUES ${values}`;
    if (pk.length) {
      const rest = names.filter((_, i) => !pkIdx.includes(i));
      const keys = pkIdx.map((i) => names[i]).join(', ');
      sql += rest.length
        ? ` ON CONFLICT (${keys}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`
        : ` ON CONFLICT (${keys}) DO NOTHING`;
    }
    return sql;
  };

  const write = async (batch: Array<{ kind: RowKind; row: Row }>): Promise<void> => {
    const upserts = batch.filter((b) => b.kind !== RowKind.DELETE).map((b) => b.row);
    const deletes = batch.filter((b) => b.kind === RowKind.DELETE).map((b) => b.row);
    for (let attempt = 0; ; attempt++) {
      const client = await pool.connect().catch((e: Error) => e);
      try {
        if (client instanceof Error) throw client;
        await client.query('BEGIN');
        for (const row of deletes) {
          const where = pkIdx.map((i, j) => `${names[i]} = $${j + 1}`).join(' AND ');
          await client.query(
            `DELETE FROM ${table} WHERE ${where}`,
            pkIdx.map((i) => toPgParam(row[i], cols[i]!.type)),
          );
        }
        if (upserts.length)
          await client.query(
            upsertSql(upserts.length),
            upserts.flatMap((row) => cols.map((c, i) => toPgParam(row[i], c.type))),
          );
        await client.query('COMMIT');
        client.release();
        return;
      } catch (e) {
        if (!(client instanceof Error)) {
          await client.query('ROLLBACK').catch(() => {});
          client.release();
        }
        if (attempt >= maxRetries)
          throw new Error(`Writing to JDBC table [${info.objectName}] failed: ${(e as Error).message}`);
        await sleep(Math.min(1000, 100 * 2 ** attempt));
      }
    }
  };

  const flushNow = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (buffer.size === 0) return writing;
    const batch = [...buffer.values()];
    buffer = new Map();
    writing = writing
      .then(() => (error ? undefined : write(batch)))
      .catch((e: Error) => {
        error ??= e;
      });
    return writing;
  };

  return {
    write(kind, row) {
      if (error) throw error;
      if (kind === RowKind.UPDATE_BEFORE && pk.length) return;
      if (kind === RowKind.DELETE || kind === RowKind.UPDATE_BEFORE) {
        if (!pk.length)
          throw new Error(`JDBC table [${info.objectName}] without a PRIMARY KEY cannot consume updates or deletes`);
      }
      const key = pk.length ? groupKey(pkIdx.map((i) => row[i])) : String(seq++);
      buffer.delete(key);
      buffer.set(key, { kind, row });
      if (buffer.size >= maxRows) void flushNow();
      else if (!timer && interval > 0) timer = setTimeout(() => void flushNow(), interval);
    },
    async flush() {
      await flushNow();
      if (error) throw error;
    },
    async close() {
      if (timer) clearTimeout(timer);
      await writing;
      await pool.end().catch(() => {});
    },
  };
}

const jdbc: ConnectorFactory = {
  identifier: 'jdbc',
  requiredOptions: ['url', 'table-name'],
  optionalOptions: OPTIONS,
  validate(info) {
    const o = info.options;
    parseJdbcUrl(o.url!);
    if (o.driver !== undefined && o.driver !== 'org.postgresql.Driver')
      throw new ConnectorOptionError(
        `Unsupported JDBC driver '${o.driver}': only PostgreSQL (org.postgresql.Driver) is supported.`,
      );
    if ((o.username === undefined) !== (o.password === undefined))
      throw new ConnectorOptionError(
        'Either all or none of the following options should be provided: username, password',
      );
    for (const c of info.physical)
      if (!supportedType(c.type))
        throw new ConnectorOptionError(
          `The jdbc connector does not support type ${formatType(c.type)} of column '${c.name}' in table '${info.objectName}'.`,
        );
    cacheOptions(o);
    nonNegative(o, 'lookup.max-retries', 3);
    nonNegative(o, 'sink.max-retries', 3);
    const flushRows = intOption(o, 'sink.buffer-flush.max-rows', 100)!;
    if (flushRows < 1)
      throw new ConnectorOptionError(`The value of 'sink.buffer-flush.max-rows' option must be positive.`);
    durationOption(o, 'sink.buffer-flush.interval', 1000);
    connectTimeout(o);
  },
  lookup(info): LookupProvider {
    const o = info.options;
    const cols = info.physical;
    return {
      cache: cacheOptions(o),
      maxRetries: nonNegative(o, 'lookup.max-retries', 3),
      maxBatch: 500,
      create(keyColumns) {
        const pool = createPool(target(info), connectTimeout(o));
        const table = identifier(o['table-name']!);
        const select = `SELECT ${cols.map((c) => identifier(c.name)).join(', ')} FROM ${table} WHERE `;
        const keyNames = keyColumns.map((i) => identifier(cols[i]!.name));
        return {
          async lookup(keys) {
            const params: unknown[] = [];
            const tuples = keys.map((k) => {
              const ps = k.map((v, j) => {
                params.push(toPgParam(v, cols[keyColumns[j]!]!.type));
                return `$${params.length}`;
              });
              return ps.length === 1 ? ps[0]! : `(${ps.join(', ')})`;
            });
            const lhs = keyNames.length === 1 ? keyNames[0]! : `(${keyNames.join(', ')})`;
            jdbcLookupQueries.set(info.objectName, (jdbcLookupQueries.get(info.objectName) ?? 0) + 1);
            const rows = (await queryText(pool, `${select}${lhs} IN (${tuples.join(', ')})`, params)).map((r) =>
              rowFromPg(r, cols),
            );
            const byKey = new Map<string, Row[]>();
            for (const r of rows) {
              const k = groupKey(keyColumns.map((i) => r[i]));
              let list = byKey.get(k);
              if (!list) byKey.set(k, (list = []));
              list.push(r);
            }
            return keys.map((k) => byKey.get(groupKey(k)) ?? []);
          },
          async close() {
            await pool.end().catch(() => {});
          },
        };
      },
    };
  },
  source(info) {
    const o = info.options;
    const cols = info.physical;
    return {
      changelogMode: APPEND,
      bounded: true,
      create: () => ({
        async run(out, signal) {
          out.setPartitions(1);
          const pool = createPool(target(info), connectTimeout(o), 1);
          try {
            const sql = `SELECT ${cols.map((c) => identifier(c.name)).join(', ')} FROM ${identifier(o['table-name']!)}`;
            let rows: Array<Array<string | null>>;
            try {
              rows = await queryText(pool, sql);
            } catch (e) {
              throw new Error(`Reading JDBC table [${info.objectName}] failed: ${(e as Error).message}`);
            }
            for (let i = 0; i < rows.length; i++) {
              if (signal.aborted) return;
              out.emit(0, RowKind.INSERT, rowFromPg(rows[i]!, cols));
              if (i % 1000 === 999) await out.drain();
            }
            await out.drain();
            out.endPartition(0);
          } finally {
            await pool.end().catch(() => {});
          }
        },
      }),
    };
  },
  sink(info) {
    return { accepts: info.table.primaryKey?.length ? 'upsert' : 'append', create: () => jdbcSink(info) };
  },
};

registerConnector(jdbc);
