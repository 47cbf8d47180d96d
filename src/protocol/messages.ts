/**
 * Whole Kafka messages: request/response headers plus generated bodies.
 *
 * Header versions follow the message definitions: a request in a flexible
 * version uses RequestHeader v2 (tagged fields), otherwise v1 (v0 only for
 * ControlledShutdown v0); a response in a flexible version uses ResponseHeader
 * v1, otherwise v0 — except ApiVersionsResponse, which always uses v0 so a
 * client can read it before it knows what the broker speaks.
 */
import type { Input } from './codec-runtime.ts';
import {
  API_DEFINITIONS,
  type ApiDefinition,
  type RequestBodies,
  type RequestHeader,
  type ResponseBodies,
  readRequestHeader,
  readResponseHeader,
  writeRequestHeader,
  writeResponseHeader,
} from './generated/index.ts';
import { ProtocolDecodeError, Reader } from './reader.ts';
import { Writer } from './writer.ts';

/** API key of ApiVersions, whose response header is always v0. */
export const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

const byKey = new Map<number, ApiDefinition>(API_DEFINITIONS.map((a) => [a.key, a]));

/** The definition of an API key, or undefined for a key the definitions do not have. */
export function apiDefinition(key: number): ApiDefinition | undefined {
  return byKey.get(key);
}

/** Whether `version` of API `key` uses the flexible (KIP-482) encoding. */
export function isFlexible(key: number, version: number): boolean {
  const api = byKey.get(key);
  return api !== undefined && api.flexibleMin >= 0 && version >= api.flexibleMin;
}

/** RequestHeader version for a request. */
export function requestHeaderVersion(key: number, version: number): number {
  if (isFlexible(key, version)) return 2;
  return key === CONTROLLED_SHUTDOWN_KEY && version === 0 ? 0 : 1;
}

/** ResponseHeader version for a response. */
export function responseHeaderVersion(key: number, version: number): number {
  if (key === API_VERSIONS_KEY) return 0;
  return isFlexible(key, version) ? 1 : 0;
}

/** A request header as decoded from the wire. */
export type { RequestHeader };

/**
 * Reads the request header of a frame (the bytes after the size prefix).
 * Throws ProtocolDecodeError when the API key is unknown or the frame is short.
 */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; reader: Reader } {
  if (frame.length < 4) throw new ProtocolDecodeError(`request frame of ${frame.length} bytes has no header`);
  const key = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (!byKey.has(key)) throw new ProtocolDecodeError(`unknown API key ${key}`);
  const r = new Reader(frame);
  const header = readRequestHeader(r, requestHeaderVersion(key, version));
  return { header, reader: r };
}

/** Decodes a whole request frame whose version the definitions contain. */
export function decodeRequest<K extends keyof RequestBodies>(
  frame: Buffer,
): { header: RequestHeader; body: RequestBodies[K] } {
  const { header, reader } = decodeRequestHeader(frame);
  const api = byKey.get(header.requestApiKey) as ApiDefinition;
  if (header.requestApiVersion < api.minVersion || header.requestApiVersion > api.maxVersion) {
    throw new ProtocolDecodeError(`${api.name} v${header.requestApiVersion} is not in the definitions`);
  }
  const body = api.readRequest(reader, header.requestApiVersion) as RequestBodies[K];
  if (reader.remaining !== 0) {
    throw new ProtocolDecodeError(
      `${api.name} v${header.requestApiVersion} request has ${reader.remaining} trailing bytes`,
    );
  }
  return { header, body };
}

/** Identifies a request on the wire. */
export interface RequestIdentity {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Encodes a request with its size prefix. */
export function encodeRequest<K extends keyof RequestBodies>(
  id: RequestIdentity & { apiKey: K },
  body: Input<RequestBodies[K]>,
): Buffer {
  const api = byKey.get(id.apiKey);
  if (!api) throw new RangeError(`unknown API key ${id.apiKey}`);
  const w = new Writer(256);
  w.writeInt32(0);
  writeRequestHeader(w, requestHeaderVersion(id.apiKey, id.apiVersion), {
    requestApiKey: id.apiKey,
    requestApiVersion: id.apiVersion,
    correlationId: id.correlationId,
    clientId: id.clientId,
  });
  api.writeRequest(w, id.apiVersion, body);
  w.buf.writeInt32BE(w.offset - 4, 0);
  return w.finish();
}

/** Encodes a response with its size prefix. */
export function encodeResponse<K extends keyof ResponseBodies>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Input<ResponseBodies[K]>,
): Buffer {
  const api = byKey.get(apiKey);
  if (!api) throw new RangeError(`unknown API key ${apiKey}`);
  const w = new Writer(256);
  w.writeInt32(0);
  writeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), { correlationId });
  api.writeResponse(w, apiVersion, body);
  w.buf.writeInt32BE(w.offset - 4, 0);
  return w.finish();
}

/** Reads only the correlation id of a response frame (bytes after the size prefix). */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolDecodeError('response frame has no correlation id');
  return frame.readInt32BE(0);
}

/** Decodes a response frame (bytes after the size prefix) for a request sent at `apiVersion`. */
export function decodeResponse<K extends keyof ResponseBodies>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseBodies[K] } {
  const api = byKey.get(apiKey);
  if (!api) throw new RangeError(`unknown API key ${apiKey}`);
  const r = new Reader(frame);
  const header = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  const body = api.readResponse(r, apiVersion) as ResponseBodies[K];
  if (r.remaining !== 0) {
    throw new ProtocolDecodeError(`${api.name} v${apiVersion} response has ${r.remaining} trailing bytes`);
  }
  return { correlationId: header.correlationId, body };
}
