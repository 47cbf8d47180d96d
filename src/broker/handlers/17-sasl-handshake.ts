/**
 * SaslHandshake (key 17), versions 0-1.
 * - On a SASL listener before authentication, and for a re-authentication
 *   (KIP-368), the connection's SASL authenticator answers
 *   (security/sasl-authenticator.ts) and this handler is never reached.
 * - Anywhere else (PLAINTEXT and SSL listeners, an authenticated connection
 *   without re-authentication, or a second handshake within a second):
 *   ILLEGAL_SASL_STATE, as Kafka's KafkaApis answers.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 17,
  minVersion: 0,
  maxVersion: 1,
  handle() {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  },
});
