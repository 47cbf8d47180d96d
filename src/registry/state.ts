/**
 * The registry's state as rebuilt from the `_schemas` log: every record is a
 * key (what it is about) and a value (its latest content, null = removed), so
 * the compacted topic keeps exactly the current state. Applying records here
 * is pure; store.ts feeds them in log order.
 *
 * Record shapes (JSON, keys written in a fixed order so compaction matches):
 *   {"keytype":"SCHEMA","subject":s,"version":v,"magic":1} → SchemaValue | null
 *   {"keytype":"CONFIG","subject":s|null,"magic":0}        → ConfigValue | null
 *   {"keytype":"MODE","subject":s|null,"magic":0}          → {"mode": Mode} | null
 */
import type { SchemaReference, SchemaType } from './formats/index.ts';

/** One subject-version as stored. */
export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  deleted: boolean;
}

/** Global or subject-level config, with Confluent's field names as stored. */
export interface ConfigValue {
  compatibilityLevel?: string;
  normalize?: boolean;
  compatibilityGroup?: string;
  defaultMetadata?: unknown;
  overrideMetadata?: unknown;
  defaultRuleSet?: unknown;
  overrideRuleSet?: unknown;
  [other: string]: unknown;
}

export type Mode = 'READWRITE' | 'READONLY' | 'READONLY_OVERRIDE' | 'IMPORT';

export type RecordKey =
  | { keytype: 'SCHEMA'; subject: string; version: number; magic: 1 }
  | { keytype: 'CONFIG'; subject: string | null; magic: 0 }
  | { keytype: 'MODE'; subject: string | null; magic: 0 };

/** The key's bytes: fields in a fixed order so that compaction sees equal keys as equal. */
export function encodeKey(k: RecordKey): string {
  if (k.keytype === 'SCHEMA') {
    return JSON.stringify({ keytype: k.keytype, subject: k.subject, version: k.version, magic: k.magic });
  }
  return JSON.stringify({ keytype: k.keytype, subject: k.subject, magic: k.magic });
}

/**
 * The context of a subject: `:.ctx:name` is in context `.ctx`, anything else
 * in the default context `.`. Schema ids are unique per context.
 */
export function contextOf(subject: string): string {
  const m = /^:(\.[^:]*):/.exec(subject);
  return m ? (m[1] as string) : '.';
}

/** In-memory registry state. */
export class RegistryState {
  /** subject → version → value (soft-deleted included). */
  readonly subjects = new Map<string, Map<number, SchemaValue>>();
  /** '' = global. */
  readonly configs = new Map<string, ConfigValue>();
  /** '' = global. */
  readonly modes = new Map<string, Mode>();
  /** Offset of the next record to apply. */
  nextOffset = 0n;
  /** Bumped by every applied record: answers cached for one generation stay right. */
  generation = 0;
  /** `context \0 id` → the subject-versions holding that id (soft-deleted included); kept by apply. */
  readonly #byId = new Map<string, Set<SchemaValue>>();

  #index(v: SchemaValue | undefined, add: boolean): void {
    if (!v) return;
    const key = `${contextOf(v.subject)}\0${v.id}`;
    let set = this.#byId.get(key);
    if (add) {
      if (!set) {
        set = new Set();
        this.#byId.set(key, set);
      }
      set.add(v);
    } else if (set) {
      set.delete(v);
      if (set.size === 0) this.#byId.delete(key);
    }
  }

  /** Applies one record; unknown or malformed records are skipped (a newer writer may add kinds). */
  apply(keyText: string, valueText: string | null): void {
    this.generation++;
    let key: RecordKey;
    try {
      key = JSON.parse(keyText) as RecordKey;
    } catch {
      return;
    }
    const value = valueText === null ? null : (JSON.parse(valueText) as unknown);
    if (key.keytype === 'SCHEMA') {
      let versions = this.subjects.get(key.subject);
      this.#index(versions?.get(key.version), false);
      if (value === null) {
        versions?.delete(key.version);
        if (versions?.size === 0) this.subjects.delete(key.subject);
        return;
      }
      if (!versions) {
        versions = new Map();
        this.subjects.set(key.subject, versions);
      }
      versions.set(key.version, value as SchemaValue);
      this.#index(value as SchemaValue, true);
    } else if (key.keytype === 'CONFIG') {
      if (value === null) this.configs.delete(key.subject ?? '');
      else this.configs.set(key.subject ?? '', value as ConfigValue);
    } else if (key.keytype === 'MODE') {
      if (value === null) this.modes.delete(key.subject ?? '');
      else this.modes.set(key.subject ?? '', (value as { mode: Mode }).mode);
    }
  }

  /** Versions of a subject, oldest first; `deleted` includes soft-deleted ones. */
  versions(subject: string, deleted = false): SchemaValue[] {
    const vs = [...(this.subjects.get(subject)?.values() ?? [])].filter((v) => deleted || !v.deleted);
    return vs.sort((a, b) => a.version - b.version);
  }

  /** Every stored subject-version with this id in a context (from the id index). */
  byId(id: number, context = '.'): SchemaValue[] {
    const set = this.#byId.get(`${context}\0${id}`);
    return set ? [...set] : [];
  }

  /** The highest schema id in use in a context (0 when none). */
  maxId(context = '.'): number {
    let max = 0;
    for (const [subject, versions] of this.subjects) {
      if (contextOf(subject) !== context) continue;
      for (const v of versions.values()) max = Math.max(max, v.id);
    }
    return max;
  }

  /** The contexts holding subjects, the default one first. */
  contexts(): string[] {
    const set = new Set([...this.subjects.keys()].map(contextOf));
    set.delete('.');
    return ['.', ...[...set].sort()];
  }

  /** Ids of schemas (not soft-deleted) that reference subject/version. */
  referencedBy(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values()) {
      for (const v of versions.values()) {
        if (!v.deleted && v.references.some((r) => r.subject === subject && r.version === version)) ids.add(v.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }
}
