/**
 * SqlSession: one user's catalog, options and running jobs. `execute(sql)` runs one statement:
 * DDL, SHOW, DESCRIBE, EXPLAIN, SET and RESET at once; INSERT INTO (and statement sets, CTAS) start a
 * job and return it; a SELECT over bounded input runs to the end and returns its changelog rows, over
 * unbounded input it returns the running job (whose `results` grow until it is stopped).
 */
import {
  Catalog,
  type CatalogTable,
  DEFAULT_CATALOG,
  DEFAULT_DATABASE,
  describeRows,
  fullName,
  showCreateTable,
} from './catalog/catalog.ts';
import { tableFromDdl } from './catalog/ddl.ts';
import { type ConnectorEnv, ConnectorOptionError, parseDuration } from './connectors/connector.ts';
import { listFunctions } from './functions/index.ts';
import { setUserFunctions } from './functions/registry.ts';
import { loadUserFunction, UdfLoadError, type UserFunction } from './functions/udf.ts';
import { type Insert, parseScript, parseStatement, type Query, type Statement } from './parser/index.ts';
import { SqlPlanError, SqlValidationError } from './planner/errors.ts';
import { makeExprContext } from './planner/expr.ts';
import { planInsert, planSink } from './planner/insert.ts';
import { explainTree, isBounded, type PlanNode } from './planner/plan.ts';
import { type PlannerEnv, planQuery } from './planner/query.ts';
import { type Field, formatRow, type Row, RowKind } from './runtime/changelog.ts';
import { type CheckpointConfig, Job, type JobOptions, type ResultRow } from './runtime/job.ts';
import { CheckpointStore } from './runtime/state/checkpoints.ts';
import { checkTimeZone, T } from './types/index.ts';
import './connectors/index.ts';

/** What `execute` returns. */
export type Result =
  /** DDL, SET, RESET: done. */
  | { kind: 'ok'; message: string }
  /** SHOW, DESCRIBE, EXPLAIN, a finished SELECT (with its job): rows with their kinds. */
  | { kind: 'rows'; fields: Field[]; rows: ResultRow[]; job?: Job }
  /** INSERT, statement set, CTAS, unbounded SELECT: the running job. */
  | { kind: 'job'; job: Job; fields: Field[] };

/** Session settings. */
export interface SessionOptions {
  /** Kafka bootstrap servers for tables without `properties.bootstrap.servers`. */
  bootstrapServers?: string;
  /** Where the print sink writes; default process.stdout / process.stderr. */
  print?: (line: string, stderr: boolean) => void;
  /** Initial SET options. */
  options?: Record<string, string>;
  /** Clock for CURRENT_TIMESTAMP & co. (epoch ms); default Date.now. */
  now?: () => number;
  /** Folder of UDF modules for CREATE FUNCTION ... AS 'module-path' (option `table.udf.dir` wins); default `./udf`. */
  udfDir?: string;
  /** Where checkpoints and savepoints go; default `_sql-checkpoints` on `bootstrapServers`. */
  checkpoints?: CheckpointStore;
  /**
   * `STOP JOB 'id' [WITH SAVEPOINT]` when something else owns the jobs (the statement service: id = the
   * statement's name); answers the savepoint path. Default: this session's jobs by job id.
   */
  stopJob?: (id: string, savepoint: boolean) => Promise<string | null>;
}

/**
 * Options the statement service sets around one statement: the job's identity across restarts (its
 * checkpoints) and whether it resumes from its latest checkpoint.
 */
export const JOB_KEY_OPTION = 'tributary.job.key';
export const JOB_RESUME_OPTION = 'tributary.job.resume';

const STRING = T.string();
const rowsResult = (fields: Field[], rows: Row[]): Result => ({
  kind: 'rows',
  fields,
  rows: rows.map((row) => ({ kind: RowKind.INSERT, row })),
});
const OK: Result = { kind: 'ok', message: 'OK' };

export class SqlSession {
  readonly catalog = new Catalog();
  readonly options: Record<string, string>;
  readonly jobs: Job[] = [];
  readonly #opts: SessionOptions;
  /** User functions (CREATE FUNCTION), by upper-case name. */
  readonly #udfs = new Map<string, UserFunction>();
  #checkpoints: CheckpointStore | null = null;
  #ownsCheckpoints = false;

  constructor(opts: SessionOptions = {}) {
    this.#opts = opts;
    this.options = { ...(opts.options ?? {}) };
  }

  /** Forgets the checkpoint of a job key (a deleted statement); nothing without a Kafka cluster. */
  async forgetCheckpoint(key: string): Promise<void> {
    await this.#store()?.forget(key);
  }

  /** The checkpoint store (created on first use), or null without a Kafka cluster. */
  #store(): CheckpointStore | null {
    if (this.#opts.checkpoints) return this.#opts.checkpoints;
    if (!this.#opts.bootstrapServers) return null;
    if (!this.#checkpoints) {
      this.#checkpoints = new CheckpointStore({ bootstrapServers: this.#opts.bootstrapServers });
      this.#ownsCheckpoints = true;
    }
    return this.#checkpoints;
  }

  /**
   * Job options from the session's: `table.exec.state.ttl`, `execution.checkpointing.interval`
   * (checkpoints on when set and > 0), `execution.savepoint.path` (start from a savepoint),
   * `execution.savepoint.ignore-unclaimed-state`.
   */
  #jobOptions(name: string): JobOptions {
    const o = this.options;
    const duration = (key: string): number => {
      const v = o[key];
      if (v === undefined || v.trim() === '') return 0;
      try {
        return parseDuration(v, key);
      } catch (err) {
        throw new SqlValidationError(undefined, (err as Error).message);
      }
    };
    const ttl = duration('table.exec.state.ttl');
    const interval = duration('execution.checkpointing.interval');
    const savepointPath = o['execution.savepoint.path']?.trim() || undefined;
    const key = o[JOB_KEY_OPTION];
    const opts: JobOptions = { stateTtlMs: ttl };
    if (interval > 0 || savepointPath !== undefined || key !== undefined) {
      const store = this.#store();
      if (!store) {
        if (interval > 0 || savepointPath !== undefined)
          throw new SqlValidationError(
            undefined,
            'Checkpoints and savepoints need a Kafka cluster to keep them: start the session with bootstrap servers',
          );
        return opts;
      }
      const cfg: CheckpointConfig = {
        store,
        key:
          key ??
          o['pipeline.name'] ??
          `${name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-${Date.now().toString(36)}`,
        intervalMs: interval,
        minPauseMs: duration('execution.checkpointing.min-pause'),
        resume: o[JOB_RESUME_OPTION] === 'true',
        ...(savepointPath !== undefined ? { savepointPath } : {}),
        ignoreUnclaimed: o['execution.savepoint.ignore-unclaimed-state'] === 'true',
      };
      opts.checkpoint = cfg;
    }
    return opts;
  }

  get #timeZone(): string {
    return this.options['table.local-time-zone'] ?? 'UTC';
  }

  #env(): PlannerEnv {
    const timeZone = this.#timeZone;
    setUserFunctions(this.#udfs);
    const connectorEnv: ConnectorEnv = {
      print:
        this.#opts.print ??
        ((line, stderr) => {
          (stderr ? process.stderr : process.stdout).write(`${line}\n`);
        }),
      defaultBootstrapServers: this.#opts.bootstrapServers,
      timeZone,
    };
    return {
      catalog: this.catalog,
      ctx: makeExprContext(timeZone, this.#opts.now ?? Date.now),
      connectorEnv,
      options: this.options,
    };
  }

  /** Runs every statement of a script in order; returns the last result. */
  async executeScript(sql: string): Promise<Result[]> {
    const out: Result[] = [];
    for (const s of parseScript(sql)) out.push(await this.executeStatement(s.statement));
    return out;
  }

  /** Parses and runs one statement. */
  async execute(sql: string): Promise<Result> {
    return this.executeStatement(parseStatement(sql));
  }

  /** Runs one parsed statement. */
  async executeStatement(stmt: Statement): Promise<Result> {
    switch (stmt.kind) {
      case 'CreateTable':
        return this.#createTable(stmt);
      case 'CreateView': {
        const name = this.#objectName(stmt.name, stmt.pos);
        if (this.catalog.has(name)) {
          if (stmt.ifNotExists) return OK;
          if (!stmt.orReplace)
            throw new SqlValidationError(
              stmt.pos,
              `Table (or view) ${DEFAULT_DATABASE}.${name} already exists in Catalog ${DEFAULT_CATALOG}.`,
            );
        }
        const p = planQuery(stmt.query, this.#env());
        const columnNames = stmt.columns?.map((c) => c.value);
        if (columnNames && columnNames.length !== p.node.fields.length)
          throw new SqlValidationError(
            stmt.pos,
            `List of column aliases must have same degree as table; table has ${p.node.fields.length} columns, whereas alias list has ${columnNames.length} columns`,
          );
        const fields = p.node.fields.map((f, i) => ({ name: columnNames?.[i] ?? f.name, type: f.type }));
        this.catalog.put({ kind: 'view', name, query: stmt.query, columnNames, fields });
        return OK;
      }
      case 'CreateFunction':
        return this.#createFunction(stmt);
      case 'Drop': {
        if (stmt.object === 'FUNCTION') return this.#dropFunction(stmt);
        if (stmt.object !== 'TABLE' && stmt.object !== 'VIEW')
          throw new SqlValidationError(stmt.pos, `DROP ${stmt.object} is not supported yet`);
        const name = Catalog.objectName(stmt.name);
        const obj = name === undefined ? undefined : this.catalog.get(name);
        const want = stmt.object === 'TABLE' ? 'table' : 'view';
        if (!obj || obj.kind !== want) {
          if (stmt.ifExists) return OK;
          const shown = name ? fullName(name) : stmt.name.map((n) => n.value).join('.');
          throw new SqlValidationError(
            stmt.pos,
            want === 'table'
              ? `Table with identifier '${shown}' does not exist.`
              : `View with identifier '${shown}' does not exist.`,
          );
        }
        this.catalog.delete(obj.name);
        return OK;
      }
      case 'Show':
        return this.#show(stmt);
      case 'Describe': {
        const name = Catalog.objectName(stmt.name);
        const obj = name === undefined ? undefined : this.catalog.get(name);
        if (!obj)
          throw new SqlValidationError(
            stmt.pos,
            `Tables or views with the identifier '${stmt.name.map((n) => n.value).join('.')}' doesn't exist.`,
          );
        const fields = [
          { name: 'name', type: STRING },
          { name: 'type', type: STRING },
          { name: 'null', type: T.boolean() },
          { name: 'key', type: STRING },
          { name: 'extras', type: STRING },
          { name: 'watermark', type: STRING },
        ];
        return rowsResult(fields, describeRows(obj));
      }
      case 'Explain': {
        const env = this.#env();
        const s = stmt.statement;
        let roots: PlanNode[];
        if (s.kind === 'Query') roots = [this.#collect(planQuery(s, env).node)];
        else if (s.kind === 'Insert') roots = [planInsert(s, env)];
        else if (s.kind === 'StatementSet') roots = s.inserts.map((i) => planInsert(i, env));
        else throw new SqlValidationError(stmt.pos, 'EXPLAIN of CREATE TABLE AS SELECT is not supported yet');
        const text = `== Optimized Physical Plan ==\n${roots.map(explainTree).join('\n\n')}\n`;
        return rowsResult([{ name: 'result', type: STRING }], [[text]]);
      }
      case 'Set': {
        if (stmt.key === undefined)
          return rowsResult(
            [
              { name: 'key', type: STRING },
              { name: 'value', type: STRING },
            ],
            Object.entries(this.options)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, v]),
          );
        if (stmt.key === 'table.local-time-zone') {
          try {
            checkTimeZone(stmt.value!);
          } catch {
            throw new ConnectorOptionError(`Invalid time zone '${stmt.value}' for 'table.local-time-zone'.`);
          }
        }
        this.options[stmt.key] = stmt.value ?? '';
        return OK;
      }
      case 'Reset': {
        if (stmt.key === undefined) for (const k of Object.keys(this.options)) delete this.options[k];
        else delete this.options[stmt.key];
        return OK;
      }
      case 'Use': {
        const n = stmt.names.map((x) => x.value).join('.');
        const ok =
          stmt.target === 'CATALOG'
            ? n === DEFAULT_CATALOG
            : n === DEFAULT_DATABASE || n === `${DEFAULT_CATALOG}.${DEFAULT_DATABASE}`;
        if (!ok)
          throw new SqlValidationError(
            stmt.pos,
            `${stmt.target === 'CATALOG' ? 'Catalog' : 'Database'} ${n} does not exist`,
          );
        return OK;
      }
      case 'Insert':
        return this.#startJob(stmt.query, [stmt]);
      case 'StatementSet':
        return this.#startJob(null, stmt.inserts);
      case 'Query':
        return this.#select(stmt);
      case 'StopJob':
        return this.#stopJob(stmt);
      default: {
        const what: Record<string, string> = {
          CreateCatalog: 'CREATE CATALOG',
          CreateDatabase: 'CREATE DATABASE',
          AlterTable: 'ALTER TABLE',
          Jar: 'ADD/REMOVE JAR',
          Module: 'LOAD/UNLOAD MODULE',
        };
        throw new SqlValidationError(stmt.pos, `${what[stmt.kind] ?? stmt.kind} is not supported yet`);
      }
    }
  }

  /** STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]: stops a job (after a savepoint); answers the savepoint's path. */
  async #stopJob(stmt: Extract<Statement, { kind: 'StopJob' }>): Promise<Result> {
    if (stmt.withDrain)
      throw new SqlValidationError(stmt.pos, 'STOP JOB ... WITH DRAIN is not supported: stop without draining');
    let path: string | null;
    if (this.#opts.stopJob) path = await this.#opts.stopJob(stmt.jobId, stmt.withSavepoint);
    else {
      const job = this.jobs.find((j) => j.id === stmt.jobId);
      if (job?.status !== 'RUNNING')
        throw new SqlValidationError(stmt.pos, `Could not stop job '${stmt.jobId}': no running job has that id`);
      if (stmt.withSavepoint) path = await job.stopWithSavepoint();
      else {
        await job.stop({ checkpoint: true });
        path = null;
      }
    }
    return stmt.withSavepoint ? rowsResult([{ name: 'savepoint path', type: STRING }], [[path]]) : OK;
  }

  /** CREATE FUNCTION name AS 'module-path': loads a TypeScript/JavaScript UDF module (functions/udf.ts). */
  async #createFunction(stmt: Extract<Statement, { kind: 'CreateFunction' }>): Promise<Result> {
    const name = this.#objectName(stmt.name, stmt.pos);
    const key = name.toUpperCase();
    if (stmt.language && !['JAVASCRIPT', 'TYPESCRIPT'].includes(stmt.language.toUpperCase()))
      throw new SqlValidationError(
        stmt.pos,
        `LANGUAGE ${stmt.language} is not supported: user-defined functions are TypeScript/JavaScript modules (LANGUAGE JAVASCRIPT or TYPESCRIPT)`,
      );
    if (stmt.jars.length) throw new SqlValidationError(stmt.pos, 'CREATE FUNCTION ... USING JAR is not supported');
    if (this.#udfs.has(key) && !stmt.orReplace) {
      if (stmt.ifNotExists) return OK;
      throw new SqlValidationError(
        stmt.pos,
        `Could not register function '${name}': a function with this name already exists in ${DEFAULT_CATALOG}.${DEFAULT_DATABASE}`,
      );
    }
    const dir = this.options['table.udf.dir'] ?? this.#opts.udfDir ?? './udf';
    let fn: UserFunction;
    try {
      fn = await loadUserFunction(dir, stmt.className, name);
    } catch (err) {
      if (err instanceof UdfLoadError) throw new SqlValidationError(stmt.pos, err.message);
      throw err;
    }
    this.#udfs.set(key, fn);
    return OK;
  }

  #dropFunction(stmt: Extract<Statement, { kind: 'Drop' }>): Result {
    const name = Catalog.objectName(stmt.name);
    if (name === undefined || !this.#udfs.delete(name.toUpperCase())) {
      if (stmt.ifExists) return OK;
      throw new SqlValidationError(stmt.pos, `Function ${stmt.name.map((n) => n.value).join('.')} doesn't exist.`);
    }
    return OK;
  }

  #objectName(name: { value: string }[], pos: Statement['pos']): string {
    const n = Catalog.objectName(name as never);
    if (n === undefined)
      throw new SqlValidationError(
        pos,
        `Catalog or database '${name
          .slice(0, -1)
          .map((x) => x.value)
          .join('.')}' does not exist`,
      );
    return n;
  }

  async #createTable(stmt: Extract<Statement, { kind: 'CreateTable' }>): Promise<Result> {
    const name = this.#objectName(stmt.name, stmt.pos);
    if (this.catalog.has(name) && !stmt.orReplace) {
      if (stmt.ifNotExists) return OK;
      throw new SqlValidationError(
        stmt.pos,
        `Table (or view) ${DEFAULT_DATABASE}.${name} already exists in Catalog ${DEFAULT_CATALOG}.`,
      );
    }
    const env = this.#env();
    if (!stmt.asQuery) {
      this.catalog.put(tableFromDdl(stmt, name, env.ctx));
      return OK;
    }
    const p = planQuery(stmt.asQuery, env);
    const table: CatalogTable = tableFromDdl(stmt, name, env.ctx, p.node.fields);
    const sink = planSink(table, stmt.asQuery, env, undefined, stmt.pos);
    this.catalog.put(table);
    const job = new Job(`CTAS ${name}`, [sink], env.ctx, this.#jobOptions(`CTAS ${name}`));
    this.jobs.push(job);
    job.start();
    return { kind: 'job', job, fields: [] };
  }

  #collect(node: PlanNode): PlanNode {
    return { kind: 'Collect', input: node, fields: node.fields, mode: node.mode, text: 'Collect()' } as PlanNode;
  }

  async #startJob(_q: Query | null, inserts: Insert[]): Promise<Result> {
    const env = this.#env();
    const sinks = inserts.map((i) => planInsert(i, env));
    const name = `INSERT INTO ${sinks.map((s) => s.table.name).join(', ')}`;
    const job = new Job(name, sinks, env.ctx, this.#jobOptions(name));
    this.jobs.push(job);
    job.start();
    // a savepoint that does not fit the query refuses the statement
    if (this.options['execution.savepoint.path']) await job.restored;
    return { kind: 'job', job, fields: [] };
  }

  async #select(q: Query): Promise<Result> {
    const env = this.#env();
    const p = planQuery(q, env);
    const root = this.#collect(p.node);
    const job = new Job('SELECT', [root], env.ctx, { stateTtlMs: this.#jobOptions('SELECT').stateTtlMs ?? 0 });
    this.jobs.push(job);
    job.start();
    if (!isBounded(p.node)) return { kind: 'job', job, fields: p.node.fields };
    await job.wait();
    return { kind: 'rows', fields: p.node.fields, rows: job.results, job };
  }

  #show(stmt: Extract<Statement, { kind: 'Show' }>): Result {
    const one = (name: string, values: string[]) =>
      rowsResult(
        [{ name, type: STRING }],
        values.map((v) => [v]),
      );
    const like = stmt.like;
    const filter = (names: string[]) => {
      if (!like) return names;
      const re = new RegExp(
        `^${like.pattern
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replaceAll('%', '.*')
          .replaceAll('_', '.')}$`,
        like.ilike ? 'i' : '',
      );
      return names.filter((n) => re.test(n) !== like.not);
    };
    switch (stmt.object) {
      case 'TABLES':
        return one('table name', filter(this.catalog.list()));
      case 'VIEWS':
        return one('view name', filter(this.catalog.list('view')));
      case 'FUNCTIONS':
        return one('function name', filter(listFunctions([...this.#udfs.values()].map((f) => f.name))));
      case 'USER FUNCTIONS':
        return one('function name', filter([...this.#udfs.values()].map((f) => f.name).sort()));
      case 'CATALOGS':
        return one('catalog name', [DEFAULT_CATALOG]);
      case 'DATABASES':
        return one('database name', [DEFAULT_DATABASE]);
      case 'CURRENT CATALOG':
        return one('current catalog name', [DEFAULT_CATALOG]);
      case 'CURRENT DATABASE':
        return one('current database name', [DEFAULT_DATABASE]);
      case 'JOBS':
        return rowsResult(
          [
            { name: 'job id', type: STRING },
            { name: 'job name', type: STRING },
            { name: 'status', type: STRING },
          ],
          this.jobs.map((j) => [j.id, j.name, j.status]),
        );
      case 'CREATE TABLE': {
        const name = stmt.name ? Catalog.objectName(stmt.name) : undefined;
        const obj = name === undefined ? undefined : this.catalog.get(name);
        if (obj?.kind !== 'table')
          throw new SqlValidationError(
            stmt.pos,
            `Could not execute SHOW CREATE TABLE. Table with identifier '${stmt.name?.map((n) => n.value).join('.')}' does not exist.`,
          );
        return one('result', [showCreateTable(obj)]);
      }
      default:
        throw new SqlValidationError(stmt.pos, `SHOW ${stmt.object} is not supported yet`);
    }
  }

  /** Stops every running job. */
  async close(): Promise<void> {
    await Promise.all(this.jobs.map((j) => j.stop()));
    if (this.#ownsCheckpoints) await this.#checkpoints?.close();
  }
}

/** Result rows as `+I[1, foo]` lines (Flink's print format). */
export function formatResultRows(r: Result, timeZone = 'UTC'): string[] {
  if (r.kind === 'ok') return [];
  const rows = r.kind === 'rows' ? r.rows : r.job.results;
  return rows.map((x) => formatRow(x.kind, x.row, r.fields, timeZone));
}

export { SqlPlanError, SqlValidationError };
