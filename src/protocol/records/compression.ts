/**
 * Record-batch compression: the codec in attribute bits 0-2 applies to the
 * whole records block after `recordsCount`.
 *
 * - gzip: node:zlib. Concatenated members are accepted (Java's GZIPInputStream does too).
 * - snappy: we write xerial framing, as the Java client does (magic
 *   `82 53 4E 41 50 50 59 00`, int32 version 1, int32 compatible version 1,
 *   then int32-length-prefixed raw snappy blocks of up to 32 KiB input). We read
 *   xerial and plain raw snappy (librdkafka may send either).
 * - lz4: the standard LZ4 frame format (KIP-57), independent blocks. The frame
 *   structure is walked here before decoding because lz4-napi accepts an empty
 *   or header-only input as "no data" instead of failing.
 * - zstd: zstd-napi. Frames without a content size (the Java client streams
 *   them) go through the streaming decoder, capped at `maxSize`.
 *
 * Every decoder enforces `maxSize` on the decompressed length, before
 * allocating where the format says the size up front (snappy, zstd, lz4 with
 * content size, gzip via zlib's own limit).
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import { compressFrame, compressFrameSync, decompressFrame, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compress as zstdCompress } from 'zstd-napi';
import type * as ZstdBindingModule from 'zstd-napi/binding.js';
import { RecordBatchError, RecordErrorCode } from './record-batch-error.ts';

// zstd-napi's low-level binding is a native CommonJS module; its named exports
// are not visible to ESM import, so it is loaded with require.
const zstdBinding = createRequire(import.meta.url)('zstd-napi/binding') as typeof ZstdBindingModule;

/** Compression codec ids (attributes bits 0-2). */
export const CompressionCodec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

/** One of the {@link CompressionCodec} ids. */
export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec];

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Default cap on a decompressed records block (256 MiB). */
export const DEFAULT_MAX_DECOMPRESSED_SIZE = 256 * 1024 * 1024;

/** Options for {@link decompress} and {@link decompressSync}. */
export interface DecompressOptions {
  /** Largest decompressed size accepted; more throws MESSAGE_TOO_LARGE. */
  maxSize?: number;
}

/** Whether `codec` is one of the five codecs Kafka defines. */
export function isSupportedCodec(codec: number): codec is CompressionCodec {
  return Number.isInteger(codec) && codec >= 0 && codec <= 4;
}

/** The Kafka name of a codec id ("none", "gzip", ...), or `unknown(<id>)`. */
export function codecName(codec: number): string {
  return isSupportedCodec(codec) ? CODEC_NAMES[codec] : `unknown(${codec})`;
}

/** Throws UNSUPPORTED_COMPRESSION_TYPE unless `codec` is 0..4. */
export function assertSupportedCodec(codec: number): asserts codec is CompressionCodec {
  if (!isSupportedCodec(codec)) {
    throw new RecordBatchError(RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec id ${codec}`);
  }
}

/** Compresses `buf` with `codec`, synchronously. Codec 0 returns the bytes as they are. */
export function compressSync(codec: number, buf: Uint8Array): Buffer {
  assertSupportedCodec(codec);
  const input = asBuffer(buf);
  switch (codec) {
    case CompressionCodec.NONE:
      return input;
    case CompressionCodec.GZIP:
      return gzipSync(input);
    case CompressionCodec.SNAPPY:
      return xerialCompress(input);
    case CompressionCodec.LZ4:
      return compressFrameSync(input);
    case CompressionCodec.ZSTD:
      return zstdCompress(input);
  }
}

/** Decompresses `buf`, synchronously; throws {@link RecordBatchError} on bad input. */
export function decompressSync(codec: number, buf: Uint8Array, options?: DecompressOptions): Buffer {
  assertSupportedCodec(codec);
  const input = asBuffer(buf);
  const max = options?.maxSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE;
  if (codec === CompressionCodec.NONE) return checkSize(input, max, codec);
  if (input.length === 0) throw corrupt(codec, 'empty input');
  try {
    switch (codec) {
      case CompressionCodec.GZIP:
        return gunzipSync(input, { maxOutputLength: Math.max(1, max) });
      case CompressionCodec.SNAPPY:
        return snappyDecompress(input, max);
      case CompressionCodec.LZ4:
        checkLz4Frames(input, max);
        return checkSize(decompressFrameSync(input), max, codec);
      case CompressionCodec.ZSTD:
        return zstdDecompress(input, max);
    }
  } catch (err) {
    throw wrapError(codec, err, max);
  }
}

/** Compresses `buf` with `codec`; gzip and lz4 run on the libuv thread pool. */
export async function compress(codec: number, buf: Uint8Array): Promise<Buffer> {
  assertSupportedCodec(codec);
  if (codec === CompressionCodec.GZIP) return gzipAsync(buf);
  if (codec === CompressionCodec.LZ4) return compressFrame(buf);
  return compressSync(codec, buf);
}

/** Decompresses `buf`; gzip and lz4 run on the libuv thread pool. */
export async function decompress(codec: number, buf: Uint8Array, options?: DecompressOptions): Promise<Buffer> {
  assertSupportedCodec(codec);
  const max = options?.maxSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE;
  if ((codec !== CompressionCodec.GZIP && codec !== CompressionCodec.LZ4) || buf.length === 0) {
    return decompressSync(codec, buf, options);
  }
  try {
    if (codec === CompressionCodec.GZIP) return await gunzipAsync(buf, { maxOutputLength: Math.max(1, max) });
    checkLz4Frames(asBuffer(buf), max);
    return checkSize(await decompressFrame(buf), max, codec);
  } catch (err) {
    throw wrapError(codec, err, max);
  }
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

function corrupt(codec: number, message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError(RecordErrorCode.CORRUPT_MESSAGE, `${codecName(codec)}: ${message}`, { cause });
}

function tooLarge(codec: number, max: number): RecordBatchError {
  return new RecordBatchError(
    RecordErrorCode.MESSAGE_TOO_LARGE,
    `${codecName(codec)}: decompressed data exceeds the limit of ${max} bytes`,
  );
}

function checkSize(out: Buffer, max: number, codec: number): Buffer {
  if (out.length > max) throw tooLarge(codec, max);
  return out;
}

function wrapError(codec: number, err: unknown, max: number): RecordBatchError {
  if (err instanceof RecordBatchError) return err;
  if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(codec, max);
  return corrupt(codec, err instanceof Error ? err.message : String(err), err);
}

// ---- snappy -------------------------------------------------------------

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

function xerialCompress(input: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8); // format version
  header.writeInt32BE(1, 12); // oldest compatible version
  const parts: Buffer[] = [header];
  for (let i = 0; i < input.length; i += XERIAL_BLOCK_SIZE) {
    const block = snappyCompress(input.subarray(i, i + XERIAL_BLOCK_SIZE));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/** True when `buf` starts with the xerial snappy-java stream header. */
export function isXerialSnappy(buf: Uint8Array): boolean {
  return buf.length >= XERIAL_HEADER_SIZE && asBuffer(buf).subarray(0, 8).equals(XERIAL_MAGIC);
}

function snappyDecompress(input: Buffer, max: number): Buffer {
  if (!isXerialSnappy(input)) return rawSnappyDecompress(input, max);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < input.length) {
    if (pos + 4 > input.length) throw corrupt(CompressionCodec.SNAPPY, `truncated xerial block length at ${pos}`);
    const n = input.readInt32BE(pos);
    pos += 4;
    if (n < 0 || pos + n > input.length) {
      throw corrupt(CompressionCodec.SNAPPY, `xerial block of ${n} bytes at ${pos} overruns ${input.length} bytes`);
    }
    if (n === 0) continue;
    const raw = input.subarray(pos, pos + n);
    pos += n;
    if (rawSnappyLength(raw) > max - total) throw tooLarge(CompressionCodec.SNAPPY, max);
    const block = rawSnappyDecompress(raw, max);
    total += block.length;
    parts.push(block);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** Raw snappy: the block starts with its uncompressed length as an unsigned varint. */
function rawSnappyLength(input: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    if (i >= 5 || i >= input.length) throw corrupt(CompressionCodec.SNAPPY, 'bad length header');
    const b = input[i]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return length;
  }
}

function rawSnappyDecompress(input: Buffer, max: number): Buffer {
  const length = rawSnappyLength(input);
  if (length > max) throw tooLarge(CompressionCodec.SNAPPY, max);
  const out = snappyUncompress(input, { asBuffer: true }) as Buffer;
  if (out.length !== length) throw corrupt(CompressionCodec.SNAPPY, `expected ${length} bytes, got ${out.length}`);
  return out;
}

// ---- lz4 ----------------------------------------------------------------

const LZ4_FRAME_MAGIC = 0x184d2204;

/**
 * Walks the LZ4 frames in `buf` (header, block sizes, checksum fields) without
 * decoding them, so truncation is caught and a declared content size can be
 * checked against `max` before anything is allocated.
 */
function checkLz4Frames(buf: Buffer, max: number): void {
  const fail = (msg: string): RecordBatchError => corrupt(CompressionCodec.LZ4, msg);
  let pos = 0;
  let declared = 0;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw fail('truncated frame magic');
    const magic = buf.readUInt32LE(pos);
    if (magic >>> 4 === 0x184d2a5) {
      // skippable frame: magic, uint32 size, payload
      if (pos + 8 > buf.length) throw fail('truncated skippable frame');
      pos += 8 + buf.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw fail(`bad frame magic 0x${magic.toString(16)}`);
    if (pos + 7 > buf.length) throw fail('truncated frame header');
    const flg = buf[pos + 4]!;
    const bd = buf[pos + 5]!;
    if (flg >>> 6 !== 1) throw fail(`unsupported frame version ${flg >>> 6}`);
    const blockChecksum = (flg & 0x10) !== 0;
    const hasContentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const hasDictId = (flg & 0x01) !== 0;
    const sizeId = (bd >>> 4) & 0x07;
    if (sizeId < 4) throw fail(`bad block size id ${sizeId}`);
    const blockMax = 1 << (8 + 2 * sizeId);
    let p = pos + 6;
    if (hasContentSize) {
      if (p + 8 > buf.length) throw fail('truncated content size');
      const size = buf.readBigUInt64LE(p);
      if (size > BigInt(max - declared)) throw tooLarge(CompressionCodec.LZ4, max);
      declared += Number(size);
      p += 8;
    }
    if (hasDictId) p += 4;
    p += 1; // header checksum, verified by the decoder
    for (;;) {
      if (p + 4 > buf.length) throw fail('truncated block size (frame has no end mark)');
      const word = buf.readUInt32LE(p);
      p += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > blockMax) throw fail(`block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
      p += size + (blockChecksum ? 4 : 0);
      if (p > buf.length) throw fail('truncated block');
    }
    if (contentChecksum) p += 4;
    if (p > buf.length) throw fail('truncated content checksum');
    pos = p;
  }
  if (pos > buf.length) throw fail('truncated skippable frame');
}

// ---- zstd ---------------------------------------------------------------

let zstdDctx: InstanceType<typeof ZstdBindingModule.DCtx> | undefined;

function zstdDecompress(input: Buffer, max: number): Buffer {
  const dctx = (zstdDctx ??= new zstdBinding.DCtx());
  const parts: Buffer[] = [];
  let total = 0;
  try {
    while (input.length > 0) {
      // throws on a bad header or a truncated frame
      const frameSize = zstdBinding.findFrameCompressedSize(input);
      const frame = input.subarray(0, frameSize);
      input = input.subarray(frameSize);
      const size = zstdBinding.getFrameContentSize(frame);
      if (size !== null) {
        if (size > max - total) throw tooLarge(CompressionCodec.ZSTD, max);
        const out = Buffer.allocUnsafe(size);
        const n = dctx.decompress(out, frame);
        if (n !== size) throw corrupt(CompressionCodec.ZSTD, `frame declared ${size} bytes, decoded ${n}`);
        parts.push(out);
        total += n;
        continue;
      }
      // No content size in the header: stream it out in chunks.
      const chunk = Math.max(zstdBinding.dStreamOutSize(), frame.length * 4);
      let src = frame;
      for (;;) {
        const out = Buffer.allocUnsafe(Math.min(chunk, max - total + 1));
        const [ret, produced, consumed] = dctx.decompressStream(out, src);
        src = src.subarray(consumed);
        if (produced > 0) {
          total += produced;
          if (total > max) throw tooLarge(CompressionCodec.ZSTD, max);
          parts.push(out.subarray(0, produced));
        }
        if (ret === 0) break;
        if (produced === 0 && consumed === 0) throw corrupt(CompressionCodec.ZSTD, 'frame ended early');
      }
    }
  } catch (err) {
    dctx.reset(zstdBinding.ResetDirective.sessionOnly);
    throw err;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
