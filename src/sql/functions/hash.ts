/** Hash functions (lower-case hex strings, over the UTF-8 bytes of a string or raw BYTES): MD5, SHA1, SHA224, SHA256, SHA384, SHA512, SHA2(x, bits). */
import { createHash } from 'node:crypto';
import { T } from '../types/index.ts';
import { registerScalar, simpleFunction } from './registry.ts';

function digest(alg: string, v: unknown): string {
  return createHash(alg)
    .update(typeof v === 'string' ? v : (v as Uint8Array))
    .digest('hex');
}

for (const [name, alg] of [
  ['MD5', 'md5'],
  ['SHA1', 'sha1'],
  ['SHA224', 'sha224'],
  ['SHA256', 'sha256'],
  ['SHA384', 'sha384'],
  ['SHA512', 'sha512'],
] as const) {
  registerScalar(
    simpleFunction({
      name,
      forms: `${name}(<STRING>)`,
      alternatives: [{ families: ['STRING'] }, { families: ['BINARY'] }],
      result: () => T.char(alg === 'md5' ? 32 : alg === 'sha1' ? 40 : Number(alg.slice(3)) / 4),
      eval: (x) => digest(alg, x[0]),
    }),
  );
}

registerScalar(
  simpleFunction({
    name: 'SHA2',
    forms: 'SHA2(<STRING>, <INTEGER>)',
    alternatives: [{ families: ['STRING', 'INTEGER'] }, { families: ['BINARY', 'INTEGER'] }],
    result: () => T.string(),
    alwaysNullable: true,
    // Flink: bit length 224, 256, 384 or 512 (0 means 256); anything else gives NULL
    eval(x) {
      const bits = Number(x[1]) || 256;
      if (bits !== 224 && bits !== 256 && bits !== 384 && bits !== 512) return null;
      return digest(`sha${bits}`, x[0]);
    },
  }),
);
