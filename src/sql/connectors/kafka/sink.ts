/**
 * Writing to Kafka with the project's producer. `kafka` is append-only: each +I row is one record (key
 * from the key format when `key.fields` is set). `upsert-kafka` writes by primary key: +I/+U as the key's
 * new value, -D as a tombstone; a -U is held back and dropped when the same key's +U follows at once
 * (the usual update pair), otherwise written as a tombstone, so the topic read as a table stays correct
 * even when a filter downstream of an aggregation drops the +U.
 */
import { Client, type Producer } from '../../../client/index.ts';
import type { Format } from '../../formats/index.ts';
import { type Row, RowKind } from '../../runtime/changelog.ts';
import { valueKey } from '../../types/index.ts';
import { ConnectorOptionError, type SinkContext, type SinkRuntime, type TableInfo } from '../connector.ts';
import type { KafkaSettings } from './options.ts';

/** Encoded bytes, or their promise for formats that encode asynchronously. */
type Bytes = Buffer | null | Promise<Buffer | null>;

/** A Kafka sink; `upsert` selects upsert-kafka semantics. */
export function kafkaSink(
  info: TableInfo,
  s: KafkaSettings,
  upsert: boolean,
  ctx?: SinkContext,
): SinkRuntime & { ready(): Promise<void> | undefined } {
  // exactly-once: records go into the job's transaction, committed with each checkpoint
  const exactlyOnce = s.deliveryGuarantee === 'exactly-once';
  if (exactlyOnce && !ctx?.checkpointing)
    throw new ConnectorOptionError(
      `Table ${info.objectName} has 'sink.delivery-guarantee' = 'exactly-once', which commits records with checkpoints, but checkpointing is disabled: set 'execution.checkpointing.interval' (e.g. '10 s').`,
    );
  if (exactlyOnce && ctx?.transactionBootstrap !== s.bootstrap)
    throw new ConnectorOptionError(
      `Table ${info.objectName} writes exactly-once to ${s.bootstrap}, but the job's checkpoints and transactions are on ${ctx?.transactionBootstrap}: an exactly-once Kafka sink must write to the platform's cluster (drop 'properties.bootstrap.servers' or use 'at-least-once').`,
    );
  const physIndex = new Map(info.physical.map((f, i) => [f.name, i]));
  // sink rows hold physical + writable metadata columns in declaration order
  const physPos = info.columns.flatMap((c, i) => (c.kind === 'physical' ? [i] : []));
  const colOf = (physical: number) => physPos[physical]!;
  const keyCols = s.keyFields.map(colOf);
  const valueCols = s.valueFields.map(colOf);
  const tsCol = info.columns.findIndex((c) => c.kind === 'metadata' && (c.metadataKey ?? c.name) === 'timestamp');
  const headersCol = info.columns.findIndex((c) => c.kind === 'metadata' && (c.metadataKey ?? c.name) === 'headers');
  void physIndex;
  const topic = s.topics[0]!;
  const client = new Client({ bootstrapServers: s.bootstrap, clientId: 'tributary-sql-sink' });
  const producer: Producer = client.producer({ lingerMs: 5, allowAutoTopicCreation: true });
  let pending: Array<Promise<unknown>> = [];
  let failure: Error | null = null;
  let heldDelete: { key: Bytes; keyText: string } | null = null;
  // async formats (registry-backed): encodings run concurrently, records are sent in write order
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;

  const pick = (row: Row, cols: number[]) => cols.map((c) => row[c] ?? null);
  const encode = (f: Format, row: Row): Bytes => {
    if (!f.serializeAsync) return f.serialize(row);
    const p = f.serializeAsync(row, topic);
    p.catch(() => {}); // reported through the send chain (or dropped with an unused held key)
    return p;
  };
  const keyOf = (row: Row): Bytes => (s.keyFormat ? encode(s.keyFormat, pick(row, keyCols)) : null);
  const valueBytes = (row: Row): Bytes => encode(s.valueFormat, pick(row, valueCols));
  const send = (row: Row | null, key: Bytes, value: Bytes) => {
    if (queued === 0 && !(key instanceof Promise) && !(value instanceof Promise)) {
      sendNow(row, key, value);
      return;
    }
    queued++;
    const both = Promise.all([key, value]);
    both.catch(() => {});
    chain = chain.then(async () => {
      try {
        const [k, v] = await both;
        if (!failure) sendNow(row, k, v);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      } finally {
        queued--;
      }
    });
  };
  const sendNow = (row: Row | null, key: Buffer | null, value: Buffer | null) => {
    const ts = row && tsCol >= 0 ? (row[tsCol] as number | null) : null;
    const headersVal = row && headersCol >= 0 ? (row[headersCol] as Map<string, Uint8Array | null> | null) : null;
    const headers: Array<[string, Buffer | null]> = headersVal
      ? [...headersVal].map(([k, v]) => [k, v ? Buffer.from(v) : null])
      : [];
    const record = {
      topic,
      key,
      value,
      ...(ts !== null ? { timestamp: ts } : {}),
      ...(headers.length ? { headers } : {}),
    };
    const p = exactlyOnce ? ctx!.transaction!.send(record) : producer.send(record);
    p.catch((err: Error) => {
      failure ??= err;
    });
    pending.push(p);
  };
  const releaseHeld = () => {
    if (heldDelete) send(null, heldDelete.key, null);
    heldDelete = null;
  };

  return {
    write(kind: RowKind, row: Row) {
      if (failure) throw failure;
      if (!upsert) {
        send(row, keyOf(row), valueBytes(row));
        return;
      }
      const key = keyOf(row);
      const keyText = valueKey(pick(row, keyCols));
      if (kind === RowKind.UPDATE_BEFORE) {
        releaseHeld();
        heldDelete = { key, keyText };
        return;
      }
      if (heldDelete && (heldDelete.keyText !== keyText || kind === RowKind.DELETE)) releaseHeld();
      heldDelete = null;
      if (kind === RowKind.DELETE) send(row, key, null);
      else send(row, key, valueBytes(row));
    },
    ready() {
      if (failure) return Promise.reject(failure);
      if (queued >= 5000) return chain.then(() => (failure ? Promise.reject(failure) : undefined));
      if (pending.length < 20000) return undefined;
      const batch = pending;
      pending = [];
      return Promise.all(batch).then(() => undefined);
    },
    async flush() {
      releaseHeld();
      await chain;
      if (!exactlyOnce) await producer.flush();
      const batch = pending;
      pending = [];
      await Promise.allSettled(batch);
      if (failure) throw failure;
    },
    async close() {
      await client.close();
    },
  };
}
