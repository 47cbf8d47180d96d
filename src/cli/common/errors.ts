/**
 * Exit codes and one-line error messages for every CLI command:
 * 0 success, 1 a Kafka or operation error, 2 a usage error (bad flag or
 * argument). Errors print as ONE line on stderr that says what to do,
 * never a stack trace (set TRIBUTARY_DEBUG=1 to see one).
 */
import {
  AuthenticationError,
  ConnectionError,
  ErrorCode,
  KafkaError,
  RequestTimeoutError,
} from '../../client/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A bad flag or argument found after commander's own checks; exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operation that failed for a reason already worded for the user; exits 1. */
export class CliError extends Error {
  override name = 'CliError';
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
};

/** The innermost system error code (ECONNREFUSED, ...) in an error's cause chain. */
function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a connection failed, in a few words. */
function connectionReason(err: ConnectionError): string {
  const code = systemCode(err);
  if (code && REASONS[code]) return REASONS[code];
  if (/no connection within/.test(err.message)) return 'timed out';
  if (/closed/.test(err.message)) return 'connection closed by the broker';
  return code ?? 'connection failed';
}

const HINTS: Partial<Record<number, string>> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: "list topics with 'tributary topic list'",
  [ErrorCode.GROUP_ID_NOT_FOUND]: "list groups with 'tributary group list'",
  [ErrorCode.TOPIC_ALREADY_EXISTS]: 'pick another name, or delete the topic first',
  [ErrorCode.INVALID_CONFIG]: "see the topic's configs with 'tributary topic describe TOPIC --configs'",
  [ErrorCode.INVALID_REPLICATION_FACTOR]: 'this cluster has fewer brokers; lower --replicas',
  [ErrorCode.INVALID_PARTITIONS]: 'the partition count must be at least 1 (and can only grow)',
};

/** One line describing `err` for the user; `bootstrap` names the brokers for connection failures. */
export function describeError(err: unknown, bootstrap: string): string {
  let line: string;
  const auth = authenticationFailure(err);
  if (err instanceof UsageError || err instanceof CliError) {
    line = err.message;
  } else if (auth) {
    line = `${auth.message}; check --user, --password and --mechanism (and --tls for a TLS listener)`;
  } else if (err instanceof ConnectionError) {
    line =
      `cannot reach a broker at ${bootstrap} (${connectionReason(err)}); ` +
      'is it running? pass --bootstrap-server host:port';
  } else if (err instanceof RequestTimeoutError) {
    line = `no answer from the broker at ${bootstrap} in time (${err.message}); is it overloaded or stuck?`;
  } else if (err instanceof KafkaError) {
    const hint = HINTS[err.code];
    line = hint && !err.message.includes(hint) ? `${err.message}; ${hint}` : err.message;
  } else if (err instanceof Error) {
    line = err.message;
  } else {
    line = String(err);
  }
  return `error: ${line.replace(/\s*\n\s*/g, ' ').trim()}`;
}

/** The SASL failure in an error's cause chain (a connection that failed because authentication did). */
function authenticationFailure(err: unknown): AuthenticationError | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    if (e instanceof AuthenticationError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The exit code for an error. */
export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
}

/** Writes pending stdout/stderr, then exits (pipes are asynchronous on some platforms). */
export function exit(code: number): Promise<never> {
  return new Promise(() => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
