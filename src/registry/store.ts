/**
 * The registry's storage: the compacted `_schemas` topic (1 partition,
 * cleanup.policy=compact), written through the project's Producer with
 * acks=all and read back by a Consumer on manual assignment.
 *
 * - open(): creates the topic if missing, reads it from offset 0 up to the
 *   high watermark (state rebuilt), then keeps tailing it.
 * - write(): appends one record and returns only after the tail has applied
 *   it (read-your-writes), so a write answered to a client is visible in the
 *   next read on this instance.
 * - Writes on one instance are serialized (see Registry) so id and version
 *   allocation cannot race within an instance; across instances only the
 *   elected leader writes (leader.ts).
 */
import { Client, type Consumer, ErrorCode, type Logger, type Producer } from '../client/index.ts';
import { encodeKey, type RecordKey, RegistryState } from './state.ts';

/** Options of KafkaStore.open. */
export interface StoreOptions {
  bootstrapServers: string;
  topic?: string;
  logger?: Logger;
  /** How long a write waits to read its own record back; default 30000. */
  writeTimeoutMs?: number;
}

export class KafkaStore {
  readonly state = new RegistryState();
  readonly topic: string;
  readonly #client: Client;
  readonly #producer: Producer;
  readonly #consumer: Consumer;
  readonly #log: Logger | undefined;
  readonly #timeoutMs: number;
  #waiters: Array<{ offset: bigint; resolve: () => void }> = [];
  #closed = false;
  #tail: Promise<void> | null = null;
  #tailError: Error | null = null;

  private constructor(o: StoreOptions) {
    this.topic = o.topic ?? '_schemas';
    this.#log = o.logger;
    this.#timeoutMs = o.writeTimeoutMs ?? 30_000;
    this.#client = new Client({
      bootstrapServers: o.bootstrapServers,
      clientId: 'tributary-registry',
      logger: o.logger,
    });
    this.#producer = this.#client.producer({ acks: -1, lingerMs: 0 });
    this.#consumer = this.#client.consumer({ autoCommit: false, maxWaitMs: 200 });
  }

  /** Creates the topic when missing and reads it to its end. */
  static async open(o: StoreOptions): Promise<KafkaStore> {
    const store = new KafkaStore(o);
    try {
      await store.#start();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  async #start(): Promise<void> {
    const admin = this.#client.admin();
    const [created] = await admin.createTopics([
      { name: this.topic, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    if (created?.error && created.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw created.error;
    this.#consumer.assign([{ topic: this.topic, partition: 0, offset: 0n }]);
    this.#tail = this.#run();
    await this.catchUp();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      let records: Awaited<ReturnType<Consumer['poll']>>;
      try {
        records = await this.#consumer.poll(500);
      } catch (err) {
        if (this.#closed) return;
        this.#tailError = err as Error;
        this.#log?.error?.({ err }, 'registry: reading _schemas failed');
        for (const w of this.#waiters) w.resolve();
        this.#waiters = [];
        return;
      }
      for (const r of records) {
        if (r.key) {
          try {
            this.state.apply(r.key.toString('utf8'), r.value === null ? null : r.value.toString('utf8'));
          } catch (err) {
            this.#log?.warn?.({ err, offset: r.offset }, 'registry: skipping a malformed _schemas record');
          }
        }
        this.state.nextOffset = r.offset + 1n;
      }
      if (records.length > 0) {
        const done = this.#waiters.filter((w) => w.offset < this.state.nextOffset);
        this.#waiters = this.#waiters.filter((w) => w.offset >= this.state.nextOffset);
        for (const w of done) w.resolve();
      }
    }
  }

  #waitApplied(offset: bigint): Promise<void> {
    if (offset < this.state.nextOffset) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out reading back _schemas offset ${offset}`)),
        this.#timeoutMs,
      );
      this.#waiters.push({
        offset,
        resolve: () => {
          clearTimeout(timer);
          if (this.#tailError) reject(this.#tailError);
          else resolve();
        },
      });
    });
  }

  /** The store's client (the leader election's group member runs on it). */
  get client(): Client {
    return this.#client;
  }

  /** Waits until everything in `_schemas` up to its current end is applied. */
  async catchUp(): Promise<void> {
    const [end] = await this.#client.admin().listOffsets([{ topic: this.topic, partition: 0, at: 'latest' }]);
    if (end && end.offset > 0n) await this.#waitApplied(end.offset - 1n);
  }

  /** Appends a record (null value = tombstone) and waits until this instance has applied it. */
  async write(key: RecordKey, value: unknown): Promise<void> {
    if (this.#tailError) throw this.#tailError;
    const meta = await this.#producer.send({
      topic: this.topic,
      partition: 0,
      key: encodeKey(key),
      value: value === null ? null : JSON.stringify(value),
    });
    await this.#waitApplied(meta.offset);
  }

  /** Stops tailing and closes the client. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
    await this.#tail?.catch(() => {});
    for (const w of this.#waiters) w.resolve();
  }
}
