/**
 * A minimal Kafka connection for tests that need exact control over frames:
 * send any bytes, or a request built with the project's codec, and read
 * responses in order.
 */
import { connect, type Socket } from 'node:net';
import {
  decodeResponse,
  encodeRequest,
  FrameDecoder,
  type Input,
  type RequestBodies,
  type ResponseBodies,
} from '../../src/protocol/index.ts';

export class RawConnection {
  readonly #socket: Socket;
  readonly #frames = new FrameDecoder();
  readonly #queue: Buffer[] = [];
  #waiters: Array<(f: Buffer | null) => void> = [];
  #closed = false;
  #correlation = 1;
  /** Client id sent in request headers. */
  clientId = 'raw-test';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      for (const f of this.#frames.push(chunk)) {
        const w = this.#waiters.shift();
        if (w) w(f);
        else this.#queue.push(f);
      }
    });
    const end = (): void => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w(null);
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next response frame, or null when the connection closes first (or after `timeoutMs`). */
  next(timeoutMs = 5000): Promise<Buffer | null> {
    const f = this.#queue.shift();
    if (f) return Promise.resolve(f);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(null);
      }, timeoutMs);
      const done = (x: Buffer | null): void => {
        clearTimeout(timer);
        resolve(x);
      };
      this.#waiters.push(done);
    });
  }

  /** Sends a request and decodes its response. */
  async request<K extends keyof RequestBodies & keyof ResponseBodies>(
    apiKey: K,
    apiVersion: number,
    body: Input<RequestBodies[K]>,
  ): Promise<ResponseBodies[K]> {
    const correlationId = this.#correlation++;
    this.write(encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body));
    const frame = await this.next();
    if (!frame) throw new Error(`connection closed before the response to API ${apiKey} v${apiVersion}`);
    const res = decodeResponse(apiKey, apiVersion, frame);
    if (res.correlationId !== correlationId)
      throw new Error(`correlation id ${res.correlationId}, expected ${correlationId}`);
    return res.body;
  }

  /** Resolves when the broker closes the connection (or rejects after timeoutMs). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection stayed open')), timeoutMs);
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
