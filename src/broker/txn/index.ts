/**
 * Idempotent and transactional producers: producer ids, per-partition
 * sequence checks, the transaction coordinator (`__transaction_state`),
 * markers, last stable offsets and aborted-transaction indexes. Other code
 * imports this folder only through this file.
 */
export { TransactionCoordinator } from './coordinator.ts';
