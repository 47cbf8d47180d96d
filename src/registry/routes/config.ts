/**
 * /config and /mode, global and per subject. Config is written with
 * `compatibility` and read back as `compatibilityLevel` (Confluent's
 * asymmetry); a subject without its own config or mode answers 40408/40409
 * unless `defaultToGlobal=true`.
 */
import type { Context, Hono } from 'hono';
import { errors, HttpError } from '../errors.ts';
import type { CompatibilityLevel } from '../formats/index.ts';
import { LEVELS, MODES, type Registry } from '../registry.ts';
import { validateMetadata, validateRuleSet } from '../rules/index.ts';
import type { ConfigValue, Mode } from '../state.ts';
import { flag, jsonBody, reply } from './common.ts';

function level(v: unknown): CompatibilityLevel {
  const up = typeof v === 'string' ? v.toUpperCase() : v;
  if (!LEVELS.includes(up as CompatibilityLevel)) throw errors.invalidCompatibility(v);
  return up as CompatibilityLevel;
}

/** The PUT body as stored: `compatibility` becomes `compatibilityLevel`, other fields kept. */
function toStored(body: Record<string, unknown>, previous: ConfigValue | undefined): ConfigValue {
  const { compatibility, compatibilityLevel, ...rest } = body;
  const out: ConfigValue = { ...previous, ...rest };
  const given = compatibility ?? compatibilityLevel;
  if (given !== undefined && given !== null) out.compatibilityLevel = level(given);
  // Default and override rule sets / metadata are checked like those of a registration.
  for (const key of ['defaultRuleSet', 'overrideRuleSet'] as const) {
    if (rest[key] != null) validateRuleSet(rest[key]);
  }
  for (const key of ['defaultMetadata', 'overrideMetadata'] as const) {
    if (rest[key] != null) validateMetadata(rest[key]);
  }
  if (out.normalize !== undefined && typeof out.normalize !== 'boolean') {
    throw new HttpError(42203, `normalize must be true or false, got ${JSON.stringify(out.normalize)}`);
  }
  return out;
}

/** The PUT answer: as stored, with `compatibility` as the key. */
function asPutAnswer(v: ConfigValue): Record<string, unknown> {
  const { compatibilityLevel, ...rest } = v;
  return { ...(compatibilityLevel !== undefined && { compatibility: compatibilityLevel }), ...rest };
}

function mode(v: unknown): Mode {
  const up = typeof v === 'string' ? v.toUpperCase() : v;
  if (!MODES.includes(up as Mode)) throw errors.invalidMode(v);
  return up as Mode;
}

/** Adds the config and mode routes. */
export function configRoutes(app: Hono, reg: Registry): void {
  app.get('/config', (c) => reply(c, { compatibilityLevel: 'BACKWARD', ...reg.config(null) }));

  app.put('/config', async (c) => {
    const stored = toStored(await jsonBody(c), reg.config(null));
    await reg.setConfig(null, stored);
    return reply(c, asPutAnswer(stored));
  });

  app.delete('/config', async (c) => {
    const previous = { compatibilityLevel: 'BACKWARD', ...reg.config(null) };
    await reg.setConfig(null, null);
    return reply(c, previous);
  });

  app.get('/config/:subject', (c) => {
    const subject = c.req.param('subject');
    // defaultToGlobal: the config in scope (Confluent's getConfigInScope), merged with the global one
    if (flag(c, 'defaultToGlobal')) return reply(c, reg.effectiveConfig(subject));
    const own = reg.config(subject);
    if (own) return reply(c, own);
    throw new HttpError(40408, `Subject '${subject}' does not have subject-level compatibility configured`);
  });

  app.put('/config/:subject', async (c) => {
    const subject = c.req.param('subject');
    const stored = toStored(await jsonBody(c), reg.config(subject));
    await reg.setConfig(subject, stored);
    return reply(c, asPutAnswer(stored));
  });

  app.delete('/config/:subject', async (c) => {
    const subject = c.req.param('subject');
    const own = reg.config(subject);
    if (!own) throw errors.subjectNotFound(subject);
    await reg.setConfig(subject, null);
    return reply(c, own);
  });

  const putMode = async (c: Context, subject: string | null): Promise<Response> => {
    const body = await jsonBody(c);
    const m = mode(body.mode);
    if (m === 'IMPORT' && !flag(c, 'force')) {
      const nonEmpty = subject === null ? reg.state.subjects.size > 0 : reg.state.versions(subject, true).length > 0;
      if (nonEmpty) {
        throw errors.notPermitted(
          `Cannot import since found existing subjects${subject === null ? '' : ` (${subject})`}; use force=true to override`,
        );
      }
    }
    await reg.setMode(subject, m);
    return reply(c, { mode: m });
  };

  app.get('/mode', (c) => reply(c, { mode: reg.mode(null) ?? 'READWRITE' }));
  app.put('/mode', (c) => putMode(c, null));
  app.delete('/mode', async (c) => {
    const previous = reg.mode(null) ?? 'READWRITE';
    await reg.setMode(null, null);
    return reply(c, { mode: previous });
  });

  app.get('/mode/:subject', (c) => {
    const subject = c.req.param('subject');
    const own = reg.mode(subject);
    if (own) return reply(c, { mode: own });
    if (flag(c, 'defaultToGlobal')) return reply(c, { mode: reg.effectiveMode(subject) });
    throw new HttpError(40409, `Subject '${subject}' does not have subject-level mode configured`);
  });
  app.put('/mode/:subject', (c) => putMode(c, c.req.param('subject')));
  app.delete('/mode/:subject', async (c) => {
    const subject = c.req.param('subject');
    const own = reg.mode(subject);
    if (!own) throw new HttpError(40409, `Subject '${subject}' does not have subject-level mode configured`);
    await reg.setMode(subject, null);
    return reply(c, { mode: own });
  });
}
