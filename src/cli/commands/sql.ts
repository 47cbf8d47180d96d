/**
 * `tributary sql`: Flink SQL against the platform API (`/api/v1/statements`), like Flink's SQL client.
 *
 * - `-e SQL` / `-f FILE` (or a script on stdin) run a `;`-separated script, statement by statement,
 *   stopping at the first error. Without them and with a terminal: an interactive shell (readline,
 *   history in ~/.tributary_sql_history, multi-line input until a `;` ends a line, `quit;` / `exit;`).
 * - DDL prints `[INFO] Execute statement succeeded.`; a bounded SELECT or INSERT runs to completion
 *   and the command waits; an INSERT over unbounded input prints the statement's name and returns; an
 *   unbounded SELECT prints rows as they come until Ctrl-C (which stops it).
 * - SELECT rows: `--format table` a table like the SQL client's tableau mode, with an `op` column
 *   when the result is a changelog (updates, deletes); `--format json` one JSON object per row
 *   (`op` included for changelogs); [INFO] lines then go to stderr. `--final` folds a bounded
 *   changelog into the table it ends as.
 * - SET 'key' = 'value' / RESET are kept by the client and sent as each statement's properties.
 * - Errors: one line with the position in the script, exit 1; usage errors exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import {
  type ApiRow,
  endsStatement,
  type ResultColumn,
  type ScriptPart,
  type StatementInfo,
  type StatementResults,
  shiftPosition,
  splitScript,
} from '../../sql/service/index.ts';
import { CliError, describeError, EXIT_FAILED, EXIT_OK, UsageError } from '../common/errors.ts';
import { type OutputFormat, outputFormat } from '../common/output.ts';
import { run } from '../common/run.ts';

export const DEFAULT_API_URL = 'http://localhost:8080';
const HISTORY = join(homedir(), '.tributary_sql_history');
const POLL_MS = 100;

interface SqlFlags {
  execute?: string;
  file?: string;
  apiUrl?: string;
  format?: string;
  final?: boolean;
}

/** An error answer of the API; `line`/`column` for SQL errors. */
class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

function apiUrl(flag: string | undefined): string {
  const [value, where] =
    flag !== undefined ? [flag, '--api-url'] : [process.env.TRIBUTARY_API_URL, 'TRIBUTARY_API_URL'];
  if (!value) return DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${where}: "${value}" is not a URL; give e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${where}: "${value}" must be an http:// or https:// URL`);
  return value.replace(/\/+$/, '');
}

/** Why a fetch failed, in a few words: the system error code in its cause chain. */
function reason(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; e && depth < 10; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (typeof code === 'string') return code;
    if (e instanceof Error && e.message) message = e.message;
    const inner = (e as { errors?: unknown[] }).errors;
    e = (e as { cause?: unknown }).cause ?? inner?.[0];
  }
  return message;
}

/** The statement without the comments in front of it (client-side commands are recognised after them). */
function withoutLeadingComments(sql: string): string {
  let s = sql.trim();
  for (;;) {
    const m = /^(--[^\n]*(\n|$)|\/\*(?!\+)[\s\S]*?\*\/)\s*/.exec(s);
    if (!m) return s;
    s = s.slice(m[0].length);
  }
}

/** Requests to the platform API. */
class Api {
  constructor(readonly url: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the platform API at ${this.url} (${reason(err)}); is 'tributary start' running? pass --api-url`,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`the platform API at ${this.url} answered ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) {
      const e = (parsed ?? {}) as { message?: string; line?: number; column?: number };
      throw new ApiError(e.message ?? `HTTP ${res.status}`, e.line, e.column);
    }
    return parsed as T;
  }
}

const pad = (s: string, w: number) => s.padStart(w);
const border = (widths: number[]) => `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
const line = (cells: string[], widths: number[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
const shown = (v: string | null) => (v === null ? '<NULL>' : v);
const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/** A finished result as the SQL client's tableau shows it. */
export function renderTable(schema: ResultColumn[], rows: ApiRow[], changelog: boolean): string {
  if (rows.length === 0 && !changelog) return 'Empty set\n';
  const headers = [...(changelog ? ['op'] : []), ...schema.map((c) => c.name)];
  const body = rows.map((r) => [...(changelog ? [r.op] : []), ...r.row.map(shown)]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const out = [border(widths), line(headers, widths), border(widths), ...body.map((r) => line(r, widths))];
  out.push(border(widths));
  out.push(changelog ? `Received a total of ${plural(rows.length)}` : `${plural(rows.length)} in set`);
  return `${out.join('\n')}\n`;
}

function jsonRows(schema: ResultColumn[], rows: ApiRow[], changelog: boolean): string {
  return rows
    .map((r) => {
      const o: Record<string, unknown> = changelog ? { op: r.op } : {};
      schema.forEach((c, i) => {
        o[c.name] = r.values[i];
      });
      return `${JSON.stringify(o)}\n`;
    })
    .join('');
}

/** The table an updating result ends as: each -U/-D takes back an earlier equal row. */
export function finalRows(rows: ApiRow[]): ApiRow[] {
  const out: ApiRow[] = [];
  for (const r of rows) {
    if (r.op === '+I' || r.op === '+U') {
      out.push({ ...r, op: '+I' });
      continue;
    }
    const key = JSON.stringify(r.row);
    const i = out.findIndex((x) => JSON.stringify(x.row) === key);
    if (i >= 0) out.splice(i, 1);
  }
  return out;
}

/** Runs statements and prints their outcome. */
class Runner {
  readonly properties: Record<string, string> = {};
  #interrupt: (() => void) | null = null;

  constructor(
    readonly api: Api,
    readonly format: OutputFormat,
    readonly final = false,
  ) {}

  #info(text: string): void {
    (this.format === 'json' ? process.stderr : process.stdout).write(`${text}\n`);
  }

  /** Ctrl-C: stops what runs (an unbounded SELECT); answers whether something was interrupted. */
  interrupt(): boolean {
    const f = this.#interrupt;
    f?.();
    return f !== null;
  }

  /** Runs a script; with `stopOnError` the first error ends it. Answers the exit code. */
  async script(text: string, stopOnError: boolean): Promise<number> {
    let code = EXIT_OK;
    for (const part of splitScript(text)) {
      try {
        if ((await this.statement(part)) === 'quit') return code;
      } catch (err) {
        process.stderr.write(`${describeError(this.#locate(err, part), '')}\n`);
        code = EXIT_FAILED;
        if (stopOnError || !(err instanceof ApiError)) return code;
      }
    }
    return code;
  }

  /** An API error's position inside the statement as a position in the script. */
  #locate(err: unknown, part: ScriptPart): unknown {
    if (!(err instanceof ApiError) || err.line === undefined || err.column === undefined) return err;
    const at = shiftPosition(part, err.line, err.column);
    const message = err.message.replace(/at line \d+, column \d+/, `at line ${at.line}, column ${at.column}`);
    return new ApiError(message, at.line, at.column);
  }

  async statement(part: ScriptPart): Promise<'quit' | undefined> {
    const sql = withoutLeadingComments(part.text);
    if (/^(quit|exit)$/i.test(sql)) return 'quit';
    const set = /^SET(?:\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)')?$/i.exec(sql);
    if (set) {
      if (set[1] === undefined) {
        const rows = Object.entries(this.properties).map(([k, v], i) => ({
          seq: i,
          op: '+I' as const,
          row: [k, v],
          values: [k, v],
        }));
        this.#print(
          [
            { name: 'key', type: 'STRING' },
            { name: 'value', type: 'STRING' },
          ],
          rows,
          false,
        );
      } else {
        this.properties[set[1].replaceAll("''", "'")] = set[2]!.replaceAll("''", "'");
        this.#info('[INFO] Session property has been set.');
      }
      return;
    }
    const reset = /^RESET(?:\s+'((?:[^']|'')*)')?$/i.exec(sql);
    if (reset) {
      if (reset[1] === undefined) for (const k of Object.keys(this.properties)) delete this.properties[k];
      else delete this.properties[reset[1].replaceAll("''", "'")];
      this.#info('[INFO] Session property has been reset.');
      return;
    }
    let st = await this.api.request<StatementInfo>('POST', '/statements', {
      sql: part.text,
      properties: this.properties,
    });
    const name = encodeURIComponent(st.name);
    if (st.kind === 'DDL') {
      this.#info('[INFO] Execute statement succeeded.');
      return;
    }
    if (st.kind === 'INSERT' && !st.bounded) {
      this.#info(
        `[INFO] SQL update statement has been successfully submitted to the platform:\nStatement name: ${st.name}`,
      );
      return;
    }
    if (st.kind === 'SELECT' && !st.bounded) return this.#stream(st);
    while (st.status === 'RUNNING' || st.status === 'PENDING') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      st = await this.api.request<StatementInfo>('GET', `/statements/${name}`);
    }
    if (st.status === 'FAILED') throw new ApiError(st.error ?? 'the statement failed', st.errorLine, st.errorColumn);
    if (st.status === 'STOPPED') throw new CliError(`statement ${st.name} was stopped`);
    if (st.kind === 'INSERT') {
      this.#info('[INFO] Complete execution of the SQL update statement.');
      return;
    }
    if (st.kind === 'INFO' && !st.schema?.length) {
      this.#info('[INFO] Execute statement succeeded.');
      return;
    }
    const r = await this.api.request<StatementResults>('GET', `/statements/${name}/results`);
    if (this.final && r.updating) this.#print(r.schema, finalRows(r.rows), false);
    else this.#print(r.schema, r.rows, r.updating);
    return;
  }

  #print(schema: ResultColumn[], rows: ApiRow[], changelog: boolean): void {
    process.stdout.write(
      this.format === 'json' ? jsonRows(schema, rows, changelog) : renderTable(schema, rows, changelog),
    );
  }

  /** An unbounded SELECT: rows as they come (always with op) until Ctrl-C or the statement ends. */
  async #stream(st: StatementInfo): Promise<undefined> {
    const name = encodeURIComponent(st.name);
    const schema = st.schema ?? [];
    const headers = ['op', ...schema.map((c) => c.name)];
    const widths = headers.map((h) => Math.max(h.length, h === 'op' ? 2 : 20));
    const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 3)}...` : s);
    if (this.format === 'table')
      process.stdout.write(`${[border(widths), line(headers, widths), border(widths)].join('\n')}\n`);
    let stopped = false;
    this.#interrupt = () => {
      stopped = true;
    };
    let from = 0;
    let total = 0;
    let r: StatementResults;
    try {
      for (;;) {
        r = await this.api.request<StatementResults>('GET', `/statements/${name}/results?from=${from}`);
        from = r.next;
        total += r.rows.length;
        if (this.format === 'json') process.stdout.write(jsonRows(schema, r.rows, true));
        else
          for (const row of r.rows)
            process.stdout.write(
              `${line(
                [row.op, ...row.row.map(shown)].map((c, i) => cut(c, widths[i]!)),
                widths,
              )}\n`,
            );
        if (r.complete || stopped) break;
        await new Promise((res) => setTimeout(res, 300));
      }
    } finally {
      this.#interrupt = null;
    }
    if (stopped) await this.api.request('POST', `/statements/${name}/stop`).catch(() => {});
    if (this.format === 'table') process.stdout.write(`${border(widths)}\nReceived a total of ${plural(total)}\n`);
    if (r.status === 'FAILED') {
      const info = await this.api.request<StatementInfo>('GET', `/statements/${name}`);
      throw new ApiError(info.error ?? 'the statement failed', info.errorLine, info.errorColumn);
    }
    return undefined;
  }
}

/** The interactive shell: multi-line statements ended by `;`, history in ~/.tributary_sql_history. */
async function shell(runner: Runner): Promise<number> {
  let history: string[] = [];
  try {
    history = readFileSync(HISTORY, 'utf8').split('\n').filter(Boolean).reverse();
  } catch {
    // no history yet
  }
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history,
    historySize: 1000,
    removeHistoryDuplicates: true,
  });
  rl.on('history', (h: string[]) => {
    try {
      writeFileSync(HISTORY, `${[...h].reverse().join('\n')}\n`);
    } catch {
      // a read-only home does not stop the shell
    }
  });
  process.stdout.write(`Tributary SQL shell on ${runner.api.url}. End statements with ';', leave with 'quit;'.\n\n`);
  let buffer = '';
  const prompt = () => {
    rl.setPrompt(buffer ? '> ' : 'tributary> ');
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    if (runner.interrupt()) return;
    buffer = '';
    process.stdout.write('\n');
    prompt();
  });
  prompt();
  for await (const input of rl) {
    buffer += `${buffer ? '\n' : ''}${input}`;
    if (!buffer.trim()) buffer = '';
    else if (endsStatement(buffer)) {
      const script = buffer;
      buffer = '';
      rl.pause();
      const quit = splitScript(script).some((p) => /^(quit|exit)$/i.test(withoutLeadingComments(p.text)));
      await runner.script(script, false);
      if (quit) break;
      rl.resume();
    }
    prompt();
  }
  rl.close();
  return EXIT_OK;
}

/** Builds the `sql` command. */
export function sqlCommand(): Command {
  return new Command('sql')
    .description(
      'run Flink SQL statements on the platform: -e SQL, -f FILE, a script on stdin, or an interactive shell',
    )
    .option('-e, --execute <sql>', "statements to run, ';'-separated")
    .option('-f, --file <file>', 'a SQL script to run')
    .option('--api-url <url>', `platform API URL (env TRIBUTARY_API_URL; default ${DEFAULT_API_URL})`)
    .option('--format <format>', 'SELECT output: table or json (one object per row)', 'table')
    .option('--final', 'print the final table of a bounded updating result instead of its changelog (-U/+U/-D rows)')
    .action(
      run(async (flags: SqlFlags) => {
        const format = outputFormat(flags.format);
        if (flags.execute !== undefined && flags.file !== undefined)
          throw new UsageError('give either -e SQL or -f FILE, not both');
        const runner = new Runner(new Api(apiUrl(flags.apiUrl)), format, flags.final === true);
        let script = flags.execute;
        if (flags.file !== undefined) {
          try {
            script = readFileSync(flags.file, 'utf8');
          } catch (err) {
            throw new UsageError(
              `cannot read ${flags.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
            );
          }
        }
        if (script === undefined && process.stdin.isTTY) return shell(runner);
        if (script === undefined) script = readFileSync(0, 'utf8');
        process.on('SIGINT', () => {
          if (!runner.interrupt()) process.exit(130);
        });
        return runner.script(script, true);
      }),
    );
}
