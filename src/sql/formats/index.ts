/** Record formats: json, raw, csv (each registers itself). */
import './json.ts';
import './raw.ts';
import './csv.ts';

export {
  type Format,
  type FormatFactory,
  formatIds,
  formatOptionKeys,
  formatOptionsOf,
  getFormat,
  registerFormat,
} from './format.ts';
