/**
 * PROTOBUF: .proto text parsed with protobufjs. Each `import` must be a
 * reference (by its import path) or one of the well-known google/protobuf
 * files protobufjs bundles; all types must resolve.
 *
 * Identity: the text with line endings unified and outer whitespace trimmed.
 * normalize=true prints the parsed file back as .proto in one fixed layout:
 * imports sorted, options dropped, fields in number order, nested types after
 * the fields — so formatting and field order no longer change the id.
 */
import protobuf from 'protobufjs';
import type { ParsedSchema, ResolvedReference } from './types.ts';
import { SchemaParseError } from './types.ts';

/** A parsed .proto file: its syntax, package, and the messages and enums it declares at top level. */
export interface ProtoModel {
  syntax: 'proto2' | 'proto3';
  pkg: string;
  root: protobuf.Root;
  types: Array<protobuf.Type | protobuf.Enum>;
}

function syntaxOf(text: string): 'proto2' | 'proto3' {
  return /^\s*syntax\s*=\s*["']proto3["']/m.test(text) ? 'proto3' : 'proto2';
}

function parseInto(text: string, root: protobuf.Root, what: string): protobuf.IParserResult {
  try {
    return protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
  } catch (e) {
    throw new SchemaParseError(`Invalid schema ${what}: ${(e as Error).message}`);
  }
}

function allTypes(ns: protobuf.NamespaceBase, out = new Set<string>()): Set<string> {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type || child instanceof protobuf.Enum) out.add(child.fullName);
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) allTypes(child, out);
  }
  return out;
}

/** Parses a .proto file with its imports resolved from references; throws SchemaParseError. */
export function parseProtobuf(text: string, refs: ResolvedReference[]): { model: ProtoModel; parsed: ParsedSchema } {
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  const byName = new Map(refs.map((r) => [r.name, r]));
  const load = (name: string, from: string): void => {
    if (loaded.has(name)) return;
    loaded.add(name);
    const ref = byName.get(name);
    if (ref) {
      const res = parseInto(ref.schema, root, `reference '${name}'`);
      for (const imp of [...(res.imports ?? []), ...(res.weakImports ?? [])]) load(imp, name);
      return;
    }
    const common = protobuf.common.get(name);
    if (common) {
      root.addJSON(common.nested as protobuf.INamespace['nested'] & object);
      return;
    }
    throw new SchemaParseError(
      `Either the input schema or one its references is invalid: import '${name}' in ${from} is not a reference`,
    );
  };
  // Parse the main file into a scratch root first to learn its imports.
  const scratch = parseInto(text, new protobuf.Root(), 'text');
  for (const imp of [...(scratch.imports ?? []), ...(scratch.weakImports ?? [])]) load(imp, 'the schema');
  const before = allTypes(root);
  const res = parseInto(text, root, 'text');
  try {
    root.resolveAll();
  } catch (e) {
    throw new SchemaParseError(`Invalid schema: ${(e as Error).message}`);
  }
  const own = [...allTypes(root)].filter((n) => !before.has(n));
  const types = own
    .map((n) => root.lookup(n))
    .filter((t): t is protobuf.Type | protobuf.Enum => t !== null && !(t.parent instanceof protobuf.Type))
    .filter((t) => t instanceof protobuf.Type || t instanceof protobuf.Enum);
  const syntax = syntaxOf(text);
  const model: ProtoModel = { syntax, pkg: res.package ?? '', root, types };
  const imports = [...(res.imports ?? [])].sort();
  return {
    model,
    parsed: {
      type: 'PROTOBUF',
      canonical: text.replace(/\r\n?/g, '\n').trim(),
      normalized: printProto(model, imports),
    },
  };
}

function printProto(m: ProtoModel, imports: string[]): string {
  const lines = [`syntax = "${m.syntax}";`];
  if (m.pkg) lines.push(`package ${m.pkg};`);
  for (const i of imports) lines.push(`import "${i}";`);
  for (const t of m.types) lines.push(...printType(t, '', m.syntax));
  return `${lines.join('\n')}\n`;
}

function printType(t: protobuf.Type | protobuf.Enum, indent: string, syntax: string): string[] {
  if (t instanceof protobuf.Enum) {
    const body = Object.entries(t.values)
      .sort((a, b) => a[1] - b[1])
      .map(([k, v]) => `${indent}  ${k} = ${v};`);
    return [`${indent}enum ${t.name} {`, ...body, `${indent}}`];
  }
  const out = [`${indent}message ${t.name} {`];
  const inOneof = new Set<string>();
  for (const o of t.oneofsArray) {
    if (o.name.startsWith('_') && o.fieldsArray.length === 1) continue; // proto3 optional
    out.push(`${indent}  oneof ${o.name} {`);
    for (const f of [...o.fieldsArray].sort((a, b) => a.id - b.id)) {
      inOneof.add(f.name);
      out.push(`${indent}    ${f.type} ${f.name} = ${f.id};`);
    }
    out.push(`${indent}  }`);
  }
  for (const f of [...t.fieldsArray].sort((a, b) => a.id - b.id)) {
    if (inOneof.has(f.name)) continue;
    const type = f.map ? `map<${(f as unknown as { keyType: string }).keyType}, ${f.type}>` : f.type;
    const label = f.repeated
      ? 'repeated '
      : f.rule === 'required'
        ? 'required '
        : isOptional(f, syntax)
          ? 'optional '
          : '';
    out.push(`${indent}  ${label}${type} ${f.name} = ${f.id};`);
  }
  const reserved = t.reserved ?? [];
  if (reserved.length > 0) {
    const parts = reserved.map((r) =>
      typeof r === 'string' ? `"${r}"` : r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1]}`,
    );
    out.push(`${indent}  reserved ${parts.join(', ')};`);
  }
  for (const n of t.nestedArray) {
    if (n instanceof protobuf.Type || n instanceof protobuf.Enum) out.push(...printType(n, `${indent}  `, syntax));
  }
  out.push(`${indent}}`);
  return out;
}

/** Whether a field carries an explicit `optional` label in the source. */
export function isOptional(f: protobuf.Field, syntax: string): boolean {
  if (f.map || f.repeated) return false;
  if (syntax === 'proto2') return f.rule !== 'required';
  return f.partOf?.name.startsWith('_') === true && f.partOf.fieldsArray.length === 1;
}
