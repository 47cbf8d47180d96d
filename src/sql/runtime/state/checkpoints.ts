/**
 * Where a job's checkpoints and savepoints live, and the transaction that makes them exactly-once.
 *
 * A job with checkpointing writes through one transactional producer (transactional id
 * `tributary-sql-<job key>`): exactly-once sinks send their records inside the open transaction, and a
 * checkpoint appends the job's snapshot to the compacted `_sql-checkpoints` topic in the same
 * transaction, then commits. Sink output and the state that produced it become visible together
 * (`read_committed`), so no two-phase commit is needed — the approach of Kafka Streams' exactly-once.
 * After a crash the restarted job opens the writer first (InitProducerId fences the dead producer and
 * aborts its open transaction), then reads its last committed checkpoint.
 *
 * Records (keys are strings; one partition):
 *   `ckpt/<job key>`             → header JSON {id, chunks, bytes, at}
 *   `ckpt/<job key>/<i>`         → chunk i of the encoded snapshot
 *   `sp/<savepoint id>`, `sp/<savepoint id>/<i>` → the same for a savepoint (kept until deleted)
 * Compaction keeps the latest of each key; a header is committed in the transaction of its chunks, so
 * the chunks read with the latest header are its own.
 */
import { Client, ErrorCode, type Logger, type Producer, type ProducerRecord } from '../../../client/index.ts';
import { decodeState, encodeState } from './codec.ts';

/** One operator's state in a snapshot. */
export interface OperatorSnapshot {
  /** Position among the job's stateful operators (`3:GroupAggregate`). */
  id: string;
  /** What state the operator holds (kind, input types, aggregate calls): must match to restore. */
  signature: string;
  /** The operator as EXPLAIN shows it, for messages. */
  text: string;
  /** encodeState(op.snapshotState()) */
  state: Uint8Array;
}

/** A job's state at one checkpoint. */
export interface JobSnapshot {
  version: 1;
  /** Checkpoint number (increasing per job key). */
  id: number;
  /** Epoch ms when taken. */
  at: number;
  operators: OperatorSnapshot[];
  /** Per source (in plan order): its scan's watermarks and the source's read positions. */
  sources: Array<{ id: string; scan: Uint8Array; source: Uint8Array | null }>;
}

const CHUNK = 256 * 1024;

/** Encodes a snapshot to bytes. */
export function encodeSnapshot(s: JobSnapshot): Buffer {
  return encodeState(s);
}

/** Decodes what encodeSnapshot wrote. */
export function decodeSnapshot(b: Uint8Array): JobSnapshot {
  const s = decodeState(b) as JobSnapshot;
  if (s?.version !== 1) throw new Error('unreadable checkpoint (unknown version)');
  return s;
}

/** Options of CheckpointStore. */
export interface CheckpointStoreOptions {
  bootstrapServers: string;
  /** Default `_sql-checkpoints`. */
  topic?: string;
  logger?: Logger;
}

/** The transactional writer of one job: sinks' records and its checkpoints. */
export interface CheckpointWriter {
  /** The cluster the transaction writes to; exactly-once sinks must write there. */
  readonly bootstrapServers: string;
  /** Sends a sink record in the open transaction (begun on first use); buffered while a commit runs. */
  send(record: ProducerRecord): Promise<unknown>;
  /** Writes `snapshot` (as a checkpoint, or as savepoint `savepoint`) and commits the transaction. */
  commit(snapshot: Buffer, savepoint?: string): Promise<void>;
  /** Records sent since the last commit are discarded (the transaction is aborted or left to be fenced). */
  close(): Promise<void>;
}

/** `_sql-checkpoints` through the project's client. */
export class CheckpointStore {
  readonly topic: string;
  readonly bootstrapServers: string;
  readonly #client: Client;
  #ready: Promise<void> | null = null;

  constructor(o: CheckpointStoreOptions) {
    this.topic = o.topic ?? '_sql-checkpoints';
    this.bootstrapServers = o.bootstrapServers;
    this.#client = new Client({
      bootstrapServers: o.bootstrapServers,
      clientId: 'tributary-sql-ckpt',
      logger: o.logger,
    });
  }

  /** Creates the topic when missing. */
  #ensureTopic(): Promise<void> {
    this.#ready ??= (async () => {
      const [created] = await this.#client.admin().createTopics([
        {
          name: this.topic,
          numPartitions: 1,
          configs: { 'cleanup.policy': 'compact', 'max.message.bytes': String(4 * 1024 * 1024) },
        },
      ]);
      if (created?.error && created.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw created.error;
    })();
    this.#ready.catch(() => {
      this.#ready = null;
    });
    return this.#ready;
  }

  /** Reads the topic (read_committed) to its end: the latest value of every key with one of `prefixes`. */
  async #read(prefix: string): Promise<Map<string, Buffer>> {
    await this.#ensureTopic();
    const tp = { topic: this.topic, partition: 0 };
    const [end] = await this.#client
      .admin()
      .listOffsets([{ ...tp, at: 'latest' }], { isolationLevel: 'read_committed' });
    const last = end?.offset ?? 0n;
    const out = new Map<string, Buffer>();
    if (last <= 0n) return out;
    const consumer = this.#client.consumer({ autoCommit: false, maxWaitMs: 200, isolationLevel: 'read_committed' });
    try {
      consumer.assign([{ ...tp, offset: 0n }]);
      for (;;) {
        for (const r of await consumer.poll(500)) {
          if (!r.key) continue;
          const key = r.key.toString('utf8');
          if (!key.startsWith(prefix)) continue;
          if (r.value === null) out.delete(key);
          else out.set(key, r.value);
        }
        if ((consumer.position(tp) ?? 0n) >= last) return out;
      }
    } finally {
      await consumer.close().catch(() => {});
    }
  }

  async #load(base: string): Promise<Buffer | null> {
    const records = await this.#read(base);
    const header = records.get(base);
    if (!header) return null;
    const h = JSON.parse(header.toString('utf8')) as { chunks: number; bytes: number };
    const parts: Buffer[] = [];
    for (let i = 0; i < h.chunks; i++) {
      const c = records.get(`${base}/${i}`);
      if (!c) throw new Error(`checkpoint ${base} is incomplete: chunk ${i} of ${h.chunks} is missing`);
      parts.push(c);
    }
    const all = Buffer.concat(parts);
    if (all.length !== h.bytes)
      throw new Error(`checkpoint ${base} is damaged: ${all.length} bytes, header says ${h.bytes}`);
    return all;
  }

  /** The last committed checkpoint of a job, or null. Open the job's writer first (it fences a dead one). */
  latest(jobKey: string): Promise<Buffer | null> {
    return this.#load(`ckpt/${jobKey}`);
  }

  /** A savepoint by the path STOP WITH SAVEPOINT returned; throws when there is none. */
  async savepoint(path: string): Promise<Buffer> {
    const id = savepointId(path);
    const b = await this.#load(`sp/${id}`);
    if (!b) throw new Error(`Savepoint '${path}' does not exist (or was not completed)`);
    return b;
  }

  /**
   * Opens the transactional writer of `jobKey`, fencing any earlier writer of the same key. A transaction
   * stays open from one checkpoint to the next, so its timeout is three intervals (at least a minute, at
   * most the broker's default transaction.max.timeout.ms of 15 minutes).
   */
  async open(jobKey: string, intervalMs = 0): Promise<CheckpointWriter> {
    await this.#ensureTopic();
    const producer = this.#client.producer({
      transactionalId: `tributary-sql-${jobKey}`,
      transactionTimeoutMs: Math.min(900_000, Math.max(60_000, intervalMs * 3)),
      acks: -1,
      lingerMs: 2,
      maxRequestSize: 4 * 1024 * 1024,
      allowAutoTopicCreation: true,
    });
    await producer.initTransactions();
    return new TxnWriter(producer, this.topic, jobKey, this.bootstrapServers);
  }

  /** Forgets a job's checkpoint (a tombstone for its header): a job of that key starts empty. */
  async forget(jobKey: string): Promise<void> {
    await this.#ensureTopic();
    const p = this.#client.producer({ acks: -1, lingerMs: 0 });
    try {
      await p.send({ topic: this.topic, partition: 0, key: `ckpt/${jobKey}`, value: null });
    } finally {
      await p.close().catch(() => {});
    }
  }

  /** Closes the client; gives up waiting after 5 s (a writer's records may be stuck on an unreachable cluster). */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#client.close().catch(() => {}),
      new Promise((r) => {
        timer = setTimeout(r, 5000);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** `savepoint-<id>` paths name savepoints; the id is what follows. */
export function savepointId(path: string): string {
  const m = /^(?:tributary:)?savepoint-([A-Za-z0-9._-]+)$/.exec(path.trim());
  if (!m)
    throw new Error(
      `Savepoint path '${path}' is not one Tributary wrote: expected 'savepoint-<id>' as STOP returned it`,
    );
  return m[1]!;
}

class TxnWriter implements CheckpointWriter {
  readonly bootstrapServers: string;
  readonly #producer: Producer;
  readonly #topic: string;
  readonly #key: string;
  #open = false;
  #committing = false;
  #held: Array<{ record: ProducerRecord; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  #closed = false;

  constructor(producer: Producer, topic: string, key: string, bootstrapServers: string) {
    this.#producer = producer;
    this.#topic = topic;
    this.#key = key;
    this.bootstrapServers = bootstrapServers;
  }

  send(record: ProducerRecord): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the job has stopped: its transaction is closed'));
    if (this.#committing)
      return new Promise((resolve, reject) => {
        this.#held.push({ record, resolve, reject });
      });
    if (!this.#open) {
      this.#producer.beginTransaction();
      this.#open = true;
    }
    return this.#producer.send(record);
  }

  async commit(snapshot: Buffer, savepoint?: string): Promise<void> {
    this.#committing = true;
    try {
      if (!this.#open) {
        this.#producer.beginTransaction();
        this.#open = true;
      }
      const base = savepoint === undefined ? `ckpt/${this.#key}` : `sp/${savepoint}`;
      const chunks = Math.max(1, Math.ceil(snapshot.length / CHUNK));
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < chunks; i++)
        sends.push(
          this.#producer.send({
            topic: this.#topic,
            partition: 0,
            key: `${base}/${i}`,
            value: snapshot.subarray(i * CHUNK, (i + 1) * CHUNK),
          }),
        );
      sends.push(
        this.#producer.send({
          topic: this.#topic,
          partition: 0,
          key: base,
          value: JSON.stringify({ chunks, bytes: snapshot.length, at: Date.now() }),
        }),
      );
      // a failed send also fails the commit: that is where the error surfaces
      for (const p of sends) p.catch(() => {});
      await this.#producer.commitTransaction();
      await Promise.all(sends);
      this.#open = false;
    } finally {
      this.#committing = false;
    }
    const held = this.#held;
    this.#held = [];
    for (const h of held) this.send(h.record).then(h.resolve, h.reject);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const h of this.#held) h.reject(new Error('the job has stopped: its transaction is closed'));
    this.#held = [];
    // an open transaction is aborted (or, when the cluster does not answer, left to be fenced at restart)
    const done = (async () => {
      if (this.#open) await this.#producer.abortTransaction().catch(() => {});
      await this.#producer.close().catch(() => {});
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }
}
