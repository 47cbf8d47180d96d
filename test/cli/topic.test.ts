/**
 * `tributary topic ...` and `tributary cluster info` as a user runs them:
 * the real binary in a child process against an in-process broker. Output
 * is checked exactly (tables, JSON, consume templates), and so are exit
 * codes and the one-line errors.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cli } from './run-cli.ts';

describe('tributary topic and cluster commands', async () => {
  const tb = await startTestBroker(after);
  const b = ['-b', tb.bootstrap];

  test('create, list, describe (with configs), alter-config, delete', async () => {
    const topic = topicName('cli');
    const created = await cli(['topic', 'create', topic, '-p', '3', '-r', '1', '-c', 'retention.ms=60000', ...b]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      created.stdout,
      `${'TOPIC'.padEnd(topic.length + 2)}PARTITIONS  REPLICAS  STATUS\n${topic}  3           1         created\n`,
    );

    const list = await cli(['topic', 'list', ...b, '--format', 'json']);
    assert.equal(list.code, 0, list.stderr);
    const listed = (
      JSON.parse(list.stdout) as Array<{ name: string; partitions: number; replicationFactor: number }>
    ).find((t) => t.name === topic);
    assert.deepEqual([listed?.partitions, listed?.replicationFactor], [3, 1]);
    const table = await cli(['topic', 'list', ...b]);
    assert.match(table.stdout, /^NAME +PARTITIONS +REPLICAS\n/);
    assert.match(table.stdout, new RegExp(`^${topic} +3 +1$`, 'm'));

    const described = await cli(['topic', 'describe', topic, '--configs', ...b]);
    assert.equal(described.code, 0, described.stderr);
    const lines = described.stdout.split('\n');
    assert.equal(lines[0], `NAME        ${topic}`);
    assert.match(lines[1] ?? '', /^ID {10}\S{22}$/);
    assert.deepEqual(lines.slice(2, 5), ['PARTITIONS  3', 'REPLICAS    1', 'INTERNAL    no']);
    assert.deepEqual(lines.slice(6, 10), [
      'PARTITION  LEADER  EPOCH  REPLICAS  ISR  LOG-START  LOG-END',
      '0          1       0      1         1    0          0',
      '1          1       0      1         1    0          0',
      '2          1       0      1         1    0          0',
    ]);
    assert.match(described.stdout, /^CONFIG +VALUE +SOURCE$/m);
    assert.match(described.stdout, /^retention\.ms +60000 +DYNAMIC_TOPIC_CONFIG$/m);
    assert.match(described.stdout, /^segment\.bytes +\d+ +DEFAULT_CONFIG$/m);

    const altered = await cli([
      'topic',
      'alter-config',
      topic,
      '--set',
      'cleanup.policy=compact',
      '--delete',
      'retention.ms',
      ...b,
    ]);
    assert.equal(altered.code, 0, altered.stderr);
    const afterAlter = await cli(['topic', 'describe', topic, '--configs', '--format', 'json', ...b]);
    const configs = new Map(
      (JSON.parse(afterAlter.stdout)[0].configs as Array<{ name: string; value: string; source: string }>).map((c) => [
        c.name,
        c,
      ]),
    );
    assert.equal(configs.get('cleanup.policy')?.value, 'compact');
    assert.equal(configs.get('retention.ms')?.source, 'DEFAULT_CONFIG');

    const bad = await cli(['topic', 'alter-config', topic, '--set', 'retention.ms=soon', ...b]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /^error: topic .*retention\.ms.*\(INVALID_CONFIG\)/);

    const again = await cli(['topic', 'create', topic, ...b]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: topic .*already exists.*\(TOPIC_ALREADY_EXISTS\); pick another name/);

    const deleted = await cli(['topic', 'delete', topic, ...b]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `${'TOPIC'.padEnd(topic.length + 2)}STATUS\n${topic}  deleted\n`);
  });

  test('produce from stdin, consume with -n, -e, json and a template', async () => {
    const topic = topicName('cli-pc');
    assert.equal((await cli(['topic', 'create', topic, '-p', '2', ...b])).code, 0);
    const produced = await cli(
      ['topic', 'produce', topic, '--partition', '1', '--key-separator', ':', '-H', 'src=cli', '-H', 'n=1', ...b],
      { input: 'k1:hello\nk2:world:again\nno-key\n' },
    );
    assert.equal(produced.code, 0, produced.stderr);
    assert.equal(produced.stdout, '');
    assert.equal(produced.stderr, `produced 3 records to ${topic} (partition 1)\n`);

    const two = await cli(['topic', 'consume', topic, '-n', '2', ...b]);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, 'hello\nworld:again\n');

    const json = await cli(['topic', 'consume', topic, '-n', '3', '--format', 'json', ...b]);
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(typeof rows[0].timestamp, 'number');
    assert.deepEqual(
      rows.map(({ timestamp: _, ...r }) => r),
      [
        ['k1', 'hello', 0],
        ['k2', 'world:again', 1],
        [null, 'no-key', 2],
      ].map(([key, value, offset]) => ({
        topic,
        partition: 1,
        offset,
        key,
        value,
        headers: [
          { key: 'src', value: 'cli' },
          { key: 'n', value: '1' },
        ],
      })),
    );

    const templated = await cli([
      'topic',
      'consume',
      topic,
      '-e',
      '--from',
      '1',
      '--format',
      '%t/%p@%o %k=%v [%h] %K%%\\n',
      ...b,
    ]);
    assert.equal(templated.code, 0, templated.stderr);
    assert.equal(
      templated.stdout,
      `${topic}/1@1 k2=world:again [src=cli,n=1] 2%\n${topic}/1@2 =no-key [src=cli,n=1] -1%\n`,
    );

    const tail = await cli([
      'topic',
      'consume',
      topic,
      '-e',
      '--offset=-1',
      '--partition',
      '1',
      '--format',
      '%o\\n',
      ...b,
    ]);
    assert.equal(tail.stdout, '2\n');
    const empty = await cli(['topic', 'consume', topic, '-e', '--from', 'end', ...b]);
    assert.deepEqual([empty.code, empty.stdout], [0, '']);
  });

  test('produce from a file spread over partitions; quiet stderr when piped', async () => {
    const topic = topicName('cli-file');
    assert.equal((await cli(['topic', 'create', topic, '-p', '3', ...b])).code, 0);
    const file = join(mkdtempSync(join(tmpdir(), 'tributary-cli-')), 'lines.txt');
    writeFileSync(file, Array.from({ length: 500 }, (_, i) => `key${i}|v${i}`).join('\n'));
    const produced = await cli([
      'topic',
      'produce',
      topic,
      '--file',
      file,
      '--key-separator',
      '|',
      '--acks',
      '1',
      '-z',
      'gzip',
      ...b,
    ]);
    assert.equal(produced.code, 0, produced.stderr);
    assert.equal(produced.stderr, `produced 500 records to ${topic} (partitions 0, 1, 2)\n`);
    const all = await cli(['topic', 'consume', topic, '-e', '--format', '%v\\n', ...b]);
    assert.equal(all.stdout.trimEnd().split('\n').length, 500);
    assert.deepEqual(
      new Set(all.stdout.trimEnd().split('\n')),
      new Set(Array.from({ length: 500 }, (_, i) => `v${i}`)),
    );
  });

  test('cluster info', async () => {
    const table = await cli(['cluster', 'info', ...b]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^CLUSTER ID {2}\S+\nCONTROLLER {2}1\nBROKERS {5}1\nTOPICS {6}\d+\n\n/);
    assert.match(
      table.stdout,
      new RegExp(`^ID  HOST       PORT +RACK  CONTROLLER\\n1   127\\.0\\.0\\.1  ${tb.port}  -     yes$`, 'm'),
    );
    const json = JSON.parse((await cli(['cluster', 'info', '--format', 'json', ...b])).stdout);
    assert.equal(json.controllerId, 1);
    assert.deepEqual(json.brokers, [{ nodeId: 1, host: '127.0.0.1', port: tb.port, rack: null }]);
  });

  test('errors: a bad flag exits 2, an unreachable broker and a missing topic exit 1, each one line', async () => {
    // alone, so the time measured is this run's, not its neighbours'
    const unreachable = await cli(['topic', 'list', '-b', '127.0.0.1:1']);
    const [flag, value, missing, consumeMissing, badServer] = await Promise.all([
      cli(['topic', 'list', '--bogus', ...b]),
      cli(['topic', 'create', 'x', '-p', 'many', ...b]),
      cli(['topic', 'describe', 'no-such-topic-cli', ...b]),
      cli(['topic', 'consume', 'no-such-topic-cli', '-n', '1', ...b]),
      cli(['topic', 'list', '-b', 'not a host']),
    ]);
    assert.deepEqual([flag.code, flag.stdout], [2, '']);
    assert.equal(flag.stderr, "error: unknown option '--bogus' (see 'tributary topic list --help')\n");
    assert.equal(value.code, 2);
    assert.equal(
      value.stderr,
      `error: option '-p, --partitions <n>' argument 'many' is invalid. expected an integer, got "many" (see 'tributary topic create --help')\n`,
    );
    assert.equal(unreachable.code, 1);
    assert.equal(
      unreachable.stderr,
      'error: cannot reach a broker at 127.0.0.1:1 (connection refused); is it running? pass --bootstrap-server host:port\n',
    );
    assert.ok(unreachable.ms < 5000, `failed in ${unreachable.ms} ms`);
    for (const r of [missing, consumeMissing]) {
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        "error: topic no-such-topic-cli does not exist; list topics with 'tributary topic list'\n",
      );
    }
    assert.equal(badServer.code, 2);
    assert.equal(badServer.stderr, 'error: --bootstrap-server: "not a host" is not host:port\n');
    const noSub = await cli(['topic']);
    assert.equal(noSub.code, 2);
  });

  test('bootstrap server: flag > env TRIBUTARY_BOOTSTRAP_SERVER > profile file > localhost:9092', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-profile-'));
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ bootstrapServer: tb.bootstrap }));
    const home = mkdtempSync(join(tmpdir(), 'tributary-home-'));
    const dead = '127.0.0.1:1';
    const [fromProfile, envWins, flagWins, homeProfile, badProfile] = await Promise.all([
      cli(['cluster', 'info', '--format', 'json'], { env: { TRIBUTARY_PROFILE: profile } }),
      cli(['cluster', 'info'], { env: { TRIBUTARY_PROFILE: profile, TRIBUTARY_BOOTSTRAP_SERVER: dead } }),
      cli(['cluster', 'info', '--format', 'json', ...b], { env: { TRIBUTARY_BOOTSTRAP_SERVER: dead } }),
      (async () => {
        const cfg = join(home, '.config', 'tributary');
        mkdirSync(cfg, { recursive: true });
        writeFileSync(join(cfg, 'profile.json'), JSON.stringify({ bootstrapServer: tb.bootstrap }));
        return cli(['cluster', 'info', '--format', 'json'], { env: { HOME: home } });
      })(),
      cli(['cluster', 'info'], { env: { TRIBUTARY_PROFILE: join(dir, 'missing.json') } }),
    ]);
    assert.equal(fromProfile.code, 0, fromProfile.stderr);
    assert.equal(JSON.parse(fromProfile.stdout).brokers[0].port, tb.port);
    assert.equal(envWins.code, 1);
    assert.match(envWins.stderr, /cannot reach a broker at 127\.0\.0\.1:1/);
    assert.equal(flagWins.code, 0, flagWins.stderr);
    assert.equal(homeProfile.code, 0, homeProfile.stderr);
    assert.equal(badProfile.code, 2);
    assert.match(badProfile.stderr, /^error: cannot read the profile .*missing\.json/);
    const fallback = await cli(['cluster', 'info'], { env: { HOME: dir } });
    if (fallback.code !== 0) assert.match(fallback.stderr, /cannot reach a broker at localhost:9092/);
  });
});
