/**
 * Redis: a RESP reader that walks replies without copying record payloads,
 * and a connection that pipelines requests and hands each reply to its sink.
 */
import { connect, type Socket } from 'node:net';
import { STEP_MS } from './options.ts';
import { withTimeout } from './procs.ts';

/** Receives the parts of one reply as the reader walks it (depth 0 is the reply itself). */
export interface RespSink {
  array(depth: number, index: number, length: number): void;
  /** Return true to receive the bytes of this bulk string in bulk(). */
  wants(depth: number, index: number, length: number): boolean;
  bulk(depth: number, index: number, length: number, data: Buffer | null): void;
  simple(depth: number, index: number, value: string): void;
  error(message: string): void;
  /** One top-level reply is complete. */
  end(): void;
}

/** The decimal integer in buf[start, end), which may start with '-'. */
function intAt(buf: Buffer, start: number, end: number): number {
  let neg = false;
  if (buf[start] === 0x2d) {
    neg = true;
    start++;
  }
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) throw new Error(`RESP: bad length "${buf.toString('latin1', start, end)}"`);
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

class RespReader {
  readonly #sink: RespSink;
  readonly #stack: Array<{ left: number; index: number }> = [];
  #head: Buffer | null = null;
  #skip = 0;
  #bulkLen = 0;
  #bulkDepth = 0;
  #bulkIndex = 0;
  #capture: Buffer[] | null = null;

  constructor(sink: RespSink) {
    this.#sink = sink;
  }

  /** An element finished: count it in its parent, closing finished arrays. */
  #done(): void {
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (!top) {
        this.#sink.end();
        return;
      }
      top.left--;
      top.index++;
      if (top.left > 0) return;
      this.#stack.pop();
    }
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#head) {
      buf = Buffer.concat([this.#head, chunk]);
      this.#head = null;
    }
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, len - pos);
        this.#capture?.push(buf.subarray(pos, pos + n));
        pos += n;
        this.#skip -= n;
        if (this.#skip === 0) {
          const data = this.#capture ? Buffer.concat(this.#capture).subarray(0, this.#bulkLen) : null;
          this.#capture = null;
          this.#sink.bulk(this.#bulkDepth, this.#bulkIndex, this.#bulkLen, data);
          this.#done();
        }
        continue;
      }
      const eol = buf.indexOf(10, pos);
      if (eol < 0) {
        this.#head = buf.subarray(pos);
        return;
      }
      const type = buf[pos];
      const depth = this.#stack.length;
      const index = depth ? this.#stack[depth - 1]!.index : 0;
      if (type === 0x24) {
        // '$' bulk string
        const n = intAt(buf, pos + 1, eol - 1);
        pos = eol + 1;
        if (n < 0) {
          this.#sink.bulk(depth, index, -1, null);
          this.#done();
        } else {
          this.#skip = n + 2;
          this.#bulkLen = n;
          this.#bulkDepth = depth;
          this.#bulkIndex = index;
          this.#capture = this.#sink.wants(depth, index, n) ? [] : null;
        }
      } else if (type === 0x2a) {
        // '*' array
        const n = intAt(buf, pos + 1, eol - 1);
        pos = eol + 1;
        this.#sink.array(depth, index, n);
        if (n > 0) this.#stack.push({ left: n, index: 0 });
        else this.#done();
      } else if (type === 0x2b || type === 0x3a || type === 0x2d) {
        // '+' simple string, ':' integer, '-' error
        const line = buf.toString('latin1', pos + 1, eol - 1);
        pos = eol + 1;
        if (type === 0x2d) this.#sink.error(line);
        else this.#sink.simple(depth, index, line);
        this.#done();
      } else {
        throw new Error(`RESP: unexpected type byte 0x${(type ?? 0).toString(16)}`);
      }
    }
  }
}

function resp(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return Buffer.from(parts.join(''));
}

interface Pending {
  sink: RespSink;
  reject: (e: Error) => void;
}

/** One connection to Redis; requests may be pipelined, replies go to their sinks in order. */
export class RedisConn {
  readonly #socket: Socket;
  readonly #reader: RespReader;
  readonly #pending: Pending[] = [];
  #head = 0;
  #closed: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const cur = (): RespSink => {
      const p = this.#pending[this.#head];
      if (!p) throw new Error('RESP: a reply arrived with no request waiting');
      return p.sink;
    };
    this.#reader = new RespReader({
      array: (d, i, n) => cur().array(d, i, n),
      wants: (d, i, n) => cur().wants(d, i, n),
      bulk: (d, i, n, data) => cur().bulk(d, i, n, data),
      simple: (d, i, v) => cur().simple(d, i, v),
      error: (m) => cur().error(m),
      end: () => {
        const sink = cur();
        this.#pending[this.#head++] = undefined as unknown as Pending;
        if (this.#head > 1024) {
          this.#pending.splice(0, this.#head);
          this.#head = 0;
        }
        sink.end();
      },
    });
    socket.on('data', (d: Buffer) => {
      try {
        this.#reader.push(d);
      } catch (err) {
        this.#failAll(err as Error);
      }
    });
    socket.on('error', (err) => this.#failAll(err));
    socket.on('close', () => this.#failAll(new Error('redis closed the connection')));
  }

  #failAll(err: Error): void {
    this.#closed ??= err;
    for (let i = this.#head; i < this.#pending.length; i++) this.#pending[i]?.reject(err);
    this.#pending.length = 0;
    this.#head = 0;
    this.#socket.destroy();
  }

  static open(port: number): Promise<RedisConn> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', noDelay: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RedisConn(s));
      });
      s.once('error', reject);
    });
  }

  /** Sends one command; `make` builds the sink that sees its reply and settles the promise. */
  request<T>(args: string[], make: (done: (v: T) => void, fail: (e: Error) => void) => RespSink): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ sink: make(resolve, reject), reject });
      this.#socket.write(resp(args));
    });
  }

  /** A command with a scalar reply (simple string, integer or bulk string). */
  command(...args: string[]): Promise<string> {
    return withTimeout(
      this.request<string>(args, (done, fail) => {
        let value = '';
        let error: string | null = null;
        return {
          array: () => {},
          wants: (depth) => depth === 0,
          bulk: (depth, _i, _n, data) => {
            if (depth === 0) value = data?.toString() ?? '';
          },
          simple: (depth, _i, v) => {
            if (depth === 0) value = v;
          },
          error: (m) => {
            error = m;
          },
          end: () => (error === null ? done(value) : fail(new Error(`redis ${args[0]}: ${error}`))),
        };
      }),
      STEP_MS,
      `redis ${args[0]}`,
    );
  }

  close(): void {
    this.#closed ??= new Error('closed');
    this.#socket.destroy();
  }
}
