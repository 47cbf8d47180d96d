/**
 * Date and time functions with Flink's semantics. TIMESTAMP values are wall-clock; TIMESTAMP_LTZ values are
 * instants shown in the session time zone (`EvalContext.timeZone`). Time units are passed as upper-case
 * string arguments (EXTRACT('YEAR', x), TIMESTAMPADD('HOUR', 1, ts), FLOOR(ts, 'DAY')).
 * - DATE_FORMAT(ts|string, pattern) with Java DateTimeFormatter letters; TO_TIMESTAMP/TO_DATE parse with a
 *   pattern (default `yyyy-MM-dd HH:mm:ss` / `yyyy-MM-dd`) and give NULL for unparsable text; UNIX_TIMESTAMP
 *   gives Long.MIN_VALUE for it, as Flink documents.
 * - TO_TIMESTAMP_LTZ(n, 0|3): epoch seconds or milliseconds. FROM_UNIXTIME(s[, fmt]) in the session zone.
 * - EXTRACT / YEAR … SECOND return BIGINT; DAYOFWEEK is 1 = Sunday … 7 = Saturday; WEEK is the ISO week.
 * - TIMESTAMPADD / TIMESTAMPDIFF (months calendar-aware, results truncated toward zero), FLOOR/CEIL(x TO unit)
 *   (WEEK starts on Sunday as Calcite's), CONVERT_TZ, CURRENT_DATE/TIME/TIMESTAMP, LOCALTIME(STAMP), NOW,
 *   PROCTIME, CURRENT_ROW_TIMESTAMP, CURRENT_WATERMARK.
 */
import {
  addMonthsToDays,
  addMonthsToTimestamp,
  civilFromDays,
  daysFromCivil,
  formatWithPattern,
  instantToLocal,
  isoWeek,
  localToInstant,
  MS_PER_DAY,
  parseTimestamp,
  parseWithPattern,
  SqlRuntimeError,
  type SqlType,
  T,
  type TypeOf,
  withNullable,
  zoneOffset,
} from '../types/index.ts';
import { numericFloorCeil, toBigint, toDouble } from './arithmetic.ts';
import {
  anyNullable,
  checkArgs,
  type EvalContext,
  inFamily,
  registerScalar,
  type ScalarEval,
  type ScalarFunction,
  signatureError,
  simpleFunction,
} from './registry.ts';

const DEFAULT_TS_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/** Wall-clock ms of a temporal (or timestamp string) value of type `t`; undefined when text does not parse. */
export function toLocalMs(v: unknown, t: SqlType, ctx: EvalContext): number | undefined {
  switch (t.kind) {
    case 'DATE':
      return (v as number) * MS_PER_DAY;
    case 'TIMESTAMP_LTZ':
      return instantToLocal(v as number, ctx.timeZone);
    case 'CHAR':
    case 'VARCHAR':
      return parseTimestamp(v as string);
    default:
      return v as number;
  }
}

/** Converts a runtime value by its JS representation when no type is known (numbers are TIMESTAMP). */
function guessType(v: unknown): SqlType {
  return typeof v === 'string' ? T.string() : T.timestamp(3);
}

// ---- formatting and parsing ------------------------------------------------------------------------------

registerScalar({
  name: 'DATE_FORMAT',
  infer(args) {
    checkArgs(
      'DATE_FORMAT',
      args,
      'DATE_FORMAT(<TIMESTAMP>, <STRING>), DATE_FORMAT(<STRING>, <STRING>)',
      { families: ['DATETIME', 'STRING'] },
      { families: ['STRING', 'STRING'] },
    );
    return T.string(true);
  },
  eval: (x, ctx) => dateFormat(x[0], guessType(x[0]), x[1] as string, ctx),
  bind(args) {
    const t = args[0]!;
    return (x, ctx) => dateFormat(x[0], t, x[1] as string, ctx);
  },
});

function dateFormat(v: unknown, t: SqlType, pattern: string, ctx: EvalContext): string | null {
  const local = toLocalMs(v, t, ctx);
  if (local === undefined) return null;
  const offset = t.kind === 'TIMESTAMP_LTZ' ? zoneOffset(ctx.timeZone, v as number) : 0;
  return formatWithPattern(local, pattern, t.kind === 'TIMESTAMP_LTZ' ? ctx.timeZone : 'UTC', offset);
}

function parseLocal(text: string, pattern: string): number | undefined {
  const r = parseWithPattern(text, pattern);
  if (!r) return undefined;
  return r.offset === undefined ? r.local : r.local - r.offset;
}

registerScalar(
  simpleFunction({
    name: 'TO_TIMESTAMP',
    forms: 'TO_TIMESTAMP(<STRING>), TO_TIMESTAMP(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'], min: 1 }],
    result: () => T.timestamp(3),
    alwaysNullable: true,
    eval: (x) => {
      if (x.length === 1) {
        const v = parseLocal(x[0] as string, DEFAULT_TS_FORMAT) ?? parseTimestamp(x[0] as string);
        return v === undefined ? null : Math.floor(v);
      }
      const v = parseLocal(x[0] as string, x[1] as string);
      return v === undefined ? null : v;
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'TO_DATE',
    forms: 'TO_DATE(<STRING>), TO_DATE(<STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING'], min: 1 }],
    result: () => T.date(),
    alwaysNullable: true,
    eval: (x) => {
      const v = parseLocal(x[0] as string, x.length > 1 ? (x[1] as string) : 'yyyy-MM-dd');
      return v === undefined ? null : Math.floor(v / MS_PER_DAY);
    },
  }),
);

registerScalar({
  name: 'TO_TIMESTAMP_LTZ',
  infer(args, literals) {
    checkArgs(
      'TO_TIMESTAMP_LTZ',
      args,
      'TO_TIMESTAMP_LTZ(<NUMERIC>[, <INTEGER>]), TO_TIMESTAMP_LTZ(<STRING>[, <STRING>[, <STRING>]])',
      { families: ['NUMERIC', 'INTEGER'], min: 1 },
      { families: ['STRING', 'STRING', 'STRING'], min: 1 },
    );
    const p = literals?.[1];
    const precision = typeof p === 'number' && inFamily(args[0]!, 'NUMERIC') ? Math.min(Math.max(p, 0), 3) : 3;
    return T.timestampLtz(precision, anyNullable(args) || inFamily(args[0]!, 'STRING'));
  },
  eval(x, ctx) {
    const v = x[0];
    if (typeof v === 'string') {
      const local = parseLocal(v, x.length > 1 ? (x[1] as string) : 'yyyy-MM-dd HH:mm:ss.SSS') ?? parseTimestamp(v);
      if (local === undefined) return null;
      return localToInstant(local, x.length > 2 ? (x[2] as string) : ctx.timeZone);
    }
    const precision = x.length > 1 ? Number(x[1]) : 3;
    if (precision !== 0 && precision !== 3)
      throw new SqlRuntimeError(`The precision of TO_TIMESTAMP_LTZ must be 0 or 3, got ${precision}`);
    const n = toDouble(v);
    return precision === 0 ? Math.floor(n * 1000) : Math.floor(n);
  },
});

registerScalar({
  name: 'UNIX_TIMESTAMP',
  deterministic: false,
  infer(args) {
    checkArgs('UNIX_TIMESTAMP', args, 'UNIX_TIMESTAMP(), UNIX_TIMESTAMP(<STRING>[, <STRING>])', {
      families: ['STRING', 'STRING'],
      min: 0,
    });
    return T.bigint(anyNullable(args));
  },
  eval(x, ctx) {
    if (x.length === 0) return BigInt(Math.floor(ctx.now() / 1000));
    const local = parseLocal(x[0] as string, x.length > 1 ? (x[1] as string) : DEFAULT_TS_FORMAT);
    // Flink: Long.MIN_VALUE when the text does not parse
    if (local === undefined) return -9223372036854775808n;
    return BigInt(Math.floor(localToInstant(local, ctx.timeZone) / 1000));
  },
});

registerScalar(
  simpleFunction({
    name: 'FROM_UNIXTIME',
    forms: 'FROM_UNIXTIME(<NUMERIC>), FROM_UNIXTIME(<NUMERIC>, <STRING>)',
    alternatives: [{ families: ['NUMERIC', 'STRING'], min: 1 }],
    result: () => T.string(),
    eval(x, ctx) {
      const instant = Math.floor(toDouble(x[0])) * 1000;
      const off = zoneOffset(ctx.timeZone, instant);
      return formatWithPattern(instant + off, x.length > 1 ? (x[1] as string) : DEFAULT_TS_FORMAT, ctx.timeZone, off);
    },
  }),
);

registerScalar(
  simpleFunction({
    name: 'CONVERT_TZ',
    forms: 'CONVERT_TZ(<STRING>, <STRING>, <STRING>)',
    alternatives: [{ families: ['STRING', 'STRING', 'STRING'] }],
    result: () => T.string(),
    alwaysNullable: true,
    eval(x) {
      const local = parseLocal(x[0] as string, DEFAULT_TS_FORMAT) ?? parseTimestamp(x[0] as string);
      if (local === undefined) return null;
      const instant = localToInstant(local, x[1] as string);
      return formatWithPattern(instantToLocal(instant, x[2] as string), DEFAULT_TS_FORMAT);
    },
  }),
);

// ---- field extraction ------------------------------------------------------------------------------------

/** Extracts a field from a wall-clock ms (or days for DATE, ms of day for TIME); Flink's EXTRACT units. */
export function extractField(unit: string, local: number): number {
  const days = Math.floor(local / MS_PER_DAY);
  const msOfDay = local - days * MS_PER_DAY;
  switch (unit) {
    case 'YEAR':
      return civilFromDays(days)[0];
    case 'QUARTER':
      return Math.ceil(civilFromDays(days)[1] / 3);
    case 'MONTH':
      return civilFromDays(days)[1];
    case 'WEEK':
      return isoWeek(days);
    case 'DAY':
    case 'DAYOFMONTH':
      return civilFromDays(days)[2];
    case 'DOY':
    case 'DAYOFYEAR':
      return days - daysFromCivil(civilFromDays(days)[0], 1, 1) + 1;
    case 'DOW':
    case 'DAYOFWEEK':
      return ((((days + 4) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday; 1 = Sunday
    case 'ISODOW':
      return ((((days + 3) % 7) + 7) % 7) + 1;
    case 'ISOYEAR': {
      const dow = (((days + 3) % 7) + 7) % 7;
      return civilFromDays(days - dow + 3)[0];
    }
    case 'DECADE':
      return Math.floor(civilFromDays(days)[0] / 10);
    case 'CENTURY': {
      const y = civilFromDays(days)[0];
      return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((-y + 99) / 100);
    }
    case 'MILLENNIUM': {
      const y = civilFromDays(days)[0];
      return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((-y + 999) / 1000);
    }
    case 'HOUR':
      return Math.floor(msOfDay / 3_600_000);
    case 'MINUTE':
      return Math.floor(msOfDay / 60_000) % 60;
    case 'SECOND':
      return Math.floor(msOfDay / 1000) % 60;
    case 'MILLISECOND':
      return Math.floor(msOfDay) % 60_000;
    case 'MICROSECOND':
      return Math.round(msOfDay * 1000) % 60_000_000;
    case 'NANOSECOND':
      return (Math.round(msOfDay * 1000) % 60_000_000) * 1000;
    case 'EPOCH':
      return Math.floor(local / 1000);
    default:
      throw new SqlRuntimeError(`Unsupported time unit '${unit}'`);
  }
}

function extractInterval(unit: string, v: number, ym: boolean): number {
  if (ym) {
    switch (unit) {
      case 'YEAR':
        return Math.trunc(v / 12);
      case 'MONTH':
        return v % 12;
      case 'QUARTER':
        return Math.trunc((v % 12) / 3) + 1;
      default:
        throw new SqlRuntimeError(`Cannot extract ${unit} from INTERVAL YEAR TO MONTH`);
    }
  }
  switch (unit) {
    case 'DAY':
      return Math.trunc(v / MS_PER_DAY);
    case 'HOUR':
      return Math.trunc(v / 3_600_000) % 24;
    case 'MINUTE':
      return Math.trunc(v / 60_000) % 60;
    case 'SECOND':
      return Math.trunc(v / 1000) % 60;
    case 'MILLISECOND':
      return Math.trunc(v) % 60_000;
    case 'EPOCH':
      return Math.trunc(v / 1000);
    default:
      throw new SqlRuntimeError(`Cannot extract ${unit} from INTERVAL DAY TO SECOND`);
  }
}

const DATE_UNITS = new Set([
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DOY',
  'DOW',
  'ISODOW',
  'ISOYEAR',
  'DECADE',
  'CENTURY',
  'MILLENNIUM',
  'EPOCH',
]);
const TIME_UNITS = new Set(['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND', 'EPOCH']);

function extractOne(unit: string, v: unknown, t: SqlType, ctx: EvalContext): bigint | null {
  if (t.kind === 'INTERVAL_YM' || t.kind === 'INTERVAL_DT')
    return BigInt(extractInterval(unit, v as number, t.kind === 'INTERVAL_YM'));
  if (t.kind === 'DATE' && !DATE_UNITS.has(unit)) throw new SqlRuntimeError(`Cannot extract ${unit} from DATE`);
  if (t.kind === 'TIME' && !TIME_UNITS.has(unit)) throw new SqlRuntimeError(`Cannot extract ${unit} from TIME`);
  const local = toLocalMs(v, t, ctx);
  return local === undefined ? null : BigInt(extractField(unit, local));
}

/** EXTRACT with the unit in argument 0 (value in 1), or a fixed unit (value in 0) as YEAR(x), HOUR(x)... */
function extractEval(unitIdx: number | string, t: SqlType): ScalarEval {
  if (typeof unitIdx === 'number') return (x, ctx) => extractOne((x[unitIdx] as string).toUpperCase(), x[1], t, ctx);
  const unit = unitIdx;
  if (t.kind === 'TIMESTAMP' && unit === 'HOUR')
    return (x) => BigInt(Math.floor(((((x[0] as number) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 3_600_000));
  if (t.kind === 'TIMESTAMP' || t.kind === 'DATE' || t.kind === 'TIMESTAMP_LTZ') {
    const toLocal =
      t.kind === 'TIMESTAMP'
        ? (v: unknown) => v as number
        : t.kind === 'DATE'
          ? (v: unknown) => (v as number) * MS_PER_DAY
          : undefined;
    if (t.kind === 'DATE' && !DATE_UNITS.has(unit))
      return () => extractOne(unit, 0, t, { timeZone: 'UTC', now: Date.now });
    if (toLocal) return (x) => BigInt(extractField(unit, toLocal(x[0])));
    return (x, ctx) => BigInt(extractField(unit, instantToLocal(x[0] as number, ctx.timeZone)));
  }
  return (x, ctx) => extractOne(unit, x[0], t, ctx);
}

registerScalar({
  name: 'EXTRACT',
  infer(args) {
    checkArgs(
      'EXTRACT',
      args,
      'EXTRACT(<TIME_UNIT> FROM <DATETIME>), EXTRACT(<TIME_UNIT> FROM <INTERVAL>)',
      { families: ['STRING', 'DATETIME'] },
      { families: ['STRING', 'INTERVAL'] },
    );
    return T.bigint(args[1]!.nullable);
  },
  eval: (x, ctx) => extractEval(0, guessType(x[1]))(x, ctx),
  bind: (args) => extractEval(0, args[1]!),
});

for (const [name, unit] of [
  ['YEAR', 'YEAR'],
  ['QUARTER', 'QUARTER'],
  ['MONTH', 'MONTH'],
  ['WEEK', 'WEEK'],
  ['DAYOFYEAR', 'DOY'],
  ['DAYOFMONTH', 'DAY'],
  ['DAYOFWEEK', 'DOW'],
  ['HOUR', 'HOUR'],
  ['MINUTE', 'MINUTE'],
  ['SECOND', 'SECOND'],
] as const) {
  registerScalar({
    name,
    infer(args) {
      checkArgs(name, args, `${name}(<DATETIME>)`, { families: ['DATETIME'] });
      return T.bigint(args[0]!.nullable);
    },
    eval: (x, ctx) => extractEval(unit, guessType(x[0]))(x, ctx),
    bind: (args) => extractEval(unit, args[0]!),
  });
}

// ---- TIMESTAMPADD / TIMESTAMPDIFF ------------------------------------------------------------------------

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: MS_PER_DAY,
  WEEK: 7 * MS_PER_DAY,
};
const UNIT_MONTHS: Record<string, number> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

function normUnit(u: string): string {
  const s = u.toUpperCase().replace(/^SQL_TSI_/, '');
  return s === 'FRAC_SECOND' ? 'MICROSECOND' : s;
}

registerScalar({
  name: 'TIMESTAMPADD',
  infer(args, literals) {
    checkArgs('TIMESTAMPADD', args, 'TIMESTAMPADD(<TIME_UNIT>, <INTEGER>, <DATETIME>)', {
      families: ['STRING', 'INTEGER', 'DATETIME'],
    });
    const t = args[2]!.kind === 'NULL' ? T.timestamp(3) : args[2]!;
    const unit = typeof literals?.[0] === 'string' ? normUnit(literals[0]) : undefined;
    // a DATE plus a sub-day unit becomes a TIMESTAMP (Calcite)
    if (t.kind === 'DATE' && unit !== undefined && UNIT_MS[unit] !== undefined && unit !== 'DAY' && unit !== 'WEEK')
      return T.timestamp(0, anyNullable(args));
    return withNullable(t, anyNullable(args));
  },
  eval: (x) => timestampAdd(normUnit(x[0] as string), Number(x[1]), x[2] as number, 'TIMESTAMP', false),
  bind(args, result) {
    const k = args[2]!.kind;
    const toTs = result.kind !== k;
    return (x, ctx) => {
      const unit = normUnit(x[0] as string);
      const n = Number(toBigint(x[1]));
      if (k === 'TIMESTAMP_LTZ' && UNIT_MONTHS[unit] !== undefined) {
        const local = instantToLocal(x[2] as number, ctx.timeZone);
        return localToInstant(addMonthsToTimestamp(local, n * UNIT_MONTHS[unit]), ctx.timeZone);
      }
      return timestampAdd(unit, n, x[2] as number, k, toTs);
    };
  },
});

function timestampAdd(unit: string, n: number, v: number, kind: string, dateToTs: boolean): number {
  const months = UNIT_MONTHS[unit];
  if (kind === 'DATE') {
    if (months !== undefined) return addMonthsToDays(v, n * months);
    const ms = UNIT_MS[unit];
    if (ms === undefined) throw new SqlRuntimeError(`Unsupported time unit '${unit}'`);
    if (dateToTs) return v * MS_PER_DAY + n * ms;
    return v + Math.trunc((n * ms) / MS_PER_DAY);
  }
  if (months !== undefined) return kind === 'TIME' ? v : addMonthsToTimestamp(v, n * months);
  const ms = unit === 'MICROSECOND' ? 0.001 : UNIT_MS[unit];
  if (ms === undefined) throw new SqlRuntimeError(`Unsupported time unit '${unit}'`);
  if (kind === 'TIME') {
    const r = (v + n * ms) % MS_PER_DAY;
    return r < 0 ? r + MS_PER_DAY : r;
  }
  return v + n * ms;
}

function monthsBetween(a: number, b: number): number {
  // whole months from a to b (wall-clock ms), truncated toward zero as Calcite's TIMESTAMPDIFF
  const da = Math.floor(a / MS_PER_DAY);
  const db = Math.floor(b / MS_PER_DAY);
  const [ya, ma] = civilFromDays(da);
  const [yb, mb] = civilFromDays(db);
  let m = (yb - ya) * 12 + (mb - ma);
  const restA = a - daysFromCivil(ya, ma, 1) * MS_PER_DAY;
  const restB = b - daysFromCivil(yb, mb, 1) * MS_PER_DAY;
  if (m > 0 && restB < restA) m--;
  else if (m < 0 && restB > restA) m++;
  return m;
}

registerScalar({
  name: 'TIMESTAMPDIFF',
  infer(args) {
    checkArgs('TIMESTAMPDIFF', args, 'TIMESTAMPDIFF(<TIME_UNIT>, <DATETIME>, <DATETIME>)', {
      families: ['STRING', 'DATETIME', 'DATETIME'],
    });
    return T.int(anyNullable(args));
  },
  eval: (x, ctx) =>
    timestampDiff(normUnit(x[0] as string), x[1] as number, x[2] as number, T.timestamp(3), T.timestamp(3), ctx),
  bind(args) {
    const [, ta, tb] = args as [SqlType, SqlType, SqlType];
    return (x, ctx) => timestampDiff(normUnit(x[0] as string), x[1] as number, x[2] as number, ta, tb, ctx);
  },
});

function timestampDiff(unit: string, a: number, b: number, ta: SqlType, tb: SqlType, ctx: EvalContext): number {
  // TIMESTAMP_LTZ compares instants; mixed with wall-clock values, both become wall-clock in the session zone
  const bothLtz = ta.kind === 'TIMESTAMP_LTZ' && tb.kind === 'TIMESTAMP_LTZ';
  const la = bothLtz ? a : toLocalMs(a, ta, ctx)!;
  const lb = bothLtz ? b : toLocalMs(b, tb, ctx)!;
  const months = UNIT_MONTHS[unit];
  if (months !== undefined) {
    const ma = bothLtz ? instantToLocal(a, ctx.timeZone) : la;
    const mb = bothLtz ? instantToLocal(b, ctx.timeZone) : lb;
    return Math.trunc(monthsBetween(ma, mb) / months);
  }
  if (unit === 'MICROSECOND') return Math.trunc((lb - la) * 1000);
  const ms = UNIT_MS[unit];
  if (ms === undefined) throw new SqlRuntimeError(`Unsupported time unit '${unit}'`);
  return Math.trunc((lb - la) / ms);
}

// ---- FLOOR / CEIL (numeric and x TO unit) ----------------------------------------------------------------

/** Floors (or ceils) a wall-clock ms to a unit. */
export function floorLocal(local: number, unit: string, ceil: boolean): number {
  let f: number;
  const ms = UNIT_MS[unit];
  if (unit === 'WEEK') {
    const days = Math.floor(local / MS_PER_DAY);
    const sunday = days - ((((days + 4) % 7) + 7) % 7);
    f = sunday * MS_PER_DAY;
    if (ceil && f !== local) f += 7 * MS_PER_DAY;
    return f;
  }
  if (ms !== undefined) {
    f = Math.floor(local / ms) * ms;
    return ceil && f !== local ? f + ms : f;
  }
  const days = Math.floor(local / MS_PER_DAY);
  const [y, m] = civilFromDays(days);
  let start: number;
  let next: number;
  switch (unit) {
    case 'MONTH':
      start = daysFromCivil(y, m, 1);
      next = addMonthsToDays(start, 1);
      break;
    case 'QUARTER':
      start = daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
      next = addMonthsToDays(start, 3);
      break;
    case 'YEAR':
      start = daysFromCivil(y, 1, 1);
      next = daysFromCivil(y + 1, 1, 1);
      break;
    case 'DECADE':
      start = daysFromCivil(Math.floor(y / 10) * 10, 1, 1);
      next = daysFromCivil(Math.floor(y / 10) * 10 + 10, 1, 1);
      break;
    case 'CENTURY': {
      const c = Math.floor((y - 1) / 100) * 100 + 1;
      start = daysFromCivil(c, 1, 1);
      next = daysFromCivil(c + 100, 1, 1);
      break;
    }
    case 'MILLENNIUM': {
      const c = Math.floor((y - 1) / 1000) * 1000 + 1;
      start = daysFromCivil(c, 1, 1);
      next = daysFromCivil(c + 1000, 1, 1);
      break;
    }
    default:
      throw new SqlRuntimeError(`Unsupported time unit '${unit}' for FLOOR/CEIL`);
  }
  f = start * MS_PER_DAY;
  return ceil && f !== local ? next * MS_PER_DAY : f;
}

function floorCeil(name: 'FLOOR' | 'CEIL'): ScalarFunction {
  const numeric = numericFloorCeil(name);
  const ceil = name === 'CEIL';
  const forms = `${name}(<NUMERIC>), ${name}(<DATETIME> TO <TIME_UNIT>)`;
  const temporal =
    (t: SqlType): ScalarEval =>
    (x, ctx) => {
      const unit = normUnit(x[1] as string);
      const v = x[0] as number;
      switch (t.kind) {
        case 'DATE':
          return Math.floor(floorLocal(v * MS_PER_DAY, unit, ceil) / MS_PER_DAY);
        case 'TIMESTAMP_LTZ':
          return localToInstant(floorLocal(instantToLocal(v, ctx.timeZone), unit, ceil), ctx.timeZone);
        case 'TIME': {
          const r = floorLocal(v, unit, ceil);
          return r >= MS_PER_DAY ? r - MS_PER_DAY : r;
        }
        default:
          return floorLocal(v, unit, ceil);
      }
    };
  return {
    name,
    infer(args, literals) {
      if (args.length === 1) return numeric.infer(args, literals);
      checkArgs(name, args, forms, { families: ['DATETIME', 'STRING'] });
      return args[0]!.kind === 'NULL' ? T.timestamp(3) : args[0]!;
    },
    eval: (x, ctx) => (x.length === 1 ? numeric.eval(x, ctx) : temporal(T.timestamp(3))(x, ctx)),
    bind(args, result) {
      if (args.length === 1) return numeric.bind ? numeric.bind(args, result) : numeric.eval;
      return temporal(args[0]!);
    },
  };
}
registerScalar(floorCeil('FLOOR'));
registerScalar(floorCeil('CEIL'), 'CEILING');

// ---- current time ---------------------------------------------------------------------------------------

function nowFn(name: string, result: SqlType, f: (ctx: EvalContext) => number): ScalarFunction {
  return {
    name,
    deterministic: false,
    infer(args) {
      if (args.length) throw signatureError(name, args, `${name}()`);
      return result;
    },
    eval: (_x, ctx) => f(ctx),
  };
}
const localNow = (ctx: EvalContext): number => instantToLocal(ctx.now(), ctx.timeZone);
registerScalar(nowFn('CURRENT_TIMESTAMP', T.timestampLtz(3, false), (ctx) => ctx.now()));
registerScalar(nowFn('NOW', T.timestampLtz(3, false), (ctx) => ctx.now()));
registerScalar(nowFn('CURRENT_ROW_TIMESTAMP', T.timestampLtz(3, false), (ctx) => ctx.now()));
registerScalar(nowFn('PROCTIME', T.timestampLtz(3, false), (ctx) => ctx.now()));
registerScalar(nowFn('LOCALTIMESTAMP', T.timestamp(3, false), localNow));
registerScalar(nowFn('CURRENT_DATE', T.date(false), (ctx) => Math.floor(localNow(ctx) / MS_PER_DAY)));
registerScalar(
  nowFn('CURRENT_TIME', T.time(0, false), (ctx) => {
    const l = localNow(ctx);
    return Math.floor((l - Math.floor(l / MS_PER_DAY) * MS_PER_DAY) / 1000) * 1000;
  }),
  'LOCALTIME',
);

registerScalar({
  name: 'CURRENT_WATERMARK',
  deterministic: false,
  handlesNulls: true,
  infer(args) {
    if (args.length !== 1 || (args[0]!.kind !== 'TIMESTAMP' && args[0]!.kind !== 'TIMESTAMP_LTZ'))
      throw signatureError('CURRENT_WATERMARK', args, 'CURRENT_WATERMARK(<TIMESTAMP rowtime attribute>)');
    return T.timestamp(3, true).kind === args[0]!.kind
      ? T.timestamp((args[0] as TypeOf<'TIMESTAMP'>).precision, true)
      : T.timestampLtz((args[0] as TypeOf<'TIMESTAMP_LTZ'>).precision, true);
  },
  // the engine keeps watermarks as epoch ms; a TIMESTAMP rowtime's values use the same scale (UTC wall clock)
  eval: (_x, ctx) => ctx.currentWatermark ?? null,
});
