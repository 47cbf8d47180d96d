/**
 * JSON Schema compatibility: BACKWARD holds when the reader (new) schema
 * accepts every document the writer (old) schema accepts. The check is
 * structural, keyword by keyword, as Confluent's SchemaDiff is:
 * - `type` may widen (integer ⊂ number), never narrow; bounds may loosen
 *   (`max*` up or removed, `min*` down or removed, draft-04 boolean and
 *   draft-06+ numeric exclusive bounds compared as one); `multipleOf` may only
 *   become a divisor; `pattern`, `format`, `contentEncoding`/`contentMediaType`,
 *   `if` must stay the same or go; `enum`/`const` may only gain values;
 * - content models: each property is compared through what governs it on each
 *   side — its `properties` entry, a matching `patternProperties` entry, or
 *   `additionalProperties` (absent = open). So adding a typed property to an
 *   open model narrows it (PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL), removing one
 *   from a closed model widens it, and a partially open model allows what it
 *   already covered. Tuple items and `additionalItems`/`prefixItems` alike;
 * - `required`, `dependencies`/`dependentRequired`/`dependentSchemas` may only shrink;
 * - `allOf` members are merged; a writer `anyOf`/`oneOf` branch must each be
 *   accepted, a reader one must accept the writer; an `anyOf` cannot become a
 *   `oneOf`; `not` compares its schema the other way round;
 * - `$ref` is followed (JSON pointers, anchors, `$id`s, other registered
 *   schemas); recursion is assumed compatible when a pair comes round again.
 * Annotations (title, description, default, examples, $comment, $id) never matter.
 */
import type { Node } from './json-keywords.ts';
import {
  ANNOTATIONS,
  bound,
  conj,
  deref,
  equal,
  governing,
  isObj,
  prepDoc,
  tuple,
  typeAccepted,
  typesOf,
} from './json-keywords.ts';
import type { Json, JsonObject, JsonSchemaModel } from './json-schema.ts';

/** One incompatibility, named after Confluent's difference types. */
export interface JsonIncompatibility {
  type: string;
  path: string;
  message: string;
}

/** Checks that `reader` accepts every document `writer` accepts; [] when it does. */
export function checkJsonSchemaBackward(reader: JsonSchemaModel, writer: JsonSchemaModel): JsonIncompatibility[] {
  const wRoot = prepDoc(writer, writer.root);
  const rRoot = prepDoc(reader, reader.root);
  const seen = new Set<string>();
  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const idOf = (v: Json): string => {
    if (typeof v !== 'object' || v === null) return String(v);
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = nextId++));
    return `#${id}`;
  };
  return sub({ s: wRoot, doc: wRoot }, { s: rRoot, doc: rRoot }, '#');

  /** Dereferences and merges allOf, giving an object (or boolean) schema. */
  function flat(n: Node, model: JsonSchemaModel): Node {
    const d = deref(n, model);
    if (!isObj(d.s) || !Array.isArray(d.s.allOf)) return d;
    const { allOf, ...base } = d.s;
    let merged: Json = base;
    for (const m of allOf) merged = conj(merged, flat({ s: m, doc: d.doc }, model).s);
    return flat({ s: merged, doc: d.doc }, model);
  }

  function sub(w0: Node, r0: Node, path: string): JsonIncompatibility[] {
    const key = `${idOf(w0.s)}|${idOf(r0.s)}`;
    if (seen.has(key)) return [];
    seen.add(key);
    try {
      return compare(flat(w0, writer), flat(r0, reader), path);
    } finally {
      seen.delete(key);
    }
  }

  function compare(w: Node, r: Node, path: string): JsonIncompatibility[] {
    const issue = (type: string, message: string): JsonIncompatibility[] => [{ type, path, message }];
    if (r.s === true || w.s === false) return [];
    if (r.s === false) return issue('TYPE_NARROWED', `the new schema at '${path}' accepts nothing`);
    const ws: JsonObject = w.s === true || !isObj(w.s) ? {} : w.s;
    const rs: JsonObject = isObj(r.s) ? r.s : {};
    const rKeys = Object.keys(rs).filter((k) => !ANNOTATIONS.has(k));
    if (rKeys.length === 0) return [];
    const out: JsonIncompatibility[] = [];
    const wn = (s: Json): Node => ({ s, doc: w.doc });
    const rn = (s: Json): Node => ({ s, doc: r.doc });

    // Combinations: expand the writer's alternatives first, then find a reader alternative.
    const wAlt = (ws.anyOf ?? ws.oneOf) as Json[] | undefined;
    if (Array.isArray(rs.oneOf) && Array.isArray(ws.anyOf) && !Array.isArray(ws.oneOf)) {
      return issue('COMBINED_TYPE_CHANGED', `anyOf at '${path}' became oneOf`);
    }
    if (Array.isArray(wAlt)) {
      const { anyOf: _a, oneOf: _o, ...wBase } = ws;
      wAlt.forEach((b, i) => {
        const branch = flat(wn(conj(wBase, flat(wn(b), writer).s)), writer);
        const found = sub(branch, r, path);
        if (found.length > 0)
          out.push(
            ...issue('SUM_TYPE_EXTENDED', `writer alternative ${i} at '${path}' is not accepted: ${found[0]!.message}`),
          );
      });
      return out;
    }
    const rAlt = (rs.anyOf ?? rs.oneOf) as Json[] | undefined;
    if (Array.isArray(rAlt)) {
      const { anyOf: _a, oneOf: _o, ...rBase } = rs;
      out.push(...sub(w, rn(rBase), path));
      if (!rAlt.some((b) => sub(w, rn(b), path).length === 0)) {
        out.push(
          ...issue(
            'SUM_TYPE_NARROWED',
            `no alternative of the new schema at '${path}' accepts all the old schema accepts`,
          ),
        );
      }
      return out;
    }
    if (rs.not !== undefined) {
      if (ws.not === undefined || sub(rn(rs.not), wn(ws.not), `${path}/not`).length > 0) {
        out.push(...issue('NOT_TYPE_EXTENDED', `the new schema's 'not' at '${path}' excludes more`));
      }
    }
    if (rs.if !== undefined) {
      if (!equal(ws.if, rs.if)) out.push(...issue('CONDITION_CHANGED', `the 'if' condition at '${path}' changed`));
      else {
        const { if: _i, then: wt, else: we, ...wBase } = ws;
        const { if: _j, then: rt, else: re, ...rBase } = rs;
        out.push(...sub(wn(conj(wBase, wt ?? true)), rn(conj(rBase, rt ?? true)), `${path}/then`));
        out.push(...sub(wn(conj(wBase, we ?? true)), rn(conj(rBase, re ?? true)), `${path}/else`));
      }
    }
    // Enumerations.
    const rVals = rs.const !== undefined ? [rs.const] : Array.isArray(rs.enum) ? rs.enum : undefined;
    if (rVals) {
      const wVals = ws.const !== undefined ? [ws.const] : Array.isArray(ws.enum) ? ws.enum : undefined;
      if (!wVals) out.push(...issue('ENUM_ARRAY_NARROWED', `an enum was added at '${path}'`));
      else if (!wVals.every((v) => rVals.some((x) => equal(v, x)))) {
        out.push(...issue('ENUM_ARRAY_NARROWED', `the enum at '${path}' no longer has every old value`));
      }
    }
    // Types.
    const wTypes = typesOf(ws);
    const rTypes = typeof rs.type === 'string' || Array.isArray(rs.type) ? typesOf({ type: rs.type }) : undefined;
    if (rTypes && (!wTypes || ![...wTypes].every((t) => typeAccepted(t, rTypes)))) {
      out.push(...issue('TYPE_NARROWED', `the type at '${path}' is narrower: ${[...rTypes].join(', ')}`));
    }
    const has = (...ts: string[]): boolean => !wTypes || ts.some((t) => wTypes.has(t));
    if (has('string')) out.push(...strings(ws, rs, path));
    if (has('number', 'integer')) out.push(...numbers(ws, rs, path));
    if (has('object')) out.push(...objects(ws, rs, path, wn, rn));
    if (has('array')) out.push(...arrays(ws, rs, path, wn, rn));
    return out;
  }

  function limit(ws: JsonObject, rs: JsonObject, key: string, path: string, isMax: boolean): JsonIncompatibility[] {
    const r = rs[key];
    if (typeof r !== 'number' || (!isMax && r <= 0)) return [];
    const w = ws[key];
    const name = key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    if (typeof w !== 'number') return [{ type: `${name}_ADDED`, path, message: `${key} ${r} was added at '${path}'` }];
    if (isMax ? w > r : w < r) {
      return [
        {
          type: `${name}_${isMax ? 'DECREASED' : 'INCREASED'}`,
          path,
          message: `${key} at '${path}' went from ${w} to ${r}`,
        },
      ];
    }
    return [];
  }

  function same(ws: JsonObject, rs: JsonObject, key: string, path: string): JsonIncompatibility[] {
    if (rs[key] === undefined || equal(ws[key], rs[key])) return [];
    const name = key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    const type = ws[key] === undefined ? `${name}_ADDED` : `${name}_CHANGED`;
    return [{ type, path, message: `${key} at '${path}' was added or changed` }];
  }

  function strings(ws: JsonObject, rs: JsonObject, path: string): JsonIncompatibility[] {
    return [
      ...limit(ws, rs, 'maxLength', path, true),
      ...limit(ws, rs, 'minLength', path, false),
      ...['pattern', 'format', 'contentEncoding', 'contentMediaType'].flatMap((k) => same(ws, rs, k, path)),
    ];
  }

  function numbers(ws: JsonObject, rs: JsonObject, path: string): JsonIncompatibility[] {
    const out: JsonIncompatibility[] = [];
    for (const side of ['min', 'max'] as const) {
      const r = bound(rs, side);
      if (!r) continue;
      const w = bound(ws, side);
      const tighter = !w || (side === 'min' ? w.v < r.v : w.v > r.v) || (w.v === r.v && r.excl && !w.excl);
      if (tighter) {
        const type =
          side === 'min' ? (w ? 'MINIMUM_INCREASED' : 'MINIMUM_ADDED') : w ? 'MAXIMUM_DECREASED' : 'MAXIMUM_ADDED';
        out.push({ type, path, message: `the ${side === 'min' ? 'lower' : 'upper'} bound at '${path}' is tighter` });
      }
    }
    const rm = rs.multipleOf;
    if (typeof rm === 'number') {
      const wm = ws.multipleOf;
      const q = typeof wm === 'number' ? wm / rm : Number.NaN;
      if (!(Math.abs(q - Math.round(q)) < 1e-9)) {
        out.push({
          type: wm === undefined ? 'MULTIPLE_OF_ADDED' : 'MULTIPLE_OF_CHANGED',
          path,
          message: `multipleOf at '${path}' is not a divisor of the old one`,
        });
      }
    }
    return out;
  }

  function objects(
    ws: JsonObject,
    rs: JsonObject,
    path: string,
    wn: (s: Json) => Node,
    rn: (s: Json) => Node,
  ): JsonIncompatibility[] {
    const out: JsonIncompatibility[] = [];
    const wReq = Array.isArray(ws.required) ? ws.required : [];
    for (const name of Array.isArray(rs.required) ? rs.required : []) {
      if (!wReq.includes(name))
        out.push({
          type: 'REQUIRED_ATTRIBUTE_ADDED',
          path,
          message: `property '${String(name)}' became required at '${path}'`,
        });
    }
    out.push(...limit(ws, rs, 'maxProperties', path, true), ...limit(ws, rs, 'minProperties', path, false));
    if (rs.propertyNames !== undefined)
      out.push(...sub(wn(ws.propertyNames ?? true), rn(rs.propertyNames), `${path}/propertyNames`));
    const wProps = isObj(ws.properties) ? ws.properties : {};
    const rProps = isObj(rs.properties) ? rs.properties : {};
    for (const name of new Set([...Object.keys(wProps), ...Object.keys(rProps)])) {
      const found = sub(wn(governing(ws, name)), rn(governing(rs, name)), `${path}/properties/${name}`);
      if (found.length === 0) continue;
      if (wProps[name] === undefined)
        out.push({
          type: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
          path,
          message: `property '${name}' added at '${path}' narrows what the old content model allowed`,
        });
      else if (rProps[name] === undefined)
        out.push({
          type: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          path,
          message: `property '${name}' removed at '${path}' is not allowed by the new content model`,
        });
      else out.push(...found);
    }
    const wPat = isObj(ws.patternProperties) ? ws.patternProperties : {};
    const rPat = isObj(rs.patternProperties) ? rs.patternProperties : {};
    for (const p of new Set([...Object.keys(wPat), ...Object.keys(rPat)])) {
      out.push(
        ...sub(
          wn(wPat[p] ?? ws.additionalProperties ?? true),
          rn(rPat[p] ?? rs.additionalProperties ?? true),
          `${path}/patternProperties/${p}`,
        ),
      );
    }
    const addl = sub(
      wn(ws.additionalProperties ?? true),
      rn(rs.additionalProperties ?? true),
      `${path}/additionalProperties`,
    );
    if (addl.length > 0) {
      const type =
        rs.additionalProperties === false ? 'ADDITIONAL_PROPERTIES_REMOVED' : 'ADDITIONAL_PROPERTIES_NARROWED';
      out.push({ type, path, message: `additionalProperties at '${path}' is narrower` });
    }
    out.push(...dependencies(ws, rs, path, wn, rn));
    return out;
  }

  function dependencies(
    ws: JsonObject,
    rs: JsonObject,
    path: string,
    wn: (s: Json) => Node,
    rn: (s: Json) => Node,
  ): JsonIncompatibility[] {
    const out: JsonIncompatibility[] = [];
    const collect = (s: JsonObject): Map<string, Json> => {
      const m = new Map<string, Json>();
      for (const k of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
        if (isObj(s[k]))
          for (const [p, v] of Object.entries(s[k] as JsonObject)) m.set(`${Array.isArray(v) ? 'a' : 's'}:${p}`, v);
      }
      return m;
    };
    const wd = collect(ws);
    for (const [k, rv] of collect(rs)) {
      const wv = wd.get(k);
      if (Array.isArray(rv)) {
        if (!Array.isArray(wv) || !rv.every((x) => wv.includes(x)))
          out.push({
            type: 'DEPENDENCY_ARRAY_EXTENDED',
            path,
            message: `dependency of '${k.slice(2)}' at '${path}' requires more`,
          });
      } else if (wv === undefined || sub(wn(wv), rn(rv), `${path}/dependencies/${k.slice(2)}`).length > 0) {
        out.push({
          type: 'DEPENDENCY_SCHEMA_ADDED',
          path,
          message: `dependency schema of '${k.slice(2)}' at '${path}' is narrower`,
        });
      }
    }
    return out;
  }

  function arrays(
    ws: JsonObject,
    rs: JsonObject,
    path: string,
    wn: (s: Json) => Node,
    rn: (s: Json) => Node,
  ): JsonIncompatibility[] {
    const out = [...limit(ws, rs, 'maxItems', path, true), ...limit(ws, rs, 'minItems', path, false)];
    if (rs.uniqueItems === true && ws.uniqueItems !== true)
      out.push({ type: 'UNIQUE_ITEMS_ADDED', path, message: `uniqueItems was added at '${path}'` });
    if (
      rs.contains !== undefined &&
      (ws.contains === undefined || sub(wn(ws.contains), rn(rs.contains), `${path}/contains`).length > 0)
    ) {
      out.push({ type: 'CONTAINS_NARROWED', path, message: `'contains' at '${path}' is narrower` });
    }
    const w = tuple(ws);
    const r = tuple(rs);
    for (let i = 0; i < Math.max(w.items.length, r.items.length); i++) {
      const found = sub(wn(w.items[i] ?? w.rest), rn(r.items[i] ?? r.rest), `${path}/items/${i}`);
      if (found.length === 0) continue;
      if (i >= w.items.length)
        out.push({
          type: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
          path,
          message: `tuple item ${i} added at '${path}' narrows the old content model`,
        });
      else if (i >= r.items.length)
        out.push({
          type: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          path,
          message: `tuple item ${i} removed at '${path}' is not allowed by the new content model`,
        });
      else out.push(...found);
    }
    if (sub(wn(w.rest), rn(r.rest), `${path}/additionalItems`).length > 0) {
      out.push({ type: 'ADDITIONAL_ITEMS_NARROWED', path, message: `additional items at '${path}' are narrower` });
    }
    return out;
  }
}
