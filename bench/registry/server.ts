/**
 * One HTTP server of the registry benchmark, run as its own process by
 * bench/registry/run.ts (so the load generator never shares its event loop):
 *
 *   node --import tsx bench/registry/server.ts registry [bootstrap]
 *     Tributary's registry without leader election (one instance writes
 *     itself), on a broker in the same process (fresh data dir; as
 *     `tributary start` runs them) or, given a bootstrap, on that broker
 *   node --import tsx bench/registry/server.ts broker
 *     a broker alone; prints kafka://host:port
 *   node --import tsx bench/registry/server.ts node-http <bodies.json>
 *   node --import tsx bench/registry/server.ts hono <bodies.json>
 *     a bare node:http server / a bare Hono app on @hono/node-server that
 *     answer every GET with bodies.get and every POST (after reading the
 *     request body) with bodies.post, with the registry's content type
 *
 * Prints one JSON line `{"url": ...}` on stdout once listening; stops on
 * SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import { startRegistry } from '../../src/registry/index.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const kind = process.argv[2];

function ready(url: string, stop: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => {
    stop().finally(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  if (kind === 'broker' || kind === 'registry') {
    // registry [bootstrap]: with a bootstrap, only the registry runs here (the broker is another process)
    const external = kind === 'registry' ? process.argv[3] : undefined;
    const dir = external ? undefined : mkdtempSync(join(tmpdir(), 'tributary-bench-registry-'));
    const broker = dir
      ? await Broker.start({
          dataDir: dir,
          host: '127.0.0.1',
          port: 0,
          configs: { 'group.initial.rebalance.delay.ms': '0' },
          logger: pino({ level: 'silent' }),
        })
      : undefined;
    const stopBroker = async (): Promise<void> => {
      await broker?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    };
    if (kind === 'broker') {
      ready(`kafka://127.0.0.1:${broker?.port}`, stopBroker);
      return;
    }
    const registry = await startRegistry({
      bootstrapServers: external ?? `127.0.0.1:${broker?.port}`,
      host: '127.0.0.1',
      port: 0,
      leaderElection: false,
    });
    ready(registry.url, async () => {
      await registry.close();
      await stopBroker();
    });
    return;
  }
  const bodies = JSON.parse(readFileSync(process.argv[3] as string, 'utf8')) as { get: string; post: string };
  if (kind === 'node-http') {
    const get = Buffer.from(bodies.get);
    const post = Buffer.from(bodies.post);
    const server = createServer((req, res) => {
      const body = req.method === 'POST' ? post : get;
      const send = (): void => {
        res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': body.length });
        res.end(body);
      };
      if (req.method === 'POST') {
        req.on('data', () => {});
        req.on('end', send);
      } else {
        send();
      }
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ready(`http://127.0.0.1:${port}`, () => new Promise((r) => server.close(() => r())));
    });
    return;
  }
  if (kind === 'hono') {
    const app = new Hono();
    app.get('*', (c) => c.body(bodies.get, 200, { 'Content-Type': CONTENT_TYPE }));
    app.post('*', async (c) => {
      await c.req.text();
      return c.body(bodies.post, 200, { 'Content-Type': CONTENT_TYPE });
    });
    const server = createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1' });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ready(`http://127.0.0.1:${port}`, () => new Promise((r) => server.close(() => r())));
    });
    return;
  }
  throw new Error(`unknown server kind ${kind}; use registry, node-http or hono`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
