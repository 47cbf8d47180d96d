/**
 * Compatibility levels over the per-format checkers.
 * - BACKWARD: the candidate (reader) reads data written with an existing schema.
 * - FORWARD: an existing schema (reader) reads data written with the candidate.
 * - FULL: both. *_TRANSITIVE: against every existing version, else only the latest.
 * Messages follow Confluent's verbose form: `{errorType:'…', description:'…'}`
 * followed by the old schema's 1-based position in `existing` (the version
 * number when none was deleted) and the level.
 */
import { checkAvroReaderWriter } from './avro-compat.ts';
import { checkJsonSchemaBackward } from './json-compat.ts';
import type { AnyParsed } from './parse.ts';
import { parseAny } from './parse.ts';
import { checkProtobufBackward } from './protobuf-compat.ts';
import type { CompatibilityLevel, SchemaType, SchemaWithRefs } from './types.ts';

interface Issue {
  type: string;
  path: string;
  message: string;
}

/** Issues when data written with `writer` is read with `reader` (Avro), or `reader` must accept all `writer` accepts. */
function readerWriter(reader: AnyParsed, writer: AnyParsed): Issue[] {
  if (reader.type === 'AVRO' && writer.type === 'AVRO') return checkAvroReaderWriter(reader.model, writer.model);
  if (reader.type === 'JSON' && writer.type === 'JSON') return checkJsonSchemaBackward(reader.model, writer.model);
  if (reader.type === 'PROTOBUF' && writer.type === 'PROTOBUF')
    return checkProtobufBackward(reader.model, writer.model);
  return [{ type: 'TYPE_MISMATCH', path: '', message: `schema type ${reader.type} differs from ${writer.type}` }];
}

function format(issue: Issue, version: number, level: CompatibilityLevel, direction: string): string {
  const path = issue.path ? `, path:'${issue.path}'` : '';
  return `{errorType:'${issue.type}', description:'${issue.message}'${path}}, {oldSchemaVersion: ${version}}, {compatibility: '${level}', direction: '${direction}'}`;
}

/** Checks `candidate` against `existing` (oldest first) at `level`. */
export function checkLevel(
  level: CompatibilityLevel,
  candidate: SchemaWithRefs,
  existing: SchemaWithRefs[],
  type: SchemaType,
): string[] {
  if (level === 'NONE' || existing.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const base = level.replace('_TRANSITIVE', '');
  const backward = base === 'BACKWARD' || base === 'FULL';
  const forward = base === 'FORWARD' || base === 'FULL';
  const next = parseAny(type, candidate.schema, candidate.refs);
  const targets = transitive ? existing.map((e, i) => ({ e, i })) : [{ e: existing.at(-1)!, i: existing.length - 1 }];
  const messages: string[] = [];
  // Newest first, as Confluent reports the closest version first.
  for (const { e, i } of targets.reverse()) {
    const prev = parseAny(type, e.schema, e.refs);
    if (backward) for (const issue of readerWriter(next, prev)) messages.push(format(issue, i + 1, level, 'BACKWARD'));
    if (forward) for (const issue of readerWriter(prev, next)) messages.push(format(issue, i + 1, level, 'FORWARD'));
  }
  return messages;
}
