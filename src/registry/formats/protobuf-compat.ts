/**
 * Protobuf compatibility: can a reader built from the new file parse bytes
 * written with the old one (BACKWARD; FORWARD swaps them). Fields are matched
 * by number, messages and enums by name (relative to the package, so a
 * package rename alone is compatible, as in Confluent):
 * - a message or enum that disappears (top level or nested) is MESSAGE_REMOVED / ENUM_REMOVED;
 * - a field number whose type changes outside a wire-compatible group is
 *   FIELD_SCALAR_KIND_CHANGED (groups: int32/uint32/int64/uint64/bool,
 *   sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string/bytes; an enum
 *   reads as int32/uint32/int64/uint64); scalar ↔ message ↔ map is
 *   FIELD_KIND_CHANGED; a different message or enum is FIELD_NAMED_TYPE_CHANGED;
 * - renaming a field or enum constant, adding or removing a field, repeated ↔
 *   singular (not for maps) are compatible;
 * - proto2 `required`: one the reader requires that the writer may omit is
 *   REQUIRED_FIELD_ADDED;
 * - oneof: removing a member is ONEOF_FIELD_REMOVED; moving a field into an
 *   existing oneof is FIELD_MOVED_TO_EXISTING_ONEOF; moving several into one
 *   new oneof is MULTIPLE_FIELDS_MOVED_TO_ONEOF; one into a new oneof is fine;
 * - enum constants removed: compatible in proto3 (open enums keep unknown
 *   values), ENUM_CONST_REMOVED in proto2 (closed enums drop them);
 * - a syntax change (proto2 ↔ proto3) changes presence and enum semantics: SYNTAX_CHANGED.
 */
import protobuf from 'protobufjs';
import type { ProtoModel } from './protobuf.ts';

/** One incompatibility with Confluent's difference name. */
export interface ProtoIncompatibility {
  type: string;
  path: string;
  message: string;
}

const GROUPS = [
  ['int32', 'uint32', 'int64', 'uint64', 'bool'],
  ['sint32', 'sint64'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['string', 'bytes'],
  ['float'],
  ['double'],
];
const ENUM_READABLE_AS = new Set(['int32', 'uint32', 'int64', 'uint64']);
const SCALARS = new Set(GROUPS.flat());

type Kind = 'scalar' | 'enum' | 'message' | 'map';

function kindOf(f: protobuf.Field): Kind {
  if (f.map) return 'map';
  if (SCALARS.has(f.type)) return 'scalar';
  return f.resolvedType instanceof protobuf.Enum ? 'enum' : 'message';
}

function relName(t: protobuf.ReflectionObject, pkg: string): string {
  const full = t.fullName.replace(/^\./, '');
  return pkg && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
}

/** Checks that a reader of `reader` parses what a writer of `writer` wrote; [] when it does. */
export function checkProtobufBackward(reader: ProtoModel, writer: ProtoModel): ProtoIncompatibility[] {
  const out: ProtoIncompatibility[] = [];
  const visited = new Set<string>();
  if (reader.syntax !== writer.syntax) {
    out.push({
      type: 'SYNTAX_CHANGED',
      path: '#/',
      message: `syntax changed from ${writer.syntax} to ${reader.syntax}`,
    });
  }
  const readerTypes = new Map(reader.types.map((t) => [t.name, t]));
  for (const w of writer.types) {
    const r = readerTypes.get(w.name);
    const path = `#/${w.name}`;
    if (!r || r instanceof protobuf.Enum !== w instanceof protobuf.Enum) {
      const type = w instanceof protobuf.Enum ? 'ENUM_REMOVED' : 'MESSAGE_REMOVED';
      out.push({ type, path, message: `${w instanceof protobuf.Enum ? 'enum' : 'message'} ${w.name} was removed` });
      continue;
    }
    compareType(r, w, path);
  }
  return out;

  function compareType(r: protobuf.Type | protobuf.Enum, w: protobuf.Type | protobuf.Enum, path: string): void {
    const key = `${r.fullName}|${w.fullName}`;
    if (visited.has(key)) return;
    visited.add(key);
    if (r instanceof protobuf.Enum && w instanceof protobuf.Enum) {
      compareEnum(r, w, path);
      return;
    }
    if (r instanceof protobuf.Type && w instanceof protobuf.Type) {
      compareMessage(r, w, path);
      return;
    }
  }

  function compareEnum(r: protobuf.Enum, w: protobuf.Enum, path: string): void {
    const readerNumbers = new Set(Object.values(r.values));
    const missing = Object.entries(w.values).filter(([, n]) => !readerNumbers.has(n));
    if (missing.length > 0 && reader.syntax === 'proto2') {
      out.push({
        type: 'ENUM_CONST_REMOVED',
        path,
        message: `closed enum ${r.name} no longer has ${missing.map(([k, n]) => `${k} = ${n}`).join(', ')}`,
      });
    }
  }

  function compareMessage(r: protobuf.Type, w: protobuf.Type, path: string): void {
    // Nested types by name.
    for (const wn of w.nestedArray) {
      if (!(wn instanceof protobuf.Type || wn instanceof protobuf.Enum)) continue;
      const rn = r.nested?.[wn.name];
      if (
        !(rn instanceof protobuf.Type || rn instanceof protobuf.Enum) ||
        rn instanceof protobuf.Enum !== wn instanceof protobuf.Enum
      ) {
        const type = wn instanceof protobuf.Enum ? 'ENUM_REMOVED' : 'MESSAGE_REMOVED';
        out.push({ type, path: `${path}/${wn.name}`, message: `nested type ${wn.name} of ${w.name} was removed` });
      } else compareType(rn, wn, `${path}/${wn.name}`);
    }
    const readerById = new Map(r.fieldsArray.map((f) => [f.id, f]));
    const writerById = new Map(w.fieldsArray.map((f) => [f.id, f]));
    const realOneof = (f: protobuf.Field): protobuf.OneOf | null =>
      f.partOf && !(f.partOf.name.startsWith('_') && f.partOf.fieldsArray.length === 1) ? f.partOf : null;
    const movedInto = new Map<string, number>();
    for (const wf of w.fieldsArray) {
      const fpath = `${path}/${wf.id}`;
      const rf = readerById.get(wf.id);
      if (!rf) {
        if (realOneof(wf)) {
          out.push({
            type: 'ONEOF_FIELD_REMOVED',
            path: fpath,
            message: `field ${wf.name} = ${wf.id} was removed from oneof ${realOneof(wf)!.name}`,
          });
        }
        continue;
      }
      compareField(rf, wf, fpath);
      const ro = realOneof(rf);
      if (ro && !realOneof(wf)) {
        const existed = w.oneofsArray.some((o) => o.name === ro.name);
        if (existed) {
          out.push({
            type: 'FIELD_MOVED_TO_EXISTING_ONEOF',
            path: fpath,
            message: `field ${rf.name} = ${rf.id} moved into the existing oneof ${ro.name}`,
          });
        } else movedInto.set(ro.name, (movedInto.get(ro.name) ?? 0) + 1);
      }
    }
    for (const [name, count] of movedInto) {
      if (count > 1)
        out.push({
          type: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
          path,
          message: `${count} fields moved into the new oneof ${name}`,
        });
    }
    for (const rf of r.fieldsArray) {
      if (rf.rule !== 'required') continue;
      const wf = writerById.get(rf.id);
      if (wf?.rule !== 'required') {
        out.push({
          type: 'REQUIRED_FIELD_ADDED',
          path: `${path}/${rf.id}`,
          message: `field ${rf.name} = ${rf.id} is required but may be missing from old data`,
        });
      }
    }
  }

  function compareField(rf: protobuf.Field, wf: protobuf.Field, path: string): void {
    const rk = kindOf(rf);
    const wk = kindOf(wf);
    if (rk === 'map' && wk === 'map') {
      const rm = rf as unknown as { keyType: string };
      const wm = wf as unknown as { keyType: string };
      if (!scalarCompatible(rm.keyType, wm.keyType)) {
        out.push({
          type: 'FIELD_SCALAR_KIND_CHANGED',
          path,
          message: `map key of ${rf.name} changed from ${wm.keyType} to ${rm.keyType}`,
        });
      }
      compareValueTypes(rf, wf, kindOfType(rf), kindOfType(wf), path);
      return;
    }
    if (rk === 'map' || wk === 'map') {
      out.push({
        type: 'FIELD_KIND_CHANGED',
        path,
        message: `field ${wf.id} changed between a map and a ${rk === 'map' ? wk : rk}`,
      });
      return;
    }
    compareValueTypes(rf, wf, rk, wk, path);
  }

  function kindOfType(f: protobuf.Field): Kind {
    if (SCALARS.has(f.type)) return 'scalar';
    return f.resolvedType instanceof protobuf.Enum ? 'enum' : 'message';
  }

  function compareValueTypes(rf: protobuf.Field, wf: protobuf.Field, rk: Kind, wk: Kind, path: string): void {
    if (rk === 'scalar' && wk === 'scalar') {
      if (!scalarCompatible(rf.type, wf.type)) {
        out.push({
          type: 'FIELD_SCALAR_KIND_CHANGED',
          path,
          message: `field ${wf.id} changed from ${wf.type} to ${rf.type}, which is not wire-compatible`,
        });
      }
      return;
    }
    if (
      (rk === 'scalar' && wk === 'enum' && ENUM_READABLE_AS.has(rf.type)) ||
      (rk === 'enum' && wk === 'scalar' && ENUM_READABLE_AS.has(wf.type))
    ) {
      return;
    }
    if (rk !== wk) {
      out.push({ type: 'FIELD_KIND_CHANGED', path, message: `field ${wf.id} changed from a ${wk} to a ${rk}` });
      return;
    }
    const rt = rf.resolvedType;
    const wt = wf.resolvedType;
    if (!rt || !wt) return;
    if (relName(rt, reader.pkg) !== relName(wt, writer.pkg)) {
      out.push({
        type: 'FIELD_NAMED_TYPE_CHANGED',
        path,
        message: `field ${wf.id} changed type from ${relName(wt, writer.pkg)} to ${relName(rt, reader.pkg)}`,
      });
      return;
    }
    compareType(rt, wt, `#/${relName(rt, reader.pkg)}`);
  }
}

function scalarCompatible(a: string, b: string): boolean {
  return a === b || GROUPS.some((g) => g.includes(a) && g.includes(b));
}
