/**
 * Kafka's ACL model as data, and the rules that decide an access — no I/O.
 *
 * - Codes are Kafka's (ResourceType, PatternType, AclOperation,
 *   AclPermissionType); a code Kafka does not know reads as UNKNOWN (0), as
 *   its `fromCode` does.
 * - `decide` follows StandardAuthorizerData: super users first; then every
 *   ACL whose pattern covers the resource (the literal name, the literal
 *   wildcard "*", every PREFIXED pattern the name starts with). Principals
 *   match exactly or through "User:*", hosts exactly or through "*". Any
 *   matching DENY wins; else any matching ALLOW; else, when no ACL at all
 *   covers the resource, `allow.everyone.if.no.acl.found`; else DENY.
 * - ALLOW ACLs for READ, WRITE, DELETE and ALTER imply DESCRIBE, and
 *   ALTER_CONFIGS implies DESCRIBE_CONFIGS; DENY ACLs imply nothing; ALL
 *   matches every operation either way.
 * - Filters match as AclBindingFilter: null names/principals/hosts and ANY
 *   codes match everything; a MATCH pattern filter also finds the wildcard
 *   and PREFIXED ACLs that apply to its name.
 */

/** Kafka's ResourceType codes. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

/** Kafka's PatternType codes. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

/** Kafka's AclOperation codes. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const;

/** Kafka's AclPermissionType codes. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The one name of the CLUSTER resource. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A resource name or host that matches any. */
export const WILDCARD = '*';
/** The principal that matches any user. */
export const WILDCARD_PRINCIPAL = 'User:*';

const RESOURCE_NAMES = ['UNKNOWN', 'ANY', 'TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'];
const PATTERN_NAMES = ['UNKNOWN', 'ANY', 'MATCH', 'LITERAL', 'PREFIXED'];
const OPERATION_NAMES = Object.keys(AclOperation);
const PERMISSION_NAMES = ['UNKNOWN', 'ANY', 'DENY', 'ALLOW'];

const known = (names: readonly string[]) => (code: number) => (code > 0 && code < names.length ? code : 0);
/** A wire code as Kafka reads it: codes it does not know become UNKNOWN. */
export const fromCode = {
  resourceType: known(RESOURCE_NAMES),
  patternType: known(PATTERN_NAMES),
  operation: known(OPERATION_NAMES),
  permission: known(PERMISSION_NAMES),
};

/** Kafka's enum names, as its toString prints them ("TOPIC", "PREFIXED", "READ", "ALLOW"). */
export const codeName = {
  resourceType: (c: number): string => RESOURCE_NAMES[c] ?? 'UNKNOWN',
  patternType: (c: number): string => PATTERN_NAMES[c] ?? 'UNKNOWN',
  operation: (c: number): string => OPERATION_NAMES[c] ?? 'UNKNOWN',
  permission: (c: number): string => PERMISSION_NAMES[c] ?? 'UNKNOWN',
};

/** One ACL (Kafka's AclBinding: a resource pattern and an access control entry). */
export interface Acl {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permission: number;
}

/** Kafka's AclBindingFilter: null strings and ANY codes match everything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permission: number;
}

/** A stable identity for an ACL: two equal ACLs are stored once, as Kafka's controller dedupes them. */
export function aclKey(a: Acl): string {
  return JSON.stringify([
    a.resourceType,
    a.resourceName,
    a.patternType,
    a.principal,
    a.host,
    a.operation,
    a.permission,
  ]);
}

/** Kafka's StandardAcl order: resource type, resource name reversed, pattern, operation, principal, host, permission. */
export function compareAcls(a: Acl, b: Acl): number {
  const str = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    a.resourceType - b.resourceType ||
    str(b.resourceName, a.resourceName) ||
    a.patternType - b.patternType ||
    a.operation - b.operation ||
    str(a.principal, b.principal) ||
    str(a.host, b.host) ||
    a.permission - b.permission
  );
}

/** ResourcePatternFilter.matches and AccessControlEntryFilter.matches. */
export function filterMatches(f: AclFilter, a: Acl): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== a.resourceType) return false;
  const anyPattern = f.patternType === PatternType.ANY || f.patternType === PatternType.MATCH;
  if (!anyPattern && f.patternType !== a.patternType) return false;
  if (f.resourceName !== null) {
    if (f.patternType === PatternType.ANY || f.patternType === a.patternType) {
      if (f.resourceName !== a.resourceName) return false;
    } else if (a.patternType === PatternType.LITERAL) {
      if (f.resourceName !== a.resourceName && a.resourceName !== WILDCARD) return false;
    } else if (!f.resourceName.startsWith(a.resourceName)) return false;
  }
  if (f.principal !== null && f.principal !== a.principal) return false;
  if (f.host !== null && f.host !== a.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== a.operation) return false;
  return f.permission === AclPermission.ANY || f.permission === a.permission;
}

/** AclBindingFilter.isUnknown: a filter with an UNKNOWN code (INVALID_REQUEST when deleting). */
export function filterIsUnknown(f: AclFilter): boolean {
  return (
    f.resourceType === ResourceType.UNKNOWN ||
    f.patternType === PatternType.UNKNOWN ||
    f.operation === AclOperation.UNKNOWN ||
    f.permission === AclPermission.UNKNOWN
  );
}

/**
 * Why Kafka refuses to create this ACL (INVALID_REQUEST), or null: the
 * broker's checks (AclApis) then the controller's (AclControlManager).
 */
export function invalidAclReason(a: Acl): string | null {
  if (a.resourceType === ResourceType.CLUSTER && a.resourceName !== CLUSTER_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  }
  if (a.resourceName === '') return 'Invalid empty resource name';
  if (a.resourceType === ResourceType.UNKNOWN || a.resourceType === ResourceType.ANY) {
    return `Invalid resourceType ${codeName.resourceType(a.resourceType)}`;
  }
  if (a.patternType !== PatternType.LITERAL && a.patternType !== PatternType.PREFIXED) {
    return `Invalid patternType ${codeName.patternType(a.patternType)}`;
  }
  if (a.operation === AclOperation.UNKNOWN || a.operation === AclOperation.ANY) {
    return `Invalid operation ${codeName.operation(a.operation)}`;
  }
  if (a.permission !== AclPermission.ALLOW && a.permission !== AclPermission.DENY) {
    return `Invalid permissionType ${codeName.permission(a.permission)}`;
  }
  return null;
}

/**
 * True when Kafka cannot even build the binding (ResourcePattern and
 * AccessControlEntry refuse ANY, MATCH): it then fails the whole CreateAcls
 * request with UNKNOWN_SERVER_ERROR.
 */
export function unbuildableAcl(a: Acl): boolean {
  return (
    a.resourceType === ResourceType.ANY ||
    a.patternType === PatternType.ANY ||
    a.patternType === PatternType.MATCH ||
    a.operation === AclOperation.ANY ||
    a.permission === AclPermission.ANY
  );
}

const IMPLIES_DESCRIBE = new Set<number>([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS = new Set<number>([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/** Whether an ACL's entry applies to this principal, host and operation (StandardAuthorizerData.findResult). */
export function entryApplies(a: Acl, principal: string, host: string, operation: number): boolean {
  if (a.principal !== principal && a.principal !== WILDCARD_PRINCIPAL) return false;
  if (a.host !== WILDCARD && a.host !== host) return false;
  if (a.operation === AclOperation.ALL) return true;
  if (a.permission !== AclPermission.ALLOW) return a.operation === operation;
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(a.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(a.operation);
  return a.operation === operation;
}

/** ACLs indexed by the resources they cover. */
export class AclIndex {
  readonly #literal = new Map<string, Acl[]>();
  readonly #prefixed = new Map<string, Acl[]>();
  readonly #byType = new Map<number, Acl[]>();
  readonly size: number;

  constructor(acls: Iterable<Acl>) {
    let n = 0;
    for (const a of acls) {
      n++;
      const map = a.patternType === PatternType.PREFIXED ? this.#prefixed : this.#literal;
      push(map, `${a.resourceType}\u0000${a.resourceName}`, a);
      push(this.#byType, a.resourceType, a);
    }
    this.size = n;
  }

  /** Every ACL whose pattern covers the literal resource (type, name). */
  covering(resourceType: number, name: string): Acl[] {
    const out: Acl[] = [];
    const key = (n: string): string => `${resourceType}\u0000${n}`;
    out.push(...(this.#literal.get(key(name)) ?? []));
    if (name !== WILDCARD) out.push(...(this.#literal.get(key(WILDCARD)) ?? []));
    if (this.#prefixed.size > 0) {
      for (let i = 1; i <= name.length; i++) out.push(...(this.#prefixed.get(key(name.slice(0, i))) ?? []));
    }
    return out;
  }

  /** Every ACL of a resource type. */
  ofType(resourceType: number): readonly Acl[] {
    return this.#byType.get(resourceType) ?? [];
  }
}

function push<K>(map: Map<K, Acl[]>, key: K, a: Acl): void {
  const list = map.get(key);
  if (list) list.push(a);
  else map.set(key, [a]);
}

/** Who asks for what, from where. */
export interface Access {
  /** "User:alice". */
  principal: string;
  /** The client's address as Java prints it (see `javaHostAddress`). */
  host: string;
  operation: number;
  resourceType: number;
  resourceName: string;
}

/** The authorizer's static settings. */
export interface AuthorizerSettings {
  /** Principals allowed everything ("User:admin"). */
  superUsers: { has(principal: string): boolean };
  allowEveryoneIfNoAcl: boolean;
}

/** The outcome of one authorization, with the rule that decided it (for the audit log). */
export interface Decision {
  allowed: boolean;
  /** "SuperUser", "DefaultAllow", "DefaultDeny", or the matching ACL. */
  rule: 'SuperUser' | 'DefaultAllow' | 'DefaultDeny' | Acl;
}

/** StandardAuthorizerData.authorize for one literal resource. */
export function decide(index: AclIndex, settings: AuthorizerSettings, access: Access): Decision {
  if (settings.superUsers.has(access.principal)) return { allowed: true, rule: 'SuperUser' };
  const covering = index.covering(access.resourceType, access.resourceName);
  let allow: Acl | null = null;
  for (const a of covering) {
    if (!entryApplies(a, access.principal, access.host, access.operation)) continue;
    if (a.permission === AclPermission.DENY) return { allowed: false, rule: a };
    allow ??= a;
  }
  if (allow) return { allowed: true, rule: allow };
  if (covering.length === 0 && settings.allowEveryoneIfNoAcl) return { allowed: true, rule: 'DefaultAllow' };
  return { allowed: false, rule: 'DefaultDeny' };
}

/**
 * Authorizer.authorizeByResourceType (Kafka's default method): whether the
 * principal may do `operation` on at least one resource of the type — used
 * for idempotent producers (WRITE on any topic). Super users and the
 * no-ACL default count through a probe of a made-up name, as in Kafka; no
 * operation is implied here, and a DENY only cancels ALLOWs it dominates
 * (the same literal name, or a PREFIXED pattern the allowed name starts with).
 */
export function decideByResourceType(
  index: AclIndex,
  settings: AuthorizerSettings,
  principal: string,
  host: string,
  operation: number,
  resourceType: number,
): boolean {
  if (decide(index, settings, { principal, host, operation, resourceType, resourceName: 'hardcode' }).allowed) {
    return true;
  }
  const denyLiteral = new Set<string>();
  const denyPrefixed = new Set<string>();
  const allowLiteral = new Set<string>();
  const allowPrefixed = new Set<string>();
  for (const a of index.ofType(resourceType)) {
    if (a.host !== host && a.host !== WILDCARD) continue;
    if (a.principal !== principal && a.principal !== WILDCARD_PRINCIPAL) continue;
    if (a.operation !== operation && a.operation !== AclOperation.ALL) continue;
    const literal = a.patternType === PatternType.LITERAL;
    if (a.permission === AclPermission.DENY) {
      if (literal && a.resourceName === WILDCARD) return false;
      (literal ? denyLiteral : denyPrefixed).add(a.resourceName);
    } else if (a.permission === AclPermission.ALLOW) {
      if (literal && a.resourceName === WILDCARD) return true;
      (literal ? allowLiteral : allowPrefixed).add(a.resourceName);
    }
  }
  const dominated = (name: string): boolean => {
    for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
    return false;
  };
  for (const name of allowLiteral) if (!denyLiteral.has(name) && !dominated(name)) return true;
  for (const name of allowPrefixed) if (!dominated(name)) return true;
  return false;
}

/** AclEntry.supportedOperations: what `authorizedOperations` bitfields report per resource type. */
export function supportedOperations(resourceType: number): readonly number[] {
  const O = AclOperation;
  switch (resourceType) {
    case ResourceType.TOPIC:
      return [O.READ, O.WRITE, O.CREATE, O.DESCRIBE, O.DELETE, O.ALTER, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS];
    case ResourceType.GROUP:
      return [O.READ, O.DESCRIBE, O.DELETE, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS];
    case ResourceType.CLUSTER:
      return [O.CREATE, O.CLUSTER_ACTION, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS, O.IDEMPOTENT_WRITE, O.ALTER, O.DESCRIBE];
    case ResourceType.TRANSACTIONAL_ID:
      return [O.DESCRIBE, O.WRITE];
    case ResourceType.DELEGATION_TOKEN:
      return [O.DESCRIBE];
    case ResourceType.USER:
      return [O.CREATE_TOKENS, O.DESCRIBE_TOKENS];
    default:
      return [];
  }
}

/**
 * A client address as Java's InetAddress.getHostAddress prints it, which is
 * what Kafka compares ACL hosts with: IPv4 dotted ("::ffff:" mapping
 * removed), IPv6 as eight groups of hex without leading zeros and without
 * "::" compression ("0:0:0:0:0:0:0:1").
 */
export function javaHostAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  const [raw, scope] = address.split('%', 2) as [string, string | undefined];
  // an embedded IPv4 tail ("::ffff:1.2.3.4" forms) is two groups
  const addr = raw.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [((+a << 8) | +b).toString(16), ((+c << 8) | +d).toString(16)].join(':'),
  );
  const [head, tail] = addr.includes('::') ? (addr.split('::', 2) as [string, string]) : [addr, null];
  const parse = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let groups = parse(head);
  if (tail !== null) {
    const rest = parse(tail);
    groups = [...groups, ...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest];
  }
  const text = groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
  return scope === undefined ? text : `${text}%${scope}`;
}
