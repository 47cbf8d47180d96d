/**
 * Runs a command body: opens and closes the broker session, turns any error
 * into one line on stderr with the right exit code, and exits once output
 * is written.
 */
import type { ItemResult } from '../../client/admin/index.ts';
import { ConnectionError } from '../../client/index.ts';
import { type ConnectionFlags, openSession, resolveBootstrap, type Session } from './connection.ts';
import { describeError, EXIT_OK, exit, exitCodeFor } from './errors.ts';

/** Wraps a commander action: its result (or 0) is the exit code; errors print as one line. */
export function run<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code = EXIT_OK;
    try {
      code = (await fn(...args)) ?? EXIT_OK;
    } catch (err) {
      if (process.env.TRIBUTARY_DEBUG) console.error(err);
      const where = err instanceof ConnectionError ? err.broker : '';
      process.stderr.write(`${describeError(err, where)}\n`);
      code = exitCodeFor(err);
    }
    await exit(code);
  };
}

/** Runs `fn` with a session on the resolved brokers, closing it afterwards. */
export async function withSession<T>(flags: ConnectionFlags, fn: (s: Session) => Promise<T>): Promise<T> {
  const bootstrap = resolveBootstrap(flags.bootstrapServer);
  const session = await openSession(flags, bootstrap);
  try {
    return await fn(session);
  } finally {
    await session.cluster.close();
  }
}

/** Prints one error line per failed item; answers the exit code (1 when any failed). */
export function reportFailures(results: readonly ItemResult[]): number {
  let failed = 0;
  for (const r of results) {
    if (!r.error) continue;
    failed++;
    process.stderr.write(`${describeError(r.error, '')}\n`);
  }
  return failed > 0 ? 1 : 0;
}
