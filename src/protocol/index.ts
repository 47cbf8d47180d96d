/**
 * Kafka wire protocol: primitives, generated message codecs for every API
 * key and version, headers, framing, record batches, compression and errors.
 * Other domains import the protocol only from here.
 */
export * from './codec-runtime.ts';
export * from './errors.ts';
export * from './framing.ts';
export * from './generated/index.ts';
export * from './messages.ts';
export { Reader } from './reader.ts';
export * from './records/index.ts';
export { Writer } from './writer.ts';
