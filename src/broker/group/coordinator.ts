/**
 * The group coordinator. (Skeleton: the implementation grows here.)
 */
import type { Broker } from '../broker.ts';

/** Offsets staged by a transactional producer, made visible by its commit marker. */
export interface TxnOffsetCommit {
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null }>;
}

/** Coordinates every consumer group of this broker. */
export class GroupCoordinator {
  readonly #broker: Broker;

  private constructor(broker: Broker) {
    this.#broker = broker;
  }

  /** Loads committed offsets and group metadata from `__consumer_offsets`. */
  static async start(broker: Broker): Promise<GroupCoordinator> {
    return new GroupCoordinator(broker);
  }

  /**
   * Stages offsets of a transaction (TxnOffsetCommit); they become committed
   * offsets only when {@link completeTransaction} is called with commit=true.
   */
  async stageTxnOffsets(_commit: TxnOffsetCommit): Promise<void> {
    void this.#broker;
    throw new Error('not implemented');
  }

  /** Applies (commit) or drops (abort) the offsets staged by a producer for a group. */
  async completeTransaction(_groupId: string, _producerId: bigint, _commit: boolean): Promise<void> {
    throw new Error('not implemented');
  }

  /** Stops timers and flushes. */
  async close(): Promise<void> {}
}
