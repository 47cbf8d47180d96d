/**
 * The transaction coordinator and producer state. (Skeleton: the
 * implementation grows here.)
 */
import type { Broker } from '../broker.ts';

/** Producer ids, idempotence and transactions for this broker. */
export class TransactionCoordinator {
  readonly #broker: Broker;

  private constructor(broker: Broker) {
    this.#broker = broker;
  }

  /** Loads transaction state from `__transaction_state` and producer state snapshots. */
  static async start(broker: Broker): Promise<TransactionCoordinator> {
    return new TransactionCoordinator(broker);
  }

  /** Stops timers and flushes. */
  async close(): Promise<void> {
    void this.#broker;
  }
}
