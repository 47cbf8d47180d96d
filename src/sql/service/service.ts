/**
 * StatementService: the platform's SQL statements as long-running jobs over one shared SqlSession
 * (one catalog). Definitions, status changes and the catalog live in the compacted `_sql-statements`
 * topic (store.ts), so a restarted platform rebuilds its catalog and resumes what was running.
 *
 * Statement lifecycle (kinds: DDL, INFO = SHOW/DESCRIBE/EXPLAIN/USE, SELECT, INSERT = INSERT INTO,
 * statement sets, CREATE TABLE AS SELECT):
 *
 *   create ──SQL error──▶ refused (400, nothing stored)
 *     │
 *     ├─ DDL / INFO ─────────────────────────────────────────────▶ COMPLETED
 *     └─ SELECT / INSERT ─▶ RUNNING ──sources ended, sinks flushed──▶ COMPLETED
 *                             │  ▲ └──────job failed───────────────▶ FAILED ──resume──┐
 *                             │  └─────────────resume───────────────── STOPPED ◀─stop─┘(from RUNNING)
 *                             └── platform stops: stays RUNNING in the topic, resumed at the next start
 *
 * Resuming: an INSERT's `kafka` sources read with `properties.group.id` = the statement name (unless the
 * table sets one) and commit their positions (`properties.enable.auto.commit`; the source commits only
 * after the job's sinks delivered the rows read before, so a crash replays rows and loses none), so a resumed INSERT
 * starts from the committed offsets (`scan.startup.mode` = group-offsets; partitions without a commit
 * start where the original startup mode said: earliest or latest). A SELECT re-runs from its original
 * startup mode (its results live in memory only). Operator state (aggregates, windows) is not
 * checkpointed: it starts empty on resume.
 */
import type { Logger } from '../../client/index.ts';
import { Catalog, type Job, type Result, type SessionOptions, SqlSession } from '../index.ts';
import { type Insert, parseStatement, type Statement } from '../parser/index.ts';
import type { CheckpointStats, OperatorStateSize } from '../runtime/job.ts';
import { createTableDdl, type StoredCatalogObject } from './catalog-ddl.ts';
import { isBoundedStatement, runStatement, statementOptions, takeResults } from './engine.ts';
import { describeSqlError, invalidSql, StatementError } from './errors.ts';
import { type ApiRow, ResultBuffer, type ResultColumn, resultColumns } from './results.ts';
import { StatementStore } from './store.ts';

export type StatementStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'STOPPED';
export type StatementKind = 'DDL' | 'INFO' | 'SELECT' | 'INSERT';

/** A statement as stored in `_sql-statements`. */
interface StoredStatement {
  name: string;
  sql: string;
  properties: Record<string, string>;
  kind: StatementKind;
  status: StatementStatus;
  error: string | null;
  errorLine?: number;
  errorColumn?: number;
  createdAt: number;
  updatedAt: number;
  /** Whether the statement's input ends (null until planned). */
  bounded: boolean | null;
  schema: ResultColumn[] | null;
  /** An INSERT that ran once resumes from its committed source offsets. */
  started: boolean;
  /** The savepoint its last stop with savepoint took. */
  savepoint?: string;
}

/** A statement as the API shows it. */
export interface StatementInfo {
  name: string;
  sql: string;
  properties: Record<string, string>;
  kind: StatementKind;
  status: StatementStatus;
  /** Why it failed: one line, with the position for SQL errors. */
  error: string | null;
  errorLine?: number;
  errorColumn?: number;
  createdAt: string;
  updatedAt: string;
  bounded: boolean | null;
  /** Result columns of SELECT, SHOW, DESCRIBE, EXPLAIN. */
  schema: ResultColumn[] | null;
  /** The savepoint taken when it was stopped with one (pass as `execution.savepoint.path`). */
  savepoint?: string;
  /** A running job's checkpoints and the state each operator holds. */
  state?: { checkpoints: CheckpointStats; operators: OperatorStateSize[] };
}

/** A statement's results. */
export interface StatementResults {
  name: string;
  status: StatementStatus;
  /** No more rows will come. */
  complete: boolean;
  /** The rows are a changelog with updates/deletes, not only inserts. */
  updating: boolean;
  schema: ResultColumn[];
  rows: ApiRow[];
  /** Sequence number of the next row (pass as `from` to read only newer rows). */
  next: number;
  /** Rows dropped from the front of an unbounded result to keep it within its capacity. */
  dropped: number;
  /** False when the rows are gone (the platform restarted since the statement ran). */
  available: boolean;
}

/** Options of StatementService.start. */
export interface StatementServiceOptions {
  bootstrapServers: string;
  logger?: Logger;
  /** Storage topic; default `_sql-statements`. */
  topic?: string;
  /** Rows an unbounded SELECT keeps (the latest); default 1000. */
  maxResultRows?: number;
  /** Session settings (print sink, clock). */
  session?: SessionOptions;
}

/** A request to run a statement. */
export interface CreateStatement {
  sql: string;
  name?: string;
  properties?: Record<string, string>;
}

interface Live {
  st: StoredStatement;
  job: Job | null;
  results: ResultBuffer | null;
  stopping: boolean;
  /** Resolves once the running job's end has been recorded. */
  ended: Promise<void> | null;
  drain: ReturnType<typeof setInterval> | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const JOB_KINDS = new Set<StatementKind>(['SELECT', 'INSERT']);

function kindOf(stmt: Statement): StatementKind {
  switch (stmt.kind) {
    case 'Query':
      return 'SELECT';
    case 'Insert':
    case 'StatementSet':
      return 'INSERT';
    case 'CreateTable':
      return stmt.asQuery ? 'INSERT' : 'DDL';
    case 'Show':
    case 'Describe':
    case 'Explain':
    case 'Use':
    case 'StopJob':
      return 'INFO';
    default:
      return 'DDL';
  }
}

/** The catalog object a DDL statement changes. */
function ddlTarget(stmt: Statement): string | undefined {
  if (stmt.kind === 'CreateTable' || stmt.kind === 'CreateView' || stmt.kind === 'Drop')
    return Catalog.objectName(stmt.name);
  return undefined;
}

/** The statements persist in `_sql-statements`; jobs run in one shared SqlSession. */
export class StatementService {
  /** The shared session: one catalog for every statement. */
  readonly session: SqlSession;
  readonly #store: StatementStore;
  readonly #log: Logger | undefined;
  readonly #opts: StatementServiceOptions;
  readonly #live = new Map<string, Live>();
  #seq = 0;
  #closing = false;

  private constructor(o: StatementServiceOptions, store: StatementStore) {
    this.#opts = o;
    this.#store = store;
    this.#log = o.logger;
    this.session = new SqlSession({
      bootstrapServers: o.bootstrapServers,
      print: (line, stderr) => this.#log?.info?.({ stderr }, line),
      // STOP JOB '<statement name>' [WITH SAVEPOINT] stops a statement
      stopJob: async (id, savepoint) => (await this.stop(id, { savepoint })).savepoint ?? null,
      ...o.session,
    });
  }

  /** Reads `_sql-statements`, rebuilds the catalog and resumes the statements that were running. */
  static async start(o: StatementServiceOptions): Promise<StatementService> {
    const { store, records } = await StatementStore.open({
      bootstrapServers: o.bootstrapServers,
      topic: o.topic,
      logger: o.logger,
    });
    const svc = new StatementService(o, store);
    try {
      await svc.#recover(records);
    } catch (err) {
      await svc.close();
      throw err;
    }
    return svc;
  }

  async #recover(records: Map<string, unknown>): Promise<void> {
    const objects: StoredCatalogObject[] = [];
    const statements: StoredStatement[] = [];
    for (const [k, v] of records) {
      const key = JSON.parse(k) as { type?: string };
      if (key.type === 'catalog') objects.push(v as StoredCatalogObject);
      else if (key.type === 'statement') statements.push(v as StoredStatement);
    }
    // functions, then tables, then views; then passes until nothing more succeeds (LIKE and views over views depend on others)
    let pending = [
      ...objects.filter((o) => o.kind === 'function'),
      ...objects.filter((o) => o.kind === 'table'),
      ...objects.filter((o) => o.kind === 'view'),
    ];
    while (pending.length > 0) {
      const failed: Array<[StoredCatalogObject, unknown]> = [];
      for (const o of pending) {
        try {
          await this.session.execute(o.ddl);
        } catch (err) {
          failed.push([o, err]);
        }
      }
      if (failed.length === pending.length) {
        for (const [o, err] of failed)
          this.#log?.error?.({ err }, `sql: cannot restore ${o.kind} ${o.name} from _sql-statements`);
        break;
      }
      pending = failed.map(([o]) => o);
    }
    statements.sort((a, b) => a.createdAt - b.createdAt);
    for (const st of statements) {
      const m = /^stmt-(\d+)$/.exec(st.name);
      if (m) this.#seq = Math.max(this.#seq, Number(m[1]));
      this.#live.set(st.name, { st, job: null, results: null, stopping: false, ended: null, drain: null });
    }
    for (const st of statements) {
      if (!JOB_KINDS.has(st.kind) || (st.status !== 'RUNNING' && st.status !== 'PENDING')) continue;
      const live = this.#live.get(st.name)!;
      await this.#start(live, null, st.kind === 'INSERT' && st.started);
    }
  }

  /** Runs a statement: DDL and SHOW/DESCRIBE/EXPLAIN complete at once, SELECT and INSERT start a job. */
  async create(req: CreateStatement): Promise<StatementInfo> {
    if (this.#closing) throw new Error('the statement service is stopping');
    if (typeof req.sql !== 'string' || req.sql.trim() === '')
      throw new StatementError('invalid', 'the statement has no SQL: pass "sql"');
    const properties: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.properties ?? {})) {
      if (typeof v !== 'string') throw new StatementError('invalid', `property "${k}" must be a string`);
      properties[k] = v;
    }
    let name = req.name;
    const generated = name === undefined;
    if (name !== undefined) {
      if (typeof name !== 'string' || !NAME.test(name))
        throw new StatementError(
          'invalid',
          `statement name "${name}" is invalid: use up to 100 letters, digits, '.', '_' or '-', starting with a letter or digit`,
        );
      if (this.#live.has(name)) throw new StatementError('conflict', `statement "${name}" already exists`);
    } else {
      do name = `stmt-${++this.#seq}`;
      while (this.#live.has(name));
    }
    let stmt: Statement;
    try {
      stmt = parseStatement(req.sql);
    } catch (err) {
      throw invalidSql(err);
    }
    if (stmt.kind === 'Set' || stmt.kind === 'Reset')
      throw new StatementError(
        'invalid',
        `${stmt.kind === 'Set' ? 'SET' : 'RESET'} changes the client's session: pass options as "properties" of each statement (tributary sql does this for you)`,
        { line: stmt.pos.line, column: stmt.pos.col },
      );
    const now = Date.now();
    const live: Live = {
      st: {
        name,
        sql: req.sql,
        properties,
        kind: kindOf(stmt),
        status: 'PENDING',
        error: null,
        createdAt: now,
        updatedAt: now,
        bounded: null,
        schema: null,
        started: false,
      },
      job: null,
      results: null,
      stopping: false,
      ended: null,
      drain: null,
    };
    this.#live.set(name, live);
    try {
      await this.#start(live, stmt, false);
    } catch (err) {
      this.#live.delete(name);
      // a refused statement does not use up a generated name
      if (generated && name === `stmt-${this.#seq}`) this.#seq--;
      throw err;
    }
    return this.#info(live);
  }

  /**
   * Starts (or resumes) a statement. `stmt` is given on create: a SQL error then throws (nothing is
   * stored); on resume the statement is re-parsed and an error is recorded as FAILED.
   */
  async #start(live: Live, parsed: Statement | null, resume: boolean): Promise<void> {
    const st = live.st;
    const creating = parsed !== null;
    let stmt: Statement;
    try {
      stmt = parsed ?? parseStatement(st.sql);
    } catch (err) {
      await this.#fail(live, err);
      return;
    }
    // a resumed CREATE TABLE AS SELECT: the table is in the catalog already, only its INSERT runs again
    if (!creating && stmt.kind === 'CreateTable' && stmt.asQuery) {
      const insert: Insert = {
        kind: 'Insert',
        pos: stmt.pos,
        overwrite: false,
        table: stmt.name,
        hints: [],
        query: stmt.asQuery,
      };
      stmt = insert;
    }
    const target = ddlTarget(stmt);
    const before = target === undefined ? undefined : this.session.catalog.get(target);
    const { job, result: pending } = runStatement(
      this.session,
      stmt,
      st.kind === 'INSERT' ? statementOptions(st.name, st.properties, resume) : st.properties,
      JOB_KINDS.has(st.kind) ? { groupId: st.name, commit: st.kind === 'INSERT', resume } : null,
    );
    if (!job) {
      let r: Result;
      try {
        r = await pending;
      } catch (err) {
        if (creating) throw invalidSql(err);
        await this.#fail(live, err);
        return;
      }
      if (target !== undefined) await this.#saveCatalog(live, stmt, target, before);
      await this.#saveFunction(live, stmt);
      if (r.kind === 'rows') {
        live.results = new ResultBuffer(r.fields, Number.POSITIVE_INFINITY, this.#timeZone(st));
        live.results.add(r.rows);
        st.schema = resultColumns(r.fields);
      }
      st.status = 'COMPLETED';
      st.error = null;
      await this.#save(st);
      return;
    }
    pending.catch(() => {});
    // starting from a savepoint: a query whose state does not fit is refused, not left to fail
    if (creating && st.properties['execution.savepoint.path']) {
      try {
        await job.restored;
      } catch (err) {
        await job.stop();
        const i = this.session.jobs.indexOf(job);
        if (i >= 0) this.session.jobs.splice(i, 1);
        throw new StatementError('invalid', err instanceof Error ? err.message : String(err));
      }
    }
    if (creating && stmt.kind === 'CreateTable' && target !== undefined)
      await this.#saveCatalog(live, stmt, target, before);
    st.bounded = isBoundedStatement(this.session, stmt, st.properties, this.#opts.bootstrapServers);
    live.job = job;
    live.stopping = false;
    if (st.kind === 'SELECT') {
      const cap = st.bounded ? Number.POSITIVE_INFINITY : (this.#opts.maxResultRows ?? 1000);
      live.results = new ResultBuffer(job.fields, cap, this.#timeZone(st));
      st.schema = resultColumns(job.fields);
      if (!st.bounded) {
        live.drain = setInterval(() => this.#drain(live), 200);
        live.drain.unref();
      }
    }
    st.status = 'RUNNING';
    st.error = null;
    delete st.errorLine;
    delete st.errorColumn;
    if (st.kind === 'INSERT') st.started = true;
    live.ended = job.wait().then(
      () => this.#ended(live, job, null),
      (err: unknown) => this.#ended(live, job, err),
    );
    await this.#save(st);
  }

  #timeZone(st: StoredStatement): string {
    return st.properties['table.local-time-zone'] ?? this.session.options['table.local-time-zone'] ?? 'UTC';
  }

  /** Moves a SELECT job's collected rows into the statement's result buffer. */
  #drain(live: Live): void {
    if (live.job && live.results) live.results.add(takeResults(live.job));
  }

  async #ended(live: Live, job: Job, err: unknown): Promise<void> {
    if (live.job !== job) return;
    this.#drain(live);
    if (live.drain) clearInterval(live.drain);
    live.drain = null;
    live.job = null;
    const i = this.session.jobs.indexOf(job);
    if (i >= 0) this.session.jobs.splice(i, 1);
    if (this.#closing) return;
    const st = live.st;
    if (err) {
      await this.#fail(live, err);
      return;
    }
    st.status = live.stopping || job.status === 'CANCELED' ? 'STOPPED' : 'COMPLETED';
    await this.#save(st).catch((e) => this.#log?.error?.({ err: e }, `sql: cannot record ${st.name}'s status`));
  }

  async #fail(live: Live, err: unknown): Promise<void> {
    const st = live.st;
    const d = describeSqlError(err);
    st.status = 'FAILED';
    st.error = d.message;
    if (d.line !== undefined) {
      st.errorLine = d.line;
      st.errorColumn = d.column;
    }
    this.#log?.warn?.({ statement: st.name }, `sql: statement failed: ${d.message}`);
    await this.#save(st).catch((e) => this.#log?.error?.({ err: e }, `sql: cannot record ${st.name}'s status`));
  }

  async #save(st: StoredStatement): Promise<void> {
    st.updatedAt = Date.now();
    await this.#store.put({ type: 'statement', name: st.name }, st);
  }

  async #saveCatalog(live: Live, stmt: Statement, name: string, before: unknown): Promise<void> {
    const after = this.session.catalog.get(name);
    if (after === before) return;
    if (!after) {
      await this.#store.put({ type: 'catalog', name }, null);
      return;
    }
    const plain = stmt.kind === 'CreateView' || (stmt.kind === 'CreateTable' && !stmt.asQuery && !stmt.like);
    const value: StoredCatalogObject = {
      kind: after.kind,
      name,
      ddl: plain || after.kind === 'view' ? live.st.sql : createTableDdl(after),
    };
    await this.#store.put({ type: 'catalog', name }, value);
  }

  /** CREATE FUNCTION / DROP FUNCTION: the function's DDL under `function:<name>` (null when dropped). */
  async #saveFunction(live: Live, stmt: Statement): Promise<void> {
    const name =
      stmt.kind === 'CreateFunction' || (stmt.kind === 'Drop' && stmt.object === 'FUNCTION')
        ? stmt.name.map((n) => n.value).join('.')
        : undefined;
    if (name === undefined) return;
    const key = { type: 'catalog' as const, name: `function:${name}` };
    if (stmt.kind === 'Drop') await this.#store.put(key, null);
    else await this.#store.put(key, { kind: 'function', name, ddl: live.st.sql } satisfies StoredCatalogObject);
  }

  #get(name: string): Live {
    const live = this.#live.get(name);
    if (!live) throw new StatementError('not-found', `statement "${name}" not found`);
    return live;
  }

  #info(live: Live): StatementInfo {
    const st = live.st;
    return {
      name: st.name,
      sql: st.sql,
      properties: st.properties,
      kind: st.kind,
      status: st.status,
      error: st.error,
      ...(st.errorLine !== undefined ? { errorLine: st.errorLine, errorColumn: st.errorColumn } : {}),
      createdAt: new Date(st.createdAt).toISOString(),
      updatedAt: new Date(st.updatedAt).toISOString(),
      bounded: st.bounded,
      schema: st.schema,
      ...(st.savepoint !== undefined ? { savepoint: st.savepoint } : {}),
      ...(live.job && st.kind === 'INSERT'
        ? { state: { checkpoints: { ...live.job.checkpointStats }, operators: live.job.stateSizes() } }
        : {}),
    };
  }

  /** Every statement, oldest first. */
  list(): StatementInfo[] {
    return [...this.#live.values()].sort((a, b) => a.st.createdAt - b.st.createdAt).map((l) => this.#info(l));
  }

  /** One statement. */
  get(name: string): StatementInfo {
    return this.#info(this.#get(name));
  }

  /** A statement's result rows (with sequence number >= from). */
  results(name: string, from = 0): StatementResults {
    const live = this.#get(name);
    this.#drain(live);
    const st = live.st;
    const done = st.status !== 'RUNNING' && st.status !== 'PENDING';
    const r = live.results;
    return {
      name: st.name,
      status: st.status,
      complete: done,
      updating: r?.updating ?? false,
      schema: st.schema ?? [],
      rows: r ? r.rows(from) : [],
      next: r?.next ?? 0,
      dropped: r?.dropped ?? 0,
      available: r !== null || st.schema === null,
    };
  }

  /**
   * Stops a running statement (STOPPED; resume starts it again from its latest checkpoint). With
   * `savepoint`, an INSERT takes a savepoint first and reports its path: a new statement given it as
   * `execution.savepoint.path` starts from that state (refused when its query's state does not fit).
   */
  async stop(name: string, opts: { savepoint?: boolean } = {}): Promise<StatementInfo> {
    const live = this.#get(name);
    if (!live.job) throw new StatementError('conflict', `statement "${name}" is ${live.st.status}, not RUNNING`);
    if (opts.savepoint && live.st.kind !== 'INSERT')
      throw new StatementError('invalid', `statement "${name}" is a ${live.st.kind}: only an INSERT has a savepoint`);
    live.stopping = true;
    if (opts.savepoint) {
      try {
        live.st.savepoint = await live.job.stopWithSavepoint();
      } catch (err) {
        live.stopping = false;
        throw new StatementError('conflict', `cannot take a savepoint of "${name}": ${(err as Error).message}`);
      }
    } else await live.job.stop({ checkpoint: true });
    await live.ended;
    return this.#info(live);
  }

  /** Starts a stopped or failed SELECT/INSERT again; an INSERT continues from its committed source offsets. */
  async resume(name: string): Promise<StatementInfo> {
    const live = this.#get(name);
    const st = live.st;
    if (!JOB_KINDS.has(st.kind) || (st.status !== 'STOPPED' && st.status !== 'FAILED'))
      throw new StatementError(
        'conflict',
        `statement "${name}" is ${st.status === 'COMPLETED' || !JOB_KINDS.has(st.kind) ? `a ${st.status} ${st.kind}` : st.status}: only a STOPPED or FAILED SELECT/INSERT can be resumed`,
      );
    // claimed before the first await: a second resume meanwhile gets 409
    st.status = 'PENDING';
    await this.#start(live, null, st.kind === 'INSERT' && st.started);
    return this.#info(live);
  }

  /** Stops a statement if it runs and forgets it (its DDL's catalog changes stay). */
  async delete(name: string): Promise<void> {
    const live = this.#get(name);
    if (live.job) {
      live.stopping = true;
      await live.job.stop();
      await live.ended;
    }
    this.#live.delete(name);
    await this.#store.put({ type: 'statement', name }, null);
    // a new statement of the same name must not find this one's state
    if (live.st.kind === 'INSERT')
      await this.session
        .forgetCheckpoint(name)
        .catch((err) => this.#log?.warn?.({ err }, `sql: cannot forget ${name}'s checkpoint`));
  }

  /** Stops every job without changing the stored statuses (running statements resume at the next start). */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const live of this.#live.values()) if (live.drain) clearInterval(live.drain);
    // a last checkpoint each: resumed at the next start, they continue where they stopped
    await Promise.all([...this.#live.values()].map((l) => l.job?.stop({ checkpoint: true })));
    await this.session.close();
    await this.#store.close();
  }
}
