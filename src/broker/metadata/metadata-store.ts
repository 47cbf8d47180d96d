/**
 * The broker's metadata — cluster id, topics (ids, partition counts, config
 * overrides) and broker config overrides — kept as a log of records in
 * `data/meta/`, replayed at start and compacted into a snapshot (the KRaft
 * idea, on one node).
 *
 * File format of `metadata.log`: repeated `[int32 length][uint32 crc32c][JSON]`.
 * A torn or corrupt tail (a crash mid-write) is truncated on open. Every change
 * is fsynced before the call returns, so an acknowledged CreateTopics survives
 * kill -9. `snapshot.json` is replaced atomically (write, fsync, rename).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../protocol/records/index.ts';

/** A topic as the metadata knows it. */
export interface TopicMeta {
  name: string;
  /** Kafka's printed UUID form. */
  id: string;
  partitions: number;
  /** Topic-level config overrides (Kafka names → string values). */
  configs: Record<string, string>;
}

/** One change in the metadata log. */
export type MetadataRecord =
  | { type: 'cluster'; clusterId: string }
  | { type: 'topic'; topic: TopicMeta }
  | { type: 'partitions'; id: string; partitions: number }
  | { type: 'topic-config'; id: string; configs: Record<string, string | null> }
  | { type: 'broker-config'; configs: Record<string, string | null> }
  | { type: 'delete-topic'; id: string }
  /** A keyed entity of some kind (SCRAM credentials, ACLs, quotas...); value null deletes it. */
  | { type: 'entity'; kind: string; key: string; value: unknown };

interface Snapshot {
  clusterId: string;
  topics: TopicMeta[];
  brokerConfigs: Record<string, string>;
  entities?: Record<string, Record<string, unknown>>;
}

const SNAPSHOT_EVERY = 1000;

/** Durable metadata state with an in-memory view. */
export class MetadataStore {
  readonly #dir: string;
  #fd = -1;
  #records = 0;
  clusterId = '';
  readonly topicsByName = new Map<string, TopicMeta>();
  readonly topicsById = new Map<string, TopicMeta>();
  brokerConfigs: Record<string, string> = {};
  /** Entities by kind, then key (see `putEntity`). */
  readonly #entities = new Map<string, Map<string, unknown>>();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens (or creates) the metadata in `dir`, replaying snapshot and log. */
  static open(dir: string): MetadataStore {
    mkdirSync(dir, { recursive: true });
    const s = new MetadataStore(dir);
    s.#load();
    if (!s.clusterId) s.apply({ type: 'cluster', clusterId: randomBytes(16).toString('base64url') });
    return s;
  }

  #load(): void {
    const snap = join(this.#dir, 'snapshot.json');
    if (existsSync(snap)) {
      const data = JSON.parse(readFileSync(snap, 'utf8')) as Snapshot;
      this.clusterId = data.clusterId;
      this.brokerConfigs = data.brokerConfigs;
      for (const t of data.topics) this.#put(t);
      for (const [kind, byKey] of Object.entries(data.entities ?? {})) {
        this.#entities.set(kind, new Map(Object.entries(byKey)));
      }
    }
    const logPath = join(this.#dir, 'metadata.log');
    const buf = existsSync(logPath) ? readFileSync(logPath) : Buffer.alloc(0);
    let off = 0;
    while (off + 8 <= buf.length) {
      const len = buf.readInt32BE(off);
      if (len < 0 || off + 8 + len > buf.length) break;
      const body = buf.subarray(off + 8, off + 8 + len);
      if (crc32c(body) !== buf.readUInt32BE(off + 4)) break;
      this.#replay(JSON.parse(body.toString('utf8')) as MetadataRecord);
      this.#records++;
      off += 8 + len;
    }
    this.#fd = openSync(logPath, 'a+');
    if (off < buf.length) {
      // torn tail from a crash: drop it
      ftruncateSync(this.#fd, off);
      fsyncSync(this.#fd);
    }
  }

  #put(t: TopicMeta): void {
    this.topicsByName.set(t.name, t);
    this.topicsById.set(t.id, t);
  }

  #replay(r: MetadataRecord): void {
    switch (r.type) {
      case 'cluster':
        this.clusterId = r.clusterId;
        break;
      case 'topic':
        this.#put({ ...r.topic, configs: { ...r.topic.configs } });
        break;
      case 'partitions': {
        const t = this.topicsById.get(r.id);
        if (t) t.partitions = r.partitions;
        break;
      }
      case 'topic-config': {
        const t = this.topicsById.get(r.id);
        if (t) t.configs = mergeConfigs(t.configs, r.configs);
        break;
      }
      case 'broker-config':
        this.brokerConfigs = mergeConfigs(this.brokerConfigs, r.configs);
        break;
      case 'entity': {
        let byKey = this.#entities.get(r.kind);
        if (!byKey) {
          byKey = new Map();
          this.#entities.set(r.kind, byKey);
        }
        if (r.value === null) byKey.delete(r.key);
        else byKey.set(r.key, r.value);
        break;
      }
      case 'delete-topic': {
        const t = this.topicsById.get(r.id);
        if (t) {
          this.topicsById.delete(t.id);
          this.topicsByName.delete(t.name);
        }
        break;
      }
    }
  }

  /** Applies a change: durable (fsynced) before it is visible. */
  apply(r: MetadataRecord): void {
    const body = Buffer.from(JSON.stringify(r), 'utf8');
    const head = Buffer.alloc(8);
    head.writeInt32BE(body.length, 0);
    head.writeUInt32BE(crc32c(body), 4);
    writeSync(this.#fd, Buffer.concat([head, body]));
    fsyncSync(this.#fd);
    this.#replay(r);
    if (++this.#records >= SNAPSHOT_EVERY) this.snapshot();
  }

  /**
   * Stores (value) or deletes (null) one entity of a kind, durably. Kinds
   * are owned by one component each: 'scram-credential', 'acl', 'quota'...
   * Values must survive JSON.
   */
  putEntity(kind: string, key: string, value: unknown): void {
    this.apply({ type: 'entity', kind, key, value });
  }

  /** One entity, or undefined. */
  entity<T>(kind: string, key: string): T | undefined {
    return this.#entities.get(kind)?.get(key) as T | undefined;
  }

  /** Every entity of a kind, by key (a live view; do not modify). */
  entities<T>(kind: string): ReadonlyMap<string, T> {
    return (this.#entities.get(kind) ?? new Map()) as ReadonlyMap<string, T>;
  }

  /** Writes the whole state as a snapshot and starts an empty log. */
  snapshot(): void {
    const data: Snapshot = {
      clusterId: this.clusterId,
      topics: [...this.topicsById.values()],
      brokerConfigs: this.brokerConfigs,
      entities: Object.fromEntries([...this.#entities].map(([kind, byKey]) => [kind, Object.fromEntries(byKey)])),
    };
    const tmp = join(this.#dir, 'snapshot.json.tmp');
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(data));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.#dir, 'snapshot.json'));
    syncDir(this.#dir);
    ftruncateSync(this.#fd, 0);
    fsyncSync(this.#fd);
    this.#records = 0;
  }

  /** Closes the log file. */
  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }
}

function mergeConfigs(base: Record<string, string>, change: Record<string, string | null>): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** fsync a directory so a rename or create in it is durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
