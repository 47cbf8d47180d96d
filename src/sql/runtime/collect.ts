/** The result collector of a SELECT: keeps its changelog rows (up to a limit). */
import type { Downstream, Row, RowKind } from './changelog.ts';

/** Collects a SELECT's changelog. */
export class CollectOp implements Downstream {
  readonly rows: Array<{ kind: RowKind; row: Row }> = [];
  ended = false;
  readonly #limit: number;
  readonly #onEnd: () => void;

  constructor(limit: number, onEnd: () => void) {
    this.#limit = limit;
    this.#onEnd = onEnd;
  }

  push(kind: RowKind, row: Row): void {
    if (this.rows.length < this.#limit) this.rows.push({ kind, row });
  }

  watermark(): void {}

  end(): void {
    this.ended = true;
    this.#onEnd();
  }
}
