/**
 * Producer state of one partition (Kafka's ProducerStateManager,
 * ProducerStateEntry and ProducerAppendInfo): per producer id its epoch, the
 * sequence and offsets of its last five batches, the coordinator epoch of its
 * last marker and the first offset of its open transaction.
 *
 * - Idempotence: a client batch whose epoch and sequence range equal one of
 *   the five retained batches is a duplicate — the log answers with the
 *   original offsets and writes nothing. Otherwise, with the same epoch the
 *   first sequence must follow the last one (OUT_OF_ORDER_SEQUENCE_NUMBER); a
 *   new epoch must start at 0 unless the producer is unknown (its state
 *   expired or was never seen: any sequence is accepted, as Kafka does since
 *   KIP-360). An epoch older than the producer's is INVALID_PRODUCER_EPOCH.
 * - Transactions: the first transactional batch of a producer opens a
 *   transaction at its offset; its COMMIT/ABORT marker closes it. Open
 *   transactions bound the last stable offset; aborted ones become entries of
 *   the aborted-transaction index. A non-transactional batch while a
 *   transaction is open is INVALID_TXN_STATE.
 * - Snapshots (`<offset>.snapshot`, Kafka's ProducerSnapshot v1 layout:
 *   version int16 · CRC-32C uint32 of what follows · entries) keep, per
 *   producer, its epoch, last batch and open transaction, so de-duplication
 *   and open transactions survive a restart; the log replays the batches
 *   after the snapshot to rebuild the rest.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { crc32c } from '../../protocol/records/index.ts';

export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Batches retained per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

/** Sequence arithmetic wraps at Integer.MAX_VALUE, as DefaultRecordBatch.incrementSequence. */
export function incrementSequence(seq: number, by: number): number {
  return seq > INT32_MAX - by ? by - (INT32_MAX - seq) - 1 : seq + by;
}

function decrementSequence(seq: number, by: number): number {
  return seq < by ? INT32_MAX - (by - seq) + 1 : seq - by;
}

/** Who is appending: a producer, a coordinator (markers, internal topics), or the log replaying itself on open. */
export type ProducerOrigin = 'client' | 'coordinator' | 'replay';

/** A batch with a producer id, offsets already assigned. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  transactional: boolean;
  /** Control batches: the COMMIT/ABORT marker, or null for an empty or unknown control batch. */
  marker?: { commit: boolean; coordinatorEpoch: number } | null;
}

/** Sequence and offsets of one retained batch. */
export interface BatchMetadata {
  lastSeq: number;
  lastOffset: number;
  /** lastOffset - firstOffset (= lastSeq - firstSeq). */
  offsetDelta: number;
  timestamp: number;
}

/** First offset of a retained batch. */
export const firstOffsetOf = (b: BatchMetadata): number => b.lastOffset - b.offsetDelta;
const firstSeqOf = (b: BatchMetadata): number => decrementSequence(b.lastSeq, b.offsetDelta);

/** A transaction that a marker closed. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  aborted: boolean;
}

/** What the log knows about one producer id. */
export class ProducerStateEntry {
  readonly producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  lastTimestamp: number;
  /** First offset of the open transaction, -1 if none. */
  currentTxnFirstOffset: number;
  readonly batches: BatchMetadata[] = [];

  constructor(producerId: number, epoch = NO_PRODUCER_EPOCH, coordinatorEpoch = -1, lastTimestamp = -1, txnFirst = -1) {
    this.producerId = producerId;
    this.producerEpoch = epoch;
    this.coordinatorEpoch = coordinatorEpoch;
    this.lastTimestamp = lastTimestamp;
    this.currentTxnFirstOffset = txnFirst;
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }
  get lastSeq(): number {
    return this.batches.at(-1)?.lastSeq ?? NO_SEQUENCE;
  }
  get lastDataOffset(): number {
    return this.batches.at(-1)?.lastOffset ?? -1;
  }

  /** A copy with the same epoch, coordinator epoch, timestamp and open transaction but no batches. */
  withoutBatches(): ProducerStateEntry {
    return new ProducerStateEntry(
      this.producerId,
      this.producerEpoch,
      this.coordinatorEpoch,
      this.lastTimestamp,
      this.currentTxnFirstOffset,
    );
  }

  /** A new epoch forgets the batches of the old one. */
  maybeUpdateEpoch(epoch: number): void {
    if (this.producerEpoch !== epoch) {
      this.batches.length = 0;
      this.producerEpoch = epoch;
    }
  }

  addBatch(epoch: number, b: BatchMetadata): void {
    this.maybeUpdateEpoch(epoch);
    this.#retain(b);
    this.lastTimestamp = b.timestamp;
  }

  #retain(b: BatchMetadata): void {
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(b);
  }

  /** Takes over what an append produced (Kafka's update(nextEntry)). */
  updateFrom(next: ProducerStateEntry): void {
    this.maybeUpdateEpoch(next.producerEpoch);
    for (const b of next.batches) this.#retain(b);
    this.coordinatorEpoch = next.coordinatorEpoch;
    this.currentTxnFirstOffset = next.currentTxnFirstOffset;
    this.lastTimestamp = next.lastTimestamp;
  }

  /** The retained batch with exactly this epoch and sequence range. */
  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined;
    return this.batches.find((b) => b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq);
  }
}

/** The changes one append makes to one producer, checked before anything is written. */
class ProducerAppendInfo {
  readonly current: ProducerStateEntry;
  readonly updated: ProducerStateEntry;
  readonly startedTxns: number[] = [];
  readonly #origin: ProducerOrigin;
  readonly #where: string;

  constructor(current: ProducerStateEntry, origin: ProducerOrigin, where: string) {
    this.current = current;
    this.updated = current.withoutBatches();
    this.#origin = origin;
    this.#where = where;
  }

  #checkEpoch(epoch: number, offset: number): void {
    if (epoch < this.updated.producerEpoch && this.#origin !== 'replay') {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `Epoch of producer ${this.current.producerId} at offset ${offset} in ${this.#where} is ${epoch}, which is smaller than the last seen epoch ${this.updated.producerEpoch}`,
      );
    }
  }

  #checkSequence(epoch: number, firstSeq: number, offset: number): void {
    const id = this.current.producerId;
    if (epoch !== this.updated.producerEpoch) {
      if (firstSeq !== 0 && this.updated.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${id} at offset ${offset} in ${this.#where}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${this.updated.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    const lastSeq = !this.updated.isEmpty
      ? this.updated.lastSeq
      : epoch === this.current.producerEpoch
        ? this.current.lastSeq
        : NO_SEQUENCE;
    const inSequence = firstSeq === lastSeq + 1 || (firstSeq === 0 && lastSeq === INT32_MAX);
    // No epoch known (state expired or removed with the log): any sequence is accepted.
    if (this.current.producerEpoch !== NO_PRODUCER_EPOCH && !inSequence) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Out of order sequence number for producer ${id} at offset ${offset} in ${this.#where}: ${firstSeq} (incoming seq. number), ${lastSeq} (current end sequence number)`,
      );
    }
  }

  appendData(b: ProducerBatch): void {
    this.#checkEpoch(b.producerEpoch, b.baseOffset);
    if (this.#origin === 'client') this.#checkSequence(b.producerEpoch, b.baseSequence, b.baseOffset);
    const delta = b.lastOffset - b.baseOffset;
    this.updated.addBatch(b.producerEpoch, {
      lastSeq: incrementSequence(b.baseSequence, delta),
      lastOffset: b.lastOffset,
      offsetDelta: delta,
      timestamp: b.maxTimestamp,
    });
    const open = this.updated.currentTxnFirstOffset >= 0;
    if (open && !b.transactional) {
      throw new KafkaError(
        ErrorCode.INVALID_TXN_STATE,
        `Expected transactional write from producer ${this.current.producerId} at offset ${b.baseOffset} in ${this.#where}`,
      );
    }
    if (!open && b.transactional) {
      this.updated.currentTxnFirstOffset = b.baseOffset;
      this.startedTxns.push(b.baseOffset);
    }
  }

  appendMarker(b: ProducerBatch, marker: { commit: boolean; coordinatorEpoch: number }): CompletedTxn | null {
    this.#checkEpoch(b.producerEpoch, b.baseOffset);
    if (this.updated.coordinatorEpoch > marker.coordinatorEpoch && this.#origin !== 'replay') {
      throw new KafkaError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `Invalid coordinator epoch for producerId ${this.current.producerId} at offset ${b.baseOffset} in ${this.#where}: ${marker.coordinatorEpoch} (zombie), ${this.updated.coordinatorEpoch} (current)`,
      );
    }
    const first = this.updated.currentTxnFirstOffset;
    const completed =
      first >= 0
        ? { producerId: this.current.producerId, firstOffset: first, lastOffset: b.baseOffset, aborted: !marker.commit }
        : null;
    this.updated.maybeUpdateEpoch(b.producerEpoch);
    this.updated.coordinatorEpoch = marker.coordinatorEpoch;
    this.updated.currentTxnFirstOffset = -1;
    this.updated.lastTimestamp = b.maxTimestamp;
    return completed;
  }
}

/** What one append will change, or the batch it duplicates. */
export interface PreparedAppend {
  /** Set when the (single) batch repeats a retained one: nothing is written, its offsets are answered. */
  duplicate: BatchMetadata | null;
  infos: Map<number, ProducerAppendInfo>;
  completed: CompletedTxn[];
}

/** A transaction closed by an append, with the LSO right after its marker (for the aborted index). */
export interface AppliedTxn extends CompletedTxn {
  lastStableOffset: number;
}

/** Kafka's ProducerSnapshot version 1. */
const SNAPSHOT_VERSION = 1;
const ENTRIES_AT = 6;
const SNAPSHOT_ENTRY_SIZE = 46;

/** Every producer of one partition. */
export class ProducerStateManager {
  readonly #where: string;
  readonly #producers = new Map<number, ProducerStateEntry>();
  /** Open transactions: first offset → producer id, in ascending offset order. */
  #ongoing = new Map<number, number>();
  /** The log offset this state is current up to. */
  mapEndOffset = 0;

  /** `where` names the partition in error messages. */
  constructor(where: string) {
    this.#where = where;
  }

  /** The state of a producer, if known. */
  entry(producerId: number): ProducerStateEntry | undefined {
    return this.#producers.get(producerId);
  }

  /** Every known producer. */
  producers(): IterableIterator<ProducerStateEntry> {
    return this.#producers.values();
  }

  /** Whether the producer has a transaction open in this partition. */
  hasOngoingTransaction(producerId: number): boolean {
    return (this.#producers.get(producerId)?.currentTxnFirstOffset ?? -1) >= 0;
  }

  /** First offset of the earliest open transaction, or null. */
  firstUnstableOffset(): number | null {
    for (const first of this.#ongoing.keys()) return first;
    return null;
  }

  /**
   * Checks the producer batches of one append (offsets assigned, nothing
   * written yet) and computes the changes. Throws KafkaError with Kafka's
   * code; returns the duplicate when a client batch repeats a retained one.
   */
  prepare(batches: readonly ProducerBatch[], origin: ProducerOrigin): PreparedAppend {
    const infos = new Map<number, ProducerAppendInfo>();
    const completed: CompletedTxn[] = [];
    for (const b of batches) {
      if (origin === 'client') {
        const last = this.#producers.get(b.producerId);
        const dup = last?.findDuplicate(
          b.producerEpoch,
          b.baseSequence,
          incrementSequence(b.baseSequence, b.lastOffset - b.baseOffset),
        );
        if (dup) return { duplicate: dup, infos, completed };
      }
      let info = infos.get(b.producerId);
      if (!info) {
        const current = this.#producers.get(b.producerId) ?? new ProducerStateEntry(b.producerId);
        info = new ProducerAppendInfo(current, origin, this.#where);
        infos.set(b.producerId, info);
      }
      if (b.marker === undefined) info.appendData(b);
      else if (b.marker !== null) {
        const c = info.appendMarker(b, b.marker);
        if (c) completed.push(c);
      }
    }
    return { duplicate: null, infos, completed };
  }

  /** Applies a prepared append once its batches are written. */
  apply(p: PreparedAppend, endOffset: number): AppliedTxn[] {
    for (const info of p.infos.values()) {
      const existing = this.#producers.get(info.current.producerId);
      if (existing) existing.updateFrom(info.updated);
      else this.#producers.set(info.current.producerId, info.updated);
      for (const first of info.startedTxns) this.#ongoing.set(first, info.current.producerId);
    }
    const applied: AppliedTxn[] = [];
    for (const c of p.completed) {
      applied.push({ ...c, lastStableOffset: this.#lastStableOffsetAfter(c) });
      this.#ongoing.delete(c.firstOffset);
    }
    this.mapEndOffset = endOffset;
    return applied;
  }

  /** The LSO once `c` completes: the first open transaction of another producer, or right after the marker. */
  #lastStableOffsetAfter(c: CompletedTxn): number {
    for (const [first, pid] of this.#ongoing) if (pid !== c.producerId) return first;
    return c.lastOffset + 1;
  }

  /** Forgets producers idle for `expirationMs` with no open transaction (producer.id.expiration.ms). */
  removeExpired(now: number, expirationMs: number): void {
    for (const [id, e] of this.#producers) {
      if (e.currentTxnFirstOffset < 0 && now - e.lastTimestamp >= expirationMs) this.#producers.delete(id);
    }
  }

  /** Forgets everything (before loading a snapshot). */
  clear(offset: number): void {
    this.#producers.clear();
    this.#ongoing.clear();
    this.mapEndOffset = offset;
  }

  /** The snapshot file content for the current state. */
  snapshot(): Buffer {
    const entries = [...this.#producers.values()];
    const buf = Buffer.alloc(ENTRIES_AT + 4 + entries.length * SNAPSHOT_ENTRY_SIZE);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    buf.writeInt32BE(entries.length, ENTRIES_AT);
    let at = ENTRIES_AT + 4;
    for (const e of entries) {
      const last = e.batches.at(-1);
      buf.writeBigInt64BE(BigInt(e.producerId), at);
      buf.writeInt16BE(e.producerEpoch, at + 8);
      buf.writeInt32BE(e.lastSeq, at + 10);
      buf.writeBigInt64BE(BigInt(e.lastDataOffset), at + 14);
      buf.writeInt32BE(last?.offsetDelta ?? 0, at + 22);
      buf.writeBigInt64BE(BigInt(e.lastTimestamp), at + 26);
      buf.writeInt32BE(e.coordinatorEpoch, at + 34);
      buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), at + 38);
      at += SNAPSHOT_ENTRY_SIZE;
    }
    buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_AT)), 2);
    return buf;
  }

  /**
   * Replaces the state with a snapshot taken at `offset`, skipping producers
   * expired by `now`. Throws if the file is corrupt (the caller falls back to
   * an older snapshot or a full replay).
   */
  loadSnapshot(buf: Buffer, offset: number, now: number, expirationMs: number): void {
    if (buf.length < ENTRIES_AT + 4) throw new Error('snapshot too short');
    const version = buf.readInt16BE(0);
    if (version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${version}`);
    if (crc32c(buf.subarray(ENTRIES_AT)) !== buf.readUInt32BE(2)) throw new Error('snapshot CRC mismatch');
    const n = buf.readInt32BE(ENTRIES_AT);
    if (n < 0 || buf.length !== ENTRIES_AT + 4 + n * SNAPSHOT_ENTRY_SIZE) throw new Error('snapshot size mismatch');
    this.clear(offset);
    const open: Array<[number, number]> = [];
    for (let i = 0, at = ENTRIES_AT + 4; i < n; i++, at += SNAPSHOT_ENTRY_SIZE) {
      const pid = Number(buf.readBigInt64BE(at));
      const lastOffset = Number(buf.readBigInt64BE(at + 14));
      const timestamp = Number(buf.readBigInt64BE(at + 26));
      const txnFirst = Number(buf.readBigInt64BE(at + 38));
      if (txnFirst < 0 && now - timestamp >= expirationMs) continue;
      const e = new ProducerStateEntry(pid, buf.readInt16BE(at + 8), buf.readInt32BE(at + 34), timestamp, txnFirst);
      if (lastOffset >= 0) {
        e.batches.push({
          lastSeq: buf.readInt32BE(at + 10),
          lastOffset,
          offsetDelta: buf.readInt32BE(at + 22),
          timestamp,
        });
      }
      this.#producers.set(pid, e);
      if (txnFirst >= 0) open.push([txnFirst, pid]);
    }
    this.#ongoing = new Map(open.sort((a, b) => a[0] - b[0]));
  }
}
