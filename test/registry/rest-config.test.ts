/**
 * Config, mode and compatibility checks through the REST API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { avroRecord, sr, startTestRegistry, type TestRegistry } from './helpers.ts';

describe('registry REST: config, mode, compatibility', () => {
  let r: TestRegistry;
  let url: string;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
    url = r.url;
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const v1 = avroRecord('C', ['a']);
  const addedWithDefault = avroRecord('C', ['a', { name: 'b', type: 'string', default: 'x' }]);
  const addedRequired = avroRecord('C', ['a', 'b']);

  test('config: global default BACKWARD; PUT compatibility, GET compatibilityLevel; subject config and defaultToGlobal', async () => {
    assert.deepEqual((await sr(url, 'GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await sr(url, 'PUT', '/config/cfg-s', { compatibility: 'FULL' })).body, {
      compatibility: 'FULL',
    });
    assert.deepEqual((await sr(url, 'GET', '/config/cfg-s')).body, { compatibilityLevel: 'FULL' });
    const none = await sr(url, 'GET', '/config/cfg-other');
    assert.equal(none.status, 404);
    assert.equal(none.body.error_code, 40408);
    assert.equal((await sr(url, 'GET', '/config/cfg-other?defaultToGlobal=true')).body.compatibilityLevel, 'BACKWARD');
    const bad = await sr(url, 'PUT', '/config/cfg-s', { compatibility: 'SIDEWAYS' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, 42203);
    const extra = await sr(url, 'PUT', '/config/cfg-s', { normalize: true, compatibilityGroup: 'major' });
    assert.deepEqual(extra.body, { compatibility: 'FULL', normalize: true, compatibilityGroup: 'major' });
    assert.deepEqual((await sr(url, 'GET', '/config/cfg-s')).body, {
      compatibilityLevel: 'FULL',
      normalize: true,
      compatibilityGroup: 'major',
    });
    assert.equal((await sr(url, 'DELETE', '/config/cfg-s')).body.compatibilityLevel, 'FULL');
    assert.equal((await sr(url, 'GET', '/config/cfg-s')).body.error_code, 40408);
  });

  test('register enforces the level: 409 with messages; NONE lets anything through', async () => {
    const s = 'compat-s';
    assert.equal((await sr(url, 'POST', `/subjects/${s}/versions`, { schema: v1 })).status, 200);
    const incompatible = await sr(url, 'POST', `/subjects/${s}/versions`, { schema: addedRequired });
    assert.equal(incompatible.status, 409);
    assert.ok([409, 40901].includes(incompatible.body.error_code));
    assert.match(incompatible.body.message, /incompatible/);
    assert.equal((await sr(url, 'POST', `/subjects/${s}/versions`, { schema: addedWithDefault })).status, 200);

    const check = await sr(url, 'POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, {
      schema: avroRecord('C', ['a', 'b', 'c']),
    });
    assert.equal(check.status, 200);
    assert.equal(check.body.is_compatible, false);
    assert.ok(Array.isArray(check.body.messages) && check.body.messages.length > 0);
    const ok = await sr(url, 'POST', `/compatibility/subjects/${s}/versions/1`, { schema: addedWithDefault });
    assert.deepEqual(ok.body, { is_compatible: true });
    const all = await sr(url, 'POST', `/compatibility/subjects/${s}/versions?verbose=true`, {
      schema: addedWithDefault,
    });
    assert.deepEqual(all.body, { is_compatible: true, messages: [] });
    assert.equal(
      (await sr(url, 'POST', `/compatibility/subjects/${s}/versions/9`, { schema: v1 })).body.error_code,
      40402,
    );
    assert.deepEqual((await sr(url, 'POST', '/compatibility/subjects/fresh/versions/latest', { schema: v1 })).body, {
      is_compatible: true,
    });

    await sr(url, 'PUT', `/config/${s}`, { compatibility: 'NONE' });
    assert.equal(
      (await sr(url, 'POST', `/subjects/${s}/versions`, { schema: avroRecord('C', ['z', 'y']) })).status,
      200,
    );
  });

  test('mode: READONLY blocks writes with 42205; IMPORT takes given ids and versions', async () => {
    assert.deepEqual((await sr(url, 'GET', '/mode')).body, { mode: 'READWRITE' });
    const bad = await sr(url, 'PUT', '/mode/mode-s', { mode: 'SOMETIMES' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, 42204);
    assert.equal((await sr(url, 'GET', '/mode/mode-s')).body.error_code, 40409);
    assert.deepEqual((await sr(url, 'GET', '/mode/mode-s?defaultToGlobal=true')).body, { mode: 'READWRITE' });
    assert.deepEqual((await sr(url, 'PUT', '/mode/mode-s', { mode: 'READONLY' })).body, { mode: 'READONLY' });
    const blocked = await sr(url, 'POST', '/subjects/mode-s/versions', { schema: v1 });
    assert.equal(blocked.status, 422);
    assert.equal(blocked.body.error_code, 42205);
    assert.deepEqual((await sr(url, 'DELETE', '/mode/mode-s')).body, { mode: 'READONLY' });

    // IMPORT: a subject with versions needs force=true; the given id and version are kept
    await sr(url, 'POST', '/subjects/import-busy/versions', { schema: v1 });
    assert.equal((await sr(url, 'PUT', '/mode/import-busy', { mode: 'IMPORT' })).body.error_code, 42205);
    assert.deepEqual((await sr(url, 'PUT', '/mode/import-s', { mode: 'IMPORT' })).body, { mode: 'IMPORT' });
    const imported = await sr(url, 'POST', '/subjects/import-s/versions', { schema: v1, id: 5000, version: 7 });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.id, 5000);
    assert.equal((await sr(url, 'GET', '/subjects/import-s/versions/7')).body.id, 5000);
    const clash = await sr(url, 'POST', '/subjects/import-s/versions', {
      schema: avroRecord('Other', ['q']),
      id: 5000,
      version: 8,
    });
    assert.equal(clash.body.error_code, 42207);
    // outside IMPORT an explicit id is refused
    const withId = await sr(url, 'POST', '/subjects/rw-s/versions', { schema: v1, id: 6000 });
    assert.equal(withId.body.error_code, 42205);
  });

  test('normalize=true stores the normalized form and finds equal schemas by it', async () => {
    const spaced = '{ "type": "record", "name": "N", "fields": [ { "name": "a", "type": "string" } ] }';
    const res = await sr(url, 'POST', '/subjects/norm-s/versions?normalize=true', { schema: spaced });
    assert.equal(res.status, 200);
    const again = await sr(url, 'POST', '/subjects/norm-s/versions?normalize=true', { schema: avroRecord('N', ['a']) });
    assert.equal(again.body.id, res.body.id);
    assert.equal(again.body.version, 1);
    const found = await sr(url, 'POST', '/subjects/norm-s?normalize=true', { schema: spaced });
    assert.equal(found.body.id, res.body.id);
  });
});
