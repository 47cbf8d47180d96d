/**
 * State the producer's parts share: options, the cluster, the accumulator,
 * the idempotence bookkeeping, the transaction manager and the fatal error
 * that makes the producer unusable.
 */
import type { Cluster, Logger } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import type { Accumulator } from './accumulator.ts';
import type { Sequences } from './idempotence.ts';
import type { TransactionManager } from './transactions.ts';
import { backoffMs, type ResolvedProducerOptions } from './types.ts';

export interface ProducerContext {
  readonly cluster: Cluster;
  readonly opts: ResolvedProducerOptions;
  readonly logger: Logger;
  readonly accumulator: Accumulator;
  /** Null unless idempotent. */
  readonly sequences: Sequences | null;
  /** Null unless transactional. */
  txn: TransactionManager | null;
  /** Set once the producer cannot go on (fenced, not authorized); every later call fails with it. */
  fatal: Error | null;
}

/** Codes after which a producer with a producer id cannot continue. */
const FENCING: ReadonlySet<number> = new Set([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH]);
const FATAL: ReadonlySet<number> = new Set([
  ...FENCING,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
]);

/** Whether an error makes an idempotent or transactional producer unusable. */
export function isFatalCode(code: number): boolean {
  return FATAL.has(code);
}

/** The error a fenced producer reports from then on (always PRODUCER_FENCED). */
export function fatalError(ctx: ProducerContext, err: KafkaError): KafkaError {
  if (!FENCING.has(err.code)) {
    return new KafkaError(err.code, `the producer can no longer be used: ${err.message}; close it`, { cause: err });
  }
  const id = ctx.opts.transactionalId;
  const who = id === null ? 'the producer id was fenced' : `another producer with transactional id "${id}" took over`;
  return new KafkaError(
    ErrorCode.PRODUCER_FENCED,
    `producer fenced: ${who} (or its transaction timed out); this producer can no longer be used — close it and create a new one`,
    { cause: err },
  );
}

/** Records the fatal error once and logs it; returns the error to report. */
export function setFatal(ctx: ProducerContext, err: KafkaError): Error {
  if (ctx.fatal) return ctx.fatal;
  ctx.fatal = fatalError(ctx, err);
  ctx.logger.error?.({ err: ctx.fatal }, 'producer failed fatally');
  return ctx.fatal;
}

/**
 * Runs `fn` again after retriable KafkaErrors (calling `onRetry` with the
 * code first, e.g. to forget a coordinator), with backoff, until it succeeds,
 * fails for good, or maxBlockMs passes (REQUEST_TIMED_OUT naming the last error).
 */
export async function retryWithin<T>(
  ctx: ProducerContext,
  what: string,
  fn: () => Promise<T>,
  onRetry: (code: number) => void,
): Promise<T> {
  const deadline = Date.now() + ctx.opts.maxBlockMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KafkaError) || !err.retriable) throw err;
      onRetry(err.code);
      const wait = backoffMs(ctx.opts, attempt);
      if (Date.now() + wait > deadline) {
        throw new KafkaError(
          ErrorCode.REQUEST_TIMED_OUT,
          `${what}: no success within maxBlockMs (${ctx.opts.maxBlockMs} ms); last error: ${err.message}`,
          { cause: err },
        );
      }
      ctx.logger.debug?.({ err, attempt, what }, 'producer: retrying');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
