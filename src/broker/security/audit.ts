/**
 * The audit log: every authorization denial of an explicit request and
 * every change to ACLs and users, as JSON lines in `<data dir>/audit.log`
 * and on the broker's logger as the `audit` component (Kafka writes the
 * same denials to its `kafka.authorizer.logger` at INFO).
 *
 * Other components record their changes with `audit(broker, {...})`, e.g.
 * `audit(broker, { event: 'user-created', principal: ctx.principal, host, user: 'alice' })`.
 * A failing write (disk full, data dir gone) is logged and never fails the
 * request that caused it.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Broker } from '../broker.ts';

/** One audit record; `event` names what happened, `principal` who did or tried it. */
export interface AuditEvent {
  /** e.g. "denied", "acl-created", "acl-deleted", "user-created", "user-deleted". */
  event: string;
  /** The principal that made the request ("User:alice"). */
  principal: string;
  /** The client's address, when known. */
  host?: string;
  [detail: string]: unknown;
}

/** The audit log file of a broker. */
export function auditLogPath(broker: Broker): string {
  return join(broker.dataDir, 'audit.log');
}

const loggers = new WeakMap<Broker, Logger>();

function loggerOf(broker: Broker): Logger {
  let l = loggers.get(broker);
  if (!l) loggers.set(broker, (l = broker.logger.child({ component: 'audit' })));
  return l;
}

/** Records an audit event: one JSON line in audit.log and one line on the `audit` logger. */
export function audit(broker: Broker, entry: AuditEvent, message?: string): void {
  const record = { time: new Date().toISOString(), ...entry };
  const log = loggerOf(broker);
  log.info(entry, message ?? entry.event);
  try {
    appendFileSync(auditLogPath(broker), `${JSON.stringify(record)}\n`);
  } catch (err) {
    log.warn({ err }, 'could not write the audit log');
  }
}
