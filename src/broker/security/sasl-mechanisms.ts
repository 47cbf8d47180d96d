/**
 * Server side of the SASL mechanisms: PLAIN (RFC 4616, as Kafka's
 * PlainSaslServer) and a factory for PLAIN and SCRAM.
 *
 * Two kinds of failure, as in Kafka: a SaslAuthenticationError carries a
 * message the client may see ("Authentication failed: Invalid username or
 * password"); a SaslCredentialError is answered with Kafka's fixed message
 * ("Authentication failed during authentication due to invalid credentials
 * with SASL mechanism M") so that nothing about the user leaks. Any other
 * error closes the connection without an answer.
 *
 * PLAIN has no password store of its own here (Kafka's reads JAAS): the
 * password is checked against the user's SCRAM-SHA-512 credential (else its
 * SCRAM-SHA-256 one) by salting it with the stored salt and iterations.
 */
import { SaslAuthenticationError, type SaslServer } from './sasl-errors.ts';
import { isScramMechanism, passwordMatches, type ScramCredentialStore, type ScramMechanism } from './scram.ts';
import { ScramSaslServer } from './scram-server.ts';

/** The mechanisms this broker implements. */
export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** Creates the server for a mechanism (one of SUPPORTED_MECHANISMS). */
export function createSaslServer(mechanism: string, store: ScramCredentialStore): SaslServer {
  if (mechanism === 'PLAIN') return new PlainSaslServer(store);
  if (isScramMechanism(mechanism)) return new ScramSaslServer(mechanism, store);
  throw new Error(`SASL mechanism ${mechanism} is not implemented`);
}

class PlainSaslServer implements SaslServer {
  readonly mechanism = 'PLAIN';
  readonly #store: ScramCredentialStore;
  #complete = false;
  #authorizationId = '';

  constructor(store: ScramCredentialStore) {
    this.#store = store;
  }

  get complete(): boolean {
    return this.#complete;
  }

  get authorizationId(): string {
    return this.#authorizationId;
  }

  async evaluate(token: Buffer): Promise<Buffer | null> {
    if (this.#complete) throw new SaslAuthenticationError('Unexpected challenge in Sasl server state COMPLETE');
    const [authzid, username, password] = extractTokens(token.toString('utf8'));
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    if (!(await this.#verify(username, password))) {
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    }
    if (authzid !== '' && authzid !== username) {
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    this.#authorizationId = username;
    this.#complete = true;
    return Buffer.alloc(0);
  }

  async #verify(username: string, password: string): Promise<boolean> {
    for (const m of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as ScramMechanism[]) {
      const c = this.#store.get(username, m);
      if (c) return passwordMatches(m, c, password);
    }
    return false;
  }
}

/** `[authzid] NUL authcid NUL passwd`: exactly three tokens (PlainSaslServer.extractTokens). */
function extractTokens(s: string): [string, string, string] {
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const end = s.indexOf('\0', start);
    if (end === -1) {
      tokens.push(s.slice(start));
      break;
    }
    tokens.push(s.slice(start, end));
    start = end + 1;
  }
  if (tokens.length !== 3) {
    throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`);
  }
  return tokens as [string, string, string];
}

/** Refuses `sasl.enabled.mechanisms` values (plain or listener-prefixed) this broker cannot serve. */
export function checkSaslMechanisms(configs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(configs)) {
    if (name !== 'sasl.enabled.mechanisms' && !/^listener\.name\.[^.]+\.sasl\.enabled\.mechanisms$/.test(name))
      continue;
    const list = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0) throw new Error(`${name}: no SASL mechanisms are enabled`);
    for (const m of list) {
      if (!(SUPPORTED_MECHANISMS as readonly string[]).includes(m)) {
        throw new Error(
          `${name}: SASL mechanism ${m} is not supported; this broker implements ${SUPPORTED_MECHANISMS.join(', ')}`,
        );
      }
    }
  }
}
