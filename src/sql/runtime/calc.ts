/** Calc: a filter and/or a projection over each row; row kinds and watermarks pass through. */
import type { Downstream, Row, RowKind } from './changelog.ts';

/** Filter and/or projection, row kinds passed through. */
export class CalcOp implements Downstream {
  readonly #filter: ((row: Row) => boolean) | undefined;
  readonly #projection: Array<(row: Row) => unknown> | null;
  readonly #down: Downstream;

  constructor(
    filter: ((row: Row) => boolean) | undefined,
    projection: Array<(row: Row) => unknown> | null,
    down: Downstream,
  ) {
    this.#filter = filter;
    this.#projection = projection;
    this.#down = down;
  }

  push(kind: RowKind, row: Row): void {
    if (this.#filter && !this.#filter(row)) return;
    const p = this.#projection;
    if (!p) {
      this.#down.push(kind, row);
      return;
    }
    const out = new Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = p[i]!(row);
    this.#down.push(kind, out);
  }

  watermark(ts: number): void {
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}
