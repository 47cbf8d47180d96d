/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs against real
 * clients — kafkajs (DescribeConfigs v2, AlterConfigs v1), @platformatic/kafka
 * (DescribeConfigs v4, AlterConfigs v2, IncrementalAlterConfigs v1),
 * kafka-python and confluent-kafka-python (librdkafka) — plus raw requests for
 * versions and cases no client sends; config changes survive a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  IncrementalAlterConfigOperationTypes as Op,
} from '@platformatic/kafka';
import { Kafka, type Admin as KafkaJsAdmin, type ConfigResourceTypes as KjsResourceType, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { call, cleanupStack } from './admin-wire.ts';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const SOURCE = { TOPIC_CONFIG: 1, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 };
const ERR = { UNKNOWN_TOPIC_OR_PARTITION: 3, INVALID_CONFIG: 40, INVALID_REQUEST: 42, INVALID_TOPIC_EXCEPTION: 17 };
const PY = '/usr/bin/python3';
// kafkajs is CommonJS and its enums are not named ESM exports
const KjsTypes = { TOPIC: 2 as KjsResourceType, BROKER: 4 as KjsResourceType };

function kafkajsAdmin(bootstrap: string): KafkaJsAdmin {
  const kafka = new Kafka({ clientId: 'admin-configs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  return kafka.admin();
}

/** The errors a @platformatic/kafka call failed with, as Kafka codes. */
async function pltCodes(p: Promise<unknown>): Promise<number[]> {
  try {
    await p;
  } catch (err) {
    const found: number[] = [];
    const walk = (e: unknown): void => {
      if (!e || typeof e !== 'object') return;
      const o = e as { errors?: unknown; apiCode?: unknown; response?: unknown; errorCode?: unknown };
      if (typeof o.apiCode === 'number') found.push(o.apiCode);
      if (Array.isArray(o.errors)) for (const x of o.errors) walk(x);
      else if (o.errors && typeof o.errors === 'object') for (const x of Object.values(o.errors)) walk(x);
    };
    walk(err);
    return [...new Set(found)];
  }
  return [];
}

describe('configs on a topic', () => {
  let tb: TestBroker;
  let kjs: KafkaJsAdmin;
  let plt: Admin;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup, { 'log.segment.bytes': '536870912' });
    kjs = kafkajsAdmin(tb.bootstrap);
    await kjs.connect();
    plt = new Admin({ clientId: 'admin-configs-plt', bootstrapBrokers: [tb.bootstrap] });
    cleanup(async () => {
      await kjs.disconnect();
      await plt.close();
    });
  });

  test('kafkajs describes every topic config with value, source and synonyms', async () => {
    const topic = topicName('cfg-describe');
    await kjs.createTopics({ topics: [{ topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const r = await kjs.describeConfigs({ resources: [{ type: KjsTypes.TOPIC, name: topic }], includeSynonyms: true });
    const entries = new Map(r.resources[0]?.configEntries.map((e) => [e.configName, e]));
    assert.ok(entries.size >= 30, `only ${entries.size} configs`);

    const retention = entries.get('retention.ms');
    assert.equal(retention?.configValue, '3600000');
    assert.equal(retention?.configSource, SOURCE.TOPIC_CONFIG);
    assert.equal(retention?.readOnly, false);
    assert.deepEqual(
      retention?.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]),
      [
        ['retention.ms', '3600000', SOURCE.TOPIC_CONFIG],
        ['log.retention.ms', '604800000', SOURCE.DEFAULT_CONFIG],
      ],
    );

    const segment = entries.get('segment.bytes');
    assert.equal(segment?.configValue, '536870912');
    assert.equal(segment?.configSource, SOURCE.STATIC_BROKER_CONFIG);
    assert.deepEqual(
      segment?.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]),
      [
        ['log.segment.bytes', '536870912', SOURCE.STATIC_BROKER_CONFIG],
        ['log.segment.bytes', '1073741824', SOURCE.DEFAULT_CONFIG],
      ],
    );

    const policy = entries.get('cleanup.policy');
    assert.equal(policy?.configValue, 'delete');
    assert.equal(policy?.configSource, SOURCE.DEFAULT_CONFIG);

    const some = await kjs.describeConfigs({
      resources: [{ type: KjsTypes.TOPIC, name: topic, configNames: ['retention.ms', 'no.such.config'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(
      some.resources[0]?.configEntries.map((e) => [e.configName, e.configValue, e.configSynonyms.length]),
      [['retention.ms', '3600000', 0]],
    );
  });

  test('@platformatic/kafka (v4) gets config types and documentation', async () => {
    const topic = topicName('cfg-docs');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const [res] = await plt.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configurationKeys: ['retention.ms', 'cleanup.policy', 'preallocate', 'min.cleanable.dirty.ratio'],
        },
      ],
      includeDocumentation: true,
    });
    const byName = new Map(res?.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('retention.ms')?.configType, 5); // LONG
    assert.equal(byName.get('cleanup.policy')?.configType, 7); // LIST
    assert.equal(byName.get('preallocate')?.configType, 1); // BOOLEAN
    assert.equal(byName.get('min.cleanable.dirty.ratio')?.configType, 6); // DOUBLE
    assert.equal(byName.get('retention.ms')?.configSource, ConfigSources.DEFAULT_CONFIG);
    assert.match(byName.get('retention.ms')?.documentation ?? '', /segment/);
    assert.deepEqual(byName.get('retention.ms')?.synonyms, []);
  });

  test('kafkajs AlterConfigs replaces the whole set of overrides', async () => {
    const topic = topicName('cfg-alter');
    await kjs.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
    await kjs.alterConfigs({
      validateOnly: false,
      resources: [{ type: KjsTypes.TOPIC, name: topic, configEntries: [{ name: 'segment.ms', value: '60000' }] }],
    });
    const r = await kjs.describeConfigs({ resources: [{ type: KjsTypes.TOPIC, name: topic }], includeSynonyms: false });
    const e = new Map(r.resources[0]?.configEntries.map((c) => [c.configName, c]));
    assert.equal(e.get('segment.ms')?.configValue, '60000');
    assert.equal(e.get('segment.ms')?.configSource, SOURCE.TOPIC_CONFIG);
    assert.equal(e.get('retention.ms')?.configValue, '604800000');
    assert.equal(e.get('retention.ms')?.configSource, SOURCE.DEFAULT_CONFIG);
    assert.equal(e.get('cleanup.policy')?.configValue, 'delete');
  });

  test('kafkajs AlterConfigs: validation errors with Kafka codes, validateOnly changes nothing', async () => {
    const topic = topicName('cfg-invalid');
    await kjs.createTopics({ topics: [{ topic }] });
    const alter = (name: string, value: string, t = topic, validateOnly = false) =>
      kjs.alterConfigs({
        validateOnly,
        resources: [{ type: KjsTypes.TOPIC, name: t, configEntries: [{ name, value }] }],
      });
    await assert.rejects(alter('retention.ms', 'abc'), { type: 'INVALID_CONFIG' });
    await assert.rejects(alter('no.such.config', '1'), { type: 'INVALID_CONFIG' });
    await assert.rejects(alter('cleanup.policy', 'shred'), { type: 'INVALID_CONFIG' });
    await assert.rejects(alter('retention.ms', '1', topicName('cfg-missing')), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await alter('retention.ms', '1000', topic, true);
    const r = await kjs.describeConfigs({
      resources: [{ type: KjsTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    assert.equal(r.resources[0]?.configEntries[0]?.configValue, '604800000');
  });

  test('error messages say what to fix (raw AlterConfigs v0)', async () => {
    const topic = topicName('cfg-msg');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const res = await call(tb.port, 33, 0, {
      validateOnly: false,
      resources: [
        { resourceType: TOPIC, resourceName: topic, configs: [{ name: 'retention.ms', value: 'abc' }] },
        { resourceType: TOPIC, resourceName: topic.replace('cfg', 'cfx'), configs: [{ name: 'nope', value: '1' }] },
        {
          resourceType: TOPIC,
          resourceName: topicName('cfg-missing'),
          configs: [
            { name: 'min.compaction.lag.ms', value: '10' },
            { name: 'max.compaction.lag.ms', value: '5' },
          ],
        },
        { resourceType: TOPIC, resourceName: '', configs: [] },
        { resourceType: TOPIC, resourceName: 'bad name!', configs: [] },
        { resourceType: BROKER_LOGGER, resourceName: '1', configs: [] },
      ],
    });
    assert.deepEqual(
      res.responses.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ERR.INVALID_CONFIG, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
        [ERR.INVALID_CONFIG, 'Unknown topic config name: nope'],
        [ERR.INVALID_CONFIG, 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'],
        [ERR.INVALID_REQUEST, 'Default topic resources are not allowed.'],
        [ERR.INVALID_TOPIC_EXCEPTION, res.responses[4]?.errorMessage ?? null],
        [ERR.INVALID_REQUEST, 'Unknown resource type 8'],
      ],
    );
  });

  test('@platformatic/kafka IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT', async () => {
    const topic = topicName('cfg-incr');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const describe = async (): Promise<Map<string, string | null | undefined>> => {
      const [res] = await plt.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
      });
      return new Map(
        res?.configs.filter((c) => c.configSource === ConfigSources.TOPIC_CONFIG).map((c) => [c.name, c.value]),
      );
    };
    const incr = (
      configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][0]['configs'],
      validateOnly = false,
    ) =>
      plt.incrementalAlterConfigs({
        validateOnly,
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs }],
      });

    await incr([
      { name: 'retention.ms', configOperation: Op.SET, value: '120000' },
      { name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' },
    ]);
    assert.deepEqual(
      await describe(),
      new Map([
        ['cleanup.policy', 'delete,compact'],
        ['retention.ms', '120000'],
      ]),
    );
    await incr([
      { name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' },
      { name: 'retention.ms', configOperation: Op.DELETE },
    ]);
    assert.deepEqual(await describe(), new Map([['cleanup.policy', 'compact']]));

    // validateOnly, then failures: nothing of a failed resource is applied
    await incr([{ name: 'segment.ms', configOperation: Op.SET, value: '1000' }], true);
    assert.deepEqual(await describe(), new Map([['cleanup.policy', 'compact']]));
    assert.deepEqual(
      await pltCodes(
        incr([
          { name: 'segment.ms', configOperation: Op.SET, value: '1000' },
          { name: 'retention.ms', configOperation: Op.APPEND, value: '5' },
        ]),
      ),
      [ERR.INVALID_CONFIG],
    );
    assert.deepEqual(await pltCodes(incr([{ name: 'retention.ms', configOperation: Op.SET, value: 'abc' }])), [
      ERR.INVALID_CONFIG,
    ]);
    assert.deepEqual(await describe(), new Map([['cleanup.policy', 'compact']]));
  });

  test('IncrementalAlterConfigs request-level checks (raw v1)', async () => {
    const topic = topicName('cfg-incr-raw');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const res = await call(tb.port, 44, 1, {
      validateOnly: false,
      resources: [
        {
          resourceType: TOPIC,
          resourceName: topic,
          configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }],
        },
        { resourceType: TOPIC, resourceName: topic, configs: [] },
        {
          resourceType: TOPIC,
          resourceName: topicName('cfg-other'),
          configs: [
            { name: 'retention.ms', configOperation: 0, value: '1' },
            { name: 'retention.ms', configOperation: 1, value: null },
          ],
        },
        {
          resourceType: TOPIC,
          resourceName: 'x',
          configs: [{ name: 'retention.ms', configOperation: 0, value: null }],
        },
        { resourceType: TOPIC, resourceName: 'y', configs: [{ name: 'retention.ms', configOperation: 9, value: '1' }] },
        { resourceType: TOPIC, resourceName: 'z', configs: [{ name: 'retention.ms', configOperation: 3, value: '1' }] },
        {
          resourceType: TOPIC,
          resourceName: topicName('cfg-nope'),
          configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }],
        },
      ],
    });
    assert.deepEqual(
      res.responses.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ERR.INVALID_REQUEST, 'Each resource must appear at most once.'],
        [ERR.INVALID_REQUEST, 'Each resource must appear at most once.'],
        [ERR.INVALID_REQUEST, 'Error due to duplicate config keys'],
        [ERR.INVALID_REQUEST, 'Null value not supported for : retention.ms'],
        [ERR.INVALID_REQUEST, 'Unknown operations type 9'],
        [ERR.INVALID_CONFIG, "Can't SUBTRACT to key retention.ms because its type is not LIST."],
        [ERR.UNKNOWN_TOPIC_OR_PARTITION, res.responses[6]?.errorMessage ?? null],
      ],
    );
  });

  test('DescribeConfigs v0 reports isDefault; errors per resource (raw)', async () => {
    const topic = topicName('cfg-v0');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await plt.alterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
    });
    const res = await call(tb.port, 32, 0, {
      resources: [
        { resourceType: TOPIC, resourceName: topic, configurationKeys: ['retention.ms', 'segment.ms'] },
        { resourceType: TOPIC, resourceName: topicName('cfg-missing'), configurationKeys: null },
        { resourceType: BROKER, resourceName: '7', configurationKeys: null },
        { resourceType: BROKER, resourceName: 'one', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '', configurationKeys: null },
      ],
    });
    const [t, missing, other, named, logger, noLogger] = res.results;
    assert.deepEqual(
      t?.configs.map((c) => [c.name, c.value, c.isDefault]),
      [
        ['retention.ms', '1000', false],
        ['segment.ms', '604800000', true],
      ],
    );
    assert.equal(missing?.errorCode, ERR.UNKNOWN_TOPIC_OR_PARTITION);
    assert.deepEqual(
      [other?.errorCode, other?.errorMessage],
      [ERR.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 7'],
    );
    assert.deepEqual(
      [named?.errorCode, named?.errorMessage],
      [ERR.INVALID_REQUEST, 'Broker id must be an integer, but it is: one'],
    );
    assert.deepEqual(
      logger?.configs.map((c) => [c.name, c.isDefault]),
      [['root', false]],
    );
    assert.equal(noLogger?.errorCode, ERR.INVALID_REQUEST);

    // a resource type Kafka does not know fails the whole request
    const bad = await call(tb.port, 32, 4, {
      resources: [
        { resourceType: TOPIC, resourceName: topic, configurationKeys: null },
        { resourceType: 99, resourceName: 'x', configurationKeys: null },
      ],
    });
    assert.deepEqual(
      bad.results.map((r) => r.errorCode),
      [ERR.INVALID_REQUEST, ERR.INVALID_REQUEST],
    );
  });

  test('BROKER_LOGGER: IncrementalAlterConfigs sets the root log level', async () => {
    const before = tb.broker.logger.level;
    const set = (level: string | null, op = 0, validateOnly = false, name = 'root') =>
      call(tb.port, 44, 1, {
        validateOnly,
        resources: [
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name, configOperation: op, value: level }] },
        ],
      });
    const level = async () =>
      (
        await call(tb.port, 32, 4, {
          resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null }],
        })
      ).results[0]?.configs[0]?.value;
    const start = await level();
    assert.equal((await set('ERROR', 0, true)).responses[0]?.errorCode, 0);
    assert.equal(await level(), start);
    assert.equal((await set('LOUD')).responses[0]?.errorCode, ERR.INVALID_CONFIG);
    assert.equal((await set('INFO', 0, false, 'kafka.server')).responses[0]?.errorCode, ERR.INVALID_CONFIG);
    assert.equal((await set(null, 1)).responses[0]?.errorCode, ERR.INVALID_REQUEST);
    assert.equal((await set('FATAL')).responses[0]?.errorCode, 0);
    assert.equal(await level(), 'FATAL');
    tb.broker.logger.level = before;
  });

  test('kafka-python describe_configs and alter_configs', async () => {
    const topic = topicName('cfg-py');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const script = `
import json, sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='admin-configs-py')
topic = sys.argv[2]
out = {}
r = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'retention.ms': '7200000'})])
out['alter'] = [[e[0], e[3]] for e in r.resources]
r = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'retention.ms': 'abc'})])
out['bad'] = [e[0] for e in r.resources]
r = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'retention.ms': None})], include_synonyms=True)
res = r[0].resources[0]
out['describe'] = [res[0], [[c[0], c[1], c[3], [list(s) for s in c[5]]] for c in res[4]]]
r = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1')])
out['broker'] = {c[0]: c[1] for c in r[0].resources[0][4]}
print(json.dumps(out))
admin.close()
`;
    const r = await exec(PY, ['-', tb.bootstrap, topic], script, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.deepEqual(out.alter, [[0, topic]]);
    assert.deepEqual(out.bad, [ERR.INVALID_CONFIG]);
    assert.deepEqual(out.describe, [
      0,
      [
        [
          'retention.ms',
          '7200000',
          SOURCE.TOPIC_CONFIG,
          [
            ['retention.ms', '7200000', SOURCE.TOPIC_CONFIG],
            ['log.retention.ms', '604800000', SOURCE.DEFAULT_CONFIG],
          ],
        ],
      ],
    ]);
    assert.equal(out.broker['log.segment.bytes'], '536870912');
    assert.equal(out.broker['node.id'], '1');
  });

  test('confluent-kafka-python (librdkafka) describe_configs and alter_configs', async () => {
    const topic = topicName('cfg-ck');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const script = `
import json, sys
from confluent_kafka.admin import AdminClient, ConfigResource
admin = AdminClient({'bootstrap.servers': sys.argv[1]})
topic = sys.argv[2]
out = {}
res = ConfigResource('topic', topic, set_config={'cleanup.policy': 'compact', 'max.message.bytes': '2000000'})
admin.alter_configs([res])[res].result(timeout=20)
bad = ConfigResource('topic', topic, set_config={'max.message.bytes': '-5'})
try:
    admin.alter_configs([bad])[bad].result(timeout=20)
    out['bad'] = None
except Exception as e:
    out['bad'] = e.args[0].code()
res = ConfigResource('topic', topic)
entries = admin.describe_configs([res])[res].result(timeout=20)
out['describe'] = {k: [v.value, int(v.source), [[s.name, s.value, int(s.source)] for s in v.synonyms.values()]]
                   for k, v in entries.items() if k in ('cleanup.policy', 'max.message.bytes', 'retention.ms')}
print(json.dumps(out))
`;
    const r = await exec(PY, ['-', tb.bootstrap, topic], script, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.equal(out.bad, ERR.INVALID_CONFIG);
    assert.deepEqual(out.describe['cleanup.policy'].slice(0, 2), ['compact', SOURCE.TOPIC_CONFIG]);
    assert.deepEqual(out.describe['max.message.bytes'].slice(0, 2), ['2000000', SOURCE.TOPIC_CONFIG]);
    assert.deepEqual(out.describe['retention.ms'].slice(0, 2), ['604800000', SOURCE.DEFAULT_CONFIG]);
  });
});

describe('broker configs', () => {
  let tb: TestBroker;
  let plt: Admin;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup, { 'log.retention.ms': '86400000' });
    plt = new Admin({ clientId: 'admin-broker-configs', bootstrapBrokers: [tb.bootstrap] });
    cleanup(() => plt.close());
  });

  test('a dynamic cluster-wide default overrides the static config for topics without an override', async () => {
    const topic = topicName('cfg-dyn');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const retention = async () => {
      const [res] = await plt.describeConfigs({
        resources: [
          { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['retention.ms'] },
        ],
        includeSynonyms: true,
      });
      const c = res?.configs[0];
      return [c?.value, c?.configSource, c?.synonyms.map((s) => [s.name, s.value, s.source])];
    };
    assert.deepEqual(await retention(), [
      '86400000',
      SOURCE.STATIC_BROKER_CONFIG,
      [
        ['log.retention.ms', '86400000', SOURCE.STATIC_BROKER_CONFIG],
        ['log.retention.ms', '604800000', SOURCE.DEFAULT_CONFIG],
      ],
    ]);
    // @platformatic/kafka sends a BROKER resource to the broker its name parses to, so it cannot name "" (it looks
    // for broker 0): the cluster-wide resource goes raw
    const set = await call(tb.port, 44, 1, {
      validateOnly: false,
      resources: [
        {
          resourceType: BROKER,
          resourceName: '',
          configs: [{ name: 'log.retention.ms', configOperation: Op.SET, value: '3600000' }],
        },
      ],
    });
    assert.equal(set.responses[0]?.errorCode, 0);
    assert.deepEqual(await retention(), [
      '3600000',
      SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG,
      [
        ['log.retention.ms', '3600000', SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG],
        ['log.retention.ms', '86400000', SOURCE.STATIC_BROKER_CONFIG],
        ['log.retention.ms', '604800000', SOURCE.DEFAULT_CONFIG],
      ],
    ]);
    assert.equal(tb.broker.brokerConfig('log.retention.ms', ''), '3600000');

    // the cluster-wide resource lists only what is set dynamically
    const [cluster] = (
      await call(tb.port, 32, 4, {
        resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
        includeSynonyms: true,
      })
    ).results;
    assert.deepEqual(
      cluster?.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms.length]),
      [['log.retention.ms', '3600000', SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG, 1]],
    );

    await plt.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [{ name: 'log.retention.ms', configOperation: Op.DELETE }],
        },
      ],
    });
    assert.deepEqual((await retention()).slice(0, 2), ['86400000', SOURCE.STATIC_BROKER_CONFIG]);
  });

  test('the broker resource: read-only configs, bad values and other ids are INVALID_REQUEST', async () => {
    const [res] = await plt.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configurationKeys: ['log.dirs', 'num.partitions', 'log.retention.ms'],
        },
      ],
    });
    const byName = new Map(res?.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('log.dirs')?.readOnly, true);
    assert.equal(byName.get('log.dirs')?.value, `${tb.dataDir}/logs`);
    assert.equal(byName.get('num.partitions')?.readOnly, false);
    assert.equal(byName.get('num.partitions')?.configSource, SOURCE.DEFAULT_CONFIG);
    assert.equal(byName.get('log.retention.ms')?.configSource, SOURCE.STATIC_BROKER_CONFIG);

    const alter = (resourceName: string, name: string, value: string) =>
      call(tb.port, 33, 2, {
        validateOnly: false,
        resources: [{ resourceType: BROKER, resourceName, configs: [{ name, value }] }],
      });
    assert.deepEqual(
      (await alter('1', 'log.dirs', '/tmp/elsewhere')).responses.map((r) => [r.errorCode, r.errorMessage]),
      [[ERR.INVALID_REQUEST, 'Cannot update these configs dynamically: log.dirs']],
    );
    assert.deepEqual(
      (await alter('1', 'num.partitions', 'many')).responses.map((r) => [r.errorCode, r.errorMessage]),
      [[ERR.INVALID_REQUEST, 'Invalid value many for configuration num.partitions: Not a number of type INT']],
    );
    assert.deepEqual(
      (await alter('2', 'num.partitions', '3')).responses.map((r) => [r.errorCode, r.errorMessage]),
      [[ERR.INVALID_REQUEST, 'Unexpected broker id, expected 1, but received 2']],
    );
    // a name Kafka would accept but this broker does not use is kept, shown as Kafka shows unknown configs
    assert.equal((await alter('1', 'leader.replication.throttled.rate', '1000')).responses[0]?.errorCode, 0);
    const [after2] = await plt.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configurationKeys: ['leader.replication.throttled.rate'],
        },
      ],
    });
    assert.deepEqual(
      after2?.configs.map((c) => [c.name, c.value, c.isSensitive, c.configSource]),
      [['leader.replication.throttled.rate', null, true, SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG]],
    );
    // AlterConfigs replaces the set: an empty one removes it again
    assert.equal(
      (
        await call(tb.port, 33, 2, {
          validateOnly: false,
          resources: [{ resourceType: BROKER, resourceName: '', configs: [] }],
        })
      ).responses[0]?.errorCode,
      0,
    );
    assert.deepEqual(tb.broker.metadata.brokerConfigs, {});

    // num.partitions set dynamically is what auto-created topics get
    await plt.alterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [{ name: 'num.partitions', value: '3' }],
        },
      ],
    });
    const topic = topicName('cfg-auto');
    const created = await plt.createTopics({ topics: [topic], partitions: -1, replicas: -1 });
    assert.equal(created[0]?.partitions, 3);
  });
});

describe('config changes survive a restart', () => {
  test('topic and broker overrides are there after reopening the data dir', async (t) => {
    // cleanups run in reverse: the second broker closes before the first one removes the data dir
    const cleanups: Array<() => Promise<void>> = [];
    t.after(async () => {
      for (const c of cleanups.reverse()) await c();
    });
    const first = await startTestBroker((fn) => cleanups.push(fn));
    const topic = topicName('cfg-restart');
    const plt = new Admin({ clientId: 'admin-restart', bootstrapBrokers: [first.bootstrap] });
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await plt.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [
            { name: 'retention.ms', configOperation: Op.SET, value: '5000000' },
            { name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' },
          ],
        },
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [{ name: 'log.segment.bytes', configOperation: Op.SET, value: '16777216' }],
        },
      ],
    });
    await plt.close();
    await first.broker.close();

    const second = await startTestBroker((fn) => cleanups.push(fn), {}, first.dataDir);
    const kjs = kafkajsAdmin(second.bootstrap);
    await kjs.connect();
    cleanups.push(() => kjs.disconnect());
    const r = await kjs.describeConfigs({
      resources: [
        { type: KjsTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy', 'segment.bytes'] },
      ],
      includeSynonyms: false,
    });
    assert.deepEqual(
      r.resources[0]?.configEntries.map((e) => [e.configName, e.configValue, e.configSource]),
      [
        ['cleanup.policy', 'delete,compact', SOURCE.TOPIC_CONFIG],
        ['retention.ms', '5000000', SOURCE.TOPIC_CONFIG],
        ['segment.bytes', '16777216', SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ],
    );
    const meta = second.broker.metadata.topicsByName.get(topic);
    assert.ok(meta);
    assert.equal(second.broker.logConfigFor(meta).retentionMs, 5000000);
    assert.equal(second.broker.logConfigFor(meta).segmentBytes, 16777216);
  });
});
