/**
 * Small runtime shared by the generated message codecs.
 */
import { ProtocolDecodeError } from './reader.ts';

export { EMPTY_BUFFER, ProtocolDecodeError, type RawTaggedField } from './reader.ts';
export { ZERO_UUID } from './writer.ts';

/**
 * The shape an encoder accepts: every field optional (absent fields are
 * written as their defaults, as Kafka's generated Java messages do).
 */
export type Input<T> = T extends Buffer
  ? T
  : T extends ReadonlyArray<infer U>
    ? Array<Input<U>>
    : T extends object
      ? { [K in keyof T]?: K extends '_tagged' ? T[K] : Input<T[K]> }
      : T;

/** Thrown by decoders when a non-nullable field arrives as null. */
export function nullError(field: string): never {
  throw new ProtocolDecodeError(`non-nullable field ${field} was serialized as null`);
}

/** Structural equality used to omit tagged struct fields equal to their default. */
export function deepEqualDefault(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return (a ?? null) === (b ?? null);
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqualDefault(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const bo = b as Record<string, unknown>;
    const ao = a as Record<string, unknown>;
    for (const k of Object.keys(bo)) if (!deepEqualDefault(ao[k] ?? bo[k], bo[k])) return false;
    for (const k of Object.keys(ao)) if (k === '_tagged' ? ao[k] != null : !(k in bo)) return false;
    return true;
  }
  return false;
}
