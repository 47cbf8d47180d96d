/**
 * The Kafka-compatible broker. Other domains import it only from here.
 */
export { Broker, type BrokerOptions, validateTopicName } from './broker.ts';
export type { Handler, RequestContext } from './handler.ts';
