/**
 * What the statement service needs from the engine beyond `SqlSession.execute`, in one place (each a
 * workaround until the engine offers it):
 *
 * - runStatement: per-statement session options and per-statement Kafka source options around the
 *   synchronous part of `executeStatement` (planning and job start), and the started job found as the
 *   newest entry of `session.jobs`.
 * - isBoundedStatement: plans the statement a second time to read `isBounded` of its plan.
 * - takeResults: empties a SELECT job's collector (which keeps every row) into the caller's buffer.
 */
import type { CatalogTable, Job, Result, SqlSession } from '../index.ts';
import type { Statement } from '../parser/index.ts';
import { makeExprContext } from '../planner/expr.ts';
import { planInsert } from '../planner/insert.ts';
import { isBounded } from '../planner/plan.ts';
import { type PlannerEnv, planQuery } from '../planner/query.ts';
import type { ResultRow } from '../runtime/job.ts';
import { JOB_KEY_OPTION, JOB_RESUME_OPTION } from '../session.ts';

/** Checkpoint interval of statements that set none (Flink's default is off; the service checkpoints). */
export const DEFAULT_CHECKPOINT_INTERVAL = '10 s';

/**
 * The session options a statement runs with: its properties, checkpoints every 10 s unless it sets
 * `execution.checkpointing.interval`, its name as the job's identity, and whether to resume from its
 * latest checkpoint.
 */
export function statementOptions(
  name: string,
  properties: Record<string, string>,
  resume: boolean,
): Record<string, string> {
  return {
    'execution.checkpointing.interval': DEFAULT_CHECKPOINT_INTERVAL,
    ...properties,
    [JOB_KEY_OPTION]: name,
    [JOB_RESUME_OPTION]: String(resume),
  };
}

/** How a statement's `kafka` sources read. */
export interface SourceMode {
  /** The consumer group of the statement's sources when a table sets none: the statement's name. */
  groupId: string;
  /** Commit source positions (INSERTs, so that they can resume). */
  commit: boolean;
  /** Start from the committed offsets (a resumed INSERT). */
  resume: boolean;
}

/** The options of a `kafka` table as one statement reads it. */
export function statementSourceOptions(options: Record<string, string>, mode: SourceMode): Record<string, string> {
  const o = { ...options };
  o['properties.group.id'] ??= mode.groupId;
  if (mode.commit) o['properties.enable.auto.commit'] ??= 'true';
  const startup = options['scan.startup.mode'] ?? 'group-offsets';
  if (mode.resume && startup !== 'group-offsets') {
    o['scan.startup.mode'] = 'group-offsets';
    // partitions without a commit start where the original mode said
    o['properties.auto.offset.reset'] ??= startup === 'latest-offset' ? 'latest' : 'earliest';
  }
  return o;
}

/**
 * Runs `stmt` in the shared session with `properties` as session options and, when `sources` is given,
 * every `kafka` table read as `statementSourceOptions` says. Both apply while the session plans and
 * starts the statement — synchronously inside `executeStatement` — and are put back right after.
 * Answers the started job (SELECT, INSERT, CTAS) or null, and the session's pending result.
 */
export function runStatement(
  session: SqlSession,
  stmt: Statement,
  properties: Record<string, string>,
  sources: SourceMode | null,
): { job: Job | null; result: Promise<Result> } {
  const options = session.options;
  const saved = { ...options };
  Object.assign(options, properties);
  const catalog = session.catalog;
  const swapped: Array<[CatalogTable, CatalogTable]> = [];
  if (sources) {
    for (const name of catalog.list()) {
      const t = catalog.get(name);
      if (t?.kind !== 'table' || t.options.connector !== 'kafka') continue;
      const copy: CatalogTable = { ...t, options: statementSourceOptions(t.options, sources) };
      catalog.put(copy);
      swapped.push([t, copy]);
    }
  }
  const jobsBefore = session.jobs.length;
  let result: Promise<Result>;
  try {
    result = session.executeStatement(stmt);
  } finally {
    for (const k of Object.keys(options)) delete options[k];
    Object.assign(options, saved);
    for (const [orig, copy] of swapped) if (catalog.get(orig.name) === copy) catalog.put(orig);
  }
  const job = session.jobs.length > jobsBefore ? (session.jobs.at(-1) ?? null) : null;
  return { job, result };
}

/** Whether a SELECT/INSERT/CTAS reads bounded input only (planned again, nothing runs). */
export function isBoundedStatement(
  session: SqlSession,
  stmt: Statement,
  properties: Record<string, string>,
  bootstrapServers: string,
): boolean {
  const options = { ...session.options, ...properties };
  const timeZone = options['table.local-time-zone'] ?? 'UTC';
  const env: PlannerEnv = {
    catalog: session.catalog,
    ctx: makeExprContext(timeZone),
    connectorEnv: { print: () => {}, defaultBootstrapServers: bootstrapServers, timeZone },
    options,
  };
  try {
    if (stmt.kind === 'Query') return isBounded(planQuery(stmt, env).node);
    if (stmt.kind === 'Insert') return isBounded(planInsert(stmt, env).input);
    if (stmt.kind === 'StatementSet') return stmt.inserts.every((i) => isBounded(planInsert(i, env).input));
    if (stmt.kind === 'CreateTable' && stmt.asQuery) return isBounded(planQuery(stmt.asQuery, env).node);
  } catch {
    // the session planned it already; a second planning failing says nothing about boundedness
  }
  return false;
}

/** The rows a SELECT job collected since the last call; the job's collector is emptied. */
export function takeResults(job: Job): ResultRow[] {
  const rows = job.results;
  // the collector keeps every row: emptying it here bounds a running SELECT's memory
  return rows.length === 0 ? [] : rows.splice(0, rows.length);
}
