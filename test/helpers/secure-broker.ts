/**
 * A broker with every kind of listener, started in process on port 0:
 * PLAINTEXT, SASL_PLAINTEXT, SSL and SASL_SSL, TLS from certificates made by
 * the same code as `tributary cert`, and an admin SCRAM user (super user).
 * Certificates are made once per test process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import type { ClientAuth } from '../../src/broker/security/tls.ts';
import { type DevCertificates, makeDevCertificates } from '../../src/cli/commands/cert.ts';
import type { Cleanup } from './broker.ts';

export const ADMIN = { name: 'admin', password: 'admin-secret' };

/** Client certificate subjects the helper issues (principal User:<subject>). */
export const CLIENT_SUBJECTS = ['CN=alice,OU=eng,O=Tributary', 'CN=mallory'];

let certs: DevCertificates | undefined;
let certDir: string | undefined;

/** Development certificates for tests (CA, server for localhost/127.0.0.1, the clients above). */
export function testCertificates(): DevCertificates {
  if (!certs) {
    certDir = mkdtempSync(join(tmpdir(), 'tributary-certs-'));
    certs = makeDevCertificates(certDir, { clients: CLIENT_SUBJECTS });
    process.once('exit', () => rmSync(certDir as string, { recursive: true, force: true }));
  }
  return certs;
}

export interface SecureBroker {
  broker: Broker;
  dataDir: string;
  certs: DevCertificates;
  /** PEM of the CA, for clients. */
  ca: Buffer;
  /** 127.0.0.1:port of a listener. */
  address(listener: 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL'): string;
  port(listener: 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL'): number;
}

/** Starts the broker; `cleanup` stops it and removes its data. */
export async function startSecureBroker(
  cleanup: Cleanup,
  opts: { configs?: Record<string, string>; clientAuth?: ClientAuth; advertisedHost?: string } = {},
): Promise<SecureBroker> {
  const c = testCertificates();
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-secure-'));
  const broker = await Broker.start({
    dataDir,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    listeners: [
      { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'SSL', securityProtocol: 'SSL', host: '127.0.0.1', port: 0 },
      { name: 'SASL_SSL', securityProtocol: 'SASL_SSL', host: '127.0.0.1', port: 0 },
    ],
    tls: {
      cert: readFileSync(c.cert),
      key: readFileSync(c.key),
      ca: readFileSync(c.ca),
      clientAuth: opts.clientAuth ?? 'requested',
    },
    adminUser: ADMIN,
    configs: opts.configs ?? {},
    ...(opts.advertisedHost && { advertisedHost: opts.advertisedHost }),
  });
  cleanup(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const port = (l: string): number => broker.listenerPort(l) as number;
  return {
    broker,
    dataDir,
    certs: c,
    ca: readFileSync(c.ca),
    port,
    address: (l) => `127.0.0.1:${port(l)}`,
  };
}

/** Creates a SCRAM user for both mechanisms directly in the broker (tests of other things than user management). */
export async function addUser(broker: Broker, name: string, password: string): Promise<void> {
  await broker.scram.setPassword(name, password, ['SCRAM-SHA-256', 'SCRAM-SHA-512'], 4096);
}
