/**
 * ApiVersions (key 18), versions 0-4.
 * - Lists every API the handler registry serves, with the advertised range.
 * - v3+: the client software name and version must match Kafka's pattern,
 *   otherwise INVALID_REQUEST (librdkafka then retries with v0).
 * - An unknown version is answered by the server with a v0 UNSUPPORTED_VERSION body.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { defineHandler } from '../handler.ts';
import { advertisedVersions } from './registry.ts';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler({
  key: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const apiKeys = advertisedVersions();
    if (ctx.apiVersion >= 3 && (!SOFTWARE.test(req.clientSoftwareName) || !SOFTWARE.test(req.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys };
    }
    return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0, finalizedFeaturesEpoch: -1n };
  },
});
