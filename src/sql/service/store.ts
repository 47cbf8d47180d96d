/**
 * The statement service's storage: the compacted `_sql-statements` topic (1 partition,
 * cleanup.policy=compact), written through the project's Producer with acks=all and read from the
 * beginning once at start, as the registry does with `_schemas`.
 *
 * Every record is a key (what it is about) and a value (its latest content, null = removed), so the
 * compacted topic keeps exactly the current state:
 *   {"type":"statement","name":n} → StoredStatement | null
 *   {"type":"catalog","name":n}   → StoredCatalogObject | null
 * One platform process owns the topic (no tailing: this instance is the only writer).
 */
import { Client, ErrorCode, type Logger, type Producer } from '../../client/index.ts';

/** What a record is about. */
export interface RecordKey {
  type: 'statement' | 'catalog';
  name: string;
}

/** The key's bytes: fields in a fixed order so that compaction sees equal keys as equal. */
export function encodeKey(k: RecordKey): string {
  return JSON.stringify({ type: k.type, name: k.name });
}

/** Options of StatementStore.open. */
export interface StatementStoreOptions {
  bootstrapServers: string;
  /** Default `_sql-statements`. */
  topic?: string;
  logger?: Logger;
}

/** `_sql-statements` through the project's client. */
export class StatementStore {
  readonly topic: string;
  readonly #client: Client;
  readonly #producer: Producer;
  #closed = false;

  private constructor(o: StatementStoreOptions) {
    this.topic = o.topic ?? '_sql-statements';
    this.#client = new Client({ bootstrapServers: o.bootstrapServers, clientId: 'tributary-sql', logger: o.logger });
    this.#producer = this.#client.producer({ acks: -1, lingerMs: 0 });
  }

  /** Creates the topic when missing and reads it to its end: the latest value of every key, in log order. */
  static async open(o: StatementStoreOptions): Promise<{ store: StatementStore; records: Map<string, unknown> }> {
    const store = new StatementStore(o);
    try {
      return { store, records: await store.#readAll(o.logger) };
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  async #readAll(log: Logger | undefined): Promise<Map<string, unknown>> {
    const admin = this.#client.admin();
    const [created] = await admin.createTopics([
      { name: this.topic, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    if (created?.error && created.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw created.error;
    const [end] = await admin.listOffsets([{ topic: this.topic, partition: 0, at: 'latest' }]);
    const records = new Map<string, unknown>();
    const last = end?.offset ?? 0n;
    if (last === 0n) return records;
    const consumer = this.#client.consumer({ autoCommit: false, maxWaitMs: 200 });
    try {
      const tp = { topic: this.topic, partition: 0 };
      consumer.assign([{ ...tp, offset: 0n }]);
      for (;;) {
        for (const r of await consumer.poll(500)) {
          if (!r.key) continue;
          const key = r.key.toString('utf8');
          // re-inserting moves a key to the end: the map keeps log order of the latest values
          records.delete(key);
          if (r.value === null) continue;
          try {
            records.set(key, JSON.parse(r.value.toString('utf8')));
          } catch (err) {
            log?.warn?.({ err, offset: r.offset }, 'sql: skipping a malformed _sql-statements record');
          }
        }
        if ((consumer.position(tp) ?? 0n) >= last) return records;
      }
    } finally {
      await consumer.close().catch(() => {});
    }
  }

  /** Appends a record (null value = tombstone); resolves once it is durable (acks=all). */
  async put(key: RecordKey, value: unknown): Promise<void> {
    if (this.#closed) throw new Error('the statement store is closed');
    await this.#producer.send({
      topic: this.topic,
      partition: 0,
      key: encodeKey(key),
      value: value === null ? null : JSON.stringify(value),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }
}
