/** Correlate: a table function (LATERAL TABLE) applied to each row; its rows joined to the input row. */
import type { Downstream, Row, RowKind } from './changelog.ts';

/** Emits `row ++ r` for every row `r` of `fn(row)` (passing the row kind), or `row ++ NULLs` when `outer` and none. */
export class CorrelateOp implements Downstream {
  readonly #fn: (row: Row) => Row[];
  readonly #outer: boolean;
  readonly #width: number;
  readonly #filter: ((row: Row) => boolean) | undefined;
  readonly #down: Downstream;

  constructor(
    fn: (row: Row) => Row[],
    outer: boolean,
    width: number,
    filter: ((row: Row) => boolean) | undefined,
    down: Downstream,
  ) {
    this.#fn = fn;
    this.#outer = outer;
    this.#width = width;
    this.#filter = filter;
    this.#down = down;
  }

  push(kind: RowKind, row: Row): void {
    let any = false;
    for (const r of this.#fn(row)) {
      const out = [...row, ...r];
      if (this.#filter && !this.#filter(out)) continue;
      any = true;
      this.#down.push(kind, out);
    }
    if (!any && this.#outer) this.#down.push(kind, [...row, ...new Array(this.#width).fill(null)]);
  }

  watermark(ts: number): void {
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}
