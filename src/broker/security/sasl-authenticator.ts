/**
 * SASL authentication of one connection on a SASL_PLAINTEXT or SASL_SSL
 * listener, as Kafka's SaslServerAuthenticator and KafkaChannel do it.
 *
 * Before authentication:
 * - one ApiVersions (answered by the normal handler; an unknown or invalid
 *   version may be retried), then SaslHandshake; anything else closes the
 *   connection without an answer.
 * - SaslHandshake with a mechanism not enabled: UNSUPPORTED_SASL_MECHANISM
 *   with the enabled list, then the connection closes.
 * - after SaslHandshake v1, tokens travel in SaslAuthenticate requests; a
 *   failure answers SASL_AUTHENTICATION_FAILED and closes. After v0 they
 *   travel as bare size-prefixed frames (the pre-KIP-152 flow), and a failure
 *   just closes.
 * - a request other than SaslAuthenticate during the exchange: a SaslHandshake
 *   gets ILLEGAL_SASL_STATE, anything else no answer; the connection closes.
 *
 * Re-authentication (KIP-368), when `connections.max.reauth.ms` > 0: the
 * session lifetime is returned in SaslAuthenticate v1+; a SaslHandshake on an
 * authenticated connection (at most one a second) starts a new exchange with
 * the same mechanism, which must end with the same principal; a request
 * arriving after the session expired closes the connection.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeRequest, encodeFrame, encodeResponse } from '../../protocol/index.ts';
import type { ConnectionInfo } from '../handler.ts';
import { SaslAuthenticationError, SaslCredentialError, type SaslServer } from './sasl-errors.ts';
import { createSaslServer } from './sasl-mechanisms.ts';
import type { ScramCredentialStore } from './scram.ts';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const MIN_REAUTH_INTERVAL_MS = 1000;
const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** What the connection does with a frame. */
export type SaslStep =
  | { action: 'pass' }
  | { action: 'reply'; response: Buffer | null; close?: string }
  | { action: 'close'; reason: string };

/** What the authenticator needs from the broker. */
export interface SaslAuthenticatorOptions {
  store: ScramCredentialStore;
  info: ConnectionInfo;
  mechanisms: readonly string[];
  /** connections.max.reauth.ms for a mechanism (0 = sessions never expire). */
  maxReauthMs: (mechanism: string) => number;
  now?: () => number;
}

type State = 'initial' | 'handshake' | 'authenticate' | 'bad-mechanism' | 'complete' | 'failed';

/** The SASL state machine of one connection. */
export class SaslAuthenticator {
  readonly #opts: SaslAuthenticatorOptions;
  readonly #now: () => number;
  #state: State = 'initial';
  #server: SaslServer | null = null;
  #framed = false;
  #authenticated = false;
  #mechanism = '';
  #reauthenticating = false;
  #sessionExpiresAt: number | null = null;
  #lastReauthStart = 0;

  constructor(opts: SaslAuthenticatorOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** True once the first authentication completed (re-authentications keep it true). */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Decides what happens to one request frame (the bytes after the size prefix). */
  async onFrame(frame: Buffer): Promise<SaslStep> {
    switch (this.#state) {
      case 'complete':
        return this.#afterAuthentication(frame);
      case 'initial':
      case 'handshake':
        return this.#beforeHandshake(frame);
      case 'authenticate':
        return this.#framed ? this.#authenticateRequest(frame) : this.#rawToken(frame);
      case 'bad-mechanism':
        return this.#fail(
          `SASL mechanism '${this.#server?.mechanism}' requested by client is not supported for re-authentication of mechanism '${this.#mechanism}'`,
        );
      default:
        return this.#fail('SASL authentication already failed');
    }
  }

  #fail(reason: string): SaslStep {
    this.#state = 'failed';
    return { action: 'close', reason };
  }

  #afterAuthentication(frame: Buffer): SaslStep {
    const key = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const now = this.#now();
    if (
      key === SASL_HANDSHAKE &&
      this.#sessionExpiresAt !== null &&
      (this.#lastReauthStart === 0 || now - this.#lastReauthStart >= MIN_REAUTH_INTERVAL_MS)
    ) {
      this.#lastReauthStart = now;
      this.#reauthenticating = true;
      this.#sessionExpiresAt = null;
      this.#state = 'handshake';
      return this.#beforeHandshake(frame);
    }
    if (this.#sessionExpiresAt !== null && now > this.#sessionExpiresAt) {
      return { action: 'close', reason: 'the SASL session expired (connections.max.reauth.ms)' };
    }
    return { action: 'pass' };
  }

  #beforeHandshake(frame: Buffer): SaslStep {
    const apiVersions = frame.length >= 8 && frame.readInt16BE(0) === API_VERSIONS;
    if (apiVersions && this.#state === 'initial' && !this.#reauthenticating && frame.readInt16BE(2) > 4) {
      return { action: 'pass' }; // KIP-511: answered with the supported range; the client may retry
    }
    let decoded: ReturnType<typeof decodeRequest>;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      return this.#fail(
        this.#state === 'initial'
          ? 'Exception handling first SASL packet from client, GSSAPI is not supported by server'
          : `malformed request during SASL handshake: ${(err as Error).message}`,
      );
    }
    const { header } = decoded;
    const key = header.requestApiKey;
    if (key === API_VERSIONS && this.#state === 'initial' && !this.#reauthenticating) {
      // The normal handler answers; only a valid, supported request moves on to the handshake.
      const v = header.requestApiVersion;
      const body = decoded.body as { clientSoftwareName?: string; clientSoftwareVersion?: string };
      const valid =
        v < 3 || (SOFTWARE.test(body.clientSoftwareName ?? '') && SOFTWARE.test(body.clientSoftwareVersion ?? ''));
      if (v <= 4 && valid) this.#state = 'handshake';
      return { action: 'pass' };
    }
    if (key !== SASL_HANDSHAKE) {
      return this.#fail(`unexpected Kafka request of type ${key} during SASL handshake`);
    }
    const version = header.requestApiVersion;
    if (version > 1) return this.#fail(`SaslHandshake v${version} is not supported`);
    const { mechanism } = decoded.body as { mechanism: string };
    this.#framed = version >= 1;
    const enabled = [...this.#opts.mechanisms];
    if (!enabled.includes(mechanism)) {
      this.#state = 'failed';
      return {
        action: 'reply',
        response: encodeResponse(SASL_HANDSHAKE, version, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
          mechanisms: enabled,
        }),
        close: `Unsupported SASL mechanism ${mechanism}`,
      };
    }
    this.#server = createSaslServer(mechanism, this.#opts.store);
    this.#state = this.#reauthenticating && mechanism !== this.#mechanism ? 'bad-mechanism' : 'authenticate';
    if (!this.#reauthenticating) this.#mechanism = mechanism;
    return {
      action: 'reply',
      response: encodeResponse(SASL_HANDSHAKE, version, header.correlationId, {
        errorCode: ErrorCode.NONE,
        mechanisms: enabled,
      }),
    };
  }

  /** A token in a SaslAuthenticate request (after SaslHandshake v1). */
  async #authenticateRequest(frame: Buffer): Promise<SaslStep> {
    let decoded: ReturnType<typeof decodeRequest>;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      return this.#fail(`malformed request during SASL authentication: ${(err as Error).message}`);
    }
    const { header } = decoded;
    const key = header.requestApiKey;
    const version = header.requestApiVersion;
    if (key !== SASL_AUTHENTICATE) {
      const reason = `Unexpected Kafka request of type ${key} during SASL authentication.`;
      this.#state = 'failed';
      if (key === SASL_HANDSHAKE && version <= 1) {
        const response = encodeResponse(SASL_HANDSHAKE, version, header.correlationId, {
          errorCode: ErrorCode.ILLEGAL_SASL_STATE,
          mechanisms: [],
        });
        return { action: 'reply', response, close: reason };
      }
      return { action: 'close', reason };
    }
    if (version > 2) return this.#fail(`SaslAuthenticate v${version} is not supported`);
    const reply = (body: Parameters<typeof encodeResponse<36>>[3]): Buffer =>
      encodeResponse(SASL_AUTHENTICATE, version, header.correlationId, body);
    try {
      const token = await this.#evaluate((decoded.body as { authBytes: Buffer }).authBytes);
      const lifetime = this.#server?.complete ? this.#complete() : 0;
      return {
        action: 'reply',
        response: reply({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          authBytes: token ?? Buffer.alloc(0),
          sessionLifetimeMs: BigInt(lifetime),
        }),
      };
    } catch (err) {
      this.#state = 'failed';
      if (!(err instanceof SaslAuthenticationError || err instanceof SaslCredentialError)) {
        return { action: 'close', reason: `SASL authentication failed: ${(err as Error).message}` };
      }
      const message =
        err instanceof SaslAuthenticationError
          ? err.message
          : `Authentication failed during ${this.#reauthenticating ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${this.#server?.mechanism}`;
      return {
        action: 'reply',
        response: reply({
          errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: message,
          authBytes: Buffer.alloc(0),
        }),
        close: `${message} (${err.message})`,
      };
    }
  }

  /** A bare token (after SaslHandshake v0): no error answers, a failure closes. */
  async #rawToken(frame: Buffer): Promise<SaslStep> {
    try {
      const token = await this.#evaluate(frame);
      if (this.#server?.complete) this.#complete();
      return { action: 'reply', response: token ? encodeFrame(token) : null };
    } catch (err) {
      return this.#fail(`SASL authentication failed: ${(err as Error).message}`);
    }
  }

  async #evaluate(token: Buffer): Promise<Buffer | null> {
    const server = this.#server as SaslServer;
    const out = await server.evaluate(token);
    if (server.complete && this.#reauthenticating) {
      const before = this.#opts.info.principal;
      const after = `User:${server.authorizationId}`;
      if (before !== after) {
        throw new SaslAuthenticationError(
          `Cannot change principals during re-authentication from ${before.replace(':', '.')}: ${after.replace(':', '.')}`,
        );
      }
    }
    return out;
  }

  /** Marks the exchange complete; returns the session lifetime in ms (0 = none). */
  #complete(): number {
    const server = this.#server as SaslServer;
    this.#opts.info.principal = `User:${server.authorizationId}`;
    this.#state = 'complete';
    this.#authenticated = true;
    this.#reauthenticating = false;
    const max = this.#opts.maxReauthMs(server.mechanism);
    this.#sessionExpiresAt = max > 0 ? this.#now() + max : null;
    return max > 0 ? max : 0;
  }
}

/** Kafka's default sasl.server.max.receive.size: frames before authentication are at most this big. */
export const DEFAULT_SASL_MAX_RECEIVE_SIZE = 524288;

/** The default of sasl.enabled.mechanisms here (Kafka's is GSSAPI, which this broker does not implement). */
export const DEFAULT_SASL_MECHANISMS = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';

/** The broker pieces the SASL listener needs (kept narrow: the broker module imports this one). */
export interface SaslBroker {
  readonly scram: ScramCredentialStore;
  brokerConfig(name: string, fallback: string): string;
}

/** A config with Kafka's listener prefix (`listener.name.<listener>.<name>`) taking precedence. */
function listenerConfig(broker: SaslBroker, listener: string, name: string, fallback: string): string {
  return broker.brokerConfig(`listener.name.${listener.toLowerCase()}.${name}`, broker.brokerConfig(name, fallback));
}

/** sasl.enabled.mechanisms of a listener, in configured order. */
export function enabledMechanisms(broker: SaslBroker, listener: string): string[] {
  return listenerConfig(broker, listener, 'sasl.enabled.mechanisms', DEFAULT_SASL_MECHANISMS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The authenticator of a new connection, or null when its listener does not use SASL. */
export function saslAuthenticatorFor(broker: SaslBroker, info: ConnectionInfo): SaslAuthenticator | null {
  if (info.securityProtocol !== 'SASL_PLAINTEXT' && info.securityProtocol !== 'SASL_SSL') return null;
  return new SaslAuthenticator({
    store: broker.scram,
    info,
    mechanisms: enabledMechanisms(broker, info.listener),
    maxReauthMs: (mechanism) =>
      Number(
        listenerConfig(
          broker,
          info.listener,
          `${mechanism.toLowerCase()}.connections.max.reauth.ms`,
          broker.brokerConfig('connections.max.reauth.ms', '0'),
        ),
      ) || 0,
  });
}

/** sasl.server.max.receive.size. */
export function saslMaxReceiveSize(broker: SaslBroker): number {
  return Number(broker.brokerConfig('sasl.server.max.receive.size', String(DEFAULT_SASL_MAX_RECEIVE_SIZE)));
}
