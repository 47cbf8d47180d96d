/**
 * Incremental fetch sessions (KIP-227).
 *
 * A client opens a session with sessionId 0 / epoch 0 and gets an id back; its
 * next requests (epoch 1, 2, ...) name only the partitions that changed and
 * the ones to forget, and the broker answers only with partitions that have
 * news (records, a moved high watermark or log start offset, or an error).
 * Epoch -1 is a full, sessionless fetch (closing the session if one is named).
 */
import { randomInt } from 'node:crypto';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';

/** A partition a session fetches, with what the client last saw. */
export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  /** Last values sent to the client, to tell whether there is news. */
  lastHighWatermark: number;
  lastLogStartOffset: number;
}

/** A fetch session: partitions in the order the client first asked for them. */
export interface FetchSession {
  id: number;
  epoch: number;
  partitions: Map<string, SessionPartition>;
  lastUsed: number;
}

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

/** Key of a session partition: by id when the client uses topic ids, else by name. */
export const sessionKey = (topicOrId: string, partition: number): string => `${topicOrId}:${partition}`;

/** The broker's fetch session cache (max.incremental.fetch.session.cache.slots). */
export class FetchSessionCache {
  readonly #sessions = new Map<number, FetchSession>();
  readonly #maxSlots: number;

  constructor(maxSlots = 1000) {
    this.#maxSlots = maxSlots;
  }

  /** Creates a session; evicts the least recently used one when full. */
  create(now: number): FetchSession {
    if (this.#sessions.size >= this.#maxSlots) {
      let oldest: FetchSession | undefined;
      for (const s of this.#sessions.values()) if (!oldest || s.lastUsed < oldest.lastUsed) oldest = s;
      if (oldest) this.#sessions.delete(oldest.id);
    }
    let id = 0;
    while (id === 0 || this.#sessions.has(id)) id = randomInt(1, 2 ** 31 - 1);
    // epoch 0 now; the response to this request moves it to 1, the first incremental epoch
    const s: FetchSession = { id, epoch: 0, partitions: new Map(), lastUsed: now };
    this.#sessions.set(id, s);
    return s;
  }

  /**
   * The session for an incremental request: FETCH_SESSION_ID_NOT_FOUND when
   * unknown, INVALID_FETCH_SESSION_EPOCH when the epoch is not the next one.
   */
  resume(id: number, epoch: number, now: number): FetchSession {
    const s = this.#sessions.get(id);
    if (!s) throw new KafkaError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (s.epoch !== epoch) {
      throw new KafkaError(ErrorCode.INVALID_FETCH_SESSION_EPOCH, `Expected epoch ${s.epoch}, got ${epoch}.`);
    }
    s.lastUsed = now;
    return s;
  }

  /** Moves a session to its next epoch after a response. */
  advance(s: FetchSession): void {
    s.epoch = s.epoch >= 2147483647 ? 1 : s.epoch + 1;
  }

  close(id: number): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
