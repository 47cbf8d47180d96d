/**
 * ACLs: CreateAcls, DescribeAcls, DeleteAcls (to the controller), with
 * Kafka's resource types, pattern types, operations and permissions as
 * lower-case names. A broker that does not serve these APIs fails the call
 * with UNSUPPORTED_VERSION saying so.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, type ItemResult, onController } from './request.ts';

const RESOURCE_TYPES = {
  unknown: 0,
  any: 1,
  topic: 2,
  group: 3,
  cluster: 4,
  'transactional-id': 5,
  'delegation-token': 6,
  user: 7,
} as const;
const PATTERN_TYPES = { unknown: 0, any: 1, match: 2, literal: 3, prefixed: 4 } as const;
const OPERATIONS = {
  unknown: 0,
  any: 1,
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  'cluster-action': 9,
  'describe-configs': 10,
  'alter-configs': 11,
  'idempotent-write': 12,
  'create-tokens': 13,
  'describe-tokens': 14,
  'two-phase-commit': 15,
} as const;
const PERMISSIONS = { unknown: 0, any: 1, deny: 2, allow: 3 } as const;

export type AclResourceType = keyof typeof RESOURCE_TYPES;
export type AclPatternType = keyof typeof PATTERN_TYPES;
export type AclOperation = keyof typeof OPERATIONS;
export type AclPermission = keyof typeof PERMISSIONS;

/** One ACL: who (principal, host) may or may not do what on which resources. */
export interface AclBinding {
  resourceType: AclResourceType;
  resourceName: string;
  /** Default literal. */
  patternType?: AclPatternType;
  /** e.g. "User:alice". */
  principal: string;
  /** Default "*". */
  host?: string;
  operation: AclOperation;
  permission: AclPermission;
}

/** Matches ACLs: absent fields match anything. */
export interface AclFilter {
  resourceType?: AclResourceType;
  resourceName?: string | null;
  /** Default any; "match" also finds prefixed and wildcard ACLs that apply to the name. */
  patternType?: AclPatternType;
  principal?: string | null;
  host?: string | null;
  operation?: AclOperation;
  permission?: AclPermission;
}

function nameOf<T extends Record<string, number>>(table: T, code: number): keyof T {
  return (Object.keys(table) as Array<keyof T>).find((k) => table[k] === code) ?? 'unknown';
}

function filterWire(f: AclFilter) {
  return {
    resourceTypeFilter: RESOURCE_TYPES[f.resourceType ?? 'any'],
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: PATTERN_TYPES[f.patternType ?? 'any'],
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: OPERATIONS[f.operation ?? 'any'],
    permissionType: PERMISSIONS[f.permission ?? 'any'],
  };
}

function bindingOf(
  r: { resourceType: number; resourceName: string; patternType: number },
  a: { principal: string; host: string; operation: number; permissionType: number },
): Required<AclBinding> {
  return {
    resourceType: nameOf(RESOURCE_TYPES, r.resourceType),
    resourceName: r.resourceName,
    patternType: nameOf(PATTERN_TYPES, r.patternType),
    principal: a.principal,
    host: a.host,
    operation: nameOf(OPERATIONS, a.operation),
    permission: nameOf(PERMISSIONS, a.permissionType),
  };
}

/** Outcome of creating one ACL. */
export interface CreateAclResult extends ItemResult {
  binding: AclBinding;
}

/** CreateAcls: one result per binding. */
export function createAcls(cluster: Cluster, bindings: AclBinding[]): Promise<CreateAclResult[]> {
  return onController(cluster, ApiKey.CreateAcls, async (conn) => {
    const res = await conn.request(ApiKey.CreateAcls, {
      creations: bindings.map((b) => ({
        resourceType: RESOURCE_TYPES[b.resourceType],
        resourceName: b.resourceName,
        resourcePatternType: PATTERN_TYPES[b.patternType ?? 'literal'],
        principal: b.principal,
        host: b.host ?? '*',
        operation: OPERATIONS[b.operation],
        permissionType: PERMISSIONS[b.permission],
      })),
    });
    return bindings.map((binding, i) => {
      const r = res.results[i];
      return {
        binding,
        error: r
          ? errorFor(r.errorCode, `ACL on ${binding.resourceType} ${binding.resourceName}`, r.errorMessage)
          : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, 'CreateAcls', 'no answer for this ACL'),
      };
    });
  });
}

/** DescribeAcls: every ACL matching the filter. */
export function describeAcls(cluster: Cluster, filter: AclFilter = {}): Promise<Array<Required<AclBinding>>> {
  return onController(cluster, ApiKey.DescribeAcls, async (conn) => {
    const res = await conn.request(ApiKey.DescribeAcls, filterWire(filter));
    const err = errorFor(res.errorCode, 'DescribeAcls', res.errorMessage);
    if (err) throw err;
    return res.resources.flatMap((r) => r.acls.map((a) => bindingOf(r, a)));
  });
}

/** Outcome of one delete filter: the ACLs it removed, each with its own error. */
export interface DeleteAclsResult extends ItemResult {
  filter: AclFilter;
  deleted: Array<{ binding: Required<AclBinding> } & ItemResult>;
}

/** DeleteAcls: one result per filter. */
export function deleteAcls(cluster: Cluster, filters: AclFilter[]): Promise<DeleteAclsResult[]> {
  return onController(cluster, ApiKey.DeleteAcls, async (conn) => {
    const res = await conn.request(ApiKey.DeleteAcls, { filters: filters.map(filterWire) });
    return filters.map((filter, i) => {
      const r = res.filterResults[i];
      if (!r)
        return { filter, deleted: [], error: errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, 'DeleteAcls', 'no answer') };
      return {
        filter,
        error: errorFor(r.errorCode, 'DeleteAcls', r.errorMessage),
        deleted: r.matchingAcls.map((m) => ({
          binding: bindingOf(m, m),
          error: errorFor(m.errorCode, `ACL on ${m.resourceName}`, m.errorMessage),
        })),
      };
    });
  });
}
