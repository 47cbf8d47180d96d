/**
 * The platform API (Hono on node:http), `/api/v1/...`; for now the SQL statements:
 *
 *   POST   /api/v1/statements                 {sql, name?, properties?} → 201 the statement
 *   GET    /api/v1/statements                 {statements: [...]}
 *   GET    /api/v1/statements/{name}          the statement (status, error, schema)
 *   GET    /api/v1/statements/{name}/results  ?from=N: schema, rows {seq, op, row, values}, complete
 *   POST   /api/v1/statements/{name}/stop     → the statement (STOPPED); {"savepoint":true} takes a savepoint first
 *   POST   /api/v1/statements/{name}/resume   → the statement (RUNNING)
 *   DELETE /api/v1/statements/{name}          → 204
 *
 * Errors are `{error_code, message}` as the registry's: 400/40001 bad SQL (with `line` and `column`) or
 * a bad request, 404/40401 unknown statement, 409/40901 name taken or wrong state, 500/50001 otherwise.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { Logger } from '../client/index.ts';
import { StatementError, type StatementService } from '../sql/service/index.ts';

/** Options of startApi. */
export interface ApiOptions {
  statements: StatementService;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 = any free port. Default 8080. */
  port?: number;
  logger?: Logger;
}

/** A running platform API. */
export interface RunningApi {
  port: number;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/** An HTTP error with the API's `{error_code, message}` body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 404 | 409 | 500,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const STATUS = { invalid: 400, 'not-found': 404, conflict: 409 } as const;

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StatementError) {
    const status = STATUS[err.kind];
    const extra = err.line !== undefined ? { line: err.line, column: err.column } : {};
    return new ApiError(status, status * 100 + 1, err.message, extra);
  }
  return new ApiError(500, 50001, (err as Error)?.message ?? String(err));
}

async function body(c: Context): Promise<Record<string, unknown>> {
  let b: unknown;
  try {
    b = await c.req.json();
  } catch {
    throw new ApiError(400, 40002, 'the request body must be a JSON object');
  }
  if (!b || typeof b !== 'object' || Array.isArray(b))
    throw new ApiError(400, 40002, 'the request body must be a JSON object');
  return b as Record<string, unknown>;
}

/** The Hono app of the platform API. */
export function createApiApp(svc: StatementService, logger?: Logger): Hono {
  const app = new Hono();
  const base = '/api/v1/statements';
  app.post(base, async (c) => {
    const b = await body(c);
    if (typeof b.sql !== 'string') throw new ApiError(400, 40002, '"sql" (a string) is required');
    if (b.name !== undefined && typeof b.name !== 'string') throw new ApiError(400, 40002, '"name" must be a string');
    if (b.properties !== undefined && (typeof b.properties !== 'object' || b.properties === null))
      throw new ApiError(400, 40002, '"properties" must be an object of strings');
    const st = await svc.create({
      sql: b.sql,
      name: b.name as string | undefined,
      properties: b.properties as Record<string, string> | undefined,
    });
    return c.json(st, 201);
  });
  app.get(base, (c) => c.json({ statements: svc.list() }));
  app.get(`${base}/:name`, (c) => c.json(svc.get(c.req.param('name'))));
  app.get(`${base}/:name/results`, (c) => {
    const from = Number(c.req.query('from') ?? 0);
    if (!Number.isInteger(from) || from < 0) throw new ApiError(400, 40002, '"from" must be a row number >= 0');
    return c.json(svc.results(c.req.param('name'), from));
  });
  app.post(`${base}/:name/stop`, async (c) => {
    // `{"savepoint": true}` (or `?savepoint=true`): take a savepoint, then stop
    let savepoint = c.req.query('savepoint') === 'true';
    const text = await c.req.text();
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(400, 40002, 'the body must be JSON: {"savepoint": true|false}');
      }
      const sp = (body as { savepoint?: unknown } | null)?.savepoint;
      if (sp !== undefined && typeof sp !== 'boolean')
        throw new ApiError(400, 40002, '"savepoint" must be true or false');
      savepoint ||= sp === true;
    }
    return c.json(await svc.stop(c.req.param('name'), { savepoint }));
  });
  app.post(`${base}/:name/resume`, async (c) => c.json(await svc.resume(c.req.param('name'))));
  app.delete(`${base}/:name`, async (c) => {
    await svc.delete(c.req.param('name'));
    return c.body(null, 204);
  });
  app.notFound((c) => c.json({ error_code: 40400, message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    const e = toApiError(err);
    if (e.status === 500) logger?.error?.({ err }, 'api: request failed');
    return c.json({ error_code: e.code, message: e.message, ...e.extra }, e.status);
  });
  return app;
}

/** Serves the platform API; resolves once listening. */
export async function startApi(o: ApiOptions): Promise<RunningApi> {
  const host = o.host ?? '127.0.0.1';
  const app = createApiApp(o.statements, o.logger);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      return closing;
    },
  };
}
