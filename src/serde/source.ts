/**
 * Where the serde gets schemas: the SchemaSource interface, and
 * RestSchemaSource over a registry's REST API (Confluent's v1 API and
 * content type; errors come back as {error_code, message}).
 *
 * Caching: schemas by id and by explicit version forever (they never change);
 * `latest`, latest-with-metadata, version lists and the subject's config for
 * `cacheMs` (default 5 min, 0 = no cache). Lookups and registrations that
 * succeeded are cached forever, as Confluent's clients do. Concurrent equal
 * requests share one HTTP call.
 */
import { SerdeError } from './errors.ts';
import type { Metadata, RegisteredSchema, RuleSet, SchemaReference, SchemaType } from './types.ts';

export interface SchemaSource {
  /** 40403 → SerdeError code 'UNKNOWN_SCHEMA_ID'. */
  byId(id: number, subject?: string): Promise<RegisteredSchema>;
  version(subject: string, version: number | 'latest'): Promise<RegisteredSchema>;
  latestWithMetadata(subject: string, metadata: Record<string, string>): Promise<RegisteredSchema>;
  /** Versions of a subject (ascending), for migration chains and "id allowed under subject" checks. */
  versions(subject: string): Promise<number[]>;
  /** POST /subjects/{s}: the subject-version holding this exact schema, or a SerdeError 'NOT_REGISTERED'. */
  lookup(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<RegisteredSchema>;
  register(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<number>;
  /**
   * Optional (beyond the contract): the subject's `compatibilityGroup` config
   * (the metadata property whose value splits a subject into compatibility
   * groups), or undefined when none is set.
   */
  compatibilityGroup?(subject: string): Promise<string | undefined>;
}

/** An HTTP error from the registry that is not one of the serde's own kinds. */
export class RegistryHttpError extends Error {
  override name = 'RegistryHttpError';
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface Wire {
  id?: number;
  subject?: string;
  version?: number;
  schemaType?: SchemaType;
  schema: string;
  references?: SchemaReference[];
  metadata?: Metadata | null;
  ruleSet?: RuleSet | null;
}

/** A registry answer as a RegisteredSchema (schemaType absent means AVRO). */
export function toRegistered(w: Wire, id?: number): RegisteredSchema {
  const out: RegisteredSchema = {
    id: w.id ?? id ?? -1,
    schemaType: w.schemaType ?? 'AVRO',
    schema: w.schema,
    references: w.references ?? [],
  };
  if (w.subject !== undefined) out.subject = w.subject;
  if (w.version !== undefined) out.version = w.version;
  if (w.metadata) out.metadata = w.metadata;
  if (w.ruleSet) out.ruleSet = w.ruleSet;
  return out;
}

/** The register/lookup body for a schema. */
export function toBody(schema: Omit<RegisteredSchema, 'id'>): Record<string, unknown> {
  return {
    schema: schema.schema,
    schemaType: schema.schemaType,
    references: schema.references ?? [],
    ...(schema.metadata && { metadata: schema.metadata }),
    ...(schema.ruleSet && { ruleSet: schema.ruleSet }),
  };
}

interface Timed<T> {
  at: number;
  value: Promise<T>;
}

export class RestSchemaSource implements SchemaSource {
  readonly url: string;
  readonly #cacheMs: number;
  readonly #headers: Record<string, string>;
  readonly #forever = new Map<string, Promise<unknown>>();
  readonly #timed = new Map<string, Timed<unknown>>();

  constructor(url: string, opts?: { cacheMs?: number; headers?: Record<string, string> }) {
    this.url = url.replace(/\/+$/, '');
    this.#cacheMs = opts?.cacheMs ?? 5 * 60_000;
    this.#headers = opts?.headers ?? {};
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers: { Accept: CONTENT_TYPE, 'Content-Type': CONTENT_TYPE, ...this.#headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new RegistryHttpError(0, 0, `Schema registry ${this.url} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error_code?: number; message?: string };
      throw new RegistryHttpError(
        res.status,
        e.error_code ?? res.status,
        e.message ?? `HTTP ${res.status} from ${method} ${path}`,
      );
    }
    return json as T;
  }

  /** A cached answer without creating a fetch closure: the per-record path (under tsx every named closure also costs an Object.defineProperty for its name). */
  #cached<T>(key: string, timed: boolean): Promise<T> | undefined {
    if (!timed) return this.#forever.get(key) as Promise<T> | undefined;
    if (this.#cacheMs <= 0) return undefined;
    const hit = this.#timed.get(key);
    return hit && Date.now() - hit.at < this.#cacheMs ? (hit.value as Promise<T>) : undefined;
  }

  /** Cached forever once it succeeded (failures are not kept). */
  #once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const hit = this.#forever.get(key);
    if (hit) return hit as Promise<T>;
    const p = fn();
    this.#forever.set(key, p);
    p.catch(() => this.#forever.delete(key));
    return p;
  }

  /** Cached for cacheMs. */
  #fresh<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.#cacheMs <= 0) return fn();
    const hit = this.#timed.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.#cacheMs) return hit.value as Promise<T>;
    const p = fn();
    this.#timed.set(key, { at: now, value: p });
    p.catch(() => this.#timed.delete(key));
    return p;
  }

  byId(id: number, subject?: string): Promise<RegisteredSchema> {
    const key = subject?.startsWith(':.') ? `id:${id}:${subject}` : `id:${id}`;
    // Fast path without creating the fetch closure: this runs for every record.
    const hit = this.#forever.get(key);
    if (hit) return hit as Promise<RegisteredSchema>;
    return this.#once(key, async () => {
      const q = subject ? `?subject=${encodeURIComponent(subject)}` : '';
      try {
        return toRegistered(await this.#request<Wire>('GET', `/schemas/ids/${id}${q}`), id);
      } catch (err) {
        if (err instanceof RegistryHttpError && (err.errorCode === 40403 || err.status === 404)) {
          throw new SerdeError('UNKNOWN_SCHEMA_ID', `Schema id ${id} not found in the registry: ${err.message}`, {
            cause: err,
          });
        }
        throw err;
      }
    });
  }

  version(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const cached = this.#cached<RegisteredSchema>(`v:${subject}:${version}`, version === 'latest');
    if (cached) return cached;
    const get = async (): Promise<RegisteredSchema> => {
      try {
        const w = await this.#request<Wire>('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
        return toRegistered(w);
      } catch (err) {
        throw notRegistered(err, `Subject ${subject} version ${version} not found`);
      }
    };
    const key = `v:${subject}:${version}`;
    return version === 'latest' ? this.#fresh(key, get) : this.#once(key, get);
  }

  latestWithMetadata(subject: string, metadata: Record<string, string>): Promise<RegisteredSchema> {
    const entries = Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b));
    return this.#fresh(`m:${subject}:${JSON.stringify(entries)}`, async () => {
      const q = entries.map(([k, v]) => `key=${encodeURIComponent(k)}&value=${encodeURIComponent(v)}`).join('&');
      try {
        const w = await this.#request<Wire>('GET', `/subjects/${encodeURIComponent(subject)}/metadata?${q}`);
        return toRegistered(w);
      } catch (err) {
        // A registry without the endpoint answers a plain 404: scan the versions, newest first.
        if (!(err instanceof RegistryHttpError) || err.status !== 404 || err.errorCode === 40401) {
          throw notRegistered(err, `No version of subject ${subject} has metadata ${JSON.stringify(metadata)}`);
        }
      }
      const versions = await this.versions(subject);
      for (const v of [...versions].reverse()) {
        const s = await this.version(subject, v);
        const props = s.metadata?.properties ?? {};
        if (entries.every(([k, val]) => props[k] === val)) return s;
      }
      throw new SerdeError(
        'NOT_REGISTERED',
        `No version of subject ${subject} has metadata ${JSON.stringify(metadata)}`,
      );
    });
  }

  versions(subject: string): Promise<number[]> {
    return this.#fresh(`vs:${subject}`, async () => {
      try {
        const vs = await this.#request<number[]>('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
        return [...vs].sort((a, b) => a - b);
      } catch (err) {
        throw notRegistered(err, `Subject ${subject} not found`);
      }
    });
  }

  lookup(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<RegisteredSchema> {
    const body = toBody(schema);
    return this.#once(`l:${subject}:${JSON.stringify(body)}`, async () => {
      try {
        const w = await this.#request<Wire>('POST', `/subjects/${encodeURIComponent(subject)}`, body);
        return toRegistered(w);
      } catch (err) {
        throw notRegistered(err, `Schema not registered under subject ${subject}`);
      }
    });
  }

  register(subject: string, schema: Omit<RegisteredSchema, 'id'>): Promise<number> {
    const body = toBody(schema);
    return this.#once(`r:${subject}:${JSON.stringify(body)}`, async () => {
      try {
        const w = await this.#request<{ id: number }>(
          'POST',
          `/subjects/${encodeURIComponent(subject)}/versions`,
          body,
        );
        return w.id;
      } catch (err) {
        if (err instanceof RegistryHttpError) {
          throw new SerdeError(
            'NOT_REGISTERED',
            `Could not register the schema under subject ${subject}: ${err.message} (error_code ${err.errorCode})`,
            { cause: err },
          );
        }
        throw err;
      }
    });
  }

  compatibilityGroup(subject: string): Promise<string | undefined> {
    return this.#fresh(`cg:${subject}`, async () => {
      try {
        const c = await this.#request<{ compatibilityGroup?: string }>(
          'GET',
          `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`,
        );
        return c?.compatibilityGroup || undefined;
      } catch {
        return undefined;
      }
    });
  }
}

/** 404s (unknown subject, version or schema) as NOT_REGISTERED; anything else unchanged. */
function notRegistered(err: unknown, message: string): unknown {
  if (err instanceof RegistryHttpError && err.status === 404) {
    return new SerdeError('NOT_REGISTERED', `${message}: ${err.message}`, { cause: err });
  }
  return err;
}
