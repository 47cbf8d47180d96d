/**
 * Exact DECIMAL values on bigint: `Decimal { unscaled, scale }` with Java BigDecimal's HALF_UP rounding.
 * Arithmetic helpers take the result precision/scale computed at planning time and return null on
 * precision overflow, as Flink's DecimalData does.
 */

const POW10: bigint[] = [1n];
for (let i = 1; i <= 80; i++) POW10.push(POW10[i - 1]! * 10n);

/** 10^n as bigint (cached up to 10^80). */
export function pow10(n: number): bigint {
  return n <= 80 ? POW10[n]! : 10n ** BigInt(n);
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** An exact decimal number: `unscaled × 10^-scale` (scale ≥ 0). Immutable. */
export class Decimal {
  readonly unscaled: bigint;
  readonly scale: number;

  constructor(unscaled: bigint, scale: number) {
    this.unscaled = unscaled;
    this.scale = scale;
  }

  /** Parses `-12.345`, `1e3`, `.5`, `5.`; surrounding whitespace is not allowed. Undefined when not a number. */
  static parse(text: string): Decimal | undefined {
    const m = DECIMAL_RE.exec(text);
    if (!m) return undefined;
    const int = m[2] ?? '';
    const frac = m[3] ?? '';
    if (int === '' && frac === '') return undefined;
    let unscaled = BigInt(int + frac || '0');
    if (m[1] === '-') unscaled = -unscaled;
    let scale = frac.length - (m[4] ? Number(m[4]) : 0);
    if (scale < 0) {
      unscaled *= pow10(-scale);
      scale = 0;
    }
    return new Decimal(unscaled, scale);
  }

  /** Exact value of an integer. */
  static fromBigInt(v: bigint | number): Decimal {
    return new Decimal(BigInt(v), 0);
  }

  /** Java `BigDecimal.valueOf(double)`: the shortest decimal that reads back as `v`. Undefined for NaN/Infinity. */
  static fromNumber(v: number): Decimal | undefined {
    if (!Number.isFinite(v)) return undefined;
    if (Number.isInteger(v) && Number.isSafeInteger(v)) return new Decimal(BigInt(v), 0);
    return Decimal.parse(String(v));
  }

  /** Number of significant digits of the unscaled value (Java's precision(); 0 has precision 1). */
  precision(): number {
    const u = this.unscaled < 0n ? -this.unscaled : this.unscaled;
    if (u < 10n) return 1;
    return u.toString().length;
  }

  /** -1, 0 or 1. */
  signum(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  /** This value at `scale`, rounding HALF_UP when digits are dropped. */
  setScale(scale: number): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10(scale - this.scale), scale);
    return new Decimal(divHalfUp(this.unscaled, pow10(this.scale - scale)), scale);
  }

  /** Nearest double. */
  toNumber(): number {
    return this.scale === 0 ? Number(this.unscaled) : Number(this.toString());
  }

  /** Plain notation with exactly `scale` fraction digits (`1.50`, `-0.05`, `12`). */
  toString(): string {
    if (this.scale === 0) return this.unscaled.toString();
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits;
    const cut = digits.length - this.scale;
    return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }

  /** Numeric comparison regardless of scale. */
  compareTo(o: Decimal): number {
    if (this.scale === o.scale) return this.unscaled < o.unscaled ? -1 : this.unscaled > o.unscaled ? 1 : 0;
    const s = Math.max(this.scale, o.scale);
    const a = this.unscaled * pow10(s - this.scale);
    const b = o.unscaled * pow10(s - o.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Numeric equality regardless of scale (1.50 equals 1.5). */
  equals(o: Decimal): boolean {
    return this.compareTo(o) === 0;
  }

  negate(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.negate() : this;
  }

  /** The value with trailing fraction zeros removed (for keys). */
  stripTrailingZeros(): Decimal {
    let u = this.unscaled;
    let s = this.scale;
    while (s > 0 && u % 10n === 0n) {
      u /= 10n;
      s--;
    }
    return s === this.scale ? this : new Decimal(u, s);
  }
}

/** n / d rounded HALF_UP (away from zero at .5), as BigDecimal.ROUND_HALF_UP. */
export function divHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  const r2 = (r < 0n ? -r : r) * 2n;
  const dd = d < 0n ? -d : d;
  if (r2 >= dd) return n < 0n !== d < 0n ? q - 1n : q + 1n;
  return q;
}

/** `d` rounded HALF_UP to `scale`; null if it then needs more than `precision` digits (Flink's overflow → null). */
export function toPrecision(d: Decimal, precision: number, scale: number): Decimal | null {
  const r = d.setScale(scale);
  const u = r.unscaled < 0n ? -r.unscaled : r.unscaled;
  return u < pow10(precision) ? r : null;
}

/** Exact a + b (scale max(sa, sb)). */
export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  if (a.scale === b.scale) return new Decimal(a.unscaled + b.unscaled, a.scale);
  const s = Math.max(a.scale, b.scale);
  return new Decimal(a.unscaled * pow10(s - a.scale) + b.unscaled * pow10(s - b.scale), s);
}

/** Exact a - b. */
export function decimalSub(a: Decimal, b: Decimal): Decimal {
  return decimalAdd(a, b.negate());
}

/** Exact a × b (scale sa + sb). */
export function decimalMul(a: Decimal, b: Decimal): Decimal {
  return new Decimal(a.unscaled * b.unscaled, a.scale + b.scale);
}

/** a ÷ b rounded HALF_UP to `scale`; undefined when b is zero. */
export function decimalDiv(a: Decimal, b: Decimal, scale: number): Decimal | undefined {
  if (b.unscaled === 0n) return undefined;
  // a/b at scale: (ua × 10^(scale - sa + sb)) / ub
  const shift = scale - a.scale + b.scale;
  const n = shift >= 0 ? a.unscaled * pow10(shift) : a.unscaled;
  const d = shift >= 0 ? b.unscaled : b.unscaled * pow10(-shift);
  return new Decimal(divHalfUp(n, d), scale);
}

/** a mod b with the sign of a (BigDecimal.remainder); undefined when b is zero. */
export function decimalMod(a: Decimal, b: Decimal): Decimal | undefined {
  if (b.unscaled === 0n) return undefined;
  const s = Math.max(a.scale, b.scale);
  const ua = a.unscaled * pow10(s - a.scale);
  const ub = b.unscaled * pow10(s - b.scale);
  return new Decimal(ua % ub, s);
}
