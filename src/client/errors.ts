/**
 * Client errors. Every error the client raises for a Kafka failure is a
 * KafkaError (from the protocol domain) carrying Kafka's numeric code, its
 * name and whether it is retriable, so callers branch on `err.code`:
 *
 * - a broker's error code in a response → `KafkaError(code, brokerMessage)`;
 * - a socket that fails or closes → `ConnectionError` (NETWORK_EXCEPTION, retriable);
 * - no response within `requestTimeoutMs` → `RequestTimeoutError` (REQUEST_TIMED_OUT, retriable);
 * - the broker serves no version the client speaks → `KafkaError(UNSUPPORTED_VERSION)`.
 *
 * Usage mistakes (bad options, calling send on a closed producer) are plain
 * `TypeError`/`Error`s: retrying cannot fix them.
 */
import { ErrorCode, KafkaError } from '../protocol/index.ts';

export { ErrorCode, isRetriable, KafkaError } from '../protocol/index.ts';

/** The connection to a broker failed or closed before a response arrived. */
export class ConnectionError extends KafkaError {
  override name = 'ConnectionError';
  readonly broker: string;

  constructor(broker: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.NETWORK_EXCEPTION, `${broker}: ${message}`, options);
    this.broker = broker;
  }
}

/** No response arrived within the request timeout. */
export class RequestTimeoutError extends KafkaError {
  override name = 'RequestTimeoutError';

  constructor(message: string) {
    super(ErrorCode.REQUEST_TIMED_OUT, message);
  }
}

/** SASL authentication failed (SASL_AUTHENTICATION_FAILED, or the mechanism is not enabled). */
export class AuthenticationError extends KafkaError {
  override name = 'AuthenticationError';
}

/**
 * Throws a KafkaError when `code` is not NONE. `what` names the resource
 * (topic, partition, group) so the message says what failed.
 */
export function throwIfError(code: number, what: string, message?: string | null): void {
  if (code === ErrorCode.NONE) return;
  const base = new KafkaError(code);
  throw new KafkaError(code, `${what}: ${message || base.message} (${base.errorName})`);
}

/** Whether an error is worth retrying: a retriable Kafka code or a lost connection. */
export function shouldRetry(err: unknown): boolean {
  return err instanceof KafkaError && err.retriable;
}
