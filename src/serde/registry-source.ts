/**
 * RegistrySchemaSource: the in-process registry (src/registry) as a
 * SchemaSource, reading its state directly — no HTTP, no caching needed (the
 * state is in memory). Used by the broker's schema validation.
 */
import { HttpError } from '../registry/errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { SchemaValue } from '../registry/state.ts';
import { contextOf } from '../registry/state.ts';
import { SerdeError } from './errors.ts';
import type { SchemaSource } from './source.ts';
import type { Metadata, RegisteredSchema, RuleSet } from './types.ts';

function toRegistered(v: SchemaValue, withSubject: boolean): RegisteredSchema {
  const out: RegisteredSchema = {
    id: v.id,
    schemaType: v.schemaType,
    schema: v.schema,
    references: v.references ?? [],
  };
  if (withSubject) {
    out.subject = v.subject;
    out.version = v.version;
  }
  if (v.metadata) out.metadata = v.metadata as Metadata;
  if (v.ruleSet) out.ruleSet = v.ruleSet as RuleSet;
  return out;
}

function wrap<T>(fn: () => T, code: 'UNKNOWN_SCHEMA_ID' | 'NOT_REGISTERED', what: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) {
      throw new SerdeError(code, `${what}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

export class RegistrySchemaSource implements SchemaSource {
  readonly registry: Registry;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  async byId(id: number, subject?: string): Promise<RegisteredSchema> {
    const ctx = subject ? contextOf(subject) : '.';
    const v = wrap(
      () => this.registry.schemaById(id, ctx),
      'UNKNOWN_SCHEMA_ID',
      `Schema id ${id} not found in the registry`,
    );
    return toRegistered(v, false);
  }

  async version(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const v = wrap(
      () => this.registry.version(subject, version === 'latest' ? -1 : version),
      'NOT_REGISTERED',
      `Subject ${subject} version ${version} not found`,
    );
    return toRegistered(v, true);
  }

  async latestWithMetadata(subject: string, metadata: Record<string, string>): Promise<RegisteredSchema> {
    const all = wrap(() => this.registry.liveVersions(subject), 'NOT_REGISTERED', `Subject ${subject} not found`);
    for (let i = all.length - 1; i >= 0; i--) {
      const v = all[i] as SchemaValue;
      const props = (v.metadata as Metadata | undefined)?.properties ?? {};
      if (Object.entries(metadata).every(([k, val]) => props[k] === val)) return toRegistered(v, true);
    }
    throw new SerdeError('NOT_REGISTERED', `No version of subject ${subject} has metadata ${JSON.stringify(metadata)}`);
  }

  async versions(subject: string): Promise<number[]> {
    const all = wrap(() => this.registry.liveVersions(subject), 'NOT_REGISTERED', `Subject ${subject} not found`);
    return all.map((v) => v.version);
  }

  async lookup(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<RegisteredSchema> {
    let found: SchemaValue | undefined;
    try {
      found = this.registry.lookup(
        subject,
        {
          schema: schema.schema,
          schemaType: schema.schemaType,
          references: schema.references ?? [],
          ...(schema.metadata && { metadata: schema.metadata }),
          ...(schema.ruleSet && { ruleSet: schema.ruleSet }),
        },
        false,
        false,
      );
    } catch (err) {
      if (err instanceof HttpError) {
        throw new SerdeError('NOT_REGISTERED', `Schema not registered under subject ${subject}: ${err.message}`);
      }
      throw err;
    }
    if (!found) throw new SerdeError('NOT_REGISTERED', `Schema not registered under subject ${subject}`);
    return toRegistered(found, true);
  }

  async register(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<number> {
    try {
      const v = await this.registry.register(
        subject,
        {
          schema: schema.schema,
          schemaType: schema.schemaType,
          references: schema.references ?? [],
          ...(schema.metadata && { metadata: schema.metadata }),
          ...(schema.ruleSet && { ruleSet: schema.ruleSet }),
        },
        false,
      );
      return v.id;
    } catch (err) {
      if (err instanceof HttpError) {
        throw new SerdeError(
          'NOT_REGISTERED',
          `Could not register the schema under subject ${subject}: ${err.message} (error_code ${err.code})`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async compatibilityGroup(subject: string): Promise<string | undefined> {
    const g = this.registry.effectiveConfig(subject).compatibilityGroup;
    return typeof g === 'string' && g !== '' ? g : undefined;
  }
}
