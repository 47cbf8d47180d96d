/**
 * Data-contract inheritance at registration, as Confluent's server does it
 * (AbstractSchemaRegistry.maybeSetMetadataRuleSet, Metadata.mergeMetadata,
 * RuleSet.mergeRuleSets):
 *
 * - the specific metadata/ruleSet is the request's, or — when the request
 *   has none — the previous (latest live) version's;
 * - the stored value is merge(merge(default, specific), override), with the
 *   config's defaultX/overrideX;
 * - metadata merges `tags` and `properties` key by key (a later path's tag
 *   list replaces an earlier one: Confluent's map putAll) and `sensitive` as a
 *   set union; when one side is absent the other is kept as it is;
 * - rule sets merge list by list: earlier rules with the name of a later
 *   rule are dropped and the later rules appended; `enableAt` later wins;
 * - `properties["confluent:version"]` is set to the new version when the
 *   request gave a version or the merged metadata already carries one.
 *
 * `contractKey` gives the identity Confluent's equality uses (kind/mode
 * defaults filled in, tags, params and properties sorted, empty parts
 * dropped), so equal contracts compare equal however they were written.
 */
import type { Metadata, Rule, RuleSet } from './validate.ts';

export const CONFLUENT_VERSION = 'confluent:version';

const RULE_LISTS = ['migrationRules', 'domainRules', 'encodingRules'] as const;

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function mergeMap<T>(
  a: Record<string, T> | undefined,
  b: Record<string, T> | undefined,
): Record<string, T> | undefined {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return sortedObject({ ...a, ...b });
}

function mergeSet(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return [...new Set([...(a as string[]), ...(b as string[])])].sort();
}

/** Drops empty parts; an all-empty object becomes undefined. */
function compact<T extends object>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmpty(v))) as T;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Confluent's Metadata.mergeMetadata(older, newer). */
export function mergeMetadata(older: unknown, newer: unknown): unknown {
  if (older === undefined || older === null) return newer ?? undefined;
  if (newer === undefined || newer === null) return older;
  const a = older as Metadata;
  const b = newer as Metadata;
  return compact({
    tags: mergeMap(a.tags, b.tags),
    properties: mergeMap(a.properties, b.properties),
    sensitive: mergeSet(a.sensitive, b.sensitive),
  });
}

function mergeRules(a: Rule[] | undefined, b: Rule[] | undefined): Rule[] | undefined {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  const names = new Set((b as Rule[]).map((r) => r.name));
  return [...(a as Rule[]).filter((r) => !names.has(r.name)), ...(b as Rule[])];
}

/** Confluent's RuleSet.mergeRuleSets(older, newer). */
export function mergeRuleSets(older: unknown, newer: unknown): unknown {
  if (older === undefined || older === null) return newer ?? undefined;
  if (newer === undefined || newer === null) return older;
  const a = older as RuleSet & { enableAt?: unknown };
  const b = newer as RuleSet & { enableAt?: unknown };
  const out: Record<string, unknown> = {};
  for (const key of RULE_LISTS) out[key] = mergeRules(a[key], b[key]);
  out.enableAt = b.enableAt ?? a.enableAt;
  return compact(out);
}

/** The config keys that shape a registration's contract. */
export interface ContractConfig {
  defaultMetadata?: unknown;
  overrideMetadata?: unknown;
  defaultRuleSet?: unknown;
  overrideRuleSet?: unknown;
}

/** A registration's metadata and rule set after inheritance. */
export interface Contract {
  metadata?: unknown;
  ruleSet?: unknown;
}

/**
 * What Confluent stores for a registration: default, then the request's (or
 * else the previous version's) part, then override; `newVersion` stamps
 * `confluent:version` (undefined: no stamping, as for a lookup).
 */
export function inheritContract(
  cfg: ContractConfig,
  given: Contract,
  previous: Contract | undefined,
  stamp?: { newVersion: number; versionGiven: boolean },
): Contract {
  const specificMeta = given.metadata ?? previous?.metadata;
  const specificRules = given.ruleSet ?? previous?.ruleSet;
  let metadata = mergeMetadata(mergeMetadata(cfg.defaultMetadata, specificMeta), cfg.overrideMetadata);
  const ruleSet = mergeRuleSets(mergeRuleSets(cfg.defaultRuleSet, specificRules), cfg.overrideRuleSet);
  if (stamp && (stamp.versionGiven || confluentVersion(metadata) !== undefined)) {
    metadata = setConfluentVersion(metadata, stamp.newVersion);
  }
  return { ...(metadata !== undefined && { metadata }), ...(ruleSet !== undefined && { ruleSet }) };
}

export function confluentVersion(metadata: unknown): string | undefined {
  return (metadata as Metadata | undefined)?.properties?.[CONFLUENT_VERSION];
}

export function setConfluentVersion(metadata: unknown, version: number): unknown {
  const m = (metadata ?? {}) as Metadata;
  return { ...m, properties: sortedObject({ ...m.properties, [CONFLUENT_VERSION]: String(version) }) };
}

export function removeConfluentVersion(metadata: unknown): unknown {
  const m = metadata as Metadata | undefined;
  if (!m?.properties || !(CONFLUENT_VERSION in m.properties)) return metadata;
  const { [CONFLUENT_VERSION]: _, ...properties } = m.properties;
  return { ...m, properties };
}

function normalizeMetadata(metadata: unknown): unknown {
  if (metadata === undefined || metadata === null) return null;
  const m = metadata as Metadata;
  const tags = m.tags
    ? sortedObject(Object.fromEntries(Object.entries(m.tags).map(([k, v]) => [k, [...new Set(v)].sort()])))
    : undefined;
  // Confluent's Metadata always exists once given, even when empty (an empty object ≠ absent)
  return (
    compact({
      tags,
      properties: m.properties ? sortedObject(m.properties) : undefined,
      sensitive: m.sensitive ? [...new Set(m.sensitive)].sort() : undefined,
    }) ?? {}
  );
}

function normalizeRule(r: Rule): unknown {
  return {
    name: r.name,
    doc: r.doc ?? null,
    kind: r.kind ?? 'TRANSFORM',
    mode: r.mode ?? 'WRITEREAD',
    type: r.type,
    tags: [...new Set(r.tags ?? [])].sort(),
    params: sortedObject(r.params ?? {}),
    expr: r.expr ?? null,
    onSuccess: r.onSuccess ?? null,
    onFailure: r.onFailure ?? null,
    disabled: r.disabled === true,
  };
}

function normalizeRuleSet(ruleSet: unknown): unknown {
  if (ruleSet === undefined || ruleSet === null) return null;
  const rs = ruleSet as RuleSet & { enableAt?: unknown };
  return RULE_LISTS.map((k) => (rs[k] ?? []).map(normalizeRule)).concat([[rs.enableAt ?? null]]);
}

const keys = new WeakMap<Contract, string>();

/**
 * A string equal for contracts Confluent's equality treats as equal. Kept per
 * object: contracts (stored values included) are never changed in place.
 */
export function contractKey(c: Contract): string {
  let key = keys.get(c);
  if (key === undefined) {
    key = JSON.stringify([normalizeMetadata(c.metadata), normalizeRuleSet(c.ruleSet)]);
    keys.set(c, key);
  }
  return key;
}

/**
 * Whether a candidate contract finds a stored version's (Confluent's
 * canLookupIgnoringVersion): when only one side has `confluent:version` it
 * is ignored — if the candidate has it, it must name the stored version.
 */
export function contractsMatch(candidate: Contract, stored: Contract, storedVersion: number): boolean {
  const cv = confluentVersion(candidate.metadata);
  const sv = confluentVersion(stored.metadata);
  if (cv === undefined && sv !== undefined) {
    const c = { ...candidate, metadata: candidate.metadata ?? {} };
    const s = { ...stored, metadata: removeConfluentVersion(stored.metadata) };
    return contractKey(c) === contractKey(s);
  }
  if (cv !== undefined && sv === undefined) {
    if (cv !== String(storedVersion)) return false;
    const c = { ...candidate, metadata: removeConfluentVersion(candidate.metadata) };
    const s = { ...stored, metadata: stored.metadata ?? {} };
    return contractKey(c) === contractKey(s);
  }
  return contractKey(candidate) === contractKey(stored);
}
