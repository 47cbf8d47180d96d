/** Errors of the SQL type system and function library: planning-time type errors and evaluation errors. */

/** A statement is ill-typed (wrong argument types, impossible cast); raised while planning. One line. */
export class SqlTypeError extends Error {
  override name = 'SqlTypeError';
}

/** Evaluation failed for a row (division by zero, bad cast input); fails the statement as Flink does. One line. */
export class SqlRuntimeError extends Error {
  override name = 'SqlRuntimeError';
}
