/**
 * Avro reader/writer compatibility, following the schema resolution rules of
 * the Avro specification:
 * - primitives match, or the writer's type promotes: int→long→float→double,
 *   string↔bytes; logical types are compared by their underlying type;
 * - records, enums and fixed match by unqualified name or a reader alias;
 * - every reader field is found in the writer (by name or reader alias) with a
 *   readable type, or has a default;
 * - every writer enum symbol is a reader symbol, unless the reader has a default;
 * - fixed sizes are equal; arrays and maps compare items and values;
 * - a writer union needs every branch readable; a reader union needs one
 *   branch that reads the writer.
 * Error names are Avro's SchemaIncompatibilityType values, as Confluent reports them.
 */
import type { AvroField, AvroNode, AvroObject, AvroSchema } from './avro.ts';
import { avroFullName, innerNamespace, resolveAvro, simpleName } from './avro.ts';

interface Side {
  schema: AvroSchema;
  node: AvroNode;
  ns: string | undefined;
}

/** One incompatibility: Avro's type name, the path in the reader schema, and a sentence. */
export interface AvroIncompatibility {
  type:
    | 'NAME_MISMATCH'
    | 'FIXED_SIZE_MISMATCH'
    | 'MISSING_ENUM_SYMBOLS'
    | 'READER_FIELD_MISSING_DEFAULT_VALUE'
    | 'TYPE_MISMATCH'
    | 'MISSING_UNION_BRANCH';
  path: string;
  message: string;
}

const PROMOTIONS: Record<string, string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

function kind(node: AvroNode): string {
  if (Array.isArray(node)) return 'union';
  if (typeof node === 'string') return node;
  const t = node.type;
  return t === 'error' ? 'record' : typeof t === 'string' ? t : 'unknown';
}

function describe(node: AvroNode): string {
  if (Array.isArray(node)) return 'union';
  if (typeof node === 'string') return node;
  return typeof node.name === 'string' ? `${kind(node)} ${node.name}` : kind(node);
}

/** Checks whether `reader` can read data written with `writer`; [] when it can. */
export function checkAvroReaderWriter(reader: AvroSchema, writer: AvroSchema): AvroIncompatibility[] {
  const out: AvroIncompatibility[] = [];
  const inProgress = new Set<string>();
  check({ schema: reader, node: reader.root, ns: undefined }, { schema: writer, node: writer.root, ns: undefined }, '');
  return out;

  function check(r: Side, w: Side, path: string): void {
    const rn = resolveAvro(r.node, r.schema.named, r.ns);
    const wn = resolveAvro(w.node, w.schema.named, w.ns);
    const rk = kind(rn);
    const wk = kind(wn);
    // Recursive types: a pair already being compared is assumed compatible.
    if (typeof rn === 'object' && !Array.isArray(rn) && typeof rn.name === 'string') {
      const key = `${avroFullName(rn, r.ns)}|${typeof wn === 'object' && !Array.isArray(wn) ? avroFullName(wn, w.ns) : wk}|${path}`;
      const pairKey = key.slice(0, key.lastIndexOf('|'));
      if (inProgress.has(pairKey)) return;
      inProgress.add(pairKey);
      try {
        checkResolved({ ...r, node: rn }, { ...w, node: wn }, rk, wk, path);
      } finally {
        inProgress.delete(pairKey);
      }
      return;
    }
    checkResolved({ ...r, node: rn }, { ...w, node: wn }, rk, wk, path);
  }

  function checkResolved(r: Side, w: Side, rk: string, wk: string, path: string): void {
    if (wk === 'union') {
      const branches = w.node as AvroNode[];
      branches.forEach((b, i) => {
        check(r, { ...w, node: b }, rk === 'union' ? path : `${path}/${i}`);
      });
      return;
    }
    if (rk === 'union') {
      const branches = r.node as AvroNode[];
      const ok = branches.some((b) => {
        const before = out.length;
        check({ ...r, node: b }, w, path);
        const fine = out.length === before;
        out.length = before;
        return fine;
      });
      if (!ok) {
        out.push({
          type: 'MISSING_UNION_BRANCH',
          path,
          message: `The new schema's union at path '${path || '/'}' is missing a branch that can read ${describe(w.node)}`,
        });
      }
      return;
    }
    if (rk !== wk) {
      if (PROMOTIONS[rk]?.includes(wk)) return;
      out.push({
        type: 'TYPE_MISMATCH',
        path,
        message: `The type at path '${path || '/'}' is ${rk} in the reader and ${wk} in the writer, which it cannot read`,
      });
      return;
    }
    const ro = r.node as AvroObject;
    const wo = w.node as AvroObject;
    switch (rk) {
      case 'record':
        if (!namesMatch(ro, wo, w.ns)) {
          nameMismatch(ro, wo, path);
          return;
        }
        checkRecord(r, w, path);
        return;
      case 'enum': {
        if (!namesMatch(ro, wo, w.ns)) {
          nameMismatch(ro, wo, path);
          return;
        }
        const missing = (wo.symbols ?? []).filter((s) => !(ro.symbols ?? []).includes(s));
        if (missing.length > 0 && ro.default === undefined) {
          out.push({
            type: 'MISSING_ENUM_SYMBOLS',
            path: `${path}/symbols`,
            message: `The reader enum ${ro.name} at path '${path || '/'}' is missing symbols [${missing.join(', ')}] and has no default`,
          });
        }
        return;
      }
      case 'fixed':
        if (!namesMatch(ro, wo, w.ns)) {
          nameMismatch(ro, wo, path);
          return;
        }
        if (ro.size !== wo.size) {
          out.push({
            type: 'FIXED_SIZE_MISMATCH',
            path: `${path}/size`,
            message: `The fixed ${ro.name} at path '${path || '/'}' has size ${ro.size} in the reader and ${wo.size} in the writer`,
          });
        }
        return;
      case 'array':
        check({ ...r, node: ro.items! }, { ...w, node: wo.items! }, `${path}/items`);
        return;
      case 'map':
        check({ ...r, node: ro.values! }, { ...w, node: wo.values! }, `${path}/values`);
        return;
      default:
        return;
    }
  }

  function checkRecord(r: Side, w: Side, path: string): void {
    const ro = r.node as AvroObject;
    const wo = w.node as AvroObject;
    const rns = innerNamespace(ro, r.ns);
    const wns = innerNamespace(wo, w.ns);
    const writerFields = wo.fields ?? [];
    (ro.fields ?? []).forEach((rf: AvroField, i) => {
      const names = [rf.name, ...(rf.aliases ?? [])];
      const wf = writerFields.find((f) => names.includes(f.name));
      const fpath = `${path}/fields/${i}`;
      if (wf === undefined) {
        if (rf.default === undefined) {
          out.push({
            type: 'READER_FIELD_MISSING_DEFAULT_VALUE',
            path: fpath,
            message: `The field '${rf.name}' at path '${fpath}' in the reader schema has no default value and is missing in the writer schema`,
          });
        }
        return;
      }
      check(
        { schema: r.schema, node: rf.type, ns: rns },
        { schema: w.schema, node: wf.type, ns: wns },
        `${fpath}/type`,
      );
    });
  }

  function namesMatch(ro: AvroObject, wo: AvroObject, wns: string | undefined): boolean {
    if (simpleName(ro) === simpleName(wo)) return true;
    const writerFull = avroFullName(wo, wns);
    return (ro.aliases ?? []).some((a) => a === writerFull || a === simpleName(wo));
  }

  function nameMismatch(ro: AvroObject, wo: AvroObject, path: string): void {
    out.push({
      type: 'NAME_MISMATCH',
      path: `${path}/name`,
      message: `The name '${ro.name}' at path '${path || '/'}' in the reader does not match the writer's '${wo.name}' and is not one of the reader's aliases`,
    });
  }
}
