/**
 * Randomness for the Nexmark generator: one small PRNG reseeded for every
 * event, so an event's values depend only on its id and the configuration.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128 bits of state, 32-bit
 * outputs, only 32-bit integer operations (fast in V8, no BigInt).
 *
 * Seeding from event id n (0 ≤ n < 2^53) and a stream number (so the event
 * values, the channel table and the string pools never share a sequence):
 *
 *   lo = n mod 2^32, hi = floor(n / 2^32), k = stream · 0x9E3779B9
 *   s0 = fmix32(lo ^ k ^ 0x9E3779B9)
 *   s1 = fmix32(lo ^ 0x85EBCA6B) ^ fmix32((hi + k + 0x27D4EB2F) mod 2^32)
 *   s2 = fmix32(s0 ^ 0xC2B2AE35), s3 = fmix32(s1 ^ 0x165667B1)
 *
 * then the first 4 outputs are dropped. fmix32 is MurmurHash3's finalizer,
 * a bijection on 32 bits, so (s0, s1) differ for every (n, stream): no two
 * events start from the same state.
 *
 * Bounded draws: `int(bound)` is floor(u32 · bound / 2^32) (no rejection; the
 * bias is below bound / 2^32, under 5·10⁻⁴ for every bound used here);
 * bounds above 2^21 and `long(bound)` go through a 53-bit double.
 */

/** MurmurHash3's 32-bit finalizer (a bijection). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** xoshiro128** reseeded per event id; see the file header for the seeding. */
export class EventRandom {
  #s0 = 1;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  constructor(n = 0, stream = 0) {
    this.seed(n, stream);
  }

  /** Puts the generator in the state for event id `n` of `stream`. */
  seed(n: number, stream = 0): void {
    const lo = n >>> 0;
    const hi = Math.floor(n / TWO_32) >>> 0;
    const k = Math.imul(stream, 0x9e3779b9);
    this.#s0 = fmix32(lo ^ k ^ 0x9e3779b9);
    this.#s1 = fmix32(lo ^ 0x85ebca6b) ^ fmix32((hi + k + 0x27d4eb2f) | 0);
    this.#s2 = fmix32(this.#s0 ^ 0xc2b2ae35);
    this.#s3 = fmix32(this.#s1 ^ 0x165667b1);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
    this.u32();
    this.u32();
    this.u32();
    this.u32();
  }

  /** The next 32 random bits as an unsigned integer. */
  u32(): number {
    const s0 = this.#s0;
    let s1 = this.#s1;
    let s2 = this.#s2;
    let s3 = this.#s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    this.#s0 = s0 ^ s3;
    this.#s1 = s1;
    this.#s2 = s2 ^ t;
    this.#s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    if (bound <= 2097152) return Math.floor((this.u32() * bound) / TWO_32);
    return Math.floor(this.double() * bound);
  }

  /** Uniform integer in [0, bound) for bounds up to 2^53. */
  long(bound: number): number {
    return Math.floor(this.double() * bound);
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  double(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / TWO_53;
  }
}
