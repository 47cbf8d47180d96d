/**
 * PROTOBUF schemas as serialized `google.protobuf.FileDescriptorProto`s, the
 * form Confluent's Protobuf serdes exchange with the registry:
 * - in: a register, lookup or compatibility body whose `schema` is the
 *   base64 of a FileDescriptorProto is turned into .proto text (Confluent's
 *   server accepts both and keeps text);
 * - out: `?format=serialized` on schema reads answers the base64 descriptor
 *   of the stored .proto text, type names fully qualified (`.pkg.Msg`),
 *   imports as `dependency`, maps as nested `…Entry` types with `map_entry`.
 * Options other than `map_entry` are not carried either way.
 */
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import { parseProtobuf } from './protobuf.ts';
import { type ResolvedReference, SchemaParseError } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: protobufjs' descriptor extension ships no usable typings for its message classes
const descriptor = descriptorModule as any;

/** A FileDescriptorProto as plain objects (protobufjs toObject with enums as strings). */
interface FieldProto {
  name: string;
  number: number;
  label?: string;
  type?: string;
  typeName?: string;
  oneofIndex?: number;
  proto3Optional?: boolean;
}
interface EnumProto {
  name: string;
  value?: Array<{ name: string; number: number }>;
}
interface MessageProto {
  name: string;
  field?: FieldProto[];
  nestedType?: MessageProto[];
  enumType?: EnumProto[];
  oneofDecl?: Array<{ name: string }>;
  options?: { mapEntry?: boolean };
  reservedRange?: Array<{ start: number; end: number }>;
  reservedName?: string[];
}
interface FileProto {
  name?: string;
  package?: string;
  dependency?: string[];
  messageType?: MessageProto[];
  enumType?: EnumProto[];
  syntax?: string;
}

const SCALARS: Record<string, string> = {
  double: 'TYPE_DOUBLE',
  float: 'TYPE_FLOAT',
  int64: 'TYPE_INT64',
  uint64: 'TYPE_UINT64',
  int32: 'TYPE_INT32',
  fixed64: 'TYPE_FIXED64',
  fixed32: 'TYPE_FIXED32',
  bool: 'TYPE_BOOL',
  string: 'TYPE_STRING',
  bytes: 'TYPE_BYTES',
  uint32: 'TYPE_UINT32',
  sfixed32: 'TYPE_SFIXED32',
  sfixed64: 'TYPE_SFIXED64',
  sint32: 'TYPE_SINT32',
  sint64: 'TYPE_SINT64',
};
const SCALAR_NAMES = new Map(Object.entries(SCALARS).map(([k, v]) => [v, k]));

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// ---- .proto text → descriptor ----

function typeOf(f: protobuf.Field, type: string): Pick<FieldProto, 'type' | 'typeName'> {
  const scalar = SCALARS[type];
  if (scalar) return { type: scalar };
  const resolved = f.resolvedType;
  if (!resolved) throw new SchemaParseError(`field ${f.name}: type ${type} is not resolved`);
  return {
    type: resolved instanceof protobuf.Enum ? 'TYPE_ENUM' : 'TYPE_MESSAGE',
    typeName: `.${resolved.fullName.replace(/^\./, '')}`,
  };
}

function entryName(field: string): string {
  const camel = field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

function enumProto(e: protobuf.Enum): EnumProto {
  return { name: e.name, value: Object.entries(e.values).map(([name, number]) => ({ name, number })) };
}

function messageProto(t: protobuf.Type): MessageProto {
  const fields: FieldProto[] = [];
  const nested: MessageProto[] = [];
  const oneofs = t.oneofsArray;
  const full = t.fullName.replace(/^\./, '');
  for (const f of t.fieldsArray) {
    const out: FieldProto = { name: f.name, number: f.id, label: 'LABEL_OPTIONAL' };
    if (f.map) {
      const m = f as unknown as protobuf.MapField;
      const entry = entryName(f.name);
      nested.push({
        name: entry,
        field: [
          { name: 'key', number: 1, label: 'LABEL_OPTIONAL', type: SCALARS[m.keyType] as string },
          { name: 'value', number: 2, label: 'LABEL_OPTIONAL', ...typeOf(f, f.type) },
        ],
        options: { mapEntry: true },
      });
      Object.assign(out, { label: 'LABEL_REPEATED', type: 'TYPE_MESSAGE', typeName: `.${full}.${entry}` });
    } else {
      Object.assign(out, typeOf(f, f.type));
      if (f.repeated) out.label = 'LABEL_REPEATED';
      else if (f.rule === 'required') out.label = 'LABEL_REQUIRED';
    }
    if (f.partOf) {
      out.oneofIndex = oneofs.indexOf(f.partOf);
      if (f.partOf.name.startsWith('_') && f.partOf.fieldsArray.length === 1) out.proto3Optional = true;
    }
    fields.push(out);
  }
  const reservedRange: Array<{ start: number; end: number }> = [];
  const reservedName: string[] = [];
  for (const r of t.reserved ?? []) {
    if (typeof r === 'string') reservedName.push(r);
    else reservedRange.push({ start: r[0] as number, end: (r[1] as number) + 1 });
  }
  for (const n of t.nestedArray) {
    if (n instanceof protobuf.Type) nested.push(messageProto(n));
  }
  return {
    name: t.name,
    field: fields,
    nestedType: nested,
    enumType: t.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum).map(enumProto),
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
    ...(reservedRange.length > 0 && { reservedRange }),
    ...(reservedName.length > 0 && { reservedName }),
  };
}

/** The serialized FileDescriptorProto of a .proto schema (its references resolve its imports). */
export function protoToDescriptor(text: string, refs: ResolvedReference[], fileName = 'default'): Buffer {
  const { model } = parseProtobuf(text, refs);
  const imports = [...text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?["']([^"']+)["']\s*;/gm)].map(
    (m) => m[1] as string,
  );
  const file: FileProto = {
    name: fileName,
    ...(model.pkg && { package: model.pkg }),
    dependency: imports,
    messageType: model.types.filter((t): t is protobuf.Type => t instanceof protobuf.Type).map(messageProto),
    enumType: model.types.filter((t): t is protobuf.Enum => t instanceof protobuf.Enum).map(enumProto),
    syntax: model.syntax,
  };
  const msg = descriptor.FileDescriptorProto.fromObject(file);
  return Buffer.from(descriptor.FileDescriptorProto.encode(msg).finish());
}

// ---- descriptor → .proto text ----

function fieldType(f: FieldProto): string {
  if (f.typeName) return f.typeName;
  const scalar = f.type ? SCALAR_NAMES.get(f.type) : undefined;
  if (!scalar) throw new SchemaParseError(`field ${f.name} has no type`);
  return scalar;
}

function printEnum(e: EnumProto, indent: string): string[] {
  return [
    `${indent}enum ${e.name} {`,
    ...(e.value ?? []).map((v) => `${indent}  ${v.name} = ${v.number};`),
    `${indent}}`,
  ];
}

function printMessage(m: MessageProto, scope: string, syntax: string, indent: string): string[] {
  const full = `${scope}.${m.name}`;
  const entries = new Map((m.nestedType ?? []).filter((n) => n.options?.mapEntry).map((n) => [`${full}.${n.name}`, n]));
  const out = [`${indent}message ${m.name} {`];
  const line = (f: FieldProto, pad: string): string => {
    const entry = f.typeName ? entries.get(f.typeName) : undefined;
    if (entry && f.label === 'LABEL_REPEATED') {
      const [k, v] = entry.field ?? [];
      return `${pad}map<${fieldType(k as FieldProto)}, ${fieldType(v as FieldProto)}> ${f.name} = ${f.number};`;
    }
    let label = '';
    if (f.label === 'LABEL_REPEATED') label = 'repeated ';
    else if (f.label === 'LABEL_REQUIRED') label = 'required ';
    else if (f.proto3Optional || (syntax === 'proto2' && f.oneofIndex === undefined)) label = 'optional ';
    return `${pad}${label}${fieldType(f)} ${f.name} = ${f.number};`;
  };
  const fields = m.field ?? [];
  const real = (f: FieldProto): boolean => f.oneofIndex !== undefined && f.oneofIndex !== null && !f.proto3Optional;
  for (const f of fields) if (!real(f)) out.push(line(f, `${indent}  `));
  (m.oneofDecl ?? []).forEach((o, i) => {
    const members = fields.filter((f) => real(f) && f.oneofIndex === i);
    if (members.length === 0) return;
    out.push(`${indent}  oneof ${o.name} {`, ...members.map((f) => line(f, `${indent}    `)), `${indent}  }`);
  });
  const reserved = [
    ...(m.reservedRange ?? []).map((r) => (r.end - 1 === r.start ? `${r.start}` : `${r.start} to ${r.end - 1}`)),
    ...(m.reservedName ?? []).map((n) => `"${n}"`),
  ];
  if (reserved.length > 0) out.push(`${indent}  reserved ${reserved.join(', ')};`);
  for (const n of m.nestedType ?? []) {
    if (!n.options?.mapEntry) out.push(...printMessage(n, full, syntax, `${indent}  `));
  }
  for (const e of m.enumType ?? []) out.push(...printEnum(e, `${indent}  `));
  out.push(`${indent}}`);
  return out;
}

/**
 * The .proto text of a base64 FileDescriptorProto, or null when `schema` is
 * not one (then it is parsed as .proto text as usual).
 */
export function descriptorToProto(schema: string): string | null {
  const b64 = schema.trim();
  if (!BASE64.test(b64)) return null;
  let file: FileProto;
  try {
    const msg = descriptor.FileDescriptorProto.decode(Buffer.from(b64, 'base64'));
    file = descriptor.FileDescriptorProto.toObject(msg, { enums: String }) as FileProto;
  } catch {
    return null;
  }
  if (!file.messageType?.length && !file.enumType?.length) return null;
  const syntax = file.syntax === 'proto3' ? 'proto3' : 'proto2';
  const scope = file.package ? `.${file.package}` : '';
  const lines = [`syntax = "${syntax}";`];
  if (file.package) lines.push(`package ${file.package};`);
  for (const d of file.dependency ?? []) lines.push(`import "${d}";`);
  for (const m of file.messageType ?? []) lines.push(...printMessage(m, scope, syntax, ''));
  for (const e of file.enumType ?? []) lines.push(...printEnum(e, ''));
  return `${lines.join('\n')}\n`;
}
