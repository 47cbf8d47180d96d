/**
 * The broker's authorizer and the checks handlers make with it.
 *
 * - On when the broker config `authorizer.class.name` is set (Kafka's
 *   StandardAuthorizer or AclAuthorizer class names, or "tributary"); off by
 *   default, and then every check passes, as in Kafka without an authorizer.
 * - ACLs live in the metadata log as entities of kind "acl" (durable,
 *   replayed at start); the authorizer indexes them and re-indexes after
 *   each change it makes.
 * - `super.users` ("User:a;User:b", static) and any principal the broker
 *   reports through `isSuperUser(principal)` (the admin user made at start)
 *   may do anything; `allow.everyone.if.no.acl.found` (default false) allows access
 *   to resources no ACL covers.
 * - Handlers call `authorize` / `filterAuthorized` per resource, as Kafka's
 *   AuthHelper does; denials of explicit requests go to the audit log.
 */
import { API_DEFINITIONS, ErrorCode } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import type { ConnectionInfo, RequestContext } from '../handler.ts';
import {
  type Access,
  type Acl,
  type AclFilter,
  AclIndex,
  type AuthorizerSettings,
  aclKey,
  CLUSTER_NAME,
  codeName,
  compareAcls,
  type Decision,
  decide,
  decideByResourceType,
  filterMatches,
  javaHostAddress,
  PatternType,
  ResourceType,
  supportedOperations,
} from './acls.ts';
import { audit } from './audit.ts';

/** Values of `authorizer.class.name` that turn on this authorizer. */
export const AUTHORIZER_CLASS_NAMES: ReadonlySet<string> = new Set([
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
  'tributary',
]);

const ACL_KIND = 'acl';

/** Who made a change, for the audit log. */
export interface Actor {
  principal: string;
  host: string;
}

/** ACL storage and decisions for one broker. */
export class Authorizer {
  readonly #broker: Broker;
  readonly settings: AuthorizerSettings;
  #index: AclIndex | null = null;

  constructor(broker: Broker, settings: AuthorizerSettings) {
    this.#broker = broker;
    this.settings = settings;
  }

  /** Every ACL (that the filter matches), in Kafka's order. */
  acls(filter?: AclFilter): Acl[] {
    const all = [...this.#broker.metadata.entities<Acl>(ACL_KIND).values()];
    return (filter ? all.filter((a) => filterMatches(filter, a)) : all).sort(compareAcls);
  }

  #indexed(): AclIndex {
    this.#index ??= new AclIndex(this.#broker.metadata.entities<Acl>(ACL_KIND).values());
    return this.#index;
  }

  /** Decides one access. */
  decide(access: Access): Decision {
    return decide(this.#indexed(), this.settings, access);
  }

  /** Whether the principal may do `operation` on some resource of the type. */
  allowsSomeOfType(principal: string, host: string, operation: number, resourceType: number): boolean {
    return decideByResourceType(this.#indexed(), this.settings, principal, host, operation, resourceType);
  }

  /** Stores valid ACLs, each durably; one equal to a stored ACL is not stored twice. */
  create(acls: readonly Acl[], actor: Actor): void {
    for (const acl of acls) {
      const key = aclKey(acl);
      if (this.#broker.metadata.entity(ACL_KIND, key) !== undefined) continue;
      this.#broker.metadata.putEntity(ACL_KIND, key, { ...acl });
      this.#index = null;
      audit(this.#broker, { event: 'acl-created', ...actor, acl: describeAcl(acl) });
    }
  }

  /**
   * Deletes what each filter matches; every filter sees the ACLs as they
   * were before the request (as Kafka's controller), so an ACL matched by
   * two filters is reported by both and removed once.
   */
  delete(filters: readonly AclFilter[], actor: Actor): Acl[][] {
    const all = this.acls();
    const matched = filters.map((f) => all.filter((a) => filterMatches(f, a)));
    const gone = new Map<string, Acl>();
    for (const list of matched) for (const a of list) gone.set(aclKey(a), a);
    for (const [key, acl] of gone) {
      this.#broker.metadata.putEntity(ACL_KIND, key, null);
      this.#index = null;
      audit(this.#broker, { event: 'acl-deleted', ...actor, acl: describeAcl(acl) });
    }
    return matched;
  }
}

/** An ACL with Kafka's names, for logs and the audit file. */
export function describeAcl(a: Acl): Record<string, string> {
  return {
    resourceType: codeName.resourceType(a.resourceType),
    resourceName: a.resourceName,
    patternType: codeName.patternType(a.patternType),
    principal: a.principal,
    host: a.host,
    operation: codeName.operation(a.operation),
    permission: codeName.permission(a.permission),
  };
}

/** Parses `super.users` as Kafka does: semicolon-separated principals, blanks ignored. */
export function parseSuperUsers(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const authorizers = new WeakMap<Broker, Authorizer | null>();

/** The broker's authorizer, or null when authorization is off. */
export function authorizerOf(broker: Broker): Authorizer | null {
  let az = authorizers.get(broker);
  if (az !== undefined) return az;
  // static configs only: Kafka configures its authorizer once, at start
  const config = (name: string): string => (broker.staticConfigs[name] ?? '').trim();
  const className = config('authorizer.class.name');
  if (className === '') az = null;
  else {
    if (!AUTHORIZER_CLASS_NAMES.has(className)) {
      broker.logger.error(
        { className, known: [...AUTHORIZER_CLASS_NAMES] },
        'unknown authorizer.class.name; enforcing ACLs with the standard authorizer',
      );
    }
    const configured = new Set(parseSuperUsers(config('super.users')));
    for (const p of configured) {
      if (!p.includes(':'))
        broker.logger.warn({ principal: p }, 'super.users entry is not TYPE:NAME; it matches nobody');
    }
    az = new Authorizer(broker, {
      // the broker also knows the admin user made at start (`tributary start --admin-user`)
      superUsers: { has: (p: string) => configured.has(p) || broker.isSuperUser(p) },
      allowEveryoneIfNoAcl: config('allow.everyone.if.no.acl.found').toLowerCase() === 'true',
    });
  }
  authorizers.set(broker, az);
  return az;
}

/** Whether the broker checks ACLs. */
export function authorizationEnabled(broker: Broker): boolean {
  return authorizerOf(broker) !== null;
}

const hosts = new WeakMap<ConnectionInfo, string>();

/** The client's address as Kafka compares it with ACL hosts. */
export function clientHost(ctx: RequestContext): string {
  let h = hosts.get(ctx.connection);
  if (h === undefined) hosts.set(ctx.connection, (h = javaHostAddress(ctx.connection.remoteAddress)));
  return h;
}

/** Kafka's AuthHelper flags: whether a decision is worth an audit line. */
export interface AuthorizeOptions {
  /** Denials of explicit requests are audited; filtering (e.g. listing) passes false. Default true. */
  logIfDenied?: boolean;
}

const API_NAMES = new Map(API_DEFINITIONS.map((d) => [d.key, d.name]));
const PASCAL = (s: string): string =>
  s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function record(ctx: RequestContext, access: Access, d: Decision, refCount: number, opts: AuthorizeOptions): void {
  const denied = !d.allowed && opts.logIfDenied !== false;
  if (!denied && !ctx.broker.logger.isLevelEnabled('debug')) return;
  const api = API_NAMES.get(ctx.header.requestApiKey) ?? String(ctx.header.requestApiKey);
  const rule = typeof d.rule === 'string' ? d.rule : `MatchingAcl(${JSON.stringify(describeAcl(d.rule))})`;
  const resource = `${PASCAL(codeName.resourceType(access.resourceType))}:LITERAL:${access.resourceName}`;
  const message =
    `Principal = ${access.principal} is ${d.allowed ? 'Allowed' : 'Denied'} operation = ` +
    `${codeName.operation(access.operation)} from host = ${access.host} on resource = ${resource} for request = ` +
    `${api} with resourceRefCount = ${refCount} based on rule ${rule}`;
  if (denied) {
    audit(
      ctx.broker,
      {
        event: 'denied',
        principal: access.principal,
        host: access.host,
        operation: codeName.operation(access.operation),
        resourceType: codeName.resourceType(access.resourceType),
        resourceName: access.resourceName,
        patternType: codeName.patternType(PatternType.LITERAL),
        api,
        rule,
      },
      message,
    );
  } else {
    ctx.broker.logger.debug({ component: 'audit' }, message);
  }
}

/** Whether the request's principal may do `operation` on the resource (always true when authorization is off). */
export function authorize(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  name: string,
  opts: AuthorizeOptions = {},
): boolean {
  const az = authorizerOf(ctx.broker);
  if (!az) return true;
  const access = { principal: ctx.principal, host: clientHost(ctx), operation, resourceType, resourceName: name };
  const d = az.decide(access);
  record(ctx, access, d, 1, opts);
  return d.allowed;
}

/** The names (of one resource type) the principal may do `operation` on; one decision per distinct name. */
export function filterAuthorized(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  names: Iterable<string>,
  opts: AuthorizeOptions = {},
): Set<string> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const az = authorizerOf(ctx.broker);
  if (!az) return new Set(counts.keys());
  const host = clientHost(ctx);
  const allowed = new Set<string>();
  for (const [name, refCount] of counts) {
    const access = { principal: ctx.principal, host, operation, resourceType, resourceName: name };
    const d = az.decide(access);
    record(ctx, access, d, refCount, opts);
    if (d.allowed) allowed.add(name);
  }
  return allowed;
}

/** Whether the principal may do `operation` on the cluster. */
export function authorizeCluster(ctx: RequestContext, operation: number, opts: AuthorizeOptions = {}): boolean {
  return authorize(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME, opts);
}

/** Authorizer.authorizeByResourceType: `operation` on at least one resource of the type. */
export function authorizeByResourceType(ctx: RequestContext, operation: number, resourceType: number): boolean {
  const az = authorizerOf(ctx.broker);
  return az === null || az.allowsSomeOfType(ctx.principal, clientHost(ctx), operation, resourceType);
}

/**
 * The authorized-operations bitfield of a resource (AuthHelper.authorizedOperations):
 * the type's supported operations the principal may do; all of them when
 * authorization is off. Never audited.
 */
export function authorizedOperations(ctx: RequestContext, resourceType: number, name: string): number {
  const az = authorizerOf(ctx.broker);
  let bits = 0;
  for (const op of supportedOperations(resourceType)) {
    const allowed =
      az === null ||
      az.decide({ principal: ctx.principal, host: clientHost(ctx), operation: op, resourceType, resourceName: name })
        .allowed;
    if (allowed) bits |= 1 << op;
  }
  return bits;
}

/** Config resource types (DescribeConfigs/AlterConfigs codes). */
const CONFIG_TOPIC = 2;
const CONFIG_GROUP = 32;

/**
 * Checks `operation` (DESCRIBE_CONFIGS or ALTER_CONFIGS) on a config
 * resource as Kafka's ConfigHelper and ControllerApis do: topics on the
 * topic, groups on the group, everything else (broker, broker logger,
 * client metrics) on the cluster. Answers the error code for the resource,
 * or 0 when allowed.
 */
export function authorizeConfigResource(
  ctx: RequestContext,
  operation: number,
  configResourceType: number,
  name: string,
): number {
  if (configResourceType === CONFIG_TOPIC) {
    return authorize(ctx, operation, ResourceType.TOPIC, name) ? 0 : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  }
  if (configResourceType === CONFIG_GROUP) {
    return authorize(ctx, operation, ResourceType.GROUP, name) ? 0 : ErrorCode.GROUP_AUTHORIZATION_FAILED;
  }
  return authorizeCluster(ctx, operation) ? 0 : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}
