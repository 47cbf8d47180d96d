/**
 * NexmarkGenerator: the events of one split — ids firstEventId,
 * firstEventId + stride, … (count of them) — as table rows or event objects.
 * Its only state is how many events it has emitted (`position`), so a
 * checkpoint is one number and `seek(position)` restores it.
 */
import { type NexmarkConfig, type NexmarkSplit, nexmarkConfig, type ResolvedNexmarkConfig, splitOf } from './config.ts';
import { eventAt, type NexmarkEvent } from './events.ts';
import { EventRandom } from './random.ts';
import { eventToRow, type NexmarkRow } from './rows.ts';

/** Which ids a generator emits; every field optional (defaults: the whole stream of `config.eventsNum`). */
export type SplitOptions = Partial<NexmarkSplit>;

function isResolved(c: Partial<NexmarkConfig> | ResolvedNexmarkConfig): c is ResolvedNexmarkConfig {
  return 'totalProportion' in c;
}

/** Iterates one split's events in id order. */
export class NexmarkGenerator implements Iterable<NexmarkRow> {
  /** The configuration every event is generated under. */
  readonly config: ResolvedNexmarkConfig;
  /** The ids this generator emits. */
  readonly split: Readonly<NexmarkSplit>;
  #position = 0;
  readonly #random = new EventRandom();

  constructor(config: Partial<NexmarkConfig> | ResolvedNexmarkConfig = {}, split: SplitOptions = {}) {
    this.config = isResolved(config) ? config : nexmarkConfig(config);
    const firstEventId = split.firstEventId ?? 0;
    const stride = split.stride ?? 1;
    if (!Number.isSafeInteger(firstEventId) || firstEventId < 0) {
      throw new RangeError(`firstEventId must be an integer ≥ 0, got ${firstEventId}`);
    }
    if (!Number.isSafeInteger(stride) || stride < 1)
      throw new RangeError(`stride must be an integer ≥ 1, got ${stride}`);
    const available =
      this.config.eventsNum === 0
        ? Number.POSITIVE_INFINITY
        : Math.max(0, Math.ceil((this.config.eventsNum - firstEventId) / stride));
    const count = Math.min(split.count ?? available, available);
    if (!(count >= 0)) throw new RangeError(`count must be ≥ 0, got ${split.count}`);
    this.split = Object.freeze({ firstEventId, count, stride });
  }

  /** Split `index` of `numSplits` (default `config.numGenerators`): ids index, index + numSplits, … */
  static forSplit(
    config: Partial<NexmarkConfig> | ResolvedNexmarkConfig,
    index: number,
    numSplits?: number,
  ): NexmarkGenerator {
    const cfg = isResolved(config) ? config : nexmarkConfig(config);
    return new NexmarkGenerator(cfg, splitOf(cfg, index, numSplits));
  }

  /** Events emitted so far (the checkpoint state). */
  get position(): number {
    return this.#position;
  }

  /** Continues after `position` events, e.g. when restoring a checkpoint. */
  seek(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position > this.split.count) {
      throw new RangeError(`position must be in [0, ${this.split.count}], got ${position}`);
    }
    this.#position = position;
  }

  /** Id of the event the next call returns (meaningless once `done`). */
  get nextEventId(): number {
    return this.split.firstEventId + this.#position * this.split.stride;
  }

  /** No events left (never true for an unbounded source). */
  get done(): boolean {
    return this.#position >= this.split.count;
  }

  /** The next event as an object, or undefined at the end. */
  nextEvent(): NexmarkEvent | undefined {
    if (this.done) return undefined;
    const e = eventAt(this.nextEventId, this.config, this.#random);
    this.#position++;
    return e;
  }

  /** The next event as a table row, or undefined at the end. */
  next(): NexmarkRow | undefined {
    const e = this.nextEvent();
    return e && eventToRow(e);
  }

  /**
   * Up to `max` rows; with `untilEventId`, only events with ids ≤ it (for
   * pacing to the wall clock). Empty when done or nothing is due.
   */
  nextBatch(max: number, untilEventId = Number.POSITIVE_INFINITY): NexmarkRow[] {
    const out: NexmarkRow[] = [];
    while (out.length < max && !this.done && this.nextEventId <= untilEventId) {
      out.push(eventToRow(eventAt(this.nextEventId, this.config, this.#random)));
      this.#position++;
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<NexmarkRow> {
    for (let row = this.next(); row; row = this.next()) yield row;
  }
}
