/** Public entry of the built-in function library: registry lookups, call preparation, CAST helpers, aggregates. */
import './arithmetic.ts';
import './comparison.ts';
import './string.ts';
import './regex.ts';
import './hash.ts';
import './conditional.ts';
import './collection.ts';
import './temporal.ts';
import './json-path.ts';
import './aggregates.ts';
import './cast-functions.ts';

export { castValue, SqlRuntimeError, SqlTypeError, tryCastValue } from '../types/index.ts';
export {
  appendOnlyMinMax,
  COUNT,
  distinctAggregate,
  LISTAGG,
  minMaxAggregate,
} from './aggregates.ts';
export { JavaRandom, numericConverter, toBigint, toDecimal, toDouble } from './arithmetic.ts';
export { castFunction } from './cast-functions.ts';
export { mapGet } from './collection.ts';
export { bindCompare, bindEquals, comparisonConverter } from './comparison.ts';
export { caseResultType, valueConverter } from './conditional.ts';
export { evalJsonPath, jsonValueReturning, parseJsonPath } from './json-path.ts';
export { compileRegex, likeToRegex, similarToRegex, translateJavaRegex } from './regex.ts';
export {
  type AggregateFunction,
  anyNullable,
  type BoundAggregate,
  type BoundCall,
  checkArgs,
  type EvalContext,
  type Family,
  inFamily,
  listFunctions,
  lookupAggregate,
  lookupScalar,
  prepareAggregate,
  prepareCall,
  registerAggregate,
  registerScalar,
  type ScalarEval,
  type ScalarFunction,
  signatureError,
} from './registry.ts';
export { charLength, splitIndex, substringSql, trim } from './string.ts';
export { extractField, floorLocal, toLocalMs } from './temporal.ts';
