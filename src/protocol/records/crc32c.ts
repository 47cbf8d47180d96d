/**
 * CRC-32C (Castagnoli), the checksum of record batch v2. The native
 * `@node-rs/crc32` uses SSE4.2 / ARMv8 CRC instructions where available.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C of `buf` as an unsigned 32-bit number. Pass the previous result as
 * `initial` to continue a checksum over several pieces.
 */
export function crc32c(buf: Uint8Array, initial = 0): number {
  return nativeCrc32c(buf, initial) >>> 0;
}
