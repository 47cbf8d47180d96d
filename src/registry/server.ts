/**
 * The registry's HTTP server (Hono on node:http): Confluent Schema Registry
 * REST API v1 over the state in `_schemas`.
 *
 * - Answers `application/vnd.schemaregistry.v1+json`; request bodies are read
 *   as JSON whatever their content type (as Confluent does).
 * - Every error is `{error_code, message}` with the HTTP status taken from the
 *   code (errors.ts); anything unexpected is 500/50001.
 * - Several instances may run against one cluster: each serves reads from
 *   its own copy of `_schemas`; one leader, elected through the group
 *   protocol (leader.ts), writes, and the others forward writes to it
 *   (routes/forward.ts). `leaderElection: false` makes an instance write
 *   itself (a single instance, or tests).
 */
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from '../client/index.ts';
import { HttpError, SrErrorCode } from './errors.ts';
import { LeaderElection } from './leader.ts';
import { Registry } from './registry.ts';
import { CONTENT_TYPE, reply } from './routes/common.ts';
import { compatibilityRoutes } from './routes/compatibility.ts';
import { configRoutes } from './routes/config.ts';
import { rewriteContextPath } from './routes/contexts.ts';
import { forwardWrites } from './routes/forward.ts';
import { schemaRoutes } from './routes/schemas.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { KafkaStore } from './store.ts';

/** Options of startRegistry. */
export interface RegistryOptions {
  bootstrapServers: string;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 = any free port. Default 8081. */
  port?: number;
  logger?: Logger;
  /** Storage topic; default `_schemas`. */
  topic?: string;
  /** Group of the leader election; default `schema-registry`. */
  groupId?: string;
  /** Elect a leader and forward writes to it; default true. */
  leaderElection?: boolean;
  /** The URL other instances forward writes to; default http://host:port (the host name for a wildcard host). */
  advertisedUrl?: string;
}

/** A running registry. */
export interface RunningRegistry {
  port: number;
  /** http://host:port */
  url: string;
  registry: Registry;
  /** Whether this instance is the elected writer (always true without leader election). */
  isLeader(): boolean;
  close(): Promise<void>;
}

/** The Hono app serving the REST API over `reg`; writes go to the leader `election()` names. */
export function createApp(reg: Registry, logger?: Logger, election: () => LeaderElection | null = () => null): Hono {
  const app = new Hono();
  // only requests that can write go through the forwarding middleware (PUT, DELETE and POST
  // .../versions, i.e. register): a middleware costs the reads that serdes send all the time
  // (GET by id, POST lookups) a good part of their throughput
  const forward = forwardWrites(election, () => reg.store.catchUp());
  app.on(['PUT', 'DELETE'], '*', forward);
  app.post('/subjects/:subject/versions', forward);
  app.get('/', (c) => reply(c, {}));
  subjectRoutes(app, reg);
  schemaRoutes(app, reg);
  compatibilityRoutes(app, reg);
  configRoutes(app, reg);
  app.notFound((c) =>
    c.body(JSON.stringify({ error_code: 404, message: 'HTTP 404 Not Found' }), 404, { 'Content-Type': CONTENT_TYPE }),
  );
  app.onError((err, c) => {
    const e =
      err instanceof HttpError
        ? err
        : new HttpError(SrErrorCode.STORE_ERROR, `Error in the backend data store: ${err.message}`);
    if (!(err instanceof HttpError)) logger?.error?.({ err }, 'registry: request failed');
    return c.body(JSON.stringify({ error_code: e.code, message: e.message }), e.status as 500, {
      'Content-Type': CONTENT_TYPE,
    });
  });
  return app;
}

/** Reads `_schemas`, then serves the REST API; resolves once listening. */
export async function startRegistry(o: RegistryOptions): Promise<RunningRegistry> {
  const host = o.host ?? '127.0.0.1';
  const store = await KafkaStore.open({ bootstrapServers: o.bootstrapServers, topic: o.topic, logger: o.logger });
  const registry = new Registry(store);
  let election: LeaderElection | null = null;
  const app = createApp(registry, o.logger, () => election);
  const server = createAdaptorServer({ fetch: (req) => app.fetch(rewriteContextPath(req)), hostname: host });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 8081, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (o.leaderElection !== false) {
    const advertised = o.advertisedUrl ?? (host === '0.0.0.0' || host === '::' ? `http://${hostname()}:${port}` : url);
    election = new LeaderElection(store.client, {
      groupId: o.groupId ?? 'schema-registry',
      url: advertised,
      catchUp: () => store.catchUp(),
      logger: o.logger,
    });
    election.start();
  }
  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    registry,
    isLeader: () => election?.isLeader ?? true,
    close: () => {
      closing ??= (async () => {
        await election?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
