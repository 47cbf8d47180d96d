/**
 * /subjects: list, register, lookup, versions, delete (soft, then permanent)
 * and referencedby.
 */
import type { Hono } from 'hono';
import { errors } from '../errors.ts';
import type { Registry } from '../registry.ts';
import { flag, parseVersion, reply, replyRaw, schemaBody, schemaResponse, schemaText } from './common.ts';

/** Adds the subject routes. */
export function subjectRoutes(app: Hono, reg: Registry): void {
  app.get('/subjects', (c) => {
    const deleted = flag(c, 'deleted');
    const deletedOnly = flag(c, 'deletedOnly');
    const prefix = c.req.query('subjectPrefix') ?? '';
    const out: string[] = [];
    for (const subject of reg.state.subjects.keys()) {
      if (!subject.startsWith(prefix)) continue;
      const all = reg.state.versions(subject, true);
      const live = all.some((v) => !v.deleted);
      if (deletedOnly ? !live : live || deleted) out.push(subject);
    }
    return reply(c, out.sort());
  });

  app.post('/subjects/:subject/versions', async (c) => {
    const subject = c.req.param('subject');
    const input = await schemaBody(c);
    const v = await reg.register(subject, input, flag(c, 'normalize'));
    // Confluent 8.x's RegisterSchemaResponse: the stored version, with the inherited contract
    return reply(c, {
      id: v.id,
      version: v.version,
      ...(v.schemaType !== 'AVRO' && { schemaType: v.schemaType }),
      ...(v.references.length > 0 && { references: v.references }),
      ...(v.metadata !== undefined && { metadata: v.metadata }),
      ...(v.ruleSet !== undefined && { ruleSet: v.ruleSet }),
      schema: v.schema,
    });
  });

  // Lookups: a serializer sends the same body for every record of a new schema, so found answers
  // are kept by request (subject, flags, body text) until the state changes (any record applied).
  const lookups = new Map<string, string>();
  let lookupsGeneration = -1;
  app.post('/subjects/:subject', async (c) => {
    const subject = c.req.param('subject');
    const deleted = flag(c, 'deleted');
    const format = c.req.query('format');
    const key = `${subject}\0${deleted}\0${c.req.query('normalize') ?? ''}\0${format ?? ''}\0${await c.req.text()}`;
    if (lookupsGeneration !== reg.state.generation) {
      lookups.clear();
      lookupsGeneration = reg.state.generation;
    }
    const cached = lookups.get(key);
    if (cached !== undefined) return replyRaw(c, cached);
    const input = await schemaBody(c);
    if (reg.state.versions(subject, deleted).length === 0) throw errors.subjectNotFound(subject);
    const normalize = flag(c, 'normalize') || reg.effectiveConfig(subject).normalize === true;
    const found = reg.lookup(subject, input, normalize, deleted);
    if (!found) throw errors.schemaNotFound('Schema not found');
    const body = JSON.stringify(schemaResponse(found, schemaText(reg, found, format)));
    if (lookups.size >= 1000) lookups.clear();
    lookups.set(key, body);
    return replyRaw(c, body);
  });

  // The latest version whose metadata.properties hold every given key=value (the
  // client's getLatestWithMetadata / use.latest.with.metadata). Confluent pairs
  // the i-th key with the i-th value; 40401 without the subject, 40403 without a match.
  app.get('/subjects/:subject/metadata', (c) => {
    const subject = c.req.param('subject');
    const deleted = flag(c, 'deleted');
    const keys = c.req.queries('key') ?? [];
    const values = c.req.queries('value') ?? [];
    const wanted = new Map<string, string>();
    for (let i = 0; i < Math.min(keys.length, values.length); i++) wanted.set(keys[i] as string, values[i] as string);
    const versions = reg.state.versions(subject, deleted);
    if (versions.length === 0) throw errors.subjectNotFound(subject);
    const found = [...versions].reverse().find((v) => {
      const props = (v.metadata as { properties?: Record<string, unknown> } | undefined)?.properties;
      if (v.metadata === undefined || v.metadata === null) return false;
      for (const [k, val] of wanted) if (props?.[k] !== val) return false;
      return true;
    });
    if (!found) throw errors.schemaNotFound('Schema not found');
    return reply(c, schemaResponse(found, schemaText(reg, found, c.req.query('format'))));
  });

  app.get('/subjects/:subject/versions', (c) => {
    const subject = c.req.param('subject');
    const deletedOnly = flag(c, 'deletedOnly');
    const all = reg.state.versions(subject, true);
    const picked = deletedOnly ? all.filter((v) => v.deleted) : reg.liveVersions(subject, flag(c, 'deleted'));
    if (all.length === 0) throw errors.subjectNotFound(subject);
    return reply(
      c,
      picked.map((v) => v.version),
    );
  });

  app.get('/subjects/:subject/versions/:version', (c) => {
    const found = reg.version(c.req.param('subject'), parseVersion(c.req.param('version')), flag(c, 'deleted'));
    return reply(c, schemaResponse(found, schemaText(reg, found, c.req.query('format'))));
  });

  app.get('/subjects/:subject/versions/:version/schema', (c) => {
    const v = parseVersion(c.req.param('version'));
    return replyRaw(c, reg.version(c.req.param('subject'), v, flag(c, 'deleted')).schema);
  });

  app.get('/subjects/:subject/versions/:version/referencedby', (c) => {
    const v = reg.version(c.req.param('subject'), parseVersion(c.req.param('version')), true);
    return reply(c, reg.state.referencedBy(v.subject, v.version));
  });

  app.delete('/subjects/:subject', async (c) => {
    return reply(c, await reg.deleteSubject(c.req.param('subject'), flag(c, 'permanent')));
  });

  app.delete('/subjects/:subject/versions/:version', async (c) => {
    const v = parseVersion(c.req.param('version'));
    return reply(c, await reg.deleteVersion(c.req.param('subject'), v, flag(c, 'permanent')));
  });
}
