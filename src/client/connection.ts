/**
 * One TCP (or TLS) connection to one broker.
 *
 * - Opening: connect (with a timeout), ApiVersions (v3, falling back to the
 *   v0 answer an older broker sends), then SASL when configured
 *   (SaslHandshake v1 + SaslAuthenticate).
 * - Requests are pipelined: each gets a correlation id and waits for its own
 *   response; brokers answer in order per connection.
 * - `request()` picks the highest version both the broker and
 *   CLIENT_VERSIONS allow; the body may be a function of that version.
 * - A request that gets no answer within its timeout fails with
 *   RequestTimeoutError and closes the connection (as the Java client does),
 *   failing every other request in flight with ConnectionError.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from 'node:tls';
import {
  decodeResponse,
  encodeRequest,
  FrameDecoder,
  type Input,
  ProtocolDecodeError,
  peekCorrelationId,
  type RequestBodies,
  type ResponseBodies,
} from '../protocol/index.ts';
import { AuthenticationError, ConnectionError, ErrorCode, KafkaError, RequestTimeoutError } from './errors.ts';
import { type SaslOptions, saslExchange } from './sasl.ts';
import { ApiKey, CLIENT_VERSIONS } from './versions.ts';

export type ApiKeyNumber = keyof RequestBodies & keyof ResponseBodies;

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId?: string;
  /** true for TLS with the system's CAs, or Node's tls.connect options (ca, cert, key, servername, rejectUnauthorized). */
  tls?: boolean | TlsOptions;
  sasl?: SaslOptions;
  /** Milliseconds to open the socket and finish ApiVersions/SASL; default 10000. */
  connectTimeoutMs?: number;
  /** Milliseconds to wait for any response; default 30000. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  /** Use exactly this version (fails with UNSUPPORTED_VERSION when the broker does not serve it). */
  version?: number;
  /** Highest version to use, below the client's own maximum. */
  maxVersion?: number;
  /** Lowest version acceptable, above the client's own minimum. */
  minVersion?: number;
  /** Timeout for this request; defaults to the connection's requestTimeoutMs. */
  timeoutMs?: number;
}

type Body<K extends ApiKeyNumber> = Input<RequestBodies[K]> | ((version: number) => Input<RequestBodies[K]>);

interface Pending {
  apiKey: number;
  version: number;
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const SOFTWARE_VERSION = '0.1.0';

export class Connection {
  readonly host: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #frames = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  #versions = new Map<number, [number, number]>();
  #correlation = 0;
  #throttledUntil = 0;
  #closedError: Error | null = null;
  #closeListeners: Array<(err: Error) => void> = [];

  private constructor(socket: Socket, opts: ConnectionOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.#socket = socket;
    this.#clientId = opts.clientId ?? 'tributary';
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.#frames.push(chunk);
      } catch (err) {
        this.#fail(new ConnectionError(this.address, `bad frame from broker: ${(err as Error).message}`));
        return;
      }
      for (const frame of frames) this.#onFrame(frame);
    });
    socket.on('error', (err) => this.#fail(new ConnectionError(this.address, err.message, { cause: err })));
    socket.on('close', () => this.#fail(new ConnectionError(this.address, 'connection closed by the broker')));
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get closed(): boolean {
    return this.#closedError !== null;
  }

  /** Opens a connection and completes ApiVersions and SASL. */
  static async open(opts: ConnectionOptions): Promise<Connection> {
    const address = `${opts.host}:${opts.port}`;
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const tlsOpts = opts.tls === true ? {} : opts.tls;
      const s = tlsOpts
        ? tlsConnect({
            ...(isIP(opts.host) ? {} : { servername: opts.host }),
            ...tlsOpts,
            host: opts.host,
            port: opts.port,
          })
        : netConnect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectionError(address, `no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once(tlsOpts ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new ConnectionError(address, `cannot connect: ${err.message}`, { cause: err }));
      });
    });
    const conn = new Connection(socket, opts);
    try {
      await conn.#negotiate(timeoutMs);
      if (opts.sasl) await conn.#authenticate(opts.sasl, timeoutMs);
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  /** The broker's [min, max] for an API key, or undefined when it does not serve it. */
  brokerVersions(apiKey: number): readonly [number, number] | undefined {
    return this.#versions.get(apiKey);
  }

  /** The version a request would use, or -1 when there is none in common. */
  pickVersion(apiKey: number, opts: RequestOptions = {}): number {
    const ours = CLIENT_VERSIONS[apiKey];
    const theirs = this.#versions.get(apiKey);
    if (!ours || !theirs) return -1;
    if (opts.version !== undefined) {
      return opts.version >= theirs[0] && opts.version <= theirs[1] ? opts.version : -1;
    }
    const max = Math.min(ours[1], theirs[1], opts.maxVersion ?? Number.POSITIVE_INFINITY);
    const min = Math.max(ours[0], theirs[0], opts.minVersion ?? 0);
    return max >= min ? max : -1;
  }

  /** Sends a request and resolves with its decoded response body. */
  async request<K extends ApiKeyNumber>(
    apiKey: K,
    body: Body<K>,
    opts: RequestOptions = {},
  ): Promise<ResponseBodies[K]> {
    const version = this.pickVersion(apiKey, opts);
    if (version < 0) {
      const theirs = this.#versions.get(apiKey);
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        `${this.address} serves API ${apiKey} at ${theirs ? `versions ${theirs[0]}-${theirs[1]}` : 'no version'}, ` +
          `outside what this client speaks (${CLIENT_VERSIONS[apiKey]?.join('-') ?? 'none'})`,
      );
    }
    return this.requestAt(apiKey, version, typeof body === 'function' ? body(version) : body, opts.timeoutMs);
  }

  /** Sends a request at an exact version, without negotiation. */
  async requestAt<K extends ApiKeyNumber>(
    apiKey: K,
    version: number,
    body: Input<RequestBodies[K]>,
    timeoutMs = this.#requestTimeoutMs,
  ): Promise<ResponseBodies[K]> {
    await this.#throttleWait();
    const frame = await this.#send(apiKey, version, body, timeoutMs, true);
    let res: ResponseBodies[K];
    try {
      res = decodeResponse(apiKey, version, frame as Buffer).body;
    } catch (err) {
      throw new ConnectionError(this.address, `undecodable response to API ${apiKey} v${version}`, { cause: err });
    }
    // KIP-219: a throttled response means the broker mutes this connection; send nothing until it ends.
    const throttle = (res as { throttleTimeMs?: number }).throttleTimeMs;
    if (throttle !== undefined && throttle > 0) {
      this.#throttledUntil = Math.max(this.#throttledUntil, Date.now() + throttle);
    }
    return res;
  }

  /** Milliseconds left of the broker's last throttle on this connection (0 when none). */
  get throttledMs(): number {
    return Math.max(0, this.#throttledUntil - Date.now());
  }

  async #throttleWait(): Promise<void> {
    const wait = this.#throttledUntil - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once written. */
  async sendNoResponse<K extends ApiKeyNumber>(apiKey: K, body: Body<K>, opts: RequestOptions = {}): Promise<void> {
    const version = this.pickVersion(apiKey, opts);
    if (version < 0)
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${this.address} does not serve API ${apiKey}`);
    await this.#throttleWait();
    await this.#send(apiKey, version, typeof body === 'function' ? body(version) : body, 0, false);
  }

  /** Calls `fn` once when the connection closes or fails. */
  onClose(fn: (err: Error) => void): void {
    if (this.#closedError) fn(this.#closedError);
    else this.#closeListeners.push(fn);
  }

  /** Whether the socket's write buffer is over its high-water mark. */
  get writeBacklogged(): boolean {
    return this.#socket.writableNeedDrain;
  }

  close(): void {
    this.#fail(new ConnectionError(this.address, 'connection closed by the client'));
  }

  #send<K extends ApiKeyNumber>(
    apiKey: K,
    version: number,
    body: Input<RequestBodies[K]>,
    timeoutMs: number,
    expectResponse: boolean,
  ): Promise<Buffer | null> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    this.#correlation = (this.#correlation + 1) & 0x7fffffff;
    const correlationId = this.#correlation;
    const bytes = encodeRequest({ apiKey, apiVersion: version, correlationId, clientId: this.#clientId }, body);
    if (!expectResponse) {
      return new Promise((resolve, reject) => {
        this.#socket.write(bytes, (err) =>
          err ? reject(new ConnectionError(this.address, err.message, { cause: err })) : resolve(null),
        );
      });
    }
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(
          new RequestTimeoutError(`${this.address}: no response to API ${apiKey} v${version} within ${timeoutMs} ms`),
        );
        this.#fail(new ConnectionError(this.address, 'closed after a request timed out'));
      }, timeoutMs);
      this.#pending.set(correlationId, { apiKey, version, resolve, reject, timer });
      this.#socket.write(bytes);
    });
  }

  #onFrame(frame: Buffer): void {
    let id: number;
    try {
      id = peekCorrelationId(frame);
    } catch {
      this.#fail(new ConnectionError(this.address, 'response without a correlation id'));
      return;
    }
    const p = this.#pending.get(id);
    if (!p) return; // the answer to a request that already timed out
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(frame);
  }

  #fail(err: Error): void {
    if (this.#closedError) return;
    this.#closedError = err;
    this.#socket.destroy();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    for (const fn of this.#closeListeners.splice(0)) fn(err);
  }

  async #negotiate(timeoutMs: number): Promise<void> {
    const key = ApiKey.ApiVersions;
    const body = { clientSoftwareName: 'tributary', clientSoftwareVersion: SOFTWARE_VERSION };
    const frame = (await this.#send(key, 3, body, timeoutMs, true)) as Buffer;
    let res: ResponseBodies[18];
    try {
      res = decodeResponse(key, 3, frame).body;
    } catch (err) {
      // A broker without v3 answers UNSUPPORTED_VERSION in the v0 layout.
      if (!(err instanceof ProtocolDecodeError)) throw err;
      res = decodeResponse(key, 0, frame).body;
    }
    if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION && res.apiKeys.length > 0) {
      const own = res.apiKeys.find((k) => k.apiKey === key);
      const v = Math.min(own?.maxVersion ?? 0, 2);
      res = await this.requestAt(key, v, {}, timeoutMs);
    }
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `${this.address}: ApiVersions failed`);
    this.#versions = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  }

  async #authenticate(sasl: SaslOptions, timeoutMs: number): Promise<void> {
    const exchange = saslExchange(sasl);
    const hs = await this.request(ApiKey.SaslHandshake, { mechanism: sasl.mechanism }, { timeoutMs });
    if (hs.errorCode !== ErrorCode.NONE) {
      throw new AuthenticationError(
        hs.errorCode,
        `${this.address}: SASL mechanism ${sasl.mechanism} is not enabled; the broker offers ${hs.mechanisms.join(', ') || 'none'}`,
      );
    }
    let out: Buffer | null = exchange.first();
    while (out) {
      const res = await this.request(ApiKey.SaslAuthenticate, { authBytes: out }, { timeoutMs });
      if (res.errorCode !== ErrorCode.NONE) {
        throw new AuthenticationError(
          res.errorCode,
          `${this.address}: authentication as ${sasl.username} failed: ${res.errorMessage ?? 'no reason given'}`,
        );
      }
      try {
        out = exchange.next(res.authBytes);
      } catch (err) {
        throw new AuthenticationError(ErrorCode.SASL_AUTHENTICATION_FAILED, (err as Error).message);
      }
    }
  }
}
