/**
 * PROTOBUF with protobufjs: the .proto text and its imports (references,
 * resolved transitively and passed by import path) are parsed with the
 * registry's parser (parseProtobuf in src/registry/formats). Message indexes
 * locate the message among the file's top-level messages and then nested
 * ones, in declaration order (Confluent's encoding).
 *
 * Values are plain objects as protobufjs' toObject gives them: every field
 * present (defaults filled in, as Confluent's bufbuild messages have), enums
 * as names, 64-bit integers as decimal strings (no precision loss), bytes as
 * Buffers. Encoding takes the same shape (fromObject also takes numbers for
 * 64-bit fields). The message to write is the one named by the value's
 * `$typeName` (Confluent's convention), else the first message of the file.
 */
import protobuf from 'protobufjs';
import { parseProtobuf } from '../../registry/formats/protobuf.ts';
import { SerdeError } from '../errors.ts';
import type { RegisteredSchema } from '../types.ts';
import type { CompiledSchema, FieldType, FieldVisitor } from './types.ts';
import { PRIMITIVE_TYPES } from './types.ts';

export interface ResolvedRef {
  name: string;
  schema: string;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  defaults: true,
  enums: String,
  longs: String,
  arrays: true,
  objects: true,
};

const SCALAR: Record<string, FieldType> = {
  string: 'STRING',
  bytes: 'BYTES',
  int32: 'INT',
  sint32: 'INT',
  sfixed32: 'INT',
  uint32: 'INT',
  fixed32: 'INT',
  int64: 'LONG',
  sint64: 'LONG',
  sfixed64: 'LONG',
  uint64: 'LONG',
  fixed64: 'LONG',
  float: 'FLOAT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
};

const NO_TAGS: readonly string[] = [];

function messagesOf(ns: protobuf.NamespaceBase | undefined): protobuf.Type[] {
  return (ns?.nestedArray ?? []).filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

export class ProtobufSchema implements CompiledSchema {
  readonly info: RegisteredSchema;
  readonly recordName: string;
  readonly root: protobuf.Root;
  /** Top-level messages of this file in declaration order (index = first message index). */
  readonly messages: protobuf.Type[];
  readonly #indexes = new Map<protobuf.Type, number[]>();
  readonly #plans = new Map<protobuf.Type, FieldPlan[]>();

  constructor(info: RegisteredSchema, refs: ResolvedRef[]) {
    this.info = info;
    let model: ReturnType<typeof parseProtobuf>['model'];
    try {
      model = parseProtobuf(
        info.schema,
        refs.map((r) => ({ name: r.name, schema: r.schema, schemaType: 'PROTOBUF' as const })),
      ).model;
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Schema ${info.id} is not a valid .proto file: ${(e as Error).message}`);
    }
    this.root = model.root;
    this.messages = model.types.filter((t): t is protobuf.Type => t instanceof protobuf.Type);
    this.recordName = this.messages[0]?.fullName.replace(/^\./, '') ?? '';
  }

  /** The message type at these indexes (top-level index, then nested ones). */
  typeAt(indexes: number[]): protobuf.Type {
    let t = this.messages[indexes[0] ?? 0];
    if (!t) {
      throw new SerdeError(
        'INVALID_PAYLOAD',
        `Message index ${indexes[0]} out of range: schema ${this.info.id} has ${this.messages.length} top-level message(s)`,
      );
    }
    for (const i of indexes.slice(1)) {
      const nested = messagesOf(t);
      const next = nested[i];
      if (!next) {
        throw new SerdeError(
          'INVALID_PAYLOAD',
          `Message index ${i} out of range: ${t.fullName.slice(1)} has ${nested.length} nested message(s)`,
        );
      }
      t = next;
    }
    return t;
  }

  /** Confluent's message indexes of a message type of this file. */
  indexesOf(t: protobuf.Type): number[] {
    const hit = this.#indexes.get(t);
    if (hit) return hit;
    const path: number[] = [];
    let cur: protobuf.Type = t;
    while (cur.parent instanceof protobuf.Type) {
      path.unshift(messagesOf(cur.parent).indexOf(cur));
      cur = cur.parent;
    }
    const top = this.messages.indexOf(cur);
    if (top < 0)
      throw new SerdeError(
        'INVALID_PAYLOAD',
        `Message ${t.fullName.slice(1)} is not declared in schema ${this.info.id}`,
      );
    path.unshift(top);
    this.#indexes.set(t, path);
    return path;
  }

  /** The type a value is written as: its `$typeName`, else the first message. */
  typeFor(value: unknown): protobuf.Type {
    const name = (value as { $typeName?: unknown } | null)?.$typeName;
    if (typeof name === 'string') {
      const t = this.root.lookup(name.startsWith('.') ? name : `.${name}`);
      if (!(t instanceof protobuf.Type)) throw new SerdeError('INVALID_PAYLOAD', `Unknown message type ${name}`);
      return t;
    }
    const first = this.messages[0];
    if (!first) throw new SerdeError('INVALID_PAYLOAD', `Schema ${this.info.id} declares no message`);
    return first;
  }

  encode(value: unknown): { payload: Buffer; messageIndexes: number[] } {
    if (typeof value !== 'object' || value === null) {
      throw new SerdeError('INVALID_PAYLOAD', 'A Protobuf message must be an object');
    }
    const t = this.typeFor(value);
    let msg: protobuf.Message;
    try {
      msg = t.fromObject(value as Record<string, unknown>);
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Invalid ${t.fullName.slice(1)} message: ${(e as Error).message}`);
    }
    const problem = t.verify(msg);
    if (problem) throw new SerdeError('INVALID_PAYLOAD', `Invalid ${t.fullName.slice(1)} message: ${problem}`);
    return { payload: Buffer.from(t.encode(msg).finish()), messageIndexes: this.indexesOf(t) };
  }

  decode(payload: Buffer, messageIndexes?: number[]): unknown {
    const t = this.typeAt(messageIndexes ?? [0]);
    try {
      return t.toObject(t.decode(payload), TO_OBJECT);
    } catch (e) {
      throw new SerdeError(
        'INVALID_PAYLOAD',
        `Payload does not decode as ${t.fullName.slice(1)} (schema ${this.info.id}): ${(e as Error).message}`,
      );
    }
  }

  plain(value: unknown): unknown {
    return value;
  }

  walk(value: unknown, visit: FieldVisitor, write: boolean): unknown {
    if (typeof value !== 'object' || value === null) return value;
    return this.#message(this.typeFor(value), value as Record<string, unknown>, visit, write);
  }

  #planOf(t: protobuf.Type): FieldPlan[] {
    let plan = this.#plans.get(t);
    if (plan) return plan;
    plan = [];
    this.#plans.set(t, plan);
    const prefix = t.fullName.replace(/^\./, '');
    for (const f of t.fieldsArray) {
      f.resolve();
      const scalar = SCALAR[f.type];
      plan.push({
        name: f.name,
        fullName: `${prefix}.${f.name}`,
        map: f.map,
        repeated: f.repeated,
        message: f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined,
        leaf: !f.resolvedType && scalar !== undefined && PRIMITIVE_TYPES.has(scalar) ? scalar : undefined,
      });
    }
    return plan;
  }

  #message(t: protobuf.Type, obj: Record<string, unknown>, visit: FieldVisitor, write: boolean): unknown {
    for (const f of this.#planOf(t)) {
      const v = obj[f.name];
      if (v === null || v === undefined || (f.message === undefined && f.leaf === undefined)) continue;
      let out: unknown;
      if (f.map && typeof v === 'object') {
        const m = v as Record<string, unknown>;
        for (const k of Object.keys(m)) {
          const r = this.#one(f, obj, m[k], visit, write);
          if (write) m[k] = r;
        }
        out = m;
      } else if (f.repeated && Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const r = this.#one(f, obj, v[i], visit, write);
          if (write) v[i] = r;
        }
        out = v;
      } else out = this.#one(f, obj, v, visit, write);
      if (write) obj[f.name] = out;
    }
    return obj;
  }

  #one(f: FieldPlan, obj: Record<string, unknown>, x: unknown, visit: FieldVisitor, write: boolean): unknown {
    if (x === null || x === undefined) return x;
    if (f.message)
      return typeof x === 'object' ? this.#message(f.message, x as Record<string, unknown>, visit, write) : x;
    if (f.leaf === undefined) return x;
    return visit({ name: f.name, fullName: f.fullName, inlineTags: NO_TAGS, containing: obj, type: f.leaf }, x);
  }
}

interface FieldPlan {
  name: string;
  fullName: string;
  map: boolean;
  repeated: boolean;
  message: protobuf.Type | undefined;
  leaf: FieldType | undefined;
}
