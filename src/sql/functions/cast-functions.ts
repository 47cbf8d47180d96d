/**
 * CAST and TRY_CAST as functions. The target type is part of the syntax, not an argument, so the engine builds
 * the call with `castFunction(target, isTry)`; the registered 'CAST'/'TRY_CAST' entries (target STRING) exist
 * for SHOW FUNCTIONS. `castValue`/`tryCastValue`/`compileCast` in types do the work.
 */
import {
  canCast,
  castValue,
  compileCast,
  formatType,
  type SqlType,
  SqlTypeError,
  T,
  tryCastValue,
  withNullable,
} from '../types/index.ts';
import { registerScalar, type ScalarFunction } from './registry.ts';

/** A CAST(x AS target) / TRY_CAST(x AS target) function; TRY_CAST's result is always nullable. */
export function castFunction(target: SqlType, isTry = false): ScalarFunction {
  const name = isTry ? 'TRY_CAST' : 'CAST';
  return {
    name,
    handlesNulls: true,
    infer(args) {
      if (args.length !== 1) throw new SqlTypeError(`${name} takes one argument`);
      if (!canCast(args[0]!, target))
        throw new SqlTypeError(
          `Cast function cannot convert value of type ${formatType(args[0]!)} to type ${formatType(target)}`,
        );
      return withNullable(target, isTry || args[0]!.nullable);
    },
    eval(x, ctx) {
      // untyped: the source type is guessed from the value (strings and numbers are the common case)
      const v = x[0];
      if (v === null) return null;
      const from = guess(v);
      return isTry ? tryCastValue(v, from, target, ctx) : castValue(v, from, target, ctx);
    },
    bind(args, _result) {
      const c = compileCast(args[0]!, target, { try: isTry });
      const tzSensitive = args[0]!.kind === 'TIMESTAMP_LTZ' || target.kind === 'TIMESTAMP_LTZ';
      if (!tzSensitive) return (x) => c(x[0]);
      return (x, ctx) => (isTry ? tryCastValue(x[0], args[0]!, target, ctx) : castValue(x[0], args[0]!, target, ctx));
    },
  };
}

function guess(v: unknown): SqlType {
  if (typeof v === 'string') return { kind: 'VARCHAR', length: 2147483647, nullable: true };
  if (typeof v === 'boolean') return { kind: 'BOOLEAN', nullable: true };
  if (typeof v === 'bigint') return { kind: 'BIGINT', nullable: true };
  if (typeof v === 'number') return { kind: Number.isInteger(v) ? 'INT' : 'DOUBLE', nullable: true };
  if (v instanceof Uint8Array) return { kind: 'VARBINARY', length: 2147483647, nullable: true };
  return { kind: 'DECIMAL', precision: 38, scale: (v as { scale: number }).scale ?? 0, nullable: true };
}

registerScalar(castFunction(T.string()));
registerScalar(castFunction(T.string(), true));
