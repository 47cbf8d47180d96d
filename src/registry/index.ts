/**
 * Tributary's schema registry: Confluent Schema Registry's REST API v1 with
 * its state in the compacted `_schemas` topic.
 *
 * | file / folder     | what                                                        |
 * |-------------------|-------------------------------------------------------------|
 * | server.ts         | startRegistry: Hono app, error handler, HTTP listener        |
 * | routes/           | one file per resource: subjects, schemas, compatibility, config+mode |
 * | registry.ts       | the operations: register, lookup, delete order, ids, config  |
 * | state.ts          | in-memory state rebuilt from `_schemas` records              |
 * | store.ts          | `_schemas` through the project's client: read, tail, write   |
 * | errors.ts         | HttpError and Confluent's error codes                        |
 * | formats/          | parsing, canonical form and compatibility per schema type   |
 * | rules/            | data contracts: rule set/metadata validation, inheritance    |
 */
export { HttpError, SrErrorCode } from './errors.ts';
export { Registry } from './registry.ts';
export { createApp, type RegistryOptions, type RunningRegistry, startRegistry } from './server.ts';
