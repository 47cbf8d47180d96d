/**
 * Strings of Nexmark events: random words, `extra` padding, prices, names,
 * credit cards and the bid channel table with its URLs.
 *
 * Random text is cut from two fixed pools built once from fixed seeds — one
 * of letters a–z, one with a space in place of a letter 1 time in 13 (Flink's
 * `nextString` rule) — at an offset drawn from the event's generator. That
 * keeps the shape of Flink's strings (lengths, letter/space mix, trimming)
 * while costing one draw per string instead of one per character; an
 * event's text is still a function of its id alone.
 */
import { EventRandom } from './random.ts';

/** Seed streams (see random.ts): every table gets its own. */
const STREAM_LETTERS = 1;
const STREAM_WORDS = 2;
const STREAM_CHANNELS = 3;
const STREAM_HOT_URLS = 4;

const POOL_SIZE = 1 << 18;
const MIN_STRING_LENGTH = 3;

function buildPool(stream: number, spaces: boolean): string {
  const r = new EventRandom(0, stream);
  const codes = new Uint8Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) {
    // one draw in [0, 338): < 26 (1 in 13) is a space, else a letter chosen uniformly
    const x = r.int(338);
    codes[i] = spaces && x < 26 ? 32 : 97 + (x % 26);
  }
  return Buffer.from(codes).toString('latin1');
}

let letterPool: string | undefined;
let wordPool: string | undefined;

/** Exactly `length` random letters a–z. */
export function exactString(r: EventRandom, length: number): string {
  const pool = (letterPool ??= buildPool(STREAM_LETTERS, false));
  if (length <= POOL_SIZE) {
    const at = r.int(POOL_SIZE - length + 1);
    return pool.slice(at, at + length);
  }
  let s = '';
  while (s.length < length) s += exactString(r, Math.min(POOL_SIZE, length - s.length));
  return s;
}

/** Flink's `nextString(max)`: 3 to max−1 characters, letters with a space 1 time in 13, trimmed. */
export function nextString(r: EventRandom, maxLength: number): string {
  const pool = (wordPool ??= buildPool(STREAM_WORDS, true));
  const len = MIN_STRING_LENGTH + r.int(maxLength - MIN_STRING_LENGTH);
  const at = r.int(POOL_SIZE - len + 1);
  return pool.slice(at, at + len).trim();
}

/**
 * Padding so that `currentSize + extra.length` averages `desiredAverageSize`:
 * uniform in [avg − δ, avg + δ) with δ = round(0.2 · avg) of what is left
 * (Flink's `nextExtra`; its ±20 %).
 */
export function nextExtra(r: EventRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const left = desiredAverageSize - currentSize;
  const delta = Math.round(left * 0.2);
  const size = left - delta + (delta === 0 ? 0 : r.int(2 * delta));
  return exactString(r, size);
}

/** A price in cents, log-uniform from 100 to 10^8: round(10^(6·U) · 100). */
export function nextPrice(r: EventRandom): number {
  return Math.round(10 ** (r.double() * 6) * 100);
}

export const FIRST_NAMES: readonly string[] = 'Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter'.split(
  ',',
);
export const LAST_NAMES: readonly string[] = 'Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris'.split(',');
export const US_CITIES: readonly string[] =
  'Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne'.split(',');
export const US_STATES: readonly string[] = 'AZ,CA,ID,OR,WA,WY'.split(',');

const FULL_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));
let cardGroups: readonly string[] | undefined;

/** "First Last" from Flink's 11 × 9 names. */
export function nextPersonName(r: EventRandom): string {
  const first = r.int(FIRST_NAMES.length);
  return FULL_NAMES[first * LAST_NAMES.length + r.int(LAST_NAMES.length)]!;
}

/** 3–6 random characters @ 3–4 random characters .com (Flink's `nextString(7)@nextString(5).com`). */
export function nextEmail(r: EventRandom): string {
  return `${nextString(r, 7)}@${nextString(r, 5)}.com`;
}

/** Four random 4-digit groups separated by spaces. */
export function nextCreditCard(r: EventRandom): string {
  const g = (cardGroups ??= Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0')));
  return `${g[r.int(10_000)]} ${g[r.int(10_000)]} ${g[r.int(10_000)]} ${g[r.int(10_000)]}`;
}

/** Hot channels, each with one fixed URL (no channel_id). */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** Number of non-hot channels: `channel-0` … `channel-9999`. */
export const NUM_CHANNELS = 10_000;

/** Flink's `nextString(5, '_')` built character by character (tables are built once, so speed is moot). */
function urlSegment(r: EventRandom): string {
  const len = MIN_STRING_LENGTH + r.int(5 - MIN_STRING_LENGTH);
  let s = '';
  for (let i = 0; i < len; i++) {
    const x = r.int(338);
    s += x < 26 ? '_' : String.fromCharCode(97 + (x % 26));
  }
  return s;
}

function baseUrl(r: EventRandom): string {
  return `https://www.nexmark.com/${urlSegment(r)}/${urlSegment(r)}/${urlSegment(r)}/item.htm?query=1`;
}

/** Java's `Math.abs(Integer.reverse(i))`: the 32 bits of i reversed, read as a signed int, absolute value (MIN_VALUE stays negative). */
export function reversedChannelId(i: number): number {
  let x = i | 0;
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  x = (x >>> 16) | (x << 16);
  return x === -2147483648 ? x : Math.abs(x);
}

let hotUrls: readonly string[] | undefined;
let channelUrls: readonly string[] | undefined;
let channelNames: readonly string[] | undefined;

/** The fixed URL of hot channel `i` (0–3), from its own seed. */
export function hotChannelUrl(i: number): string {
  hotUrls ??= HOT_CHANNELS.map((_, k) => baseUrl(new EventRandom(k, STREAM_HOT_URLS)));
  return hotUrls[i]!;
}

function channels(): { names: readonly string[]; urls: readonly string[] } {
  if (!channelUrls || !channelNames) {
    const urls: string[] = [];
    const r = new EventRandom();
    for (let k = 0; k < NUM_CHANNELS; k++) {
      r.seed(k, STREAM_CHANNELS);
      const url = baseUrl(r);
      urls.push(r.int(10) > 0 ? `${url}&channel_id=${reversedChannelId(k)}` : url);
    }
    channelUrls = urls;
    channelNames = Array.from({ length: NUM_CHANNELS }, (_, k) => `channel-${k}`);
  }
  return { names: channelNames, urls: channelUrls };
}

/** Name of non-hot channel `i`: `channel-<i>`. */
export function channelName(i: number): string {
  return channels().names[i]!;
}

/**
 * URL of non-hot channel `i`, from seed i; 9 in 10 URLs (decided per channel
 * by that seed) end in `&channel_id=<bit-reversed i>`, which q21 extracts
 * with `(&|^)channel_id=([^&]*)`.
 */
export function channelUrl(i: number): string {
  return channels().urls[i]!;
}
