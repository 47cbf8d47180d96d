/**
 * What a Kafka API handler is: `{ key, minVersion, maxVersion, handle }`.
 * Handlers live one per file in handlers/, named by key. ApiVersions is built
 * from the registry, so the broker never advertises what it cannot serve.
 */
import type { Input, RequestBodies, RequestHeader, ResponseBodies } from '../protocol/index.ts';
import type { Broker } from './broker.ts';

/** Kafka's security protocols for a listener. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** Kafka's principal for unauthenticated connections. */
export const ANONYMOUS = 'User:ANONYMOUS';

/** The connection a request arrived on. */
export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Listener name (e.g. PLAINTEXT, SASL_SSL, or a custom name). */
  readonly listener: string;
  readonly securityProtocol: SecurityProtocol;
  /**
   * The authenticated principal, as Kafka prints it ("User:alice");
   * ANONYMOUS until SASL (or a TLS client certificate) says otherwise.
   */
  principal: string;
}

/** What a handler sees besides the request body. */
export interface RequestContext {
  readonly broker: Broker;
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly connection: ConnectionInfo;
  /** The connection's principal when the request arrived (see ConnectionInfo.principal). */
  readonly principal: string;
  /** Aborted when the broker shuts down (long polls return early). */
  readonly signal: AbortSignal;
}

/** A handler's answer: a response body, or null for none (Produce with acks=0). */
export type HandlerResult<K extends keyof ResponseBodies> = Input<ResponseBodies[K]> | null;

/** One Kafka API served by the broker. */
export interface Handler<
  K extends keyof RequestBodies & keyof ResponseBodies = keyof RequestBodies & keyof ResponseBodies,
> {
  readonly key: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Lowest version advertised in ApiVersions when lower than minVersion (librdkafka feature probes). */
  readonly advertisedMin?: number;
  handle(ctx: RequestContext, req: RequestBodies[K]): Promise<HandlerResult<K>> | HandlerResult<K>;
}

/** Identity helper that keeps the handler's key-specific types. */
export function defineHandler<K extends keyof RequestBodies & keyof ResponseBodies>(h: Handler<K>): Handler<K> {
  return h;
}
