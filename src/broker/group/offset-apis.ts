/**
 * OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups, transactional offset
 * commits and offset expiration, as Kafka's OffsetMetadataManager and
 * ClassicGroup validate them:
 *
 * - A commit with generation -1 (no member) is accepted only while the group
 *   is Empty; for an unknown group it creates a "simple" group (no protocol
 *   type). Otherwise the member and generation must be current
 *   (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION), and
 *   CompletingRebalance answers REBALANCE_IN_PROGRESS. A commit for an unknown
 *   group with a generation is GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION
 *   before. Metadata longer than offset.metadata.max.bytes is
 *   OFFSET_METADATA_TOO_LARGE for that partition only.
 * - Fetch answers -1 for partitions without an offset (and for unknown
 *   groups); with requireStable, UNSTABLE_OFFSET_COMMIT where a transaction's
 *   offsets are pending.
 * - Expiry: offsets of an Empty group expire offsets.retention.ms after the
 *   group became Empty; those of a Stable consumer group for topics it no
 *   longer subscribes to, and those of simple groups, that long after their
 *   commit. A group left Empty with no offsets is deleted.
 */
import { ErrorCode, KafkaError, toKafkaError } from '../../protocol/errors.ts';
import type { ClassicGroup } from './classic-group.ts';
import type { ClassicProtocol } from './classic-protocol.ts';
import type { GroupConfig } from './config.ts';
import type { OffsetStore, StoredOffset } from './offset-store.ts';
import type { CoordinatorRecord, OffsetsTopic, TxnTag } from './offsets-topic.ts';
import { encodeOffsetCommitValue, type OffsetCommitValue, offsetCommitKey } from './records.ts';

/** Offsets staged by a transactional producer, made visible by its commit marker. */
export interface TxnOffsetCommit {
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null }>;
  /** TxnOffsetCommit v3+: the member committing, checked as for OffsetCommit (absent: generation -1). */
  member?: { memberId: string; generationId: number; groupInstanceId: string | null };
}

/** Per-partition outcome of a transactional offset commit. */
export interface TxnOffsetResult {
  topic: string;
  partition: number;
  errorCode: number;
}

/** An OffsetCommit request as the coordinator takes it. */
export interface OffsetCommitInput {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: bigint;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      commitTimestamp: bigint;
      committedMetadata: string | null;
    }>;
  }>;
}

/** Per-topic, per-partition error codes. */
export type PartitionErrors = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

/** One group's OffsetFetch answer. */
export interface FetchedOffsets {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      metadata: string;
      errorCode: number;
    }>;
  }>;
}

/** What the offsets APIs need from the coordinator. */
export interface OffsetHost {
  readonly config: GroupConfig;
  readonly topic: OffsetsTopic;
  readonly offsets: OffsetStore;
  readonly protocol: ClassicProtocol;
  readonly groups: ReadonlyMap<string, ClassicGroup>;
  createGroup(groupId: string): ClassicGroup;
  removeGroup(groupId: string): void;
  status(groupId: string, allowEmptyId: boolean): number;
  tombstoneGroup(groupId: string): CoordinatorRecord;
  loaded(): Promise<void>;
}

/** Records for one partition, each with what applying it does to memory. */
interface Write {
  records: CoordinatorRecord[];
  apply: Array<(recordOffset: number) => void>;
}

const NO_OFFSET = { committedOffset: -1n, committedLeaderEpoch: -1, metadata: '' };

/** The offsets APIs over the coordinator's groups. */
export class OffsetApis {
  readonly #h: OffsetHost;
  /** Epoch of each producer with staged offsets (for its end marker). */
  readonly #epochs = new Map<bigint, number>();

  constructor(host: OffsetHost) {
    this.#h = host;
  }

  /** Remembers a producer's epoch seen in the log. */
  noteProducerEpoch(producerId: bigint, epoch: number): void {
    this.#epochs.set(producerId, epoch);
  }

  /** Kafka's ClassicGroup.validateOffsetCommit; NONE when the commit may proceed. */
  validateCommit(
    group: ClassicGroup,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    transactional: boolean,
  ): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // generation -1: an admin client or a consumer without group management
    if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const error = this.#h.protocol.validateMember(group, memberId, groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!transactional && !group.is('Empty')) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (!transactional && group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /**
   * Appends a partition's records and applies them. The answer does not wait
   * for fsync (Kafka does not fsync offset commits either; a commit lost to a
   * power cut means redelivery, which consumers already handle): the flush
   * runs in the background, shared with concurrent commits, so the records
   * reach the disk promptly without an fsync on every consumer's delivery path.
   * A process crash loses nothing: the bytes are in the OS page cache.
   */
  async #write(partition: number, w: Write, txn?: TxnTag): Promise<void> {
    if (w.records.length === 0) return;
    const offsets = this.#h.topic.append(partition, w.records, txn);
    w.apply.forEach((apply, i) => {
      apply(offsets[i] as number);
    });
    this.#h.topic.flush(partition).catch(() => {
      // the log goes offline on a failed fsync; later writes answer NOT_COORDINATOR
    });
  }

  #writesByPartition(): { get(groupId: string): Write; all: Map<number, Write> } {
    const all = new Map<number, Write>();
    return {
      all,
      get: (groupId) => {
        const p = this.#h.topic.partitionFor(groupId);
        let w = all.get(p);
        if (!w) all.set(p, (w = { records: [], apply: [] }));
        return w;
      },
    };
  }

  #tombstone(w: Write, groupId: string, topic: string, partition: number): void {
    w.records.push({ key: offsetCommitKey(groupId, topic, partition), value: null });
    w.apply.push((at) => this.#h.offsets.replayCommit(at, -1n, groupId, topic, partition, null));
  }

  // ---- OffsetCommit ---------------------------------------------------------

  /** OffsetCommit (topics already checked to exist); per-partition error codes. */
  async commit(req: OffsetCommitInput, apiVersion: number): Promise<PartitionErrors> {
    const fail = (code: number): PartitionErrors =>
      req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
      }));
    let error = this.#h.status(req.groupId, true);
    if (error !== ErrorCode.NONE) return fail(error);
    try {
      await this.#h.topic.ensure();
    } catch (err) {
      return fail(toKafkaError(err).code);
    }
    error = this.#h.status(req.groupId, true);
    if (error !== ErrorCode.NONE) return fail(error);
    let group = this.#h.groups.get(req.groupId);
    let created = false;
    if (!group) {
      if (req.generationIdOrMemberEpoch >= 0) {
        return fail(apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
      group = this.#h.createGroup(req.groupId);
      created = true;
    }
    error = this.validateCommit(group, req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, false);
    if (error !== ErrorCode.NONE) return fail(error);
    if (group.is('Stable') || group.is('PreparingRebalance')) {
      // a commit keeps the member's session alive
      const member = group.members.get(req.memberId);
      if (member) this.#h.protocol.rescheduleHeartbeat(group, member);
    }
    const now = Date.now();
    const expireTimestamp = req.retentionTimeMs === -1n ? null : now + Number(req.retentionTimeMs);
    const w: Write = { records: [], apply: [] };
    const groupId = req.groupId;
    const result: PartitionErrors = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.#h.config.offsetMetadataMaxBytes) {
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        }
        const value: OffsetCommitValue = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: p.commitTimestamp === -1n ? now : Number(p.commitTimestamp),
          expireTimestamp,
        };
        w.records.push({
          key: offsetCommitKey(groupId, t.name, p.partitionIndex),
          value: encodeOffsetCommitValue(value),
        });
        w.apply.push((at) => this.#h.offsets.replayCommit(at, -1n, groupId, t.name, p.partitionIndex, value));
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    try {
      await this.#write(this.#h.topic.partitionFor(groupId), w);
    } catch (err) {
      if (created && !this.#h.offsets.hasOffsets(groupId)) this.#h.removeGroup(groupId);
      return fail(toKafkaError(err).code);
    }
    return result;
  }

  // ---- OffsetFetch ----------------------------------------------------------

  /** OffsetFetch for one group: the given partitions, or every committed one (`topics` null). */
  fetch(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null,
    requireStable: boolean,
  ): FetchedOffsets {
    const error = this.#h.status(groupId, true);
    if (error !== ErrorCode.NONE) return { errorCode: error, topics: [] };
    const group = this.#h.groups.get(groupId);
    const known = group !== undefined && !group.is('Dead');
    const { offsets } = this.#h;
    const entry = (topic: string, p: number, o: StoredOffset | undefined) => {
      if (requireStable && offsets.hasPending(groupId, topic, p)) {
        return { partitionIndex: p, ...NO_OFFSET, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
      }
      if (!o) return { partitionIndex: p, ...NO_OFFSET, errorCode: ErrorCode.NONE };
      return {
        partitionIndex: p,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        errorCode: ErrorCode.NONE,
      };
    };
    if (topics === null) {
      if (!known) return { errorCode: ErrorCode.NONE, topics: [] };
      const byTopic = new Map<string, FetchedOffsets['topics'][number]>();
      for (const [topic, p, o] of offsets.all(groupId)) {
        let t = byTopic.get(topic);
        if (!t) byTopic.set(topic, (t = { name: topic, partitions: [] }));
        t.partitions.push(entry(topic, p, o));
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic.values()] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) =>
          known ? entry(t.name, p, offsets.get(groupId, t.name, p)) : { partitionIndex: p, ...NO_OFFSET, errorCode: 0 },
        ),
      })),
    };
  }

  // ---- OffsetDelete ---------------------------------------------------------

  /** OffsetDelete (topics already checked to exist): a group error, or per-partition errors. */
  async delete(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>,
  ): Promise<{ errorCode: number; topics: PartitionErrors }> {
    const failed = (errorCode: number) => ({ errorCode, topics: [] });
    let error = this.#h.status(groupId, false);
    if (error !== ErrorCode.NONE) return failed(error);
    try {
      await this.#h.topic.ensure();
    } catch (err) {
      return failed(toKafkaError(err).code);
    }
    error = this.#h.status(groupId, false);
    if (error !== ErrorCode.NONE) return failed(error);
    const group = this.#h.groups.get(groupId);
    if (!group || group.is('Dead')) return failed(ErrorCode.GROUP_ID_NOT_FOUND);
    if (!group.is('Empty') && !group.usesConsumerProtocol()) return failed(ErrorCode.NON_EMPTY_GROUP);
    const w: Write = { records: [], apply: [] };
    const { offsets } = this.#h;
    const result: PartitionErrors = topics.map((t) => {
      // a consumer group still reading the topic keeps its offsets
      const subscribed = group.isSubscribedToTopic(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (subscribed) return { partitionIndex: p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          if (offsets.get(groupId, t.name, p) || offsets.hasPending(groupId, t.name, p)) {
            this.#tombstone(w, groupId, t.name, p);
          }
          return { partitionIndex: p, errorCode: ErrorCode.NONE };
        }),
      };
    });
    try {
      await this.#write(this.#h.topic.partitionFor(groupId), w);
    } catch (err) {
      return failed(toKafkaError(err).code);
    }
    return { errorCode: ErrorCode.NONE, topics: result };
  }

  // ---- DeleteGroups ---------------------------------------------------------

  /** DeleteGroups: Empty groups go, with their offsets; others get NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND. */
  async deleteGroups(groupIds: readonly string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const results = groupIds.map((groupId) => ({ groupId, errorCode: this.#h.status(groupId, true) as number }));
    if (results.every((r) => r.errorCode !== ErrorCode.NONE)) return results;
    try {
      await this.#h.topic.ensure();
    } catch (err) {
      const code = toKafkaError(err).code;
      return results.map((r) => (r.errorCode === ErrorCode.NONE ? { ...r, errorCode: code } : r));
    }
    const writes = this.#writesByPartition();
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE) continue;
      r.errorCode = this.#h.status(r.groupId, true);
      if (r.errorCode !== ErrorCode.NONE) continue;
      const group = this.#h.groups.get(r.groupId);
      if (!group || group.is('Dead')) r.errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
      else if (!group.is('Empty')) r.errorCode = ErrorCode.NON_EMPTY_GROUP;
      else this.#deleteGroupRecords(writes.get(r.groupId), r.groupId);
    }
    await Promise.all(
      [...writes.all].map(async ([partition, w]) => {
        try {
          await this.#write(partition, w);
        } catch (err) {
          const code = toKafkaError(err).code;
          for (const r of results) {
            if (r.errorCode === ErrorCode.NONE && this.#h.topic.partitionFor(r.groupId) === partition)
              r.errorCode = code;
          }
        }
      }),
    );
    return results;
  }

  #deleteGroupRecords(w: Write, groupId: string): void {
    const { offsets } = this.#h;
    for (const [topic, p] of offsets.all(groupId)) this.#tombstone(w, groupId, topic, p);
    for (const [topic, p] of offsets.pendingOnly(groupId)) this.#tombstone(w, groupId, topic, p);
    w.records.push(this.#h.tombstoneGroup(groupId));
    w.apply.push(() => this.#h.removeGroup(groupId));
  }

  // ---- transactions -----------------------------------------------------------

  /** TxnOffsetCommit: stages the offsets under the producer (see GroupCoordinator.stageTxnOffsets). */
  async stageTxnOffsets(c: TxnOffsetCommit): Promise<TxnOffsetResult[]> {
    const check = (): void => {
      const error = this.#h.status(c.groupId, false);
      if (error !== ErrorCode.NONE) throw new KafkaError(error);
    };
    check();
    await this.#h.topic.ensure().catch((err) => {
      throw toKafkaError(err);
    });
    check();
    const memberId = c.member?.memberId ?? '';
    const generationId = c.member?.generationId ?? -1;
    const instanceId = c.member?.groupInstanceId ?? null;
    let group = this.#h.groups.get(c.groupId);
    let created = false;
    if (!group) {
      if (generationId >= 0) throw new KafkaError(ErrorCode.ILLEGAL_GENERATION);
      group = this.#h.createGroup(c.groupId);
      created = true;
    }
    const error = this.validateCommit(group, memberId, instanceId, generationId, true);
    if (error !== ErrorCode.NONE) throw new KafkaError(error);
    const now = Date.now();
    const w: Write = { records: [], apply: [] };
    const { groupId, producerId } = c;
    const results = c.offsets.map((o) => {
      if (o.metadata !== null && o.metadata.length > this.#h.config.offsetMetadataMaxBytes) {
        return { topic: o.topic, partition: o.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
      }
      const value: OffsetCommitValue = {
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata: o.metadata ?? '',
        commitTimestamp: now,
        expireTimestamp: null,
      };
      w.records.push({ key: offsetCommitKey(groupId, o.topic, o.partition), value: encodeOffsetCommitValue(value) });
      w.apply.push((at) => this.#h.offsets.replayCommit(at, producerId, groupId, o.topic, o.partition, value));
      return { topic: o.topic, partition: o.partition, errorCode: ErrorCode.NONE };
    });
    this.#epochs.set(producerId, c.producerEpoch);
    try {
      await this.#write(this.#h.topic.partitionFor(groupId), w, { producerId, producerEpoch: c.producerEpoch });
    } catch (err) {
      if (created && !this.#h.offsets.hasOffsets(groupId) && !this.#h.offsets.hasOpenTransactions(groupId)) {
        this.#h.removeGroup(groupId);
      }
      throw toKafkaError(err);
    }
    return results;
  }

  /** Writes the producer's end marker to the group's partition and applies it. */
  async completeTransaction(groupId: string, producerId: bigint, commit: boolean, epoch?: number): Promise<void> {
    if (this.#h.status(groupId, true) === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) await this.#h.loaded();
    const error = this.#h.status(groupId, true);
    if (error !== ErrorCode.NONE) throw new KafkaError(error);
    if (!this.#h.topic.exists) return; // nothing was ever staged
    const { topic, offsets } = this.#h;
    const partition = topic.partitionFor(groupId);
    const producerEpoch = epoch ?? this.#epochs.get(producerId) ?? 0;
    topic.appendMarker(partition, { producerId, producerEpoch }, commit);
    offsets.replayMarker(producerId, commit, (g) => topic.partitionFor(g) === partition);
    if (!offsets.hasPendingForProducer(producerId)) this.#epochs.delete(producerId);
    await topic.flush(partition);
  }

  // ---- topic deletion -------------------------------------------------------

  /** Tombstones every group's committed offsets of a deleted topic, as Kafka does when a topic goes. */
  async removeTopic(topic: string): Promise<void> {
    if (!this.#h.topic.exists) return;
    const writes = this.#writesByPartition();
    for (const groupId of this.#h.groups.keys()) {
      for (const [t, p] of this.#h.offsets.all(groupId)) {
        if (t === topic && !this.#h.offsets.hasPending(groupId, t, p))
          this.#tombstone(writes.get(groupId), groupId, t, p);
      }
    }
    await Promise.all([...writes.all].map(([partition, w]) => this.#write(partition, w)));
  }

  // ---- expiration -----------------------------------------------------------

  /** One expiration pass: tombstones for expired offsets, and deletion of Empty groups left without any. */
  async cleanupExpired(now: number): Promise<void> {
    if (!this.#h.topic.exists) {
      // nothing was ever written: Empty groups only live in memory
      for (const [groupId, g] of [...this.#h.groups]) {
        if (g.is('Empty') && g.numPendingJoin === 0) this.#h.removeGroup(groupId);
      }
      return;
    }
    const writes = this.#writesByPartition();
    const retention = this.#h.config.offsetsRetentionMs;
    for (const [groupId, group] of this.#h.groups) {
      if (group.is('Dead')) continue;
      let allExpired = true;
      const base = this.expiryBase(group);
      if (base === null) {
        allExpired = !this.#h.offsets.hasOffsets(groupId);
      } else {
        for (const [topic, p, o] of this.#h.offsets.all(groupId)) {
          if (this.isSubscribed(group, topic)) {
            allExpired = false;
            continue;
          }
          const expired = o.expireTimestamp !== null ? now >= o.expireTimestamp : now - base(o) >= retention;
          if (expired && !this.#h.offsets.hasPending(groupId, topic, p)) {
            this.#tombstone(writes.get(groupId), groupId, topic, p);
          } else {
            allExpired = false;
          }
        }
      }
      // a group still being joined (a member holds a MEMBER_ID_REQUIRED id) is not deleted
      if (
        allExpired &&
        group.is('Empty') &&
        group.numPendingJoin === 0 &&
        !this.#h.offsets.hasOpenTransactions(groupId)
      ) {
        const w = writes.get(groupId);
        w.records.push(this.#h.tombstoneGroup(groupId));
        w.apply.push(() => this.#h.removeGroup(groupId));
      }
    }
    await Promise.all([...writes.all].map(([partition, w]) => this.#write(partition, w)));
  }

  /** Kafka's offsetExpirationCondition: what an offset's age counts from, or null if offsets do not expire now. */
  protected expiryBase(group: ClassicGroup): ((o: StoredOffset) => number) | null {
    if (group.protocolType === null) return (o) => o.commitTimestamp;
    if (group.is('Empty')) return (o) => group.stateTimestamp ?? o.commitTimestamp;
    if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is('Stable')) {
      return (o) => o.commitTimestamp;
    }
    return null;
  }

  /** Whether the group's offsets of `topic` are in use (they never expire then). */
  protected isSubscribed(group: ClassicGroup, topic: string): boolean {
    return group.isSubscribedToTopic(topic);
  }
}
