/**
 * Sends writes to the registry leader: a middleware that lets reads (GET,
 * lookups, compatibility checks) through and, on an instance that is not the
 * leader, replays a write against the leader's URL and returns its answer.
 * No leader within the wait → 50004; the leader unreachable → 50003.
 */
import type { MiddlewareHandler } from 'hono';
import { HttpError } from '../errors.ts';
import type { LeaderElection } from '../leader.ts';

const FORWARDED = 'x-tributary-forwarded';

/** Whether a request changes state (and so must run on the leader). */
function isWrite(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  if (path.startsWith('/compatibility/')) return false;
  // POST /subjects/{subject} is a lookup
  if (method === 'POST' && /^\/subjects\/[^/]+\/?$/.test(path)) return false;
  return true;
}

/**
 * The forwarding middleware. `election()` null = this instance writes itself;
 * after a forwarded write succeeds, `catchUp` reads `_schemas` to its end so
 * the next read here sees the write.
 */
export function forwardWrites(
  election: () => LeaderElection | null,
  catchUp: () => Promise<void>,
  waitMs = 15_000,
): MiddlewareHandler {
  return async (c, next) => {
    const e = election();
    if (!e || !isWrite(c.req.method, c.req.path) || c.req.header(FORWARDED)) return next();
    const deadline = Date.now() + waitMs;
    const body = ['POST', 'PUT', 'DELETE'].includes(c.req.method) ? await c.req.text() : undefined;
    const target = new URL(c.req.url);
    let res: Response | null = null;
    // a leader that just stopped stays named until the group rebalances: retry until the deadline
    for (let attempt = 0; res === null; attempt++) {
      const leader = await e.leaderUrl(Math.max(0, deadline - Date.now()));
      if (leader === null) throw new HttpError(50004, 'Unknown leader: no registry leader was elected in time');
      if (e.isLeader) return next();
      try {
        res = await fetch(`${leader}${target.pathname}${target.search}`, {
          method: c.req.method,
          headers: {
            'Content-Type': c.req.header('content-type') ?? 'application/vnd.schemaregistry.v1+json',
            [FORWARDED]: '1',
          },
          body,
        });
      } catch (err) {
        if (Date.now() >= deadline) {
          throw new HttpError(
            50003,
            `Error while forwarding the request to the leader ${leader}: ${(err as Error).message}`,
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
    const text = await res.text();
    if (res.ok) await catchUp();
    return new Response(text, {
      status: res.status,
      headers: { 'Content-Type': res.headers.get('content-type') ?? 'application/vnd.schemaregistry.v1+json' },
    });
  };
}
