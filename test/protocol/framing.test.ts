import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FrameDecoder,
  FrameTooLargeError,
  InvalidFrameError,
} from '../../src/protocol/framing.ts';

function sizePrefix(size: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(size, 0);
  return b;
}

function payload(n: number, seed = n): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i * 31) & 0xff;
  return b;
}

// Small deterministic PRNG (mulberry32) so a failing seed can be replayed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feed(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  return chunks.flatMap((c) => decoder.push(c));
}

describe('encodeFrame', () => {
  it('prefixes one buffer with its size', () => {
    assert.deepEqual(encodeFrame(Buffer.from('abc')), Buffer.from([0, 0, 0, 3, 0x61, 0x62, 0x63]));
  });

  it('concatenates several buffers under one prefix', () => {
    const frame = encodeFrame([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cde')]);
    assert.deepEqual(frame, Buffer.concat([sizePrefix(5), Buffer.from('abcde')]));
  });

  it('encodes an empty payload', () => {
    assert.deepEqual(encodeFrame(Buffer.alloc(0)), sizePrefix(0));
    assert.deepEqual(encodeFrame([]), sizePrefix(0));
  });
});

describe('FrameDecoder', () => {
  it('returns a frame that fits in one chunk as a subarray of it', () => {
    const chunk = encodeFrame(Buffer.from('hello'));
    const frames = new FrameDecoder().push(chunk);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.toString(), 'hello');
    assert.equal(frames[0]!.buffer, chunk.buffer);
    assert.equal(frames[0]!.byteOffset, chunk.byteOffset + 4);
  });

  it('returns many frames from one chunk in order', () => {
    const payloads = [payload(10), payload(0), payload(300), payload(1), payload(0)];
    const decoder = new FrameDecoder();
    const frames = decoder.push(Buffer.concat(payloads.map((p) => encodeFrame(p))));
    assert.deepEqual(frames, payloads);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('handles zero-length frames, alone and split', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(sizePrefix(0)), [Buffer.alloc(0)]);
    assert.deepEqual(decoder.push(Buffer.from([0, 0])), []);
    assert.equal(decoder.bufferedBytes, 2);
    assert.deepEqual(decoder.push(Buffer.from([0, 0])), [Buffer.alloc(0)]);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('handles a size prefix split across chunks', () => {
    const frame = encodeFrame(payload(1000));
    for (const cut of [1, 2, 3, 4]) {
      const decoder = new FrameDecoder();
      assert.deepEqual(decoder.push(frame.subarray(0, cut)), []);
      assert.equal(decoder.bufferedBytes, cut);
      assert.deepEqual(decoder.push(frame.subarray(cut)), [payload(1000)]);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('finishes a split frame and then decodes the frames after it in the same chunk', () => {
    const stream = Buffer.concat([encodeFrame(payload(50)), encodeFrame(payload(7)), encodeFrame(payload(9))]);
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(stream.subarray(0, 20)), []);
    assert.equal(decoder.bufferedBytes, 20);
    assert.deepEqual(decoder.push(stream.subarray(20, 70)), [payload(50), payload(7)]);
    assert.equal(decoder.bufferedBytes, 70 - 54 - 11);
    assert.deepEqual(decoder.push(stream.subarray(70)), [payload(9)]);
  });

  it('decodes a stream fed one byte at a time', () => {
    const payloads = [payload(3), payload(0), payload(17), payload(256)];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const decoder = new FrameDecoder();
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    assert.deepEqual(feed(decoder, chunks), payloads);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('ignores empty chunks', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
    decoder.push(Buffer.from([0, 0]));
    assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
    assert.equal(decoder.bufferedBytes, 2);
  });

  it('gets back exactly the frames when a stream is split at random points', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed);
      const payloads: Buffer[] = [];
      const frameCount = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < frameCount; i++) {
        // Mostly small frames, some empty, some spanning many chunks.
        const r = rand();
        const size = r < 0.15 ? 0 : r < 0.85 ? Math.floor(rand() * 64) : Math.floor(rand() * 20_000);
        payloads.push(payload(size, seed + i));
      }
      const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const r = rand();
        const len = r < 0.3 ? 1 : r < 0.6 ? 1 + Math.floor(rand() * 8) : Math.floor(rand() * 4096);
        chunks.push(stream.subarray(at, at + len));
        at += len;
      }
      const decoder = new FrameDecoder();
      assert.deepEqual(feed(decoder, chunks), payloads, `seed ${seed}`);
      assert.equal(decoder.bufferedBytes, 0, `seed ${seed}`);
    }
  });

  it('accepts a frame of exactly maxFrameSize', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 16 });
    assert.deepEqual(decoder.push(encodeFrame(payload(16))), [payload(16)]);
  });

  it('rejects a size above maxFrameSize as soon as the prefix is in', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 16 });
    assert.throws(
      () => decoder.push(sizePrefix(17)),
      (err: unknown) => err instanceof FrameTooLargeError && err.size === 17 && err.maxFrameSize === 16,
    );
  });

  it('rejects a hostile 2 GiB prefix without allocating', () => {
    const decoder = new FrameDecoder();
    assert.equal(decoder.maxFrameSize, DEFAULT_MAX_FRAME_SIZE);
    const before = process.memoryUsage().arrayBuffers;
    const prefix = sizePrefix(0x7fff_ffff);
    // Split the prefix too: the check must not wait for payload bytes.
    assert.deepEqual(decoder.push(prefix.subarray(0, 3)), []);
    assert.throws(() => decoder.push(Buffer.concat([prefix.subarray(3), payload(64)])), FrameTooLargeError);
    assert.equal(decoder.bufferedBytes, 0);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
  });

  it('rejects a negative size with InvalidFrameError', () => {
    const decoder = new FrameDecoder();
    assert.throws(
      () => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])),
      (err: unknown) => err instanceof InvalidFrameError && !(err instanceof FrameTooLargeError) && err.size === -1,
    );
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('rejects a bad prefix that follows good frames in the same chunk', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 100 });
    const chunk = Buffer.concat([encodeFrame(payload(5)), sizePrefix(101)]);
    assert.throws(() => decoder.push(chunk), FrameTooLargeError);
  });

  it('keeps failing after a bad prefix: the stream cannot be resynced', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 8 });
    assert.throws(() => decoder.push(sizePrefix(9)), FrameTooLargeError);
    assert.throws(() => decoder.push(encodeFrame(payload(1))), FrameTooLargeError);
  });

  it('holds only the bytes received for a large announced frame', () => {
    const decoder = new FrameDecoder();
    const before = process.memoryUsage().arrayBuffers;
    assert.deepEqual(decoder.push(Buffer.concat([sizePrefix(DEFAULT_MAX_FRAME_SIZE), payload(10)])), []);
    assert.equal(decoder.bufferedBytes, 14);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
  });

  it('validates maxFrameSize', () => {
    for (const maxFrameSize of [-1, 1.5, 2 ** 31, Number.NaN]) {
      assert.throws(() => new FrameDecoder({ maxFrameSize }), RangeError);
    }
  });
});
