/**
 * /schemas: by id (+ /schema, /subjects, /versions), /schemas/types, and the
 * list of every schema.
 */
import type { Context, Hono } from 'hono';
import { errors } from '../errors.ts';
import { type Registry, SCHEMA_TYPES } from '../registry.ts';
import { contextOf, type SchemaValue } from '../state.ts';
import { flag, reply, replyRaw, schemaResponse, schemaText } from './common.ts';

function parseId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id)) throw errors.schemaNotFound(`Schema ${text} not found`);
  return id;
}

/** The context of `?subject=` (Confluent picks the id's context from it), else the default one. */
function ctx(c: Context): string {
  const subject = c.req.query('subject');
  return subject ? contextOf(subject) : '.';
}

/** Adds the schema routes. */
export function schemaRoutes(app: Hono, reg: Registry): void {
  app.get('/schemas/types', (c) => reply(c, SCHEMA_TYPES));

  app.get('/contexts', (c) => reply(c, reg.state.contexts()));

  app.get('/schemas', (c) => {
    const prefix = c.req.query('subjectPrefix') ?? '';
    const deleted = flag(c, 'deleted');
    const latestOnly = flag(c, 'latestOnly');
    const out: Array<Record<string, unknown>> = [];
    for (const subject of [...reg.state.subjects.keys()].sort()) {
      if (!subject.startsWith(prefix)) continue;
      const vs = reg.state.versions(subject, deleted);
      for (const v of latestOnly ? vs.slice(-1) : vs) out.push(schemaResponse(v));
    }
    return reply(c, out);
  });

  // every deserializer asks this once per new id; the answer's JSON is kept per stored value
  // (values are replaced, never changed, when `_schemas` changes them)
  const byIdBodies = new WeakMap<SchemaValue, string>();
  app.get('/schemas/ids/:id', (c) => {
    const v = reg.schemaById(parseId(c.req.param('id')), ctx(c));
    const format = c.req.query('format');
    let body = format ? undefined : byIdBodies.get(v);
    if (body === undefined) {
      body = JSON.stringify({
        ...(v.schemaType !== 'AVRO' && { schemaType: v.schemaType }),
        schema: schemaText(reg, v, format),
        ...(v.references.length > 0 && { references: v.references }),
        ...(v.metadata !== undefined && { metadata: v.metadata }),
        ...(v.ruleSet !== undefined && { ruleSet: v.ruleSet }),
      });
      if (!format) byIdBodies.set(v, body);
    }
    return replyRaw(c, body);
  });

  app.get('/schemas/ids/:id/schema', (c) => replyRaw(c, reg.schemaById(parseId(c.req.param('id')), ctx(c)).schema));

  app.get('/schemas/ids/:id/subjects', (c) => {
    const id = parseId(c.req.param('id'));
    reg.schemaById(id, ctx(c));
    const deleted = flag(c, 'deleted');
    const subjects = new Set(
      reg.state
        .byId(id, ctx(c))
        .filter((v) => deleted || !v.deleted)
        .map((v) => v.subject),
    );
    return reply(c, [...subjects].sort());
  });

  app.get('/schemas/ids/:id/versions', (c) => {
    const id = parseId(c.req.param('id'));
    reg.schemaById(id, ctx(c));
    const deleted = flag(c, 'deleted');
    const out = reg.state
      .byId(id, ctx(c))
      .filter((v) => deleted || !v.deleted)
      .sort((a, b) => a.subject.localeCompare(b.subject) || a.version - b.version)
      .map((v) => ({ subject: v.subject, version: v.version }));
    return reply(c, out);
  });
}
