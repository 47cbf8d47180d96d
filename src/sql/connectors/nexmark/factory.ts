/**
 * `'connector' = 'nexmark'` for the SQL engine (ddl_gen.sql): a bounded or
 * unbounded, append-only source of the four physical columns `event_type,
 * person, auction, bid`; the computed `dateTime` column and the watermark
 * are the engine's. Importing this file registers the factory.
 *
 * - Options: Flink's (see options.ts), plus `scan.watermark.idle-timeout`;
 *   `base-time` defaults to the moment the source instance is created, as
 *   Flink's does.
 * - Checkpoints: the base time, the events emitted and the pacer's base, so
 *   a restored source continues the same event sequence.
 * - One partition (one split); events leave in id order, in batches of up
 *   to 1024 with a `drain()` and an event-loop turn after each. With `rate.limited` = 'true' (or
 *   `max-emit-speed` = 'false') each event waits for its wall-clock due time.
 *
 * Kept out of index.ts so the generator does not depend on the engine.
 */
import { setTimeout as sleep, setImmediate as turn } from 'node:timers/promises';
import { APPEND, RowKind } from '../../runtime/changelog.ts';
import { formatType, typeEquals } from '../../types/index.ts';
import {
  type ConnectorFactory,
  ConnectorOptionError,
  registerConnector,
  type SourceRuntime,
  type TableInfo,
} from '../connector.ts';
import { NexmarkConfigError, type ResolvedNexmarkConfig } from './config.ts';
import { NexmarkGenerator } from './generator.ts';
import { configFromOptions, NEXMARK_OPTION_KEYS } from './options.ts';
import { dueBatch, EmitPacer } from './pacing.ts';
import { nexmarkRowType } from './rows.ts';

const BATCH = 1024;

function config(info: TableInfo, now: number): ResolvedNexmarkConfig {
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.options))
    if (k !== 'connector' && k !== 'scan.watermark.idle-timeout') opts[k] = v;
  try {
    return configFromOptions(opts, now);
  } catch (e) {
    if (e instanceof NexmarkConfigError) throw new ConnectorOptionError(e.message);
    throw e;
  }
}

/** The nexmark connector factory. */
export const nexmarkConnector: ConnectorFactory = {
  identifier: 'nexmark',
  requiredOptions: [],
  optionalOptions: [...NEXMARK_OPTION_KEYS, 'scan.watermark.idle-timeout'],
  validate(info) {
    config(info, 0);
    const want = nexmarkRowType();
    if (want.kind !== 'ROW') return;
    const got = info.physical;
    const same =
      got.length === want.fields.length &&
      got.every((f, i) => f.name === want.fields[i]!.name && typeEquals(f.type, want.fields[i]!.type, true));
    if (!same)
      throw new ConnectorOptionError(
        `The nexmark connector produces the physical columns ${want.fields.map((f) => `${f.name} ${formatType(f.type)}`).join(', ')}; table ${info.objectName} declares ${got.map((f) => `${f.name} ${formatType(f.type)}`).join(', ') || 'none'}.`,
      );
  },
  source(info) {
    const bounded = config(info, 0).eventsNum > 0;
    return {
      changelogMode: APPEND,
      bounded,
      create(): SourceRuntime {
        // checkpoint state: when the configuration was made (event times derive from it), the events
        // emitted and the pacer's base, so a restored source continues the same event sequence
        let restored: { now: number; position: number; wallclockBase: number } | null = null;
        let gen: NexmarkGenerator | null = null;
        let pacer: EmitPacer | null = null;
        let made = 0;
        return {
          snapshotState() {
            return gen && pacer ? { now: made, position: gen.position, wallclockBase: pacer.wallclockBase } : restored;
          },
          restoreState(state) {
            restored = state as { now: number; position: number; wallclockBase: number };
          },
          async run(out, signal) {
            out.setPartitions(1);
            made = restored?.now ?? Date.now();
            const cfg = config(info, made);
            gen = new NexmarkGenerator(cfg);
            pacer = new EmitPacer(cfg, restored?.wallclockBase);
            if (restored) gen.seek(Math.min(restored.position, gen.split.count));
            while (!signal.aborted && !gen.done) {
              const { rows, waitMs } = dueBatch(gen, pacer, BATCH);
              for (const row of rows) out.emit(0, RowKind.INSERT, row);
              await out.drain();
              // a macrotask turn per batch, so timers, I/O and abort() get in at max emit speed
              await turn();
              if (waitMs > 0) await sleep(waitMs, undefined, { signal }).catch(() => {});
            }
            if (gen.done) out.endPartition(0);
          },
        };
      },
    };
  },
};

registerConnector(nexmarkConnector);
