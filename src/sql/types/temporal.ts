/**
 * Calendar arithmetic (proleptic Gregorian, as java.time), SQL literal formats for DATE/TIME/TIMESTAMP,
 * session time zones through Intl (IANA names, `UTC`, fixed offsets `+08:00` / `GMT+8`) and Java
 * DateTimeFormatter/SimpleDateFormat patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `EEE`, `MMM`, `a`, `Z`, quoted text).
 * Wall-clock values are epoch milliseconds read as UTC; fractions of a millisecond carry microseconds.
 */
import { SqlRuntimeError } from './errors.ts';

export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 → [year, month 1-12, day 1-31] (Howard Hinnant's civil_from_days). */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** [year, month, day] → days since 1970-01-01. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Adds months to a date (days), clamping the day of month as java.time's plusMonths. */
export function addMonthsToDays(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** Adds months to a wall-clock timestamp (ms), keeping the time of day. */
export function addMonthsToTimestamp(ms: number, months: number): number {
  const days = Math.floor(ms / MS_PER_DAY);
  return addMonthsToDays(days, months) * MS_PER_DAY + (ms - days * MS_PER_DAY);
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

function formatYear(y: number): string {
  return y < 0 ? `-${pad(-y, 4)}` : y > 9999 ? `+${y}` : pad(y, 4);
}

/** `yyyy-MM-dd`. */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${formatYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function fraction(micros: number, precision: number): string {
  if (precision <= 0) return '';
  const nanos = `${pad(micros, 6)}000`;
  return `.${nanos.slice(0, precision)}`;
}

/** `HH:mm:ss[.fff]` with exactly `precision` fraction digits. */
export function formatTime(msOfDay: number, precision = 0): string {
  const micros = Math.round(msOfDay * 1000);
  const secs = Math.floor(micros / 1_000_000);
  return `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}${fraction(micros - secs * 1_000_000, precision)}`;
}

/** `yyyy-MM-dd HH:mm:ss[.fff…]` with exactly `precision` fraction digits (Flink's CAST to STRING). */
export function formatTimestamp(ms: number, precision = 3): string {
  const micros = Math.round(ms * 1000);
  const days = Math.floor(micros / 86_400_000_000);
  const rest = micros - days * 86_400_000_000;
  const secs = Math.floor(rest / 1_000_000);
  return `${formatDate(days)} ${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}${fraction(rest - secs * 1_000_000, precision)}`;
}

const DATE_RE = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})\s*$/;
const TIME_RE = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?\s*$/;
const TS_RE = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?)?\s*$/;

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function fracMs(f: string | undefined): number {
  if (!f) return 0;
  return Number(`${f}000000`.slice(0, 6)) / 1000;
}

/** `yyyy-[M]M-[d]d` → days, undefined if invalid. */
export function parseDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
}

/** `HH:mm[:ss[.fff]]` → ms of day, undefined if invalid. */
export function parseTime(s: string): number | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = Number(m[3] ?? 0);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  return (h * 3600 + mi * 60 + sec) * 1000 + fracMs(m[4]);
}

/** `yyyy-MM-dd[( |T)HH:mm[:ss[.fffffffff]]]` → wall-clock ms (µs kept), undefined if invalid. */
export function parseTimestamp(s: string): number | undefined {
  const m = TS_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d)) return undefined;
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const sec = Number(m[6] ?? 0);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + (h * 3600 + mi * 60 + sec) * 1000 + fracMs(m[7]);
}

// ---- time zones -----------------------------------------------------------------------------------------

interface Zone {
  id: string;
  fixed: number | undefined;
  fmt: Intl.DateTimeFormat | undefined;
  cache: Map<number, number>;
}
const zones = new Map<string, Zone>();
const OFFSET_RE = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

function zone(id: string): Zone {
  let z = zones.get(id);
  if (z) return z;
  let fixed: number | undefined;
  let fmt: Intl.DateTimeFormat | undefined;
  const upper = id.toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'UT' || upper === 'ETC/UTC') fixed = 0;
  else {
    const m = OFFSET_RE.exec(id);
    if (m) fixed = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
    else {
      try {
        fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: id,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
          era: 'short',
        });
      } catch {
        throw new SqlRuntimeError(`Invalid time zone '${id}'`);
      }
    }
  }
  z = { id, fixed, fmt, cache: new Map() };
  zones.set(id, z);
  return z;
}

/** Throws SqlRuntimeError unless `id` is a known time zone. */
export function checkTimeZone(id: string): void {
  zone(id);
}

/** Offset of the zone from UTC at an instant, in ms (cached per zone and quarter hour). */
export function zoneOffset(id: string, instant: number): number {
  const z = zone(id);
  if (z.fixed !== undefined) return z.fixed;
  const bucket = Math.floor(instant / 900_000);
  const hit = z.cache.get(bucket);
  if (hit !== undefined) return hit;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  const at = bucket * 900_000;
  for (const p of z.fmt!.formatToParts(at)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  if (bc) y = 1 - y;
  const local = daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000;
  const off = local - at;
  if (z.cache.size > 50_000) z.cache.clear();
  z.cache.set(bucket, off);
  return off;
}

/** Instant → wall-clock ms in the zone. */
export function instantToLocal(instant: number, zoneId: string): number {
  return instant + zoneOffset(zoneId, instant);
}

/** Wall-clock ms in the zone → instant (gaps move forward, overlaps take the earlier offset, as java.time). */
export function localToInstant(local: number, zoneId: string): number {
  const z = zone(zoneId);
  if (z.fixed !== undefined) return local - z.fixed;
  const before = zoneOffset(zoneId, local - 43_200_000);
  const after = zoneOffset(zoneId, local + 43_200_000);
  if (before === after || zoneOffset(zoneId, local - before) === before) return local - before;
  if (zoneOffset(zoneId, local - after) === after) return local - after;
  return local - before; // in a gap: shifted forward by the gap's length
}

// ---- Java patterns --------------------------------------------------------------------------------------

type Token = { lit: string } | { letter: string; count: number };
const patterns = new Map<string, Token[]>();
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Splits a Java date pattern into fields and literal text (cached). */
export function compilePattern(pattern: string): Token[] {
  let tokens = patterns.get(pattern);
  if (tokens) return tokens;
  tokens = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      tokens.push({ lit: j === i + 1 ? "'" : text });
      i = j + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ lit: c });
      i++;
    }
  }
  if (patterns.size > 1000) patterns.clear();
  patterns.set(pattern, tokens);
  return tokens;
}

function offsetText(off: number, colon: boolean, zForZero: boolean): string {
  if (off === 0 && zForZero) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const m = Math.abs(off) / 60_000;
  return `${sign}${pad(Math.floor(m / 60), 2)}${colon ? ':' : ''}${pad(m % 60, 2)}`;
}

/**
 * Formats wall-clock ms with a Java pattern. `offset`/`zoneId` feed the zone letters (z, Z, X, x, O, V).
 * Letters: G y u Y M L d D E e a H k K h m s S n Q w.
 */
export function formatWithPattern(local: number, pattern: string, zoneId = 'UTC', offset = 0): string {
  const micros = Math.round(local * 1000);
  const days = Math.floor(micros / 86_400_000_000);
  const rest = micros - days * 86_400_000_000;
  const [y, mo, d] = civilFromDays(days);
  const secOfDay = Math.floor(rest / 1_000_000);
  const h = Math.floor(secOfDay / 3600);
  const mi = Math.floor(secOfDay / 60) % 60;
  const s = secOfDay % 60;
  const fracMicros = rest - secOfDay * 1_000_000;
  const dow = (((days + 3) % 7) + 7) % 7; // 0 = Monday
  let out = '';
  for (const t of compilePattern(pattern)) {
    if ('lit' in t) {
      out += t.lit;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'G':
        out += y > 0 ? 'AD' : 'BC';
        break;
      case 'y':
      case 'u':
      case 'Y':
        out += n === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[mo - 1] : n === 3 ? MONTHS[mo - 1]!.slice(0, 3) : pad(mo, n);
        break;
      case 'Q':
      case 'q':
        out += pad(Math.ceil(mo / 3), n);
        break;
      case 'd':
        out += pad(d, n);
        break;
      case 'D':
        out += pad(days - daysFromCivil(y, 1, 1) + 1, n);
        break;
      case 'E':
        out += n >= 4 ? DAYS[dow] : DAYS[dow]!.slice(0, 3);
        break;
      case 'e':
      case 'c':
        out += n >= 4 ? DAYS[dow] : n === 3 ? DAYS[dow]!.slice(0, 3) : pad(((dow + 1) % 7) + 1, n);
        break;
      case 'w':
        out += pad(isoWeek(days), n);
        break;
      case 'a':
        out += h < 12 ? 'AM' : 'PM';
        break;
      case 'H':
        out += pad(h, n);
        break;
      case 'k':
        out += pad(h === 0 ? 24 : h, n);
        break;
      case 'K':
        out += pad(h % 12, n);
        break;
      case 'h':
        out += pad(h % 12 === 0 ? 12 : h % 12, n);
        break;
      case 'm':
        out += pad(mi, n);
        break;
      case 's':
        out += pad(s, n);
        break;
      case 'S':
        out += `${pad(fracMicros, 6)}000`.slice(0, n).padEnd(n, '0');
        break;
      case 'n':
        out += String(fracMicros * 1000);
        break;
      case 'Z':
        out +=
          n <= 3
            ? offsetText(offset, false, false)
            : n === 4
              ? `GMT${offsetText(offset, true, false)}`
              : offsetText(offset, true, true);
        break;
      case 'X':
        out +=
          n === 1 && offset % 3_600_000 === 0
            ? offset === 0
              ? 'Z'
              : offsetText(offset, false, true).slice(0, 3)
            : offsetText(offset, n >= 3, true);
        break;
      case 'x':
        out += offsetText(offset, n >= 3, false);
        break;
      case 'O':
        out += offset === 0 ? 'GMT' : `GMT${offsetText(offset, true, false)}`;
        break;
      case 'z':
      case 'V':
        out += zoneId;
        break;
      default:
        throw new SqlRuntimeError(`Unknown pattern letter '${t.letter}' in date format '${pattern}'`);
    }
  }
  return out;
}

/** ISO-8601 week of year of a date (days). */
export function isoWeek(days: number): number {
  const dow = (((days + 3) % 7) + 7) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const [ty] = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1;
}

/**
 * Parses text with a Java pattern (numeric fields, MMM/MMMM month names, a, quoted literals, S fractions,
 * Z/X offsets). Returns wall-clock ms (an offset in the text, if any, converts to UTC wall-clock:
 * `offset` output), or undefined when the text does not match.
 */
export function parseWithPattern(text: string, pattern: string): { local: number; offset?: number } | undefined {
  let pos = 0;
  let y = 1970;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let micros = 0;
  let pm: boolean | undefined;
  let h12 = false;
  let offset: number | undefined;
  let dayOfYear: number | undefined;
  const tokens = compilePattern(pattern);
  for (let ti = 0; ti < tokens.length; ti++) {
    const t = tokens[ti]!;
    if ('lit' in t) {
      if (!text.startsWith(t.lit, pos)) return undefined;
      pos += t.lit.length;
      continue;
    }
    const next = tokens[ti + 1];
    // Adjacent numeric fields (yyyyMMdd) take exactly `count` digits; otherwise digits are read greedily.
    const fixedWidth = next !== undefined && !('lit' in next);
    const readNum = (max: number): number | undefined => {
      let j = pos;
      if (text[j] === '-' || text[j] === '+') j++;
      const limit = fixedWidth ? pos + max : text.length;
      while (j < limit && j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      if (j === pos) return undefined;
      const v = Number(text.slice(pos, j));
      pos = j;
      return Number.isNaN(v) ? undefined : v;
    };
    let v: number | undefined;
    switch (t.letter) {
      case 'y':
      case 'u':
      case 'Y':
        v = readNum(t.count === 2 ? 2 : Math.max(4, t.count));
        if (v === undefined) return undefined;
        y = t.count === 2 && v < 100 ? 2000 + v : v;
        break;
      case 'M':
      case 'L':
        if (t.count >= 3) {
          const idx = MONTHS.findIndex(
            (m) =>
              text.slice(pos, pos + (t.count === 3 ? 3 : m.length)).toLowerCase() ===
              (t.count === 3 ? m.slice(0, 3) : m).toLowerCase(),
          );
          if (idx < 0) return undefined;
          pos += t.count === 3 ? 3 : MONTHS[idx]!.length;
          mo = idx + 1;
        } else {
          v = readNum(2);
          if (v === undefined) return undefined;
          mo = v;
        }
        break;
      case 'd':
        if ((v = readNum(2)) === undefined) return undefined;
        d = v;
        break;
      case 'D':
        if ((v = readNum(3)) === undefined) return undefined;
        dayOfYear = v;
        break;
      case 'H':
      case 'k':
        if ((v = readNum(2)) === undefined) return undefined;
        h = t.letter === 'k' && v === 24 ? 0 : v;
        break;
      case 'h':
      case 'K':
        if ((v = readNum(2)) === undefined) return undefined;
        h = v % 12;
        h12 = true;
        break;
      case 'm':
        if ((v = readNum(2)) === undefined) return undefined;
        mi = v;
        break;
      case 's':
        if ((v = readNum(2)) === undefined) return undefined;
        s = v;
        break;
      case 'S': {
        let j = pos;
        const limit = fixedWidth ? pos + t.count : text.length;
        while (j < limit && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
        if (j === pos) return undefined;
        micros = Number(`${text.slice(pos, j)}000000`.slice(0, 6));
        pos = j;
        break;
      }
      case 'a': {
        const am = text.slice(pos, pos + 2).toUpperCase();
        if (am !== 'AM' && am !== 'PM') return undefined;
        pm = am === 'PM';
        pos += 2;
        break;
      }
      case 'E': {
        const idx = DAYS.findIndex((n) =>
          text
            .slice(pos)
            .toLowerCase()
            .startsWith((t.count >= 4 ? n : n.slice(0, 3)).toLowerCase()),
        );
        if (idx < 0) return undefined;
        pos += t.count >= 4 ? DAYS[idx]!.length : 3;
        break;
      }
      case 'Z':
      case 'X':
      case 'x': {
        if (text[pos] === 'Z') {
          offset = 0;
          pos++;
          break;
        }
        const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(pos));
        if (!m) return undefined;
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
        pos += m[0].length;
        break;
      }
      default:
        return undefined;
    }
  }
  if (pos !== text.length) return undefined;
  if (h12 && pm) h += 12;
  else if (!h12 && pm !== undefined && pm && h < 12) h += 12;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  let days: number;
  if (dayOfYear !== undefined) days = daysFromCivil(y, 1, 1) + dayOfYear - 1;
  else {
    if (!validDate(y, mo, d)) return undefined;
    days = daysFromCivil(y, mo, d);
  }
  const local = days * MS_PER_DAY + (h * 3600 + mi * 60 + s) * 1000 + micros / 1000;
  return offset === undefined ? { local } : { local, offset };
}
