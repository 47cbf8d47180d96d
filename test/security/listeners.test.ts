/**
 * Listeners as Kafka configures them: parsing and checks of `listeners`,
 * `advertised.listeners` and `listener.security.protocol.map`, the start
 * configuration (flags, environment, properties), and brokers that answer
 * Metadata, FindCoordinator and DescribeCluster with the advertised address
 * of the listener each request came in on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import { parseAdvertisedListeners, parseListeners, parseProtocolMap } from '../../src/broker/security/listeners.ts';
import { resolveConfig } from '../../src/server/index.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { testCertificates } from '../helpers/secure-broker.ts';

test('listeners parse as Kafka names them; custom names need a protocol map', () => {
  const map = parseProtocolMap('internal:SASL_PLAINTEXT,EXTERNAL:SASL_SSL');
  assert.deepEqual(parseListeners('plaintext://127.0.0.1:9092, INTERNAL://:9093,EXTERNAL://[::1]:9094', map), [
    { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
    { name: 'INTERNAL', securityProtocol: 'SASL_PLAINTEXT', host: '', port: 9093 },
    { name: 'EXTERNAL', securityProtocol: 'SASL_SSL', host: '::1', port: 9094 },
  ]);
  assert.throws(() => parseListeners('CLIENT://h:1'), /no security protocol defined for listener CLIENT/);
  assert.throws(() => parseListeners('SSL://h:1,SSL://h:2'), /different name/);
  assert.throws(() => parseListeners('SSL://h:1,PLAINTEXT://h:1'), /different port/);
  assert.deepEqual(
    parseListeners('SSL://h:0,PLAINTEXT://h:0').map((l) => l.port),
    [0, 0],
    'port 0 may repeat',
  );
  assert.throws(() => parseListeners('SSL:/h:1'), /not NAME:\/\/host:port/);
  assert.throws(() => parseListeners('SSL://h:70000'), /not in 0-65535/);
  assert.throws(() => parseProtocolMap('A:TLS'), /NAME:PROTOCOL/);
  const ls = parseListeners('PLAINTEXT://:9092,SSL://:9093');
  assert.deepEqual(parseAdvertisedListeners('SSL://broker.example:443', ls), [
    { name: 'SSL', host: 'broker.example', port: 443 },
  ]);
  assert.throws(() => parseAdvertisedListeners('SASL_SSL://b:1', ls), /subset of the ones defined in listeners/);
  assert.throws(() => parseAdvertisedListeners('SSL://0.0.0.0:1', ls), /nonroutable/);
});

test('start configuration: --listener, environment and properties; TLS files and the admin user', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-listen-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certs = testCertificates();
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'hunter2\n');

  assert.equal(resolveConfig({}, {}).security, undefined, 'nothing set: the default PLAINTEXT listener');
  const c = resolveConfig(
    {
      listener: ['PLAINTEXT://127.0.0.1:0', 'SASL_SSL://0.0.0.0:0'],
      advertisedListener: ['SASL_SSL://kafka.example:9093'],
      tlsCert: certs.cert,
      tlsKey: certs.key,
      tlsCa: certs.ca,
      tlsClientAuth: 'requested',
      adminUser: 'root',
      adminPasswordFile: pw,
    },
    {},
  );
  assert.deepEqual(
    c.security?.listeners?.map((l) => l.name),
    ['PLAINTEXT', 'SASL_SSL'],
  );
  assert.deepEqual(c.security?.advertisedListeners, [{ name: 'SASL_SSL', host: 'kafka.example', port: 9093 }]);
  assert.equal(c.security?.tls?.clientAuth, 'requested');
  assert.deepEqual(c.security?.adminUser, { name: 'root', password: 'hunter2' });

  const env = resolveConfig(
    {},
    { TRIBUTARY_LISTENERS: 'SASL_PLAINTEXT://:0', TRIBUTARY_ADMIN_USER: 'a', TRIBUTARY_ADMIN_PASSWORD: 'b' },
  );
  assert.equal(env.security?.listeners?.[0]?.securityProtocol, 'SASL_PLAINTEXT');
  assert.deepEqual(env.security?.adminUser, { name: 'a', password: 'b' });

  const props = join(dir, 'broker.properties');
  writeFileSync(
    props,
    'listeners=INTERNAL://127.0.0.1:0\nlistener.security.protocol.map=INTERNAL:SASL_PLAINTEXT\nnum.partitions=2\n',
  );
  const fromFile = resolveConfig({ config: props }, {});
  assert.equal(fromFile.security?.listeners?.[0]?.securityProtocol, 'SASL_PLAINTEXT');
  assert.deepEqual(fromFile.broker, { 'num.partitions': '2' }, 'listener keys are not broker configs');

  assert.throws(() => resolveConfig({ listener: ['SSL://:0'] }, {}), /uses TLS: give --tls-cert and --tls-key/);
  assert.throws(() => resolveConfig({ tlsCert: certs.cert }, {}), /both --tls-cert and --tls-key/);
  assert.throws(() => resolveConfig({ adminUser: 'x' }, {}), /needs a password/);
  assert.throws(
    () => resolveConfig({ tlsCert: join(dir, 'nope'), tlsKey: certs.key }, {}),
    /cannot read the TLS certificate/,
  );
});

test('each listener answers with its own advertised address; port 0 works per listener', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-listeners-'));
  const broker = await Broker.start({
    dataDir,
    logger: pino({ level: 'silent' }),
    listeners: parseListeners(
      'PLAINTEXT://127.0.0.1:0,REPLICATION://127.0.0.1:0',
      parseProtocolMap('REPLICATION:PLAINTEXT'),
    ),
    advertisedListeners: [{ name: 'REPLICATION', host: 'repl.example', port: 19092 }],
  });
  t.after(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const plain = broker.listenerPort('PLAINTEXT') as number;
  const repl = broker.listenerPort('replication') as number;
  assert.ok(plain > 0 && repl > 0 && plain !== repl);
  assert.equal(broker.port, plain, 'broker.port is the first listener');
  assert.equal(broker.listenerPort('NOPE'), undefined);

  const expectations: Array<[number, string, number]> = [
    [plain, '127.0.0.1', plain],
    [repl, 'repl.example', 19092],
  ];
  for (const [port, host, advertisedPort] of expectations) {
    const conn = await RawConnection.open(port);
    const md = await conn.request(3, 12, { topics: [] });
    assert.deepEqual([md.brokers[0]?.host, md.brokers[0]?.port], [host, advertisedPort]);
    const dc = await conn.request(60, 1, {});
    assert.deepEqual([dc.brokers[0]?.host, dc.brokers[0]?.port], [host, advertisedPort]);
    const fc = await conn.request(10, 4, { keyType: 0, coordinatorKeys: ['g'] });
    assert.deepEqual([fc.coordinators[0]?.host, fc.coordinators[0]?.port], [host, advertisedPort]);
    conn.close();
  }
});
