/**
 * Regular joins on a changelog (Flink's StreamingJoinOperator): each side keeps its rows by join key with
 * multiplicities. A row from one side is added to (+I/+U) or removed from (-U/-D) its side's state and
 * joined with the other side's rows of the same key that pass the ON filter; joined rows carry the
 * incoming row's kind. Outer sides also track how many partners each row has: a row without partners is
 * emitted padded with NULLs; when it gains its first partner the padded row is retracted (-D) before the
 * joined one, and when it loses its last partner the padded row comes back (+I). The watermark is the
 * minimum of both inputs; the join ends when both inputs have ended. State grows with the inputs unless a
 * state TTL is set: then each side's rows of a join key expire together when that side has not written the
 * key (added or retracted a row of it) for `ttlMs`; expired rows no longer join, and retractions of them are
 * ignored, as in Flink (whose TTL is per row; here it is per side and join key).
 */
import { valueKey } from '../types/index.ts';
import { type Downstream, isAccumulate, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import { type KeyTtl, keyTtl } from './state/ttl.ts';
import { UnionOp } from './union.ts';

interface Entry {
  row: Row;
  count: number;
  /** Partners on the other side (with multiplicity), kept for outer sides. */
  assoc: number;
}
type SideState = Map<string, Map<string, Entry>>;

export class JoinOp implements Stateful {
  readonly #keys: [Array<(row: Row) => unknown>, Array<(row: Row) => unknown>];
  readonly #filter: ((row: Row) => boolean) | undefined;
  readonly #outer: [boolean, boolean];
  readonly #widths: [number, number];
  #state: [SideState, SideState] = [new Map(), new Map()];
  readonly #ttl: [KeyTtl | null, KeyTtl | null];
  readonly #drops: [(k: string) => void, (k: string) => void] = [
    (k) => this.#state[0].delete(k),
    (k) => this.#state[1].delete(k),
  ];
  readonly #down: Downstream;
  readonly #merge: UnionOp;

  constructor(
    leftKeys: Array<(row: Row) => unknown>,
    rightKeys: Array<(row: Row) => unknown>,
    filter: ((row: Row) => boolean) | undefined,
    down: Downstream,
    outer: [boolean, boolean] = [false, false],
    widths: [number, number] = [0, 0],
    ttlMs = 0,
  ) {
    this.#ttl = [keyTtl(ttlMs), keyTtl(ttlMs)];
    this.#keys = [leftKeys, rightKeys];
    this.#filter = filter;
    this.#outer = outer;
    this.#widths = widths;
    this.#down = down;
    // watermarks and end of input combine like a union of the two sides
    this.#merge = new UnionOp(2, down);
  }

  snapshotState(): unknown {
    return {
      left: this.#state[0],
      right: this.#state[1],
      ttl: this.#ttl[0] ? [this.#ttl[0].snapshot(), this.#ttl[1]!.snapshot()] : null,
      merge: this.#merge.snapshotState(),
    };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Join');
    if (!(s.left instanceof Map) || !(s.right instanceof Map)) throw new Error('Bad Join state: sides');
    this.#state = [s.left as SideState, s.right as SideState];
    this.#merge.restoreState(s.merge);
    for (const side of [0, 1] as const) {
      const ttl = this.#ttl[side];
      if (!ttl) continue;
      const times = (s.ttl as unknown[] | null)?.[side];
      if (times instanceof Map) ttl.restore(times);
      else for (const k of this.#state[side].keys()) ttl.touch(k, Date.now());
    }
  }

  stateEntries(): number {
    const now = Date.now();
    let n = 0;
    for (const side of [0, 1] as const) {
      this.#ttl[side]?.sweep(now, this.#drops[side]);
      for (const bucket of this.#state[side].values()) n += bucket.size;
    }
    return n;
  }

  /** The Downstream of side 0 (left) or 1 (right). */
  input(side: 0 | 1): Downstream {
    const merged = this.#merge.input(side);
    return {
      push: (kind, row) => this.#push(side, kind, row),
      watermark: (ts) => merged.watermark(ts),
      end: () => merged.end(),
    };
  }

  #joined(side: 0 | 1, mine: Row, other: Row): Row {
    return side === 0 ? [...mine, ...other] : [...other, ...mine];
  }

  #padded(side: 0 | 1, row: Row): Row {
    const nulls = new Array(this.#widths[side === 0 ? 1 : 0]).fill(null);
    return side === 0 ? [...row, ...nulls] : [...nulls, ...row];
  }

  #emit(kind: RowKind, row: Row, times: number): void {
    for (let i = 0; i < times; i++) this.#down.push(kind, row);
  }

  /** TTL: sweeps both sides, drops key `k` where it expired, and records the write of `k` on `side`. */
  #expire(side: 0 | 1, o: 0 | 1, k: string): void {
    const now = Date.now();
    const mine = this.#ttl[side]!;
    const other = this.#ttl[o]!;
    mine.sweepIfDue(now, this.#drops[side]);
    other.sweepIfDue(now, this.#drops[o]);
    if (mine.expired(k, now)) {
      mine.forget(k);
      this.#state[side].delete(k);
    }
    if (other.expired(k, now)) {
      other.forget(k);
      this.#state[o].delete(k);
    }
    mine.touch(k, now);
  }

  #push(side: 0 | 1, kind: RowKind, row: Row): void {
    const o: 0 | 1 = side === 0 ? 1 : 0;
    const keyFns = this.#keys[side];
    const kv = new Array(keyFns.length);
    let nullKey = false;
    for (let i = 0; i < kv.length; i++) {
      kv[i] = keyFns[i]!(row);
      if (kv[i] === null) nullKey = true;
    }
    const add = isAccumulate(kind);
    if (nullKey) {
      // NULL keys never match; an outer side still shows the row
      if (this.#outer[side]) this.#down.push(kind, this.#padded(side, row));
      return;
    }
    const k = groupKey(kv);
    if (this.#ttl[side]) this.#expire(side, o, k);
    const mine = this.#state[side];
    const rk = valueKey(row);
    let bucket = mine.get(k);
    // partners on the other side
    const partners: Entry[] = [];
    let total = 0;
    for (const e of this.#state[o].get(k)?.values() ?? []) {
      if (this.#filter && !this.#filter(this.#joined(side, row, e.row))) continue;
      partners.push(e);
      total += e.count;
    }
    if (add) {
      if (!bucket) mine.set(k, (bucket = new Map()));
      const e = bucket.get(rk);
      if (e) e.count++;
      else bucket.set(rk, { row, count: 1, assoc: total });
    } else {
      const e = bucket?.get(rk);
      if (!e) return; // retraction of a row never seen (or expired)
      if (--e.count === 0) {
        bucket!.delete(rk);
        if (bucket!.size === 0) {
          mine.delete(k);
          this.#ttl[side]?.forget(k);
        }
      }
    }
    if (partners.length === 0) {
      if (this.#outer[side]) this.#down.push(kind, this.#padded(side, row));
      return;
    }
    const otherOuter = this.#outer[o];
    for (const p of partners) {
      if (add) {
        if (otherOuter && p.assoc === 0) this.#emit(RowKind.DELETE, this.#padded(o, p.row), p.count);
        this.#emit(kind, this.#joined(side, row, p.row), p.count);
        p.assoc++;
      } else {
        this.#emit(kind, this.#joined(side, row, p.row), p.count);
        p.assoc--;
        if (otherOuter && p.assoc === 0) this.#emit(RowKind.INSERT, this.#padded(o, p.row), p.count);
      }
    }
  }
}
