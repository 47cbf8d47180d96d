import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { compressSync as rawSnappy } from 'snappy';
import { CompressStream } from 'zstd-napi';
import {
  CompressionCodec,
  codecName,
  compress,
  compressSync,
  decompress,
  decompressSync,
  isXerialSnappy,
  RecordBatchError,
  RecordErrorCode,
} from '../../src/protocol/records/index.ts';
import { b64, requirePythonCodec, runKafkaPython, unb64 } from './record-clients.ts';

const CODECS = [0, 1, 2, 3, 4] as const;

/** Deterministic, compressible text-like data of `n` bytes. */
function textLike(n: number): Buffer {
  const words = ['kafka', 'record', 'batch', 'offset', 'partition', 'topic', 'leader', 'epoch', '{"id":', '},'];
  const out = Buffer.allocUnsafe(n);
  let seed = 7;
  for (let i = 0; i < n; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const w = `${words[seed % words.length]} ${seed % 1000} `;
    i += out.write(w, i);
  }
  return out;
}

function assertCode(err: unknown, code: number): true {
  assert.ok(err instanceof RecordBatchError, `expected RecordBatchError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return true;
}

describe('round trips', () => {
  const inputs: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([42])],
    ['3 MiB of text', textLike(3 << 20)],
    ['1 MiB of random bytes', randomBytes(1 << 20)],
  ];
  for (const codec of CODECS) {
    test(`${codecName(codec)}: sync and async`, async () => {
      for (const [label, input] of inputs) {
        const packed = compressSync(codec, input);
        assert.deepEqual(decompressSync(codec, packed), input, `${label} sync`);
        const packedAsync = await compress(codec, input);
        assert.deepEqual(await decompress(codec, packedAsync), input, `${label} async`);
        assert.deepEqual(decompressSync(codec, packedAsync), input, `${label} async→sync`);
        if (codec !== 0 && label === '3 MiB of text')
          assert.ok(packed.length < input.length / 2, 'actually compresses');
      }
    });
  }

  test('accepts Uint8Array as well as Buffer', () => {
    const u8 = new Uint8Array(textLike(1000));
    for (const codec of CODECS) assert.deepEqual(decompressSync(codec, compressSync(codec, u8)), Buffer.from(u8));
  });
});

describe('snappy framing', () => {
  const data = textLike(100_000); // several 32 KiB xerial blocks

  test('writes xerial framing like the Java client', () => {
    const out = compressSync(CompressionCodec.SNAPPY, data);
    assert.ok(isXerialSnappy(out));
    assert.deepEqual(out.subarray(0, 8), Buffer.from('82534e4150505900', 'hex'));
    assert.equal(out.readInt32BE(8), 1, 'version');
    assert.equal(out.readInt32BE(12), 1, 'compatible version');
    // blocks of at most 32 KiB input: 100000 bytes make 4 blocks
    let blocks = 0;
    for (let p = 16; p < out.length; p += 4 + out.readInt32BE(p)) blocks++;
    assert.equal(blocks, 4);
  });

  test('reads raw (librdkafka-style) snappy', () => {
    assert.deepEqual(decompressSync(CompressionCodec.SNAPPY, rawSnappy(data)), data);
  });

  test('reads xerial and raw snappy written by kafka-python', () => {
    requirePythonCodec(2);
    const [xerial, raw] = runKafkaPython([
      { op: 'snappy', data: b64(data), xerial: true },
      { op: 'snappy', data: b64(data), xerial: false },
    ]);
    const x = unb64(xerial!.data)!;
    const r = unb64(raw!.data)!;
    assert.ok(isXerialSnappy(x) && !isXerialSnappy(r));
    assert.deepEqual(decompressSync(2, x), data);
    assert.deepEqual(decompressSync(2, r), data);
  });

  test('a truncated xerial stream or block is CORRUPT_MESSAGE', () => {
    const out = compressSync(CompressionCodec.SNAPPY, data);
    for (const n of [17, 19, 20, 100, out.length - 1]) {
      assert.throws(
        () => decompressSync(2, out.subarray(0, n)),
        (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE),
      );
    }
  });
});

describe('lz4 frames', () => {
  const data = textLike(300_000);

  test('our frames use independent blocks and no dictionary (the Java client requires both)', () => {
    const out = compressSync(CompressionCodec.LZ4, data);
    assert.equal(out.readUInt32LE(0), 0x184d2204);
    const flg = out[4]!;
    assert.equal(flg >> 6, 1, 'version 01');
    assert.ok(flg & 0x20, 'block independence');
    assert.equal(flg & 0x03, 0, 'no dictionary id, reserved bit clear');
  });

  test('reads frames as librdkafka and kafka-python write them, with every checksum option', () => {
    requirePythonCodec(3);
    const variants = [
      { block_linked: false }, // kafka-python: stores the content size
      { block_linked: false, store_size: false }, // librdkafka: LZ4F_blockIndependent, no size, no checksum
      { block_linked: false, content_checksum: true },
      { block_linked: false, block_checksum: true },
      { block_linked: true, block_size: 4 }, // dependent 64 KiB blocks
      { block_size: 7 }, // 4 MiB blocks
    ];
    const frames = runKafkaPython(variants.map((options) => ({ op: 'lz4frame', data: b64(data), options })));
    frames.forEach((f, i) => {
      assert.deepEqual(decompressSync(3, unb64(f.data)!), data, JSON.stringify(variants[i]));
    });
    // a content-size header larger than the cap is refused before decoding
    assert.throws(
      () => decompressSync(3, unb64(frames[0]!.data)!, { maxSize: 1000 }),
      (e) => assertCode(e, RecordErrorCode.MESSAGE_TOO_LARGE),
    );
    // a corrupted content checksum is caught
    const withChecksum = Buffer.from(unb64(frames[2]!.data)!);
    withChecksum[withChecksum.length - 1]! ^= 0xff;
    assert.throws(
      () => decompressSync(3, withChecksum),
      (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE),
    );
  });

  test('header-only, truncated and garbage input are CORRUPT_MESSAGE (lz4-napi alone would return empty)', async () => {
    const out = compressSync(CompressionCodec.LZ4, data);
    for (const bad of [
      out.subarray(0, 7),
      out.subarray(0, out.length - 1),
      out.subarray(0, 20),
      Buffer.from('not lz4!'),
    ]) {
      assert.throws(
        () => decompressSync(3, bad),
        (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE),
      );
      await assert.rejects(decompress(3, bad), (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE));
    }
  });
});

describe('zstd frames', () => {
  const data = textLike(500_000);

  async function streamed(input: Buffer): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const s = new CompressStream();
    s.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => s.on('end', resolve));
    s.end(input);
    await done;
    return Buffer.concat(chunks);
  }

  test('frames without a content size (as the Java client streams them) decode, capped', async () => {
    const frame = await streamed(data);
    assert.deepEqual(decompressSync(4, frame), data);
    assert.throws(
      () => decompressSync(4, frame, { maxSize: 100_000 }),
      (e) => assertCode(e, RecordErrorCode.MESSAGE_TOO_LARGE),
    );
    // truncated streaming frames must fail, not return a prefix
    for (const n of [4, 10, frame.length >> 1, frame.length - 1]) {
      assert.throws(
        () => decompressSync(4, frame.subarray(0, n)),
        (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE),
      );
    }
  });

  test('concatenated frames decode to the concatenation', async () => {
    const two = Buffer.concat([compressSync(4, data.subarray(0, 1000)), await streamed(data.subarray(1000))]);
    assert.deepEqual(decompressSync(4, two), data);
  });

  test('reads kafka-python zstd, with and without content size', () => {
    requirePythonCodec(4);
    const [stream] = runKafkaPython([{ op: 'zstd_stream', data: b64(data) }]);
    assert.deepEqual(decompressSync(4, unb64(stream!.data)!), data);
  });
});

describe('gzip', () => {
  test('concatenated members decode (as GZIPInputStream does)', () => {
    const a = textLike(1000);
    const b = textLike(2000);
    assert.deepEqual(decompressSync(1, Buffer.concat([gzipSync(a), gzipSync(b)])), Buffer.concat([a, b]));
  });
});

describe('errors', () => {
  test('unknown codecs 5, 6, 7 throw UNSUPPORTED_COMPRESSION_TYPE', async () => {
    for (const codec of [5, 6, 7, -1, 8]) {
      const isCode76 = (e: unknown) => assertCode(e, RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      assert.throws(() => compressSync(codec, Buffer.from('x')), isCode76);
      assert.throws(() => decompressSync(codec, Buffer.from('x')), isCode76);
      await assert.rejects(compress(codec, Buffer.from('x')), isCode76);
      await assert.rejects(decompress(codec, Buffer.from('x')), isCode76);
    }
  });

  test('empty, truncated and garbage input throw CORRUPT_MESSAGE for every codec', async () => {
    const data = textLike(50_000);
    for (const codec of [1, 2, 3, 4]) {
      const packed = compressSync(codec, data);
      // fixed garbage: random bytes could start with a snappy length over the limit (MESSAGE_TOO_LARGE, seen in CI)
      const garbage = Buffer.from('plain text is garbage to every codec: no magic, no valid frame header');
      const bads = [Buffer.alloc(0), packed.subarray(0, packed.length - 3), garbage, Buffer.alloc(64)];
      for (const bad of bads) {
        assert.throws(
          () => decompressSync(codec, bad),
          (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE),
          codecName(codec),
        );
        await assert.rejects(decompress(codec, bad), (e) => assertCode(e, RecordErrorCode.CORRUPT_MESSAGE));
      }
    }
  });

  test('maxSize caps every codec with MESSAGE_TOO_LARGE', async () => {
    const data = textLike(200_000);
    for (const codec of CODECS) {
      const packed = compressSync(codec, data);
      const tooLarge = (e: unknown) => assertCode(e, RecordErrorCode.MESSAGE_TOO_LARGE);
      assert.throws(() => decompressSync(codec, packed, { maxSize: 199_999 }), tooLarge, codecName(codec));
      await assert.rejects(decompress(codec, packed, { maxSize: 199_999 }), tooLarge);
      assert.equal(decompressSync(codec, packed, { maxSize: 200_000 }).length, 200_000);
    }
  });
});
