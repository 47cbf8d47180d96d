/**
 * Sends one request straight to the broker with the project's own codec, for
 * API versions and fields no installed client sends (e.g. DescribeConfigs v0,
 * OffsetForLeaderEpoch, DescribeCluster).
 */
import { connect } from 'node:net';
import {
  decodeResponse,
  encodeRequest,
  type Input,
  type RequestBodies,
  type ResponseBodies,
} from '../../src/protocol/index.ts';

let correlation = 1;

/** Sends `body` as `apiKey` v`apiVersion` to 127.0.0.1:`port` and resolves with the decoded response. */
export function call<K extends keyof RequestBodies & keyof ResponseBodies>(
  port: number,
  apiKey: K,
  apiVersion: number,
  body: Input<RequestBodies[K]>,
): Promise<ResponseBodies[K]> {
  const correlationId = correlation++;
  const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: 'admin-wire' }, body);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to API ${apiKey} v${apiVersion}`)));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before the answer to API ${apiKey} v${apiVersion}`)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      try {
        const res = decodeResponse(apiKey, apiVersion, buf.subarray(4, 4 + buf.readInt32BE(0)));
        if (res.correlationId !== correlationId)
          throw new Error(`correlation id ${res.correlationId} != ${correlationId}`);
        resolve(res.body);
      } catch (err) {
        reject(err);
      }
      socket.destroy();
    });
    socket.write(frame);
  });
}

/**
 * One `after` hook running the registered cleanups newest first, so clients
 * close before the broker they talk to. (An `after` registered inside a
 * `before` hook runs as soon as that hook ends, hence this.)
 */
export function cleanupStack(after: (fn: () => Promise<void>) => void): (fn: () => Promise<void> | void) => void {
  const fns: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => {
    fns.push(fn);
  };
}
