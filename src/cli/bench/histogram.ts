/**
 * A latency histogram in the manner of HdrHistogram: values (integer
 * microseconds) go into log-linear buckets, 64 linear sub-buckets per power
 * of two, so any value is kept to within 1/64 (1.6 %) of itself in a fixed
 * ~2,000-slot table, whatever the range. min, max, count and sum are exact.
 *
 * Bucket layout: values below 128 have a slot each; a value v ≥ 128 with
 * `shift` = bit length − 7 lands in slot 64·(shift + 1) + (v >> shift) − 64,
 * which holds [(v >> shift) << shift, ((v >> shift) + 1) << shift).
 */

const SUB_BITS = 7; // 128 exact slots, then 64 per power of two
const HALF = 1 << (SUB_BITS - 1);
const MAX_SHIFT = 40; // up to 2^47 µs (4 years): no clamping in practice

/** A percentile report in milliseconds. */
export interface LatencySummary {
  count: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function bitLength(v: number): number {
  return v < 2 ** 31 ? 32 - Math.clz32(v) : Math.floor(Math.log2(v)) + 1;
}

/** Log-bucketed histogram of microsecond values. */
export class Histogram {
  readonly #counts = new Float64Array(HALF * (MAX_SHIFT + 2));
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Records one value in microseconds (negative values count as 0). */
  record(micros: number): void {
    const v = micros > 0 ? Math.round(micros) : 0;
    this.#counts[Histogram.#slot(v)]!++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Records one value given in milliseconds. */
  recordMs(ms: number): void {
    this.record(ms * 1000);
  }

  /** Adds every value of `other` into this histogram. */
  merge(other: Histogram): void {
    const c = other.#counts;
    for (let i = 0; i < c.length; i++) this.#counts[i]! += c[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  get count(): number {
    return this.#count;
  }

  /**
   * The value at percentile `q` (0–100), nearest rank: the upper end of the
   * bucket holding the ⌈q/100 · count⌉-th value, never above the exact max.
   * 0 when empty.
   */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((q / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.max(this.#min, Math.min(this.#max, Histogram.#upper(i)));
    }
    return this.#max;
  }

  /** avg, p50, p99, p99.9 and max in milliseconds (three decimals). */
  summary(): LatencySummary {
    const ms = (us: number): number => Math.round(us) / 1000;
    const empty = this.#count === 0;
    return {
      count: this.#count,
      avgMs: empty ? 0 : ms(this.#sum / this.#count),
      minMs: empty ? 0 : ms(this.#min),
      p50Ms: ms(this.percentile(50)),
      p99Ms: ms(this.percentile(99)),
      p999Ms: ms(this.percentile(99.9)),
      maxMs: ms(this.#max),
    };
  }

  static #slot(v: number): number {
    if (v < 2 * HALF) return v;
    const shift = Math.min(bitLength(v) - SUB_BITS, MAX_SHIFT);
    const top = Math.min(Math.floor(v / 2 ** shift), 2 * HALF - 1);
    return HALF * (shift + 1) + top - HALF;
  }

  /** The largest value that maps to slot `i`. */
  static #upper(i: number): number {
    if (i < 2 * HALF) return i;
    const shift = Math.floor(i / HALF) - 1;
    const top = (i % HALF) + HALF;
    return (top + 1) * 2 ** shift - 1;
  }
}
