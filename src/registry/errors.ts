/**
 * The registry's HTTP errors: Confluent Schema Registry's `{error_code, message}`
 * body, with the HTTP status taken from the code's first three digits.
 */

/** Confluent's error codes (io.confluent.kafka.schemaregistry.rest.exceptions.Errors). */
export const SrErrorCode = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  SCHEMAVERSION_SOFT_DELETED: 40406,
  SCHEMAVERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: 40408,
  SUBJECT_LEVEL_MODE_NOT_CONFIGURED: 40409,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205,
  REFERENCE_EXISTS: 42206,
  ID_DOES_NOT_MATCH: 42207,
  INVALID_SUBJECT: 42208,
  SCHEMA_TOO_LARGE: 42209,
  INVALID_RULESET: 42210,
  /** A request entity of the wrong shape (Confluent's JSON mapping errors). */
  UNPROCESSABLE_ENTITY: 422,
  STORE_ERROR: 50001,
  OPERATION_TIMEOUT: 50002,
} as const;

/** An error the central handler turns into Confluent's error body. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: number;

  constructor(code: number, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status ?? Number(String(code).slice(0, 3));
  }
}

/** Shorthands for the errors the routes throw, with Confluent's messages. */
export const errors = {
  subjectNotFound: (s: string): HttpError => new HttpError(SrErrorCode.SUBJECT_NOT_FOUND, `Subject '${s}' not found.`),
  versionNotFound: (v: number | string): HttpError =>
    new HttpError(SrErrorCode.VERSION_NOT_FOUND, `Version ${v} not found.`),
  schemaNotFound: (what = 'Schema not found'): HttpError => new HttpError(SrErrorCode.SCHEMA_NOT_FOUND, what),
  invalidSchema: (msg: string): HttpError => new HttpError(SrErrorCode.INVALID_SCHEMA, `Invalid schema: ${msg}`),
  invalidVersion: (v: string): HttpError =>
    new HttpError(
      SrErrorCode.INVALID_VERSION,
      `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  incompatible: (messages: string[]): HttpError =>
    new HttpError(
      SrErrorCode.INCOMPATIBLE_SCHEMA,
      `Schema being registered is incompatible with an earlier schema for subject; details: ${JSON.stringify(messages)}`,
    ),
  invalidCompatibility: (level: unknown): HttpError =>
    new HttpError(
      SrErrorCode.INVALID_COMPATIBILITY_LEVEL,
      `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive; got ${JSON.stringify(level)}`,
    ),
  invalidMode: (mode: unknown): HttpError =>
    new HttpError(
      SrErrorCode.INVALID_MODE,
      `Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT; got ${JSON.stringify(mode)}`,
    ),
  notPermitted: (msg: string): HttpError => new HttpError(SrErrorCode.OPERATION_NOT_PERMITTED, msg),
  badRequest: (msg: string): HttpError => new HttpError(400, msg, 400),
};
