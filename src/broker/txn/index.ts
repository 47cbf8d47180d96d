/**
 * Idempotent and transactional producers: producer ids, the transaction
 * coordinator (`__transaction_state`), markers and timeouts. Per-partition
 * sequence checks, last stable offsets and aborted-transaction indexes live
 * with the partition log (../log/producer-state.ts). Other code imports this
 * folder only through this file.
 */
export {
  type ProducerIdResult,
  TransactionCoordinator,
  type TxnDescription,
  type TxnListing,
} from './coordinator.ts';
export { CONSUMER_OFFSETS_TOPIC } from './markers.ts';
export { partitionForKey, TRANSACTION_STATE_TOPIC } from './txn-log.ts';
