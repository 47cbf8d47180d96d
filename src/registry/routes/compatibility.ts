/**
 * /compatibility: a dry-run check of a schema against one version of a
 * subject, or against every version its level requires; `verbose=true`
 * adds the messages.
 */
import type { Context, Hono } from 'hono';
import { errors } from '../errors.ts';
import type { Registry } from '../registry.ts';
import type { SchemaValue } from '../state.ts';
import { flag, parseVersion, reply, schemaBody } from './common.ts';

/** Adds the compatibility routes. */
export function compatibilityRoutes(app: Hono, reg: Registry): void {
  const check = async (c: Context, against: (subject: string) => SchemaValue[] | undefined): Promise<Response> => {
    const subject = c.req.param('subject') as string;
    const input = await schemaBody(c);
    const normalize = flag(c, 'normalize') || reg.effectiveConfig(subject).normalize === true;
    const messages = reg.compatibility(subject, input, normalize, against(subject));
    return reply(c, { is_compatible: messages.length === 0, ...(flag(c, 'verbose') && { messages }) });
  };

  app.post('/compatibility/subjects/:subject/versions/:version', (c) => {
    const v = parseVersion(c.req.param('version'));
    return check(c, (subject) => {
      const live = reg.state.versions(subject);
      // Confluent: "latest" of a subject without versions is compatible with anything
      if (v === -1 && live.length === 0) return [];
      if (live.length === 0 && reg.state.versions(subject, true).length === 0) throw errors.subjectNotFound(subject);
      return [reg.version(subject, v)];
    });
  });

  app.post('/compatibility/subjects/:subject/versions', (c) => check(c, () => undefined));
}
