/**
 * /subjects: list, register, lookup, versions, delete (soft, then permanent)
 * and referencedby.
 */
import type { Hono } from 'hono';
import { errors } from '../errors.ts';
import type { Registry } from '../registry.ts';
import { flag, parseVersion, reply, replyRaw, schemaBody, schemaResponse } from './common.ts';

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
    return reply(c, {
      id: v.id,
      version: v.version,
      ...(v.schemaType !== 'AVRO' && { schemaType: v.schemaType }),
      schema: v.schema,
    });
  });

  app.post('/subjects/:subject', async (c) => {
    const subject = c.req.param('subject');
    const input = await schemaBody(c);
    const deleted = flag(c, 'deleted');
    if (reg.state.versions(subject, deleted).length === 0) throw errors.subjectNotFound(subject);
    const normalize = flag(c, 'normalize') || reg.effectiveConfig(subject).normalize === true;
    const found = reg.lookup(subject, input, normalize, deleted);
    if (!found) throw errors.schemaNotFound('Schema not found');
    return reply(c, schemaResponse(found));
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
    const v = parseVersion(c.req.param('version'));
    return reply(c, schemaResponse(reg.version(c.req.param('subject'), v, flag(c, 'deleted'))));
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
