/**
 * `tributary acl create|list|delete`: ACLs as kafka-acls manages them.
 *
 * Resources: --topic, --group, --transactional-id (repeatable), --cluster;
 * --resource-pattern-type literal|prefixed (create) or also match|any
 * (list, delete). Entries: --allow-principal / --deny-principal User:NAME
 * (repeatable), --host (default *), --operation (repeatable; Kafka's names,
 * e.g. Read, Write, DescribeConfigs, IdempotentWrite, All). --producer and
 * --consumer add kafka-acls' usual sets: Write, Describe, Create on topics
 * (plus Write, Describe on transactional ids, IdempotentWrite on the cluster
 * with --idempotent); Read, Describe on topics and Read on groups.
 * list without a resource lists every ACL; delete without principals
 * removes every ACL on the resources it names.
 */
import { Command, InvalidArgumentError } from 'commander';
import type {
  AclBinding,
  AclFilter,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
} from '../../client/admin/index.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { UsageError } from '../common/errors.ts';
import { emit, errorJson, table } from '../common/output.ts';
import { collect } from '../common/parse.ts';
import { reportFailures, run, withSession } from '../common/run.ts';

const OPERATIONS: readonly AclOperation[] = [
  'all',
  'read',
  'write',
  'create',
  'delete',
  'alter',
  'describe',
  'cluster-action',
  'describe-configs',
  'alter-configs',
  'idempotent-write',
  'create-tokens',
  'describe-tokens',
];
const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/** Parses Kafka's operation names in any case, with or without separators (Read, DescribeConfigs, alter-configs). */
function operationArg(value: string, previous: AclOperation[] = []): AclOperation[] {
  const op = OPERATIONS.find((o) => squash(o) === squash(value));
  if (!op) throw new InvalidArgumentError(`expected one of ${OPERATIONS.join(', ')}, got "${value}"`);
  return [...previous, op];
}

function principalArg(value: string, previous: string[] = []): string[] {
  if (!/^[^:]+:.+$/.test(value)) throw new InvalidArgumentError(`expected TYPE:NAME (e.g. User:alice), got "${value}"`);
  return [...previous, value];
}

function patternArg(value: string): AclPatternType {
  const v = value.toLowerCase();
  if (v !== 'literal' && v !== 'prefixed' && v !== 'match' && v !== 'any') {
    throw new InvalidArgumentError('expected literal, prefixed, match or any');
  }
  return v;
}

interface AclFlags extends ConnectionFlags {
  topic?: string[];
  group?: string[];
  transactionalId?: string[];
  cluster?: boolean;
  resourcePatternType?: AclPatternType;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  principal?: string[];
  host?: string[];
  operation?: AclOperation[];
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
}

interface Resource {
  resourceType: AclResourceType;
  resourceName: string;
}

function resourcesOf(f: AclFlags): Resource[] {
  return [
    ...(f.topic ?? []).map((n) => ({ resourceType: 'topic' as const, resourceName: n })),
    ...(f.group ?? []).map((n) => ({ resourceType: 'group' as const, resourceName: n })),
    ...(f.transactionalId ?? []).map((n) => ({ resourceType: 'transactional-id' as const, resourceName: n })),
    ...(f.cluster ? [{ resourceType: 'cluster' as const, resourceName: 'kafka-cluster' }] : []),
  ];
}

function entriesOf(f: AclFlags): Array<{ principal: string; permission: AclPermission }> {
  return [
    ...(f.allowPrincipal ?? []).map((principal) => ({ principal, permission: 'allow' as const })),
    ...(f.denyPrincipal ?? []).map((principal) => ({ principal, permission: 'deny' as const })),
  ];
}

/** The operations per resource: --operation for every resource, plus --producer/--consumer sets. */
function operationsFor(f: AclFlags, r: Resource): AclOperation[] {
  const ops = new Set<AclOperation>(f.operation ?? []);
  if (f.producer && r.resourceType === 'topic') for (const o of ['write', 'describe', 'create'] as const) ops.add(o);
  if (f.producer && r.resourceType === 'transactional-id') for (const o of ['write', 'describe'] as const) ops.add(o);
  if (f.producer && f.idempotent && r.resourceType === 'cluster') ops.add('idempotent-write');
  if (f.consumer && r.resourceType === 'topic') for (const o of ['read', 'describe'] as const) ops.add(o);
  if (f.consumer && r.resourceType === 'group') ops.add('read');
  return [...ops];
}

function createBindings(f: AclFlags): AclBinding[] {
  const pattern = f.resourcePatternType ?? 'literal';
  if (pattern !== 'literal' && pattern !== 'prefixed') {
    throw new UsageError(`ACLs are created with --resource-pattern-type literal or prefixed, not ${pattern}`);
  }
  if (f.producer && f.idempotent && !f.cluster) f.cluster = true;
  const resources = resourcesOf(f);
  const entries = entriesOf(f);
  if (resources.length === 0)
    throw new UsageError('name a resource: --topic, --group, --transactional-id or --cluster');
  if (entries.length === 0) throw new UsageError('name who: --allow-principal or --deny-principal User:NAME');
  const bindings: AclBinding[] = [];
  for (const r of resources) {
    const ops = operationsFor(f, r);
    if (ops.length === 0 && !f.producer && !f.consumer) {
      throw new UsageError('name what: --operation (e.g. Read, Write, Describe, All), --producer or --consumer');
    }
    for (const e of entries) {
      for (const host of f.host ?? ['*']) {
        for (const operation of ops) bindings.push({ ...r, patternType: pattern, ...e, host, operation });
      }
    }
  }
  return bindings;
}

/** Filters for list and delete: resources × principals × hosts × operations, absent ones matching anything. */
function filtersOf(f: AclFlags, defaultPattern: AclPatternType): AclFilter[] {
  const resources: Array<Partial<Resource>> = resourcesOf(f);
  const patternType = resources.length > 0 ? (f.resourcePatternType ?? defaultPattern) : 'any';
  const entries: Array<{ principal?: string; permission?: AclPermission }> = [
    ...entriesOf(f),
    ...(f.principal ?? []).map((principal) => ({ principal })),
  ];
  const out: AclFilter[] = [];
  for (const r of resources.length > 0 ? resources : [{}]) {
    for (const e of entries.length > 0 ? entries : [{}]) {
      for (const host of f.host ?? [undefined]) {
        const ops = (f.operation ?? []).length > 0 ? (f.operation as AclOperation[]) : [undefined];
        for (const operation of ops) out.push({ ...r, patternType, ...e, host, operation });
      }
    }
  }
  return out;
}

const HEADERS = ['RESOURCE-TYPE', 'RESOURCE-NAME', 'PATTERN', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'];
const row = (b: Required<AclBinding>) => [
  b.resourceType,
  b.resourceName,
  b.patternType,
  b.principal,
  b.host,
  b.operation,
  b.permission,
];
const full = (b: AclBinding): Required<AclBinding> => ({ patternType: 'literal', host: '*', ...b });

function withAclOptions(cmd: Command, patterns: string): Command {
  return withConnectionOptions(
    cmd
      .option('--topic <name>', 'a topic (repeatable)', collect)
      .option('--group <name>', 'a consumer group (repeatable)', collect)
      .option('--transactional-id <id>', 'a transactional id (repeatable)', collect)
      .option('--cluster', 'the cluster')
      .option('--resource-pattern-type <type>', patterns, patternArg)
      .option('--allow-principal <principal>', 'a principal to allow, e.g. User:alice (repeatable)', principalArg)
      .option('--deny-principal <principal>', 'a principal to deny (repeatable)', principalArg)
      .option('--host <host>', 'client address the entry applies to (repeatable; default *)', collect)
      .option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, ...', operationArg),
  );
}

function createCommand(): Command {
  return withAclOptions(new Command('create').alias('add').description('create ACLs'), 'literal (default) or prefixed')
    .option('--producer', 'Write, Describe, Create on topics; Write, Describe on transactional ids')
    .option('--idempotent', 'with --producer: IdempotentWrite on the cluster')
    .option('--consumer', 'Read, Describe on topics; Read on groups')
    .action(
      run(async (flags: AclFlags) => {
        const bindings = createBindings(flags);
        return withSession(flags, async (s) => {
          const results = await s.admin.createAcls(bindings);
          emit(
            s.format,
            results.map((r) => ({
              ...full(r.binding),
              error: errorJson(r.error),
            })),
            (list) =>
              table(
                [...HEADERS, 'RESULT'],
                list.map((b) => [...row(b), b.error ? b.error.code : 'created']),
              ),
          );
          return reportFailures(results);
        });
      }),
    );
}

function listCommand(): Command {
  return withAclOptions(
    new Command('list').alias('ls').description('list ACLs (all, or those on the named resources)'),
    'literal (default with a resource), prefixed, match (every ACL that applies) or any',
  )
    .option('--principal <principal>', 'only ACLs of this principal (repeatable)', principalArg)
    .action(
      run(async (flags: AclFlags) =>
        withSession(flags, async (s) => {
          const found = new Map<string, Required<AclBinding>>();
          for (const filter of filtersOf(flags, 'literal')) {
            for (const b of await s.admin.describeAcls(filter)) found.set(JSON.stringify(row(b)), b);
          }
          emit(s.format, [...found.values()], (list) => table(HEADERS, list.map(row)));
          return 0;
        }),
      ),
    );
}

function deleteCommand(): Command {
  return withAclOptions(
    new Command('delete').alias('rm').description('delete the ACLs on the named resources that match the flags'),
    'literal (default), prefixed, match (careful: every ACL that applies) or any',
  )
    .option('--principal <principal>', 'only ACLs of this principal, allow or deny (repeatable)', principalArg)
    .action(
      run(async (flags: AclFlags) => {
        if (resourcesOf(flags).length === 0) {
          throw new UsageError('name a resource: --topic, --group, --transactional-id or --cluster');
        }
        return withSession(flags, async (s) => {
          const results = await s.admin.deleteAcls(filtersOf(flags, 'literal'));
          const deleted = results.flatMap((r) => r.deleted.map((d) => d.binding));
          emit(s.format, deleted, (list) => table(HEADERS, list.map(row)));
          return reportFailures(results);
        });
      }),
    );
}

/** `tributary acl`. */
export function aclCommand(): Command {
  return new Command('acl')
    .description('manage ACLs (the broker needs authorizer.class.name set)')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(deleteCommand());
}
