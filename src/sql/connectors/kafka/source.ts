/**
 * Reading Kafka topics with the project's consumer (manual assignment, one partition = one watermark
 * partition). Start offsets follow `scan.startup.mode`; with `scan.bounded.mode` the end offsets are
 * fixed when the job starts and each partition ends there, so a bounded query finishes. Records become
 * rows of the table's physical columns (key fields from the key format, the rest from the value format)
 * and metadata columns. `upsert-kafka` materialises the changelog by key: the first value of a key is +I,
 * later values -U/+U, a tombstone -D — a retract stream downstream operators consume.
 */
import { Client, type ConsumerRecord } from '../../../client/index.ts';
import type { CatalogColumn } from '../../catalog/catalog.ts';
import type { Format } from '../../formats/index.ts';
import { type Row, RowKind } from '../../runtime/changelog.ts';
import { valueKey } from '../../types/index.ts';
import {
  ConnectorOptionError,
  type SourceContext,
  type SourceOutput,
  type SourceRuntime,
  type TableInfo,
} from '../connector.ts';
import type { KafkaSettings } from './options.ts';

type Tp = { topic: string; partition: number };

/** How to fill each source column from a record: physical from key/value rows, metadata from the record. */
function rowBuilder(info: TableInfo, s: KafkaSettings): (rec: ConsumerRecord, key: Row | null, value: Row) => Row {
  const physIndex = new Map(info.physical.map((f, i) => [f.name, i]));
  const getters = info.columns.map(
    (c: CatalogColumn): ((rec: ConsumerRecord, key: Row | null, value: Row) => unknown) => {
      if (c.kind === 'physical') {
        const pi = physIndex.get(c.name)!;
        const vi = s.valueFields.indexOf(pi);
        const ki = s.keyFields.indexOf(pi);
        if (ki >= 0 && (vi < 0 || s.keyFormat)) return (_r, key) => (key ? (key[ki] ?? null) : null);
        return (_r, _k, value) => value[vi] ?? null;
      }
      switch (c.metadataKey ?? c.name) {
        case 'topic':
          return (r) => r.topic;
        case 'partition':
          return (r) => r.partition;
        case 'offset':
          return (r) => r.offset;
        case 'timestamp':
          return (r) => Number(r.timestamp);
        case 'timestamp-type':
          return (r) => (r.timestampType === 'log-append' ? 'LogAppendTime' : 'CreateTime');
        case 'leader-epoch':
          return (r) => (r.leaderEpoch >= 0 ? r.leaderEpoch : null);
        case 'headers':
          return (r) => new Map(r.headers.map((h) => [h.key, h.value ? new Uint8Array(h.value) : null]));
        default:
          return () => null;
      }
    },
  );
  return (rec, key, value) => {
    const row = new Array(getters.length);
    for (let i = 0; i < getters.length; i++) row[i] = getters[i]!(rec, key, value);
    return row;
  };
}

async function startOffsets(client: Client, s: KafkaSettings, tps: Tp[]): Promise<bigint[]> {
  const admin = client.admin();
  const list = async (at: 'earliest' | 'latest' | { timestamp: number }) => {
    const res = await admin.listOffsets(tps.map((tp) => ({ ...tp, at })));
    return tps.map((tp) => res.find((r) => r.topic === tp.topic && r.partition === tp.partition)!.offset);
  };
  switch (s.startup) {
    case 'earliest-offset':
      return list('earliest');
    case 'latest-offset':
      return list('latest');
    case 'timestamp': {
      const [at, latest] = await Promise.all([list({ timestamp: s.startupTimestamp }), list('latest')]);
      return at.map((o, i) => (o < 0n ? latest[i]! : o));
    }
    case 'specific-offsets': {
      const earliest = await list('earliest');
      return tps.map((tp, i) => s.startupOffsets.get(tp.partition) ?? earliest[i]!);
    }
    case 'group-offsets': {
      const groupId = s.properties['group.id'];
      if (!groupId)
        throw new ConnectorOptionError(
          `Option 'properties.group.id' is required when 'scan.startup.mode' is 'group-offsets' (the default); set it or choose another startup mode.`,
        );
      const committed = await admin.fetchOffsets(groupId);
      const reset = s.properties['auto.offset.reset'] === 'earliest' ? await list('earliest') : await list('latest');
      return tps.map((tp, i) => {
        const c = committed.find((x) => x.topic === tp.topic && x.partition === tp.partition);
        return c && c.offset >= 0n ? c.offset : reset[i]!;
      });
    }
  }
}

async function endOffsets(client: Client, s: KafkaSettings, tps: Tp[]): Promise<bigint[] | null> {
  if (s.bounded === 'unbounded') return null;
  const admin = client.admin();
  const list = async (at: 'latest' | { timestamp: number }) => {
    const res = await admin.listOffsets(tps.map((tp) => ({ ...tp, at })));
    return tps.map((tp) => res.find((r) => r.topic === tp.topic && r.partition === tp.partition)!.offset);
  };
  const latest = await list('latest');
  switch (s.bounded) {
    case 'latest-offset':
      return latest;
    case 'timestamp': {
      const at = await list({ timestamp: s.boundedTimestamp });
      return at.map((o, i) => (o < 0n ? latest[i]! : o));
    }
    case 'specific-offsets':
      return tps.map((tp, i) => s.boundedOffsets.get(tp.partition) ?? latest[i]!);
    case 'group-offsets': {
      const committed = await admin.fetchOffsets(s.properties['group.id'] ?? '');
      return tps.map(
        (tp, i) => committed.find((x) => x.topic === tp.topic && x.partition === tp.partition)?.offset ?? latest[i]!,
      );
    }
  }
}

/** Decodes with the format's async path when it has one (registry-backed formats), else synchronously. */
function decode(f: Format, bytes: Buffer, topic: string): Row | null | Promise<Row | null> {
  return f.deserializeAsync ? f.deserializeAsync(bytes, topic) : f.deserialize(bytes);
}

/** What a Kafka source keeps in a checkpoint: the next offset of each partition, and upsert-kafka's table. */
interface KafkaSourceState {
  positions: Array<[string, number, bigint]>;
  table: Map<string, Row> | null;
}

/**
 * A Kafka source; `upsert` materialises the changelog by key. With checkpoints the read positions (and
 * upsert-kafka's materialised table) are part of the job's snapshot: a restored source continues from
 * them, and commits them to its group only once their checkpoint completed.
 */
export function kafkaSource(info: TableInfo, s: KafkaSettings, upsert: boolean, ctx?: SourceContext): SourceRuntime {
  const build = rowBuilder(info, s);
  const checkpointing = ctx?.checkpointing ?? false;
  let restored: KafkaSourceState | null = null;
  // live while running: the positions reached and the table, for snapshots
  let current: (() => KafkaSourceState) | null = null;
  let lastSnapshot: KafkaSourceState | null = null;
  let commitSnapshot: ((st: KafkaSourceState) => void) | null = null;
  return {
    snapshotState(): KafkaSourceState {
      const st = current ? current() : (restored ?? { positions: [], table: upsert ? new Map() : null });
      lastSnapshot = st;
      return st;
    },
    restoreState(state: unknown) {
      restored = state as KafkaSourceState;
    },
    checkpointComplete() {
      if (lastSnapshot && commitSnapshot) commitSnapshot(lastSnapshot);
    },
    async run(out: SourceOutput, signal: AbortSignal) {
      const client = new Client({ bootstrapServers: s.bootstrap, clientId: 'tributary-sql' });
      try {
        const described = await client.admin().describeTopics(s.topics);
        const tps: Tp[] = [];
        for (const d of described)
          for (const p of [...d.partitions].sort((a, b) => a.partition - b.partition))
            tps.push({ topic: d.name, partition: p.partition });
        const index = new Map(tps.map((tp, i) => [`${tp.topic}\u0000${tp.partition}`, i]));
        out.setPartitions(tps.length);
        const starts = await startOffsets(client, s, tps);
        // a restored source continues where its checkpoint was taken
        if (restored)
          for (const [topic, partition, offset] of restored.positions) {
            const i = index.get(`${topic}\u0000${partition}`);
            if (i !== undefined) starts[i] = offset;
          }
        const ends = await endOffsets(client, s, tps);
        const done = new Array<boolean>(tps.length).fill(false);
        const assign: Array<Tp & { offset: bigint }> = [];
        tps.forEach((tp, i) => {
          if (ends && starts[i]! >= ends[i]!) {
            done[i] = true;
            out.endPartition(i);
          } else assign.push({ ...tp, offset: starts[i]! });
        });
        if (assign.length === 0) return;
        // `properties.enable.auto.commit`: positions are committed every auto.commit.interval.ms, but only
        // after the job's sinks delivered the rows read before them (out.checkpoint), never on poll
        const commits =
          !checkpointing && s.properties['enable.auto.commit'] === 'true' && s.properties['group.id'] !== undefined;
        const interval = Number(s.properties['auto.commit.interval.ms'] ?? 5000);
        let committedAt = Date.now();
        const consumer = client.consumer({
          groupId: s.properties['group.id'],
          autoCommit: false,
          maxPollRecords: 5000,
          isolationLevel: s.properties['isolation.level'] === 'read_committed' ? 'read_committed' : 'read_uncommitted',
        });
        consumer.assign(assign);
        /** Commits the positions reached so far once the sinks hold everything read before them. */
        const commitDelivered = async (): Promise<void> => {
          const positions = assign.flatMap((tp) => {
            const offset = consumer.position(tp);
            return offset === undefined ? [] : [{ topic: tp.topic, partition: tp.partition, offset }];
          });
          await out.checkpoint();
          if (positions.length > 0) await consumer.commit(positions);
        };
        const table = upsert ? (restored?.table ?? new Map<string, Row>()) : null;
        current = () => ({
          positions: tps.map((tp, i) => [
            tp.topic,
            tp.partition,
            consumer.position(tp) ??
              assign.find((a) => a.topic === tp.topic && a.partition === tp.partition)?.offset ??
              starts[i]!,
          ]),
          table,
        });
        let committing: Promise<unknown> = Promise.resolve();
        if (checkpointing && s.properties['group.id'] !== undefined) {
          commitSnapshot = (st) => {
            const offsets = st.positions.map(([topic, partition, offset]) => ({ topic, partition, offset }));
            committing = committing.then(() => consumer.commit(offsets)).catch(() => {});
          };
        }
        const onAbort = () => void 0;
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          while (!signal.aborted && done.some((d) => !d)) {
            const records = await consumer.poll(100);
            for (const r of records) {
              const i = index.get(`${r.topic}\u0000${r.partition}`)!;
              if (done[i]) continue;
              if (ends && r.offset >= ends[i]!) continue;
              let key = s.keyFormat && r.key ? decode(s.keyFormat, r.key, r.topic) : null;
              if (key instanceof Promise) key = await key;
              if (table) {
                // by the decoded key (records of one key written with different schema ids are one key)
                const k = key ? valueKey(key) : r.key ? r.key.toString('base64') : '';
                const prev = table.get(k);
                if (r.value === null) {
                  if (prev) {
                    table.delete(k);
                    out.emit(i, RowKind.DELETE, prev);
                  }
                } else {
                  let value = decode(s.valueFormat, r.value, r.topic);
                  if (value instanceof Promise) value = await value;
                  if (value) {
                    const row = build(r, key, value);
                    table.set(k, row);
                    if (prev) {
                      out.emit(i, RowKind.UPDATE_BEFORE, prev);
                      out.emit(i, RowKind.UPDATE_AFTER, row);
                    } else out.emit(i, RowKind.INSERT, row);
                  }
                }
              } else if (r.value !== null) {
                let value = decode(s.valueFormat, r.value, r.topic);
                if (value instanceof Promise) value = await value;
                if (value) out.emit(i, RowKind.INSERT, build(r, key, value));
              }
            }
            if (ends) {
              for (let i = 0; i < tps.length; i++) {
                if (done[i]) continue;
                const pos = consumer.position(tps[i]!);
                if (pos !== undefined && pos >= ends[i]!) {
                  done[i] = true;
                  out.endPartition(i);
                }
              }
            }
            await out.drain();
            if (commits && Date.now() - committedAt >= interval) {
              await commitDelivered();
              committedAt = Date.now();
            }
          }
          if (commits) await commitDelivered();
        } finally {
          signal.removeEventListener('abort', onAbort);
          // the positions of the last completed checkpoint reach the group before the consumer goes
          await committing;
          await consumer.close().catch(() => {});
        }
      } finally {
        await client.close().catch(() => {});
      }
    },
  };
}
