/**
 * The platform API's port in the configuration (flag > env > file > default, --no-api), and the API
 * surviving a crash: `tributary start` killed with SIGKILL while an INSERT runs, started again on the
 * same data dir, resumes the INSERT from its committed offsets (at least once: every record arrives).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/server/index.ts';
import { waitExit } from '../helpers/child-broker.ts';
import { startChildPlatform } from '../helpers/child-platform.ts';
import { createTopic, eventually, produce, readTopic, removeDir, tempDir } from './api-helpers.ts';

test('api port: flag beats environment beats config file; --no-api turns it off', () => {
  const dir = tempDir('tributary-api-cfg-');
  try {
    assert.equal(resolveConfig({}, {}).apiPort, undefined, 'absent: the default (8080, or any with --kafka-port 0)');
    const props = join(dir, 'p.properties');
    writeFileSync(props, 'api.port=7001\n');
    assert.equal(resolveConfig({ config: props }, {}).apiPort, 7001);
    assert.equal(resolveConfig({ config: props }, { TRIBUTARY_API_PORT: '7002' }).apiPort, 7002);
    assert.equal(resolveConfig({ config: props, apiPort: '0' }, { TRIBUTARY_API_PORT: '7002' }).apiPort, 0);
    assert.equal(resolveConfig({ api: false, apiPort: '7003' }, {}).apiPort, false);
    assert.throws(() => resolveConfig({ apiPort: 'x' }, {}), /api port must be a port number 0-65535, got "x"/);
  } finally {
    removeDir(dir);
  }
});

const start = (dataDir: string) => startChildPlatform(dataDir, 30_000);

test('after SIGKILL the platform resumes a RUNNING INSERT; every record arrives', async (t) => {
  const dir = tempDir('tributary-api-crash-');
  let current: ChildProcess | null = null;
  t.after(async () => {
    if (current && current.exitCode === null) {
      current.kill('SIGKILL');
      await waitExit(current);
    }
    removeDir(dir);
  });
  let p = await start(dir);
  current = p.proc;
  const post = async (api: string, body: unknown) => {
    const r = await fetch(`${api}/api/v1/statements`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 201, await r.clone().text());
    return (await r.json()) as { name: string; status: string };
  };
  await createTopic(p.bootstrap, 'crash-src');
  await createTopic(p.bootstrap, 'crash-dst');
  await produce(p.bootstrap, 'crash-src', [{ id: 1 }, { id: 2 }]);
  await post(p.api, {
    sql: `CREATE TABLE cs (id INT) WITH ('connector' = 'kafka', 'topic' = 'crash-src', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
  });
  await post(p.api, {
    sql: `CREATE TABLE cd (id INT) WITH ('connector' = 'kafka', 'topic' = 'crash-dst', 'format' = 'json')`,
  });
  assert.equal((await post(p.api, { name: 'crash-copy', sql: 'INSERT INTO cd SELECT id FROM cs' })).status, 'RUNNING');
  await eventually('2 records copied', async () =>
    (await readTopic(p.bootstrap, 'crash-dst')).length === 2 ? true : undefined,
  );

  p.proc.kill('SIGKILL');
  await waitExit(p.proc);
  p = await start(dir);
  current = p.proc;
  const st = (await (await fetch(`${p.api}/api/v1/statements/crash-copy`)).json()) as { status: string };
  assert.equal(st.status, 'RUNNING');
  await produce(p.bootstrap, 'crash-src', [{ id: 3 }]);
  const ids = await eventually('the record produced after the crash', async () => {
    const values = (await readTopic(p.bootstrap, 'crash-dst')) as Array<{ id: number }>;
    return values.some((v) => v.id === 3) ? values.map((v) => v.id) : undefined;
  });
  // offsets are committed every few seconds: records after the last commit may be copied again
  assert.deepEqual([...new Set(ids)].sort(), [1, 2, 3]);
  p.proc.kill('SIGTERM');
  assert.equal(await waitExit(p.proc), 0);
});
