/**
 * Framing: splits a TCP byte stream into Kafka frames and back.
 *
 * On the wire every request and response is an int32 big-endian size followed
 * by that many bytes. FrameDecoder checks each size against a limit as soon as
 * its four bytes are in, and only copies once a frame is complete, so memory
 * held for a frame never exceeds what the peer has actually sent.
 */

/** Default frame limit: the broker's `socket.request.max.bytes` (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 104_857_600;

const SIZE_BYTES = 4;
const MAX_INT32 = 0x7fff_ffff;

/** A size prefix that cannot start a valid frame; the connection must be closed. */
export class InvalidFrameError extends Error {
  override name = 'InvalidFrameError';
  /** The size prefix as read from the wire. */
  readonly size: number;

  constructor(size: number, message = `invalid frame size ${size}`) {
    super(message);
    this.size = size;
  }
}

/** A size prefix above the decoder's maxFrameSize. */
export class FrameTooLargeError extends InvalidFrameError {
  override name = 'FrameTooLargeError';
  readonly maxFrameSize: number;

  constructor(size: number, maxFrameSize: number) {
    super(size, `frame of ${size} bytes exceeds the limit of ${maxFrameSize} bytes`);
    this.maxFrameSize = maxFrameSize;
  }
}

/** Options for {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest accepted frame payload in bytes; defaults to {@link DEFAULT_MAX_FRAME_SIZE}. */
  maxFrameSize?: number;
}

/**
 * Incremental decoder for size-prefixed frames. Frames that lie inside one
 * pushed chunk are returned as subarrays of it (no copy); a frame spread over
 * several chunks is copied once, when its last byte arrives. It keeps
 * references to pushed chunks, so callers must not reuse them.
 */
export class FrameDecoder {
  /** Largest accepted frame payload; may be raised or lowered between frames (SASL listeners raise it after authentication). */
  maxFrameSize: number;
  // Payload size of the frame in progress; -1 while its size prefix is incomplete.
  #size = -1;
  // Bytes of the frame in progress: prefix bytes while #size is -1, payload bytes after.
  #parts: Buffer[] = [];
  #partBytes = 0;
  #failure: InvalidFrameError | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < 0 || max > MAX_INT32) {
      throw new RangeError(`maxFrameSize must be an integer in 0..${MAX_INT32}, got ${max}`);
    }
    this.maxFrameSize = max;
  }

  /** Stream bytes received but not yet returned in a frame, size prefix included. */
  get bufferedBytes(): number {
    return this.#size < 0 ? this.#partBytes : SIZE_BYTES + this.#partBytes;
  }

  /**
   * Feeds the next chunk of the stream; returns the payloads of the frames it
   * completes, in order. Throws InvalidFrameError (or FrameTooLargeError) on a
   * bad size prefix, and again on every later call: the stream cannot be resynced.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.#failure) throw this.#failure;
    const frames: Buffer[] = [];
    let offset = 0;

    if (this.#size >= 0 || this.#partBytes > 0) {
      // Finish the frame left over from earlier chunks.
      if (this.#size < 0) {
        const missing = SIZE_BYTES - this.#partBytes;
        if (chunk.length < missing) {
          this.#keep(chunk);
          return frames;
        }
        const prefix = Buffer.concat([...this.#parts, chunk.subarray(0, missing)], SIZE_BYTES);
        this.#parts = [];
        this.#partBytes = 0;
        this.#size = this.#checkSize(prefix.readInt32BE(0));
        offset = missing;
      }
      const missing = this.#size - this.#partBytes;
      if (chunk.length - offset < missing) {
        this.#keep(chunk.subarray(offset));
        return frames;
      }
      const tail = chunk.subarray(offset, offset + missing);
      frames.push(this.#parts.length === 0 ? tail : Buffer.concat([...this.#parts, tail], this.#size));
      this.#parts = [];
      this.#partBytes = 0;
      this.#size = -1;
      offset += missing;
    }

    // Frames wholly inside this chunk: no copies.
    while (chunk.length - offset >= SIZE_BYTES) {
      const size = this.#checkSize(chunk.readInt32BE(offset));
      const start = offset + SIZE_BYTES;
      if (chunk.length - start < size) {
        this.#size = size;
        this.#keep(chunk.subarray(start));
        return frames;
      }
      frames.push(chunk.subarray(start, start + size));
      offset = start + size;
    }
    this.#keep(chunk.subarray(offset));
    return frames;
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#partBytes += bytes.length;
  }

  #checkSize(size: number): number {
    if (size >= 0 && size <= this.maxFrameSize) return size;
    this.#parts = [];
    this.#partBytes = 0;
    this.#size = -1;
    this.#failure = size < 0 ? new InvalidFrameError(size) : new FrameTooLargeError(size, this.maxFrameSize);
    throw this.#failure;
  }
}

/** Prefixes a payload (or the concatenation of several buffers) with its int32 size. */
export function encodeFrame(payload: Buffer | readonly Buffer[]): Buffer {
  const parts = Buffer.isBuffer(payload) ? [payload] : payload;
  let size = 0;
  for (const part of parts) size += part.length;
  if (size > MAX_INT32) throw new RangeError(`frame payload of ${size} bytes does not fit an int32 size`);
  const frame = Buffer.allocUnsafe(SIZE_BYTES + size);
  frame.writeInt32BE(size, 0);
  let offset = SIZE_BYTES;
  for (const part of parts) offset += part.copy(frame, offset);
  return frame;
}
