/**
 * SaslAuthenticate (key 36), versions 0-2.
 * - During a SASL exchange the connection's SASL authenticator answers
 *   (security/sasl-authenticator.ts): tokens, SASL_AUTHENTICATION_FAILED,
 *   and from v1 the session lifetime (KIP-368).
 * - Reaching this handler means there is no exchange in progress:
 *   ILLEGAL_SASL_STATE with Kafka's message.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 36,
  minVersion: 0,
  maxVersion: 2,
  handle() {
    return {
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    };
  },
});
