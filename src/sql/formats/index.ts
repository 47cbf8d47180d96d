/**
 * Record formats (each registers itself): json, raw, csv, and the registry-backed avro-confluent,
 * avro-registry and json-registry (Confluent wire format through ../../serde).
 */
import './json.ts';
import './raw.ts';
import './csv.ts';
import './avro-confluent.ts';
import './json-registry.ts';

export {
  type Format,
  type FormatContext,
  type FormatFactory,
  formatIds,
  formatOptionKeys,
  formatOptionsOf,
  getFormat,
  registerFormat,
} from './format.ts';
