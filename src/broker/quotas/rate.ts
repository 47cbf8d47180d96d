/**
 * A rate over a window of samples, as Kafka's `Rate` over a `WindowedSum`
 * (org.apache.kafka.common.metrics.stats): `samples` samples of `windowMs`
 * each, one extra slot for the sample that overlaps the window's start.
 *
 * - A value goes into the current sample; a sample older than `windowMs`
 *   is complete, and the next value starts a new one (reusing the oldest slot).
 * - Samples with no event for `samples × windowMs` are reset before measuring.
 * - The rate is the sum over the samples divided by the elapsed time since the
 *   oldest sample started, but never less than `samples − 1` full windows plus
 *   the part of the current one: a fresh sensor does not report a huge rate
 *   after its first value.
 * - Over the bound, the throttle time is Kafka's QuotaUtils.throttleTime:
 *   X = (O − T) / T × W, the delay that brings the observed rate O back to
 *   the target T over the window W.
 */

/** Window configuration: Kafka's `quota.window.num` and `quota.window.size.seconds`. */
export interface RateWindow {
  samples: number;
  windowMs: number;
}

interface Sample {
  value: number;
  eventCount: number;
  startTimeMs: number;
  lastEventMs: number;
}

function newSample(now: number): Sample {
  return { value: 0, eventCount: 0, startTimeMs: now, lastEventMs: now };
}

function reset(s: Sample, now: number): void {
  s.value = 0;
  s.eventCount = 0;
  s.startTimeMs = now;
  s.lastEventMs = now;
}

/** A windowed rate per second of the values recorded. */
export class Rate {
  readonly #window: RateWindow;
  readonly #samples: Sample[] = [];
  #current = 0;

  constructor(window: RateWindow) {
    this.#window = window;
  }

  /** Adds `value` at time `now` (ms); a negative value takes back an earlier one. */
  record(value: number, now: number): void {
    let s = this.#currentSample(now);
    if (now - s.startTimeMs >= this.#window.windowMs) s = this.#advance(now);
    s.value += value;
    s.eventCount += 1;
    s.lastEventMs = now;
  }

  /** Value per second over the window. */
  measure(now: number): number {
    this.#purge(now);
    let sum = 0;
    for (const s of this.#samples) sum += s.value;
    return sum / (this.windowSizeMs(now) / 1000);
  }

  /** The time the rate is measured over (Kafka's Rate.windowSize). */
  windowSizeMs(now: number): number {
    this.#purge(now);
    const { samples, windowMs } = this.#window;
    let elapsed = now - this.#oldest(now).startTimeMs;
    const fullWindows = Math.floor(elapsed / windowMs);
    const minFullWindows = samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * windowMs;
    return Math.max(elapsed, 1);
  }

  /**
   * Throttle time (ms) after a value was recorded: 0 within `bound`, else
   * Kafka's (O − T) / T × W, rounded.
   */
  throttleMs(bound: number, now: number): number {
    const observed = this.measure(now);
    if (observed <= bound) return 0;
    return Math.round(((observed - bound) / bound) * this.windowSizeMs(now));
  }

  #currentSample(now: number): Sample {
    if (this.#samples.length === 0) this.#samples.push(newSample(now));
    return this.#samples[this.#current] as Sample;
  }

  #advance(now: number): Sample {
    // one slot more than `samples` for the sample overlapping the window's start
    this.#current = (this.#current + 1) % (this.#window.samples + 1);
    if (this.#current >= this.#samples.length) {
      const s = newSample(now);
      this.#samples.push(s);
      return s;
    }
    const s = this.#samples[this.#current] as Sample;
    reset(s, now);
    return s;
  }

  #oldest(now: number): Sample {
    if (this.#samples.length === 0) this.#samples.push(newSample(now));
    let oldest = this.#samples[0] as Sample;
    for (const s of this.#samples) if (s.startTimeMs < oldest.startTimeMs) oldest = s;
    return oldest;
  }

  #purge(now: number): void {
    const expireAge = this.#window.samples * this.#window.windowMs;
    for (const s of this.#samples) if (now - s.lastEventMs >= expireAge) reset(s, now);
  }
}
