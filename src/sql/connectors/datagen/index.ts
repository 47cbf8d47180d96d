/**
 * Flink's `datagen` connector: rows generated per column by `fields.<col>.kind` = `random` (default;
 * `min`/`max` for numbers, `length` for strings, `max-past` for timestamps, `null-rate`) or `sequence`
 * (`start`/`end`, which also bounds the table). `number-of-rows` bounds it, `rows-per-second` paces it
 * (default 10000). Random values come from a seeded generator, so a table produces the same rows every run.
 */
import type { Row } from '../../runtime/changelog.ts';
import { APPEND, RowKind } from '../../runtime/changelog.ts';
import { Decimal, formatType, type SqlType } from '../../types/index.ts';
import {
  type ConnectorFactory,
  ConnectorOptionError,
  intOption,
  parseDuration,
  registerConnector,
  type SourceOutput,
  type SourceRuntime,
  type TableInfo,
} from '../connector.ts';

type Gen = (i: number) => unknown;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [-(2 ** 53), 2 ** 53],
  FLOAT: [-3.4e38, 3.4e38],
  DOUBLE: [-1.7e308, 1.7e308],
  DECIMAL: [-1e9, 1e9],
};

const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function numberFrom(v: number, t: SqlType): unknown {
  switch (t.kind) {
    case 'BIGINT':
      return BigInt(Math.trunc(v));
    case 'DECIMAL':
      return Decimal.fromNumber(Number(v.toFixed(t.scale))) ?? null;
    case 'FLOAT':
      return Math.fround(v);
    case 'DOUBLE':
      return v;
    default:
      return Math.trunc(v);
  }
}

function generator(info: TableInfo, name: string, t: SqlType, seed: number): { gen: Gen; count?: number } {
  const o = info.options;
  const p = `fields.${name}.`;
  const kind = o[`${p}kind`] ?? 'random';
  if (kind === 'sequence') {
    const s = o[`${p}start`];
    const e = o[`${p}end`];
    if (s === undefined || e === undefined)
      throw new ConnectorOptionError(
        `Could not find required property '${p}${s === undefined ? 'start' : 'end'}' for sequence generator.`,
      );
    const start = Number(s);
    const end = Number(e);
    const isStr = t.kind === 'VARCHAR' || t.kind === 'CHAR';
    if (!isStr && !(t.kind in INT_RANGES))
      throw new ConnectorOptionError(
        `Unsupported type ${formatType(t)} for the sequence generator of field '${name}'.`,
      );
    return { gen: (i) => (isStr ? String(start + i) : numberFrom(start + i, t)), count: end - start + 1 };
  }
  if (kind !== 'random')
    throw new ConnectorOptionError(
      `Could not parse value '${kind}' for key '${p}kind'. Expected one of: [random, sequence]`,
    );
  const r = rng(seed);
  const nullRate = Number(o[`${p}null-rate`] ?? 0);
  let gen: Gen;
  if (t.kind in INT_RANGES) {
    const [dmin, dmax] = INT_RANGES[t.kind]!;
    const min = Number(o[`${p}min`] ?? dmin);
    const max = Number(o[`${p}max`] ?? dmax);
    const integral = t.kind !== 'FLOAT' && t.kind !== 'DOUBLE' && t.kind !== 'DECIMAL';
    gen = integral
      ? () => numberFrom(min + Math.floor(r() * (max - min + 1)), t)
      : () => numberFrom(min + r() * (max - min), t);
  } else if (t.kind === 'VARCHAR' || t.kind === 'CHAR') {
    const length = Number(o[`${p}length`] ?? Math.min(100, t.length));
    gen = () => {
      let s = '';
      for (let k = 0; k < length; k++) s += CHARS[Math.floor(r() * CHARS.length)];
      return s;
    };
  } else if (t.kind === 'BOOLEAN') gen = () => r() < 0.5;
  else if (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'DATE' || t.kind === 'TIME') {
    const maxPast = o[`${p}max-past`] ? parseDuration(o[`${p}max-past`]!, `${p}max-past`) : 0;
    gen = () => {
      const ms = Date.now() - Math.floor(r() * maxPast);
      if (t.kind === 'DATE') return Math.floor(ms / 86_400_000);
      if (t.kind === 'TIME') return ms % 86_400_000;
      return ms;
    };
  } else if (t.kind === 'BINARY' || t.kind === 'VARBINARY') {
    const length = Number(o[`${p}length`] ?? 100);
    gen = () => Uint8Array.from({ length }, () => Math.floor(r() * 256));
  } else
    throw new ConnectorOptionError(`Unsupported type ${formatType(t)} for the datagen connector (field '${name}').`);
  if (nullRate > 0) {
    const inner = gen;
    gen = (i) => (r() < nullRate ? null : inner(i));
  }
  return { gen };
}

function plan(info: TableInfo): { gens: Gen[]; rows: number; rate: number } {
  const gens: Gen[] = [];
  let rows = intOption(info.options, 'number-of-rows') ?? Number.POSITIVE_INFINITY;
  info.physical.forEach((f, i) => {
    const g = generator(info, f.name, f.type, i + 1);
    gens.push(g.gen);
    if (g.count !== undefined) rows = Math.min(rows, g.count);
  });
  const rate = intOption(info.options, 'rows-per-second', 10000)!;
  return { gens, rows, rate };
}

const datagen: ConnectorFactory = {
  identifier: 'datagen',
  requiredOptions: [],
  optionalOptions: ['rows-per-second', 'number-of-rows', 'scan.parallelism', 'scan.watermark.idle-timeout'],
  optionalPrefixes: ['fields.'],
  validate(info) {
    const known = new Set(info.physical.map((f) => f.name));
    for (const k of Object.keys(info.options)) {
      if (!k.startsWith('fields.')) continue;
      const m = /^fields\.(.+)\.(kind|min|max|max-past|length|start|end|null-rate|var-len)$/.exec(k);
      if (!m || !known.has(m[1]!))
        throw new ConnectorOptionError(`Unsupported options found for 'datagen'. Unsupported options: ${k}`);
    }
    plan(info);
  },
  source(info) {
    const { gens, rows, rate } = plan(info);
    return {
      changelogMode: APPEND,
      bounded: Number.isFinite(rows),
      create: (): SourceRuntime => {
        // checkpoint state: rows emitted (values are functions of the row number: a sequence continues)
        let i = 0;
        return {
          snapshotState: () => ({ emitted: i }),
          restoreState(state) {
            i = Number((state as { emitted?: number }).emitted ?? 0);
          },
          run: (out, signal) => run(out, signal),
        };
        async function run(out: SourceOutput, signal: AbortSignal): Promise<void> {
          out.setPartitions(1);
          // a restored source keeps its pace: as if it had started i rows' time ago
          const started = Date.now() - (i / rate) * 1000;
          while (i < rows && !signal.aborted) {
            const due = Math.min(rows, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
            const batchEnd = Math.min(due, i + 1000);
            for (; i < batchEnd; i++) {
              const row: Row = new Array(gens.length);
              for (let c = 0; c < gens.length; c++) row[c] = gens[c]!(i);
              out.emit(0, RowKind.INSERT, row);
            }
            await out.drain();
            if (i >= due) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(100, 1000 / rate))));
            else await new Promise((r) => setImmediate(r));
          }
          out.endPartition(0);
        }
      },
    };
  },
};

registerConnector(datagen);
