/**
 * Shared pieces of the ACL tests: a broker with the authorizer on, ACLs
 * given straight to its authorizer (to bootstrap what the CLI then needs),
 * and the Kafka error type a kafkajs error stands for.
 */
import { createRequire } from 'node:module';
import type { Broker } from '../../src/broker/index.ts';
import { type Acl, AclOperation, AclPermission, PatternType, ResourceType } from '../../src/broker/security/acls.ts';
import { authorizerOf } from '../../src/broker/security/authorizer.ts';
import { type Cleanup, startTestBroker, type TestBroker } from '../helpers/broker.ts';

export const ANONYMOUS = 'User:ANONYMOUS';

/** A broker with the standard authorizer and the given extra broker configs. */
export function startAclBroker(
  cleanup: Cleanup,
  configs: Record<string, string> = {},
  dataDir?: string,
): Promise<TestBroker> {
  return startTestBroker(
    cleanup,
    {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'group.initial.rebalance.delay.ms': '0',
      'offsets.topic.num.partitions': '1',
      ...configs,
    },
    dataDir,
  );
}

/** An ALLOW (by default) ACL for ANONYMOUS on a literal topic, with overrides. */
export function acl(p: Partial<Acl> & Pick<Acl, 'resourceName' | 'operation'>): Acl {
  return {
    resourceType: ResourceType.TOPIC,
    patternType: PatternType.LITERAL,
    principal: ANONYMOUS,
    host: '*',
    permission: AclPermission.ALLOW,
    ...p,
  };
}

/** Stores ACLs straight through the broker's authorizer (no request, no authorization). */
export function grant(broker: Broker, ...acls: Acl[]): void {
  const az = authorizerOf(broker);
  if (!az) throw new Error('the broker has no authorizer');
  az.create(acls, { principal: 'User:test', host: '127.0.0.1' });
}

/** Removes exactly these ACLs straight through the broker's authorizer. */
export function revoke(broker: Broker, ...acls: Acl[]): void {
  const az = authorizerOf(broker);
  if (!az) throw new Error('the broker has no authorizer');
  az.delete(
    acls.map((a) => ({ ...a })),
    { principal: 'User:test', host: '127.0.0.1' },
  );
}

/** ALTER and DESCRIBE on the cluster: enough to manage ACLs, nothing on topics or groups. */
export function grantAclAdmin(broker: Broker, principal = ANONYMOUS): void {
  for (const operation of [AclOperation.ALTER, AclOperation.DESCRIBE]) {
    grant(broker, acl({ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation, principal }));
  }
}

const require = createRequire(import.meta.url);
const KAFKAJS_ERRORS = (
  require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; message: string }> }
).errorCodes;

/**
 * The Kafka error type behind a kafkajs error: its own `type`, or (kafkajs
 * wraps non-retriable protocol errors and keeps only the message) the type
 * whose message it carries, searching causes too.
 */
export function kafkajsType(err: unknown): string {
  for (let e = err as { type?: string; message?: string; cause?: unknown; originalError?: unknown } | undefined; e; ) {
    if (e.type) return e.type;
    const byMessage = KAFKAJS_ERRORS.find((c) => c.message === e?.message);
    if (byMessage) return byMessage.type;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return `not a Kafka error: ${String(err)}`;
}

/** The Kafka error type an async call fails with (throws if it succeeds). */
export async function failsWith(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return kafkajsType(err);
  }
  throw new Error('expected the call to fail');
}
