/**
 * Argument parsers for commander: integers, key=value pairs, offset specs.
 * Each throws commander's InvalidArgumentError, which commander reports as
 * a usage error (exit 2).
 */
import { InvalidArgumentError } from 'commander';

/** Parses an integer of at least `min`. */
export function intArg(min: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return n;
  };
}

/** Collects repeatable `key=value` options into pairs. */
export function keyValue(value: string, previous: Array<[string, string]> = []): Array<[string, string]> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Where to start or move to: the log start, the log end, an absolute offset, N back from the end, or a time. */
export type Position =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'from-end'; count: bigint }
  | { kind: 'timestamp'; timestamp: number };

/**
 * Parses beginning|earliest|start, end|latest, OFFSET, -N (N before the end)
 * or @TIMESTAMP (ms since the epoch).
 */
export function positionArg(value: string): Position {
  const v = value.trim();
  if (v === 'beginning' || v === 'earliest' || v === 'start' || v === 'oldest') return { kind: 'beginning' };
  if (v === 'end' || v === 'latest' || v === 'newest') return { kind: 'end' };
  if (/^\d+$/.test(v)) return { kind: 'offset', offset: BigInt(v) };
  if (/^-\d+$/.test(v)) return { kind: 'from-end', count: BigInt(v.slice(1)) };
  if (/^@\d+$/.test(v)) return { kind: 'timestamp', timestamp: Number(v.slice(1)) };
  throw new InvalidArgumentError('expected beginning, end, an offset, -N (N before the end) or @TIMESTAMP (ms)');
}
