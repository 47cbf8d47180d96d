/**
 * The Kafka listener: accepts connections, splits frames, runs one request at
 * a time per connection (as Kafka does: responses leave in request order) and
 * writes responses.
 *
 * Bad input closes only the offending connection, with one log line:
 * an oversized or negative frame size, an unknown API key, an API version the
 * broker does not serve, or a body that does not decode. ApiVersions at an
 * unknown version is answered with a v0 UNSUPPORTED_VERSION response instead,
 * so clients can step down (KIP-511).
 *
 * One server per listener (security/listeners.ts: TCP, or TLS with the
 * principal of a client certificate). On SASL listeners the connection's
 * authenticator (security/sasl-authenticator.ts) sees every frame first:
 * the handshake and tokens before authentication, re-authentication and
 * session expiry after it.
 */
import type { Socket } from 'node:net';
import {
  API_VERSIONS_KEY,
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  InvalidFrameError,
  ProtocolDecodeError,
} from '../protocol/index.ts';
import type { Broker } from './broker.ts';
import { ANONYMOUS, type ConnectionInfo, type Handler, type RequestContext } from './handler.ts';
import { handlerFor } from './handlers/index.ts';
import { quotasOf } from './quotas/index.ts';
import { createListenerServer, type ListenerServer, type ListenerSpec } from './security/listeners.ts';
import { type SaslAuthenticator, saslAuthenticatorFor, saslMaxReceiveSize } from './security/sasl-authenticator.ts';
import type { TlsMaterial } from './security/tls.ts';

const MAX_QUEUED_FRAMES = 64;

/** Test-only switches the listener consults (`broker.testHooks`); production never sets them. */
export interface ServerTestHooks {
  /**
   * Called once a request was handled; returning true drops its response and
   * closes the connection, as a network failure after the broker did the
   * work would (tests of producer retries and de-duplication).
   */
  dropResponse?: (apiKey: number, apiVersion: number) => boolean;
}

/** The broker's listeners: one TCP or TLS server each (security/listeners.ts). */
export class BrokerServer {
  readonly #broker: Broker;
  readonly #listeners: ListenerServer[];
  readonly #connections = new Set<Connection>();
  readonly #shutdown = new AbortController();
  #nextId = 1;

  constructor(broker: Broker, listeners: readonly ListenerSpec[], tls?: TlsMaterial) {
    this.#broker = broker;
    this.#listeners = listeners.map((spec) =>
      createListenerServer(
        spec,
        tls,
        (socket, principal) => this.#accept(socket, spec, principal),
        (client, reason) => broker.logger.warn({ client, listener: spec.name }, `closing connection: ${reason}`),
      ),
    );
  }

  /** Binds every listener, in order. */
  async listen(): Promise<void> {
    for (const l of this.#listeners) await l.listen();
  }

  /** The bound port of the first listener. */
  get port(): number {
    return this.#listeners[0]?.port ?? 0;
  }

  /** The open connections (listener, client address, principal). */
  connections(): ConnectionInfo[] {
    return [...this.#connections].map((c) => c.info);
  }

  /** The bound port of a listener by name, or undefined when there is no such listener. */
  portOf(name: string): number | undefined {
    return this.#listeners.find((l) => l.spec.name === name.toUpperCase())?.port;
  }

  #accept(socket: Socket, listener: ListenerSpec, principal: string): void {
    const conn = new Connection(this.#broker, socket, this.#nextId++, this.#shutdown.signal, listener, principal);
    this.#connections.add(conn);
    socket.once('close', () => this.#connections.delete(conn));
  }

  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  async close(): Promise<void> {
    const closed = Promise.all(this.#listeners.map((l) => l.close()));
    this.#shutdown.abort();
    await Promise.all([...this.#connections].map((c) => c.drain()));
    for (const c of this.#connections) c.destroy();
    for (const l of this.#listeners) l.destroySockets();
    await closed;
  }
}

class Connection {
  readonly #broker: Broker;
  readonly #socket: Socket;
  readonly #frames: FrameDecoder;
  readonly #queue: Buffer[] = [];
  readonly #info: ConnectionInfo;
  readonly #signal: AbortSignal;
  #busy: Promise<void> | null = null;
  #closed = false;
  /** SASL authentication state on SASL listeners (null elsewhere). */
  readonly #sasl: SaslAuthenticator | null;
  /** Set when a response must be the last one: the connection closes once it is written. */
  #closeAfterWrite: string | null = null;
  /** Quota throttling (KIP-219): no request is read before this time (ms). */
  #mutedUntil = 0;

  constructor(
    broker: Broker,
    socket: Socket,
    id: number,
    signal: AbortSignal,
    listener: ListenerSpec,
    principal = ANONYMOUS,
  ) {
    this.#broker = broker;
    this.#socket = socket;
    this.#signal = signal;
    this.#info = {
      id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      listener: listener.name,
      securityProtocol: listener.securityProtocol,
      principal,
    };
    this.#sasl = saslAuthenticatorFor(broker, this.#info);
    // Before SASL authentication frames are limited to sasl.server.max.receive.size, as in Kafka.
    this.#frames = new FrameDecoder({
      maxFrameSize: this.#sasl ? saslMaxReceiveSize(broker) : this.#maxFrameSize(),
    });
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
    });
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#frames.push(chunk);
    } catch (err) {
      this.#fail(err instanceof InvalidFrameError ? err.message : String(err));
      return;
    }
    if (frames.length === 0) return;
    this.#queue.push(...frames);
    if (this.#queue.length >= MAX_QUEUED_FRAMES) this.#socket.pause();
    if (!this.#busy) this.#busy = this.#pump().finally(() => (this.#busy = null));
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const frame = this.#queue.shift() as Buffer;
      if (this.#queue.length < MAX_QUEUED_FRAMES / 2 && this.#socket.isPaused()) this.#socket.resume();
      const response = await this.#handle(frame);
      if (this.#closed) return;
      if (response && !this.#socket.write(response)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.#socket.off('drain', done);
            this.#socket.off('close', done);
            resolve();
          };
          this.#socket.on('drain', done);
          this.#socket.on('close', done);
        });
      }
      if (this.#closeAfterWrite !== null) {
        this.#end(this.#closeAfterWrite);
        return;
      }
      if (this.#mutedUntil > Date.now()) await this.#throttle();
    }
  }

  /** Who is on the other end. */
  get info(): ConnectionInfo {
    return this.#info;
  }

  #maxFrameSize(): number {
    return Number(this.#broker.brokerConfig('socket.request.max.bytes', '104857600'));
  }

  /** SASL listeners: authentication, re-authentication and session expiry come first (security/sasl-authenticator.ts). */
  async #authenticate(sasl: SaslAuthenticator, frame: Buffer): Promise<{ response: Buffer | null } | null> {
    const step = await sasl.onFrame(frame);
    if (step.action === 'pass') return null;
    if (step.action === 'close') {
      this.#fail(step.reason);
      return { response: null };
    }
    if (sasl.authenticated) this.#frames.maxFrameSize = this.#maxFrameSize();
    if (step.close) {
      this.#closeAfterWrite = step.close;
      if (!step.response) this.#end(step.close);
    }
    return { response: step.response };
  }

  /** Closes after what was written is flushed (a failed authentication's answer). */
  #end(reason: string): void {
    if (this.#closed) return;
    this.#broker.logger.warn(
      { client: `${this.#info.remoteAddress}:${this.#info.remotePort}`, listener: this.#info.listener },
      `closing connection: ${reason}`,
    );
    this.#closed = true;
    this.#queue.length = 0;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  /** Reads nothing until the throttle time is over (or the connection closes, or the broker shuts down). */
  async #throttle(): Promise<void> {
    this.#socket.pause();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#signal.removeEventListener('abort', done);
        this.#socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, this.#mutedUntil - Date.now());
      this.#signal.addEventListener('abort', done, { once: true });
      this.#socket.once('close', done);
    });
    if (!this.#signal.aborted && this.#queue.length < MAX_QUEUED_FRAMES / 2) this.#socket.resume();
  }

  async #handle(frame: Buffer): Promise<Buffer | null> {
    if (this.#sasl) {
      const answered = await this.#authenticate(this.#sasl, frame);
      if (answered) return answered.response;
    }
    if (frame.length < 8) {
      this.#fail(`request frame of ${frame.length} bytes is too short for a header`);
      return null;
    }
    const key = frame.readInt16BE(0);
    const version = frame.readInt16BE(2);
    const handler = handlerFor(key);
    if (key === API_VERSIONS_KEY && handler && version > handler.maxVersion) {
      // KIP-511: answer with v0 and the range we support, keep the connection
      return encodeResponse(API_VERSIONS_KEY, 0, frame.readInt32BE(4), {
        errorCode: 35,
        apiKeys: [
          {
            apiKey: API_VERSIONS_KEY,
            minVersion: handler.advertisedMin ?? handler.minVersion,
            maxVersion: handler.maxVersion,
          },
        ],
      });
    }
    if (!handler) {
      this.#fail(`unknown or unserved API key ${key}`);
      return null;
    }
    if (version < handler.minVersion || version > handler.maxVersion) {
      this.#fail(`API key ${key} version ${version} is not supported (${handler.minVersion}-${handler.maxVersion})`);
      return null;
    }
    let decoded: ReturnType<typeof decodeRequest>;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      this.#fail(`malformed request (API key ${key} v${version}): ${(err as Error).message}`);
      return null;
    }
    const ctx: RequestContext = {
      broker: this.#broker,
      header: decoded.header,
      apiVersion: version,
      connection: this.#info,
      principal: this.#info.principal,
      signal: this.#signal,
    };
    try {
      const quota = quotasOf(this.#broker).begin(ctx, key, frame.length, decoded.body);
      const handle = (): ReturnType<Handler['handle']> => (handler as Handler).handle(ctx, decoded.body as never);
      const result = await (quota ? quota.run(handle) : handle());
      if (this.#broker.testHooks.dropResponse?.(key, version)) {
        this.#fail(`response to API key ${key} dropped by a test hook`);
        return null;
      }
      const encode = (r: unknown): Buffer =>
        encodeResponse(key as 0, version, decoded.header.correlationId, r as never);
      if (quota) return quota.respond(result, encode, (ms) => (this.#mutedUntil = Date.now() + ms));
      if (result === null) return null;
      return encode(result);
    } catch (err) {
      if (err instanceof ProtocolDecodeError) {
        // a request Kafka could not parse (e.g. ACL filters with UNKNOWN codes): close, as for a bad frame
        this.#fail(`malformed request (API key ${key} v${version}): ${err.message}`);
        return null;
      }
      this.#broker.logger.error({ err, apiKey: key, apiVersion: version }, 'request handler failed');
      this.#fail(`request handler for API key ${key} failed`);
      return null;
    }
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.#broker.logger.warn(
      { client: `${this.#info.remoteAddress}:${this.#info.remotePort}` },
      `closing connection: ${reason}`,
    );
    this.#closed = true;
    this.#queue.length = 0;
    this.#socket.destroy();
  }

  /** Waits for the request in progress (if any) to finish. */
  async drain(): Promise<void> {
    this.#socket.pause();
    await this.#busy;
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }
}
