/** Union: merges several inputs; the watermark is the minimum over inputs still running, the end is the last input's end. */
import type { Downstream } from './changelog.ts';

/** Merges several inputs: rows as they come, the watermark as the minimum over inputs still running. */
export class UnionOp {
  readonly #down: Downstream;
  readonly #wms: number[];
  readonly #ended: boolean[];
  #current = Number.NEGATIVE_INFINITY;

  constructor(n: number, down: Downstream) {
    this.#down = down;
    this.#wms = new Array(n).fill(Number.NEGATIVE_INFINITY);
    this.#ended = new Array(n).fill(false);
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
