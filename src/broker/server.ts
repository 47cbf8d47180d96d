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
 */
import { createServer, type Server, type Socket } from 'node:net';
import { API_VERSIONS_KEY, decodeRequest, encodeResponse, FrameDecoder, InvalidFrameError } from '../protocol/index.ts';
import type { Broker } from './broker.ts';
import { ANONYMOUS, type ConnectionInfo, type Handler, type RequestContext } from './handler.ts';
import { handlerFor } from './handlers/index.ts';

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

/** The broker's TCP listener. */
export class BrokerServer {
  readonly #broker: Broker;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #shutdown = new AbortController();
  #nextId = 1;

  constructor(broker: Broker) {
    this.#broker = broker;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  /** Binds the listener. */
  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  /** The bound port. */
  get port(): number {
    const a = this.#server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  #accept(socket: Socket): void {
    const conn = new Connection(this.#broker, socket, this.#nextId++, this.#shutdown.signal);
    this.#connections.add(conn);
    socket.once('close', () => this.#connections.delete(conn));
  }

  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#shutdown.abort();
    await Promise.all([...this.#connections].map((c) => c.drain()));
    for (const c of this.#connections) c.destroy();
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

  constructor(broker: Broker, socket: Socket, id: number, signal: AbortSignal) {
    this.#broker = broker;
    this.#socket = socket;
    this.#signal = signal;
    this.#frames = new FrameDecoder({
      maxFrameSize: Number(broker.brokerConfig('socket.request.max.bytes', '104857600')),
    });
    this.#info = {
      id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      listener: 'PLAINTEXT',
      securityProtocol: 'PLAINTEXT',
      principal: ANONYMOUS,
    };
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
    }
  }

  async #handle(frame: Buffer): Promise<Buffer | null> {
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
      const result = await (handler as Handler).handle(ctx, decoded.body as never);
      if (this.#broker.testHooks.dropResponse?.(key, version)) {
        this.#fail(`response to API key ${key} dropped by a test hook`);
        return null;
      }
      if (result === null) return null;
      return encodeResponse(key as 0, version, decoded.header.correlationId, result as never);
    } catch (err) {
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
