/** Union: merges several inputs; the watermark is the minimum over inputs still running, the end is the last input's end. */
import type { Downstream } from './changelog.ts';
import type { Stateful } from './state/stateful.ts';
import { restoreInputs, stateObject } from './state/stateful.ts';

/** Merges several inputs: rows as they come, the watermark as the minimum over inputs still running. */
export class UnionOp implements Stateful {
  readonly #down: Downstream;
  readonly #wms: number[];
  readonly #ended: boolean[];
  #current = Number.NEGATIVE_INFINITY;

  constructor(n: number, down: Downstream) {
    this.#down = down;
    this.#wms = new Array(n).fill(Number.NEGATIVE_INFINITY);
    this.#ended = new Array(n).fill(false);
  }

  snapshotState(): unknown {
    return { wms: this.#wms, ended: this.#ended, current: this.#current };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Union');
    if (!Array.isArray(s.wms) || !Array.isArray(s.ended) || s.wms.length !== this.#wms.length)
      throw new Error(`Bad Union state: expected ${this.#wms.length} inputs`);
    restoreInputs(s, this.#wms, this.#ended);
    this.#current = s.current as number;
  }

  stateEntries(): number {
    return 0;
  }

  /** The Downstream for input `i`. */
  input(i: number): Downstream {
    return {
      push: (kind, row) => this.#down.push(kind, row),
      watermark: (ts) => {
        this.#wms[i] = ts;
        this.#advance();
      },
      end: () => {
        this.#ended[i] = true;
        this.#wms[i] = Number.POSITIVE_INFINITY;
        this.#advance();
        if (this.#ended.every(Boolean)) this.#down.end();
      },
    };
  }

  #advance(): void {
    const min = Math.min(...this.#wms);
    if (min > this.#current && min !== Number.POSITIVE_INFINITY) {
      this.#current = min;
      this.#down.watermark(min);
    }
  }
}
