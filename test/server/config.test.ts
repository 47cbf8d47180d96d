import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/server/index.ts';

test('defaults: 127.0.0.1:9092, ./data, info', () => {
  const c = resolveConfig({}, {});
  assert.deepEqual(c, {
    dataDir: './data',
    host: '127.0.0.1',
    advertisedHost: undefined,
    kafkaPort: 9092,
    logLevel: 'info',
    broker: {},
  });
});

test('flags beat environment beat config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cfg-'));
  const props = join(dir, 'tributary.properties');
  writeFileSync(props, '# comment\ndata.dir=/from/file\nkafka.port=7000\nhost=0.0.0.0\nnum.partitions=3\n');
  const fromFile = resolveConfig({ config: props }, {});
  assert.equal(fromFile.dataDir, '/from/file');
  assert.equal(fromFile.kafkaPort, 7000);
  assert.equal(fromFile.host, '0.0.0.0');
  assert.deepEqual(fromFile.broker, { 'num.partitions': '3' });
  const env = resolveConfig({ config: props }, { TRIBUTARY_KAFKA_PORT: '7100', TRIBUTARY_DATA_DIR: '/from/env' });
  assert.equal(env.kafkaPort, 7100);
  assert.equal(env.dataDir, '/from/env');
  const flags = resolveConfig(
    { config: props, kafkaPort: '0', brokerConfig: ['num.partitions=5'] },
    { TRIBUTARY_KAFKA_PORT: '7100' },
  );
  assert.equal(flags.kafkaPort, 0);
  assert.equal(flags.broker['num.partitions'], '5');
  const json = join(dir, 'tributary.json');
  writeFileSync(
    json,
    JSON.stringify({ dataDir: 'jd', logLevel: 'debug', broker: { 'auto.create.topics.enable': false } }),
  );
  const j = resolveConfig({}, { TRIBUTARY_CONFIG: json });
  assert.equal(j.dataDir, 'jd');
  assert.equal(j.logLevel, 'debug');
  assert.equal(j.broker['auto.create.topics.enable'], 'false');
});

test('bad values are rejected with a message that says what to fix', () => {
  assert.throws(() => resolveConfig({ kafkaPort: '99999' }, {}), /port number 0-65535/);
  assert.throws(() => resolveConfig({ kafkaPort: 'abc' }, {}), /port number/);
  assert.throws(() => resolveConfig({ logLevel: 'loud' }, {}), /log level must be one of/);
  assert.throws(() => resolveConfig({ brokerConfig: ['novalue'] }, {}), /key=value/);
});
