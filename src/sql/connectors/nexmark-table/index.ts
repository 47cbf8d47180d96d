/**
 * The `nexmark` table connector (Flink's nexmark-flink source): rows of the Nexmark event stream from the
 * generator in ../nexmark, in the shape of Flink's ddl_gen.sql (event_type, person, auction, bid; the
 * computed `dateTime` and the watermark are declared in the DDL). Options are Flink's
 * ('events.num', 'first-event.rate', proportions, ...); `events.num` > 0 bounds the table. With
 * 'rate.limited' = 'true' events are paced to their event time, else emitted as fast as possible.
 */

import { APPEND, RowKind } from '../../runtime/changelog.ts';
import { formatType, typeEquals } from '../../types/index.ts';
import {
  type ConnectorFactory,
  ConnectorOptionError,
  registerConnector,
  type SourceOutput,
  type TableInfo,
} from '../connector.ts';
import {
  configFromOptions,
  dueBatch,
  EmitPacer,
  NEXMARK_OPTION_KEYS,
  NexmarkGenerator,
  nexmarkRowType,
} from '../nexmark/index.ts';

function config(info: TableInfo, now?: number) {
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.options))
    if (k !== 'connector' && k !== 'scan.watermark.idle-timeout') opts[k] = v;
  try {
    return configFromOptions(opts, now);
  } catch (err) {
    throw new ConnectorOptionError((err as Error).message);
  }
}

const nexmark: ConnectorFactory = {
  identifier: 'nexmark',
  requiredOptions: [],
  optionalOptions: [...NEXMARK_OPTION_KEYS, 'scan.watermark.idle-timeout'],
  validate(info) {
    const want = nexmarkRowType();
    if (want.kind !== 'ROW') return;
    const got = info.physical;
    const same =
      got.length === want.fields.length &&
      got.every((f, i) => f.name === want.fields[i]!.name && typeEquals(f.type, want.fields[i]!.type, true));
    if (!same)
      throw new ConnectorOptionError(
        `The 'nexmark' connector produces the columns ${want.fields.map((f) => `${f.name} ${formatType(f.type)}`).join(', ')}; the table declares ${got.map((f) => `${f.name} ${formatType(f.type)}`).join(', ')}`,
      );
    config(info);
  },
  source(info) {
    const cfg = config(info);
    return {
      changelogMode: APPEND,
      bounded: cfg.eventsNum > 0,
      create: () => {
        // checkpoint state: the base time events derive from (default: when planned), the events
        // emitted and the pacer's base, so a restored source continues the same sequence
        let restored: { baseTime: number; position: number; wallclockBase: number } | null = null;
        let live: { gen: NexmarkGenerator; pacer: EmitPacer; baseTime: number } | null = null;
        return {
          snapshotState: () =>
            live
              ? { baseTime: live.baseTime, position: live.gen.position, wallclockBase: live.pacer.wallclockBase }
              : restored,
          restoreState: (state) => {
            restored = state as { baseTime: number; position: number; wallclockBase: number };
          },
          run: (out, signal) => {
            const c = restored ? config(info, restored.baseTime) : cfg;
            const gen = new NexmarkGenerator(c);
            const pacer = new EmitPacer(c, restored?.wallclockBase);
            if (restored) gen.seek(Math.min(restored.position, gen.split.count));
            live = { gen, pacer, baseTime: c.baseTime };
            return emitAll(out, signal, gen, pacer);
          },
        };
      },
    };
  },
};

/** Emits the generator's events in batches, paced when rate-limited, until done or aborted. */
async function emitAll(out: SourceOutput, signal: AbortSignal, gen: NexmarkGenerator, pacer: EmitPacer): Promise<void> {
  out.setPartitions(1);
  while (!gen.done && !signal.aborted) {
    const { rows, waitMs } = dueBatch(gen, pacer, 2000);
    for (const r of rows) out.emit(0, RowKind.INSERT, r as unknown[]);
    await out.drain();
    if (waitMs > 0) await new Promise((res) => setTimeout(res, Math.min(waitMs, 100)));
    else await new Promise((res) => setImmediate(res));
  }
  out.endPartition(0);
}

registerConnector(nexmark);
