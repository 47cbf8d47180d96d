/**
 * What every server-side SASL mechanism implements, and its two kinds of
 * failure (Kafka's SaslAuthenticationException and SaslException).
 */

/** A failure whose message is sent to the client (Kafka's SaslAuthenticationException). */
export class SaslAuthenticationError extends Error {
  override name = 'SaslAuthenticationError';
}

/** A credential failure answered with Kafka's generic message (Kafka's SaslException). */
export class SaslCredentialError extends Error {
  override name = 'SaslCredentialError';
}

/** One SASL exchange on the server side. */
export interface SaslServer {
  readonly mechanism: string;
  /** Evaluates a client token; returns the challenge (null = none). Throws the errors above. */
  evaluate(token: Buffer): Promise<Buffer | null>;
  readonly complete: boolean;
  /** The authenticated user name, once complete. */
  readonly authorizationId: string;
}
