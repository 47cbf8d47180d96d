/** Flink's `raw` format: the record bytes as one STRING (UTF-8) or BYTES column; null bytes are NULL. */

import { ConnectorOptionError } from '../connectors/connector.ts';
import type { Field, Row } from '../runtime/changelog.ts';
import { formatType, isBinary, isString } from '../types/index.ts';
import { type Format, registerFormat } from './format.ts';

function create(fields: Field[]): Format {
  if (fields.length !== 1)
    throw new ConnectorOptionError(
      `The 'raw' format only supports single physical column. However the defined schema contains multiple physical columns: [${fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}]`,
    );
  const t = fields[0]!.type;
  if (!isString(t) && !isBinary(t))
    throw new ConnectorOptionError(`The 'raw' format doesn't supports '${formatType(t)}' as column type.`);
  const binary = isBinary(t);
  return {
    deserialize: (bytes: Buffer): Row => [binary ? new Uint8Array(bytes) : bytes.toString('utf8')],
    serialize: (row: Row): Buffer => {
      const v = row[0];
      return typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array);
    },
  };
}

registerFormat({ identifier: 'raw', options: ['charset', 'endianness'], create });
