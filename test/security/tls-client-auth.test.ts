/**
 * TLS listeners: a client certificate's subject becomes the principal
 * (`User:` + the RFC 2253 subject, as Kafka's DEFAULT ssl.principal.mapping.rules
 * prints it), ssl.client.auth requested / required, SASL_SSL takes the
 * principal from SASL, and `tributary cert` as the binary.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { subjectRfc2253 } from '../../src/broker/security/tls.ts';
import { makeDevCertificates } from '../../src/cli/commands/cert.ts';
import { Cluster } from '../../src/client/index.ts';
import { cli } from '../cli/run-cli.ts';
import { ADMIN, CLIENT_SUBJECTS, startSecureBroker } from '../helpers/secure-broker.ts';

async function principalAfterConnecting(
  sb: Awaited<ReturnType<typeof startSecureBroker>>,
  listener: 'SSL' | 'SASL_SSL',
  opts: { cert?: string; key?: string; sasl?: boolean },
): Promise<string> {
  const c = new Cluster({
    bootstrapServers: `localhost:${sb.port(listener)}`,
    tls: {
      ca: sb.ca,
      ...(opts.cert && { cert: readFileSync(opts.cert), key: readFileSync(opts.key as string) }),
    },
    ...(opts.sasl && { sasl: { mechanism: 'SCRAM-SHA-512' as const, username: ADMIN.name, password: ADMIN.password } }),
    retry: { retries: 0 },
    connectTimeoutMs: 3000,
  });
  try {
    await c.refreshMetadata();
    const mine = sb.broker.connections().filter((x) => x.listener === listener);
    assert.equal(mine.length, 1);
    return mine[0]?.principal as string;
  } finally {
    await c.close();
  }
}

describe('TLS client authentication: requested', async () => {
  const sb = await startSecureBroker(after, { clientAuth: 'requested' });

  test("a client certificate's subject is the principal; without one the client is ANONYMOUS", async () => {
    const [alice] = sb.certs.clients;
    assert.equal(
      await principalAfterConnecting(sb, 'SSL', { cert: alice?.cert, key: alice?.key }),
      `User:${CLIENT_SUBJECTS[0]}`,
    );
    assert.equal(await principalAfterConnecting(sb, 'SSL', {}), 'User:ANONYMOUS');
  });

  test('a certificate from another CA is refused; the listener keeps serving', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-other-ca-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const other = makeDevCertificates(dir, { clients: ['CN=eve'] });
    const eve = other.clients[0];
    await assert.rejects(principalAfterConnecting(sb, 'SSL', { cert: eve?.cert, key: eve?.key }));
    assert.equal(await principalAfterConnecting(sb, 'SSL', {}), 'User:ANONYMOUS');
  });

  test('on SASL_SSL the principal comes from SASL, not from a certificate', async () => {
    const [alice] = sb.certs.clients;
    assert.equal(
      await principalAfterConnecting(sb, 'SASL_SSL', { cert: alice?.cert, key: alice?.key, sasl: true }),
      `User:${ADMIN.name}`,
    );
  });
});

describe('TLS client authentication: required', async () => {
  const sb = await startSecureBroker(after, { clientAuth: 'required' });

  test('a client without a certificate is refused; one with a certificate gets in', async () => {
    await assert.rejects(principalAfterConnecting(sb, 'SSL', {}));
    const mallory = sb.certs.clients[1];
    assert.equal(
      await principalAfterConnecting(sb, 'SSL', { cert: mallory?.cert, key: mallory?.key }),
      'User:CN=mallory',
    );
  });
});

test('subjects print as Java X500Principal.getName(): reversed RDNs, escapes, OIDs in hex', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-dn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = makeDevCertificates(dir, { clients: ['emailAddress=e@x.io,CN=a\\,b+c=d,OU=x;y,O=Acme "Inc",C=DE'] });
  const der = new X509Certificate(readFileSync(c.clients[0]?.cert as string)).raw;
  assert.equal(
    subjectRfc2253(der),
    '1.2.840.113549.1.9.1=#16066540782e696f,CN=a\\,b\\+c\\=d,OU=x\\;y,O=Acme \\"Inc\\",C=DE',
  );
});

test('tributary cert makes a CA, a server certificate for the given hosts and client certificates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cert-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await cli([
    'cert',
    '--dir',
    dir,
    '--host',
    'broker.example',
    '--host',
    '10.1.2.3',
    '--client',
    'CN=bob,OU=ops',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /principal User:CN=bob,OU=ops/);
  const ca = new X509Certificate(readFileSync(join(dir, 'ca.pem')));
  const server = new X509Certificate(readFileSync(join(dir, 'server.pem')));
  assert.ok(ca.ca);
  assert.ok(server.verify(ca.publicKey), 'the CA signed the server certificate');
  assert.ok(server.checkHost('localhost') && server.checkHost('broker.example'));
  assert.ok(server.checkIP('127.0.0.1') && server.checkIP('10.1.2.3'));
  const bob = new X509Certificate(readFileSync(join(dir, 'client-bob.pem')));
  assert.equal(subjectRfc2253(bob.raw), 'CN=bob,OU=ops');
  assert.equal(statSync(join(dir, 'server-key.pem')).mode & 0o777, 0o600);
  // a second run reuses the CA
  const again = await cli(['cert', '--dir', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(new X509Certificate(readFileSync(join(dir, 'ca.pem'))).fingerprint256, ca.fingerprint256);
});
