/**
 * The registry's operations over the state in `_schemas`: what each REST
 * call reads and writes, with Confluent's rules and error codes. Routes only
 * parse HTTP and call these.
 *
 * - Identity: a schema's id is shared by every subject-version whose type,
 *   references, canonical text (formats' parseSchema), metadata and rule set
 *   are equal (Confluent's MD5 covers all of them); a new distinct schema
 *   gets max id + 1.
 * - Data contracts: outside IMPORT mode a registration's metadata and rule
 *   set are inherited as Confluent's server does (rules/merge.ts): config
 *   defaults, the request's (or else the latest live version's), config
 *   overrides. The merged result is stored; a registration equal to a live
 *   version after merging returns that version. Lookups try the contract as
 *   sent, then the one a registration would store.
 * - compatibilityGroup: only versions with the same value of that metadata
 *   property (in the merged metadata) are checked for compatibility.
 * - Versions continue after soft-deleted ones; a permanent delete needs a
 *   soft delete first (40405/40407) and fails while referenced (42206).
 * - Writes are serialized per instance (a promise chain) so allocation of
 *   ids and versions sees every earlier write of this instance.
 */

import { errors, HttpError } from './errors.ts';
import {
  type CompatibilityLevel,
  checkCompatibility,
  type ParsedSchema,
  parseSchema,
  type ResolvedReference,
  SchemaParseError,
  type SchemaReference,
  type SchemaType,
  type SchemaWithRefs,
} from './formats/index.ts';
import {
  type Contract,
  contractKey,
  contractsMatch,
  inheritContract,
  validateMetadata,
  validateRuleSet,
} from './rules/index.ts';
import { type ConfigValue, contextOf, type Mode, type SchemaValue } from './state.ts';
import type { KafkaStore } from './store.ts';

export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];
export const LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];
export const MODES: readonly Mode[] = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'];

/** How many parsed schemas `parse` keeps (oldest dropped first). */
const PARSE_CACHE_SIZE = 1000;
/** How many schema identities `#identity` keeps: every stored schema's, plus recent requests'. */
const IDENTITY_CACHE_SIZE = 100_000;

/** A register or lookup request body. */
export interface SchemaInput {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  id?: number;
  version?: number;
}

export class Registry {
  readonly store: KafkaStore;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #identities = new Map<string, string>();
  readonly #parsed = new Map<string, ParsedSchema>();
  readonly #storedIdentities = new WeakMap<SchemaValue, [string | undefined, string | undefined]>();

  constructor(store: KafkaStore) {
    this.store = store;
  }

  get state(): KafkaStore['state'] {
    return this.store.state;
  }

  /** Runs write operations one at a time. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  // ---- reads ----

  /** Non-deleted versions of an existing subject (40401 otherwise). */
  liveVersions(subject: string, deleted = false): SchemaValue[] {
    const vs = this.state.versions(subject, deleted);
    if (vs.length === 0) throw errors.subjectNotFound(subject);
    return vs;
  }

  /** One subject-version; `v` is a number, or -1 for the latest. */
  version(subject: string, v: number, deleted = false): SchemaValue {
    const all = this.state.versions(subject, true);
    if (all.length === 0 || (!deleted && all.every((x) => x.deleted))) throw errors.subjectNotFound(subject);
    const pool = deleted ? all : all.filter((x) => !x.deleted);
    const found = v === -1 ? pool[pool.length - 1] : pool.find((x) => x.version === v);
    if (!found) throw errors.versionNotFound(v === -1 ? 'latest' : v);
    return found;
  }

  /** Any stored subject-version with this id in a context (40403 when none). */
  schemaById(id: number, context = '.'): SchemaValue {
    const all = this.state.byId(id, context);
    const v = all.find((x) => !x.deleted) ?? all[0];
    if (!v) throw errors.schemaNotFound(`Schema ${id} not found`);
    return v;
  }

  /** The referenced schemas' text, for parsing (42201 for an unknown reference). */
  resolveRefs(refs: SchemaReference[]): ResolvedReference[] {
    return refs.map((r) => {
      const v = this.state.versions(r.subject, true).find((x) => x.version === r.version);
      if (!v) throw errors.invalidSchema(`reference ${r.name} to subject ${r.subject} version ${r.version} not found`);
      return { name: r.name, schema: v.schema, schemaType: v.schemaType };
    });
  }

  #withRefs(v: SchemaValue): SchemaWithRefs {
    return { schema: v.schema, refs: this.resolveRefs(v.references) };
  }

  /**
   * Parses and canonicalizes; SchemaParseError → 42201. Successful parses are
   * cached by type, text and the referenced texts (a serializer sends the
   * same schema over and over); references are resolved every time.
   */
  parse(input: SchemaInput): ParsedSchema & { refs: ResolvedReference[] } {
    const refs = this.resolveRefs(input.references);
    const key = JSON.stringify([input.schemaType, input.schema, refs.map((r) => [r.name, r.schemaType, r.schema])]);
    const cached = this.#parsed.get(key);
    if (cached) return { ...cached, refs };
    let parsed: ParsedSchema;
    try {
      parsed = parseSchema(input.schemaType, input.schema, refs);
    } catch (err) {
      if (err instanceof SchemaParseError) throw errors.invalidSchema(err.message);
      throw errors.invalidSchema((err as Error).message);
    }
    if (this.#parsed.size >= PARSE_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value as string);
    this.#parsed.set(key, parsed);
    return { ...parsed, refs };
  }

  /** Identity of a schema text: equal identities share an id. Cached, as every register compares against every stored schema. */
  #identity(type: SchemaType, text: string, refs: SchemaReference[], normalize: boolean): string {
    const refKey = refs.map((r) => [r.name, r.subject, r.version]);
    const cacheKey = JSON.stringify([type, normalize, refKey, text]);
    const cached = this.#identities.get(cacheKey);
    if (cached !== undefined) return cached;
    let canonical = text;
    try {
      const p = parseSchema(type, text, this.resolveRefs(refs));
      canonical = normalize ? p.normalized : p.canonical;
    } catch {
      // a stored schema that no longer parses keeps its raw text as identity
    }
    const identity = JSON.stringify([type, canonical, refKey]);
    if (this.#identities.size >= IDENTITY_CACHE_SIZE) {
      this.#identities.delete(this.#identities.keys().next().value as string);
    }
    this.#identities.set(cacheKey, identity);
    return identity;
  }

  /** #identity of a stored value, kept per value (values are replaced, never changed). */
  #storedIdentity(v: SchemaValue, normalize: boolean): string {
    let pair = this.#storedIdentities.get(v);
    if (!pair) {
      pair = [undefined, undefined];
      this.#storedIdentities.set(v, pair);
    }
    const i = normalize ? 1 : 0;
    pair[i] ??= this.#identity(v.schemaType, v.schema, v.references, normalize);
    return pair[i];
  }

  /**
   * The subject-version of `subject` holding this schema, if any (Confluent's
   * lookUpSchemaUnderSubject): first the schema with the metadata and rule
   * set as sent, latest version first; then, when nothing matched, the
   * schema with the contract a registration would store (config defaults and
   * overrides, the latest version's metadata/ruleSet where none was sent).
   */
  lookup(subject: string, input: SchemaInput, normalize: boolean, deleted: boolean): SchemaValue | undefined {
    const parsed = this.parse(input);
    const want = this.#identity(
      input.schemaType,
      normalize ? parsed.normalized : input.schema,
      input.references,
      normalize,
    );
    const candidates = this.state
      .versions(subject, deleted)
      .filter((v) => v.schemaType === input.schemaType && this.#storedIdentity(v, normalize) === want)
      .reverse();
    const given: Contract = { metadata: input.metadata, ruleSet: input.ruleSet };
    const find = (c: Contract): SchemaValue | undefined => candidates.find((v) => contractsMatch(c, v, v.version));
    const found = find(given);
    if (found) return found;
    const latest = this.state.versions(subject).at(-1);
    if (!latest) return undefined;
    const inherited = inheritContract(this.effectiveConfig(subject), given, latest);
    if (contractKey(inherited) === contractKey(given)) return undefined;
    return find(inherited);
  }

  /** The identity of a schema with its contract: equal ones share an id (Confluent's MD5 covers both). */
  #fullIdentity(schemaIdentity: string, c: Contract): string {
    return `${schemaIdentity}|${contractKey(c)}`;
  }

  /** The id an equal schema (text, references, metadata, rule set) already has in the context. */
  #existingId(identity: string, type: SchemaType, normalize: boolean, context: string): number | undefined {
    for (const [subject, versions] of this.state.subjects) {
      if (contextOf(subject) !== context) continue;
      for (const v of versions.values()) {
        if (v.schemaType === type && this.#fullIdentity(this.#storedIdentity(v, normalize), v) === identity)
          return v.id;
      }
    }
    return undefined;
  }

  // ---- config and mode ----

  config(subject: string | null): ConfigValue | undefined {
    return this.state.configs.get(subject ?? '');
  }

  /**
   * The config in force for a subject (Confluent's getConfigInScope): its
   * own, else its context's (`:.ctx:`), else the global one, else BACKWARD.
   * A subject config is merged over the global one, except that the
   * default/override metadata and rule sets come from the subject config
   * alone (Confluent's Config.mergeConfigs).
   */
  effectiveConfig(subject: string): ConfigValue & { compatibilityLevel: CompatibilityLevel } {
    const global = this.config(null) ?? {};
    const own = this.config(subject);
    const ctx = contextOf(subject);
    let merged: ConfigValue;
    if (own) {
      const {
        defaultMetadata: _dm,
        overrideMetadata: _om,
        defaultRuleSet: _dr,
        overrideRuleSet: _or,
        ...inheritable
      } = global;
      merged = { ...inheritable, ...own };
    } else {
      merged = (ctx !== '.' ? this.config(`:${ctx}:`) : undefined) ?? global;
    }
    return { ...merged, compatibilityLevel: (merged.compatibilityLevel as CompatibilityLevel) ?? 'BACKWARD' };
  }

  mode(subject: string | null): Mode | undefined {
    return this.state.modes.get(subject ?? '');
  }

  effectiveMode(subject: string): Mode {
    return this.mode(subject) ?? this.mode(null) ?? 'READWRITE';
  }

  #checkWritable(subject: string): void {
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      throw errors.notPermitted(`Subject ${subject} is in read-only mode`);
    }
  }

  // ---- compatibility ----

  /** Messages for `input` against the versions its subject's level requires (or `against`). */
  compatibility(subject: string, input: SchemaInput, normalize: boolean, against?: SchemaValue[]): string[] {
    const cfg = this.effectiveConfig(subject);
    const parsed = this.parse(input);
    let existing = against ?? this.state.versions(subject).filter((v) => v.schemaType === input.schemaType);
    const group = cfg.compatibilityGroup;
    if (group && !against) {
      const prop = (m: unknown): unknown =>
        (m as { properties?: Record<string, unknown> } | undefined)?.properties?.[group];
      existing = existing.filter((v) => prop(v.metadata) === prop(input.metadata));
    }
    if (existing.length === 0 || cfg.compatibilityLevel === 'NONE') return [];
    const candidate = { schema: normalize ? parsed.normalized : input.schema, refs: parsed.refs };
    try {
      return checkCompatibility(
        cfg.compatibilityLevel,
        candidate,
        existing.map((v) => this.#withRefs(v)),
        input.schemaType,
      );
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw errors.invalidSchema((err as Error).message);
    }
  }

  // ---- writes ----

  /** Registers a schema under a subject; returns the stored subject-version. */
  register(subject: string, input: SchemaInput, normalizeParam: boolean): Promise<SchemaValue> {
    return this.serialize(async () => {
      const mode = this.effectiveMode(subject);
      this.#checkWritable(subject);
      const importing = mode === 'IMPORT';
      if (!importing && input.id !== undefined && input.id >= 0) {
        throw errors.notPermitted('Overwrite new schema with id is not permitted unless in IMPORT mode');
      }
      validateRuleSet(input.ruleSet);
      validateMetadata(input.metadata);
      const cfg = this.effectiveConfig(subject);
      const normalize = normalizeParam || cfg.normalize === true;
      const parsed = this.parse(input);
      const text = normalize ? parsed.normalized : input.schema;
      const all = this.state.versions(subject, true);
      const live = all.filter((v) => !v.deleted);
      const maxVersion = all.reduce((m, v) => Math.max(m, v.version), 0);
      // Confluent: outside IMPORT the contract is inherited (maybePopulateFromPrevious)
      const given: Contract = { metadata: input.metadata, ruleSet: input.ruleSet };
      const contract = importing
        ? given
        : inheritContract(cfg, given, live.at(-1), {
            newVersion: maxVersion + 1,
            versionGiven: input.version !== undefined && input.version > 0,
          });
      const schemaIdentity = this.#identity(input.schemaType, text, input.references, normalize);
      const identity = this.#fullIdentity(schemaIdentity, contract);
      const same = [...live]
        .reverse()
        .find(
          (v) =>
            v.schemaType === input.schemaType &&
            this.#storedIdentity(v, normalize) === schemaIdentity &&
            contractsMatch(contract, v, v.version),
        );
      if (same && (input.id === undefined || input.id === same.id)) return same;
      if (!importing) {
        const messages = this.compatibility(subject, { ...input, ...contract, schema: text }, false);
        if (messages.length > 0) throw errors.incompatible(messages);
      }
      const context = contextOf(subject);
      const existingId = this.#existingId(identity, input.schemaType, normalize, context);
      let id: number;
      if (importing && input.id !== undefined && input.id > 0) {
        const holder = this.state.byId(input.id, context)[0];
        if (holder && existingId !== input.id) {
          throw new HttpError(42207, `Schema id ${input.id} already exists with a different schema`);
        }
        id = input.id;
      } else {
        id = existingId ?? this.state.maxId(context) + 1;
      }
      let version = maxVersion + 1;
      if (importing && input.version !== undefined && input.version > 0) {
        if (all.some((v) => v.version === input.version)) {
          throw errors.notPermitted(`Version ${input.version} of subject ${subject} already exists`);
        }
        version = input.version;
      }
      const value: SchemaValue = {
        subject,
        version,
        id,
        schemaType: input.schemaType,
        schema: text,
        references: input.references,
        ...(contract.metadata !== undefined && { metadata: contract.metadata }),
        ...(contract.ruleSet !== undefined && { ruleSet: contract.ruleSet }),
        deleted: false,
      };
      await this.store.write({ keytype: 'SCHEMA', subject, version, magic: 1 }, value);
      return value;
    });
  }

  #checkNotReferenced(v: SchemaValue): void {
    if (this.state.referencedBy(v.subject, v.version).length > 0) {
      throw new HttpError(
        42206,
        `One or more references exist to the schema {subject=${v.subject},version=${v.version}}`,
      );
    }
  }

  /** Deletes a subject (soft, or permanent after soft); returns the deleted versions. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.serialize(async () => {
      this.#checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (permanent && live.length > 0) {
        throw new HttpError(40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
      }
      if (!permanent && live.length === 0)
        throw new HttpError(40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
      for (const v of permanent ? all : live) this.#checkNotReferenced(v);
      for (const v of permanent ? all : live) {
        const key = { keytype: 'SCHEMA', subject, version: v.version, magic: 1 } as const;
        await this.store.write(key, permanent ? null : { ...v, deleted: true });
      }
      if (permanent) {
        if (this.config(subject)) await this.store.write({ keytype: 'CONFIG', subject, magic: 0 }, null);
        if (this.mode(subject)) await this.store.write({ keytype: 'MODE', subject, magic: 0 }, null);
      }
      return (permanent ? all : live).map((v) => v.version);
    });
  }

  /** Deletes one version (soft, or permanent after soft); returns its number. */
  deleteVersion(subject: string, v: number, permanent: boolean): Promise<number> {
    return this.serialize(async () => {
      this.#checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const target =
        v === -1 ? (permanent ? all : all.filter((x) => !x.deleted)).at(-1) : all.find((x) => x.version === v);
      if (!target) throw errors.versionNotFound(v === -1 ? 'latest' : v);
      if (!permanent && target.deleted) {
        throw new HttpError(
          40406,
          `Subject '${subject}' Version ${target.version} was soft deleted.Set permanent=true to delete permanently`,
        );
      }
      if (permanent && !target.deleted) {
        throw new HttpError(
          40407,
          `Subject '${subject}' Version ${target.version} was not deleted first before being permanently deleted`,
        );
      }
      this.#checkNotReferenced(target);
      const key = { keytype: 'SCHEMA', subject, version: target.version, magic: 1 } as const;
      await this.store.write(key, permanent ? null : { ...target, deleted: true });
      return target.version;
    });
  }

  /** Sets (value) or removes (null) a config; subject null = global. */
  setConfig(subject: string | null, value: ConfigValue | null): Promise<void> {
    return this.serialize(() => this.store.write({ keytype: 'CONFIG', subject, magic: 0 }, value));
  }

  /** Sets (mode) or removes (null) a mode; subject null = global. */
  setMode(subject: string | null, mode: Mode | null): Promise<void> {
    return this.serialize(() =>
      this.store.write({ keytype: 'MODE', subject, magic: 0 }, mode === null ? null : { mode }),
    );
  }
}
