/**
 * Subjects, versions, schemas by id, references and the delete order through
 * the REST API, with Confluent's status codes, error codes and bodies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { avroRecord, sr, startTestRegistry, type TestRegistry } from './helpers.ts';

describe('registry REST: subjects and schemas', () => {
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

  test('register returns global ids; the same schema again keeps its id; lookup finds it', async () => {
    const a = avroRecord('A', ['x']);
    const first = await sr(url, 'POST', '/subjects/ids-a/versions', { schema: a });
    assert.equal(first.status, 200);
    assert.match(first.contentType ?? '', /application\/vnd\.schemaregistry\.v1\+json/);
    assert.ok(first.body.id > 0);
    const again = await sr(url, 'POST', '/subjects/ids-a/versions', { schema: a });
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.version, 1);
    // same schema under another subject: same id, version 1 there
    const other = await sr(url, 'POST', '/subjects/ids-b/versions', { schema: a, schemaType: 'AVRO' });
    assert.equal(other.body.id, first.body.id);
    // a different schema gets a new id
    const b = await sr(url, 'POST', '/subjects/ids-a/versions', {
      schema: avroRecord('A', ['x', { name: 'y', type: 'string', default: '' }]),
    });
    assert.ok(b.body.id > first.body.id);
    assert.equal(b.body.version, 2);

    const found = await sr(url, 'POST', '/subjects/ids-a', { schema: a });
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, { subject: 'ids-a', version: 1, id: first.body.id, schema: a });
    const missing = await sr(url, 'POST', '/subjects/ids-a', { schema: avroRecord('Z', ['q']) });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, 40403);
    const noSubject = await sr(url, 'POST', '/subjects/nope', { schema: a });
    assert.deepEqual(noSubject.body, { error_code: 40401, message: "Subject 'nope' not found." });

    const list = await sr(url, 'GET', '/subjects');
    assert.ok(list.body.includes('ids-a') && list.body.includes('ids-b'));
    assert.deepEqual((await sr(url, 'GET', '/subjects?subjectPrefix=ids-b')).body, ['ids-b']);
    assert.deepEqual((await sr(url, 'GET', '/subjects/ids-a/versions')).body, [1, 2]);
    const latest = await sr(url, 'GET', '/subjects/ids-a/versions/latest');
    assert.equal(latest.body.version, 2);
    assert.equal(latest.body.id, b.body.id);
    assert.equal((await sr(url, 'GET', '/subjects/ids-a/versions/-1')).body.version, 2);
    assert.equal((await sr(url, 'GET', '/subjects/ids-a/versions/1/schema')).body.name, 'A');

    const byId = await sr(url, 'GET', `/schemas/ids/${first.body.id}`);
    assert.deepEqual(byId.body, { schema: a });
    assert.equal((await sr(url, 'GET', `/schemas/ids/${first.body.id}/schema`)).body.name, 'A');
    assert.deepEqual((await sr(url, 'GET', `/schemas/ids/${first.body.id}/subjects`)).body, ['ids-a', 'ids-b']);
    assert.deepEqual((await sr(url, 'GET', `/schemas/ids/${first.body.id}/versions`)).body, [
      { subject: 'ids-a', version: 1 },
      { subject: 'ids-b', version: 1 },
    ]);
    const types = await sr(url, 'GET', '/schemas/types');
    assert.deepEqual([...types.body].sort(), ['AVRO', 'JSON', 'PROTOBUF']);
  });

  test('not found and invalid input: 40401, 40402, 40403, 42201, 42202, 404', async () => {
    assert.equal((await sr(url, 'GET', '/subjects/none/versions')).body.error_code, 40401);
    assert.equal((await sr(url, 'GET', '/subjects/none/versions/1')).body.error_code, 40401);
    await sr(url, 'POST', '/subjects/nf/versions', { schema: avroRecord('N', ['a']) });
    const v = await sr(url, 'GET', '/subjects/nf/versions/7');
    assert.equal(v.status, 404);
    assert.deepEqual(v.body, { error_code: 40402, message: 'Version 7 not found.' });
    for (const bad of ['0', 'abc', '2147483648', '-2']) {
      const res = await sr(url, 'GET', `/subjects/nf/versions/${bad}`);
      assert.equal(res.status, 422, bad);
      assert.equal(res.body.error_code, 42202);
    }
    const id = await sr(url, 'GET', '/schemas/ids/999999');
    assert.equal(id.status, 404);
    assert.equal(id.body.error_code, 40403);
    const malformed = await sr(url, 'POST', '/subjects/nf/versions', { schema: '{"type":"record","name":"X"' });
    assert.equal(malformed.status, 422);
    assert.equal(malformed.body.error_code, 42201);
    assert.ok(malformed.body.message.length > 15);
    const noField = await sr(url, 'POST', '/subjects/nf/versions', {
      schema: '{"type":"recrod","name":"X","fields":[]}',
    });
    assert.equal(noField.status, 422);
    assert.equal(noField.body.error_code, 42201);
    const badType = await sr(url, 'POST', '/subjects/nf/versions', { schema: '{}', schemaType: 'XML' });
    assert.equal(badType.body.error_code, 42201);
    const unknownRef = await sr(url, 'POST', '/subjects/nf/versions', {
      schema: avroRecord('R', [{ name: 'n', type: 'com.x.Missing' }]),
      references: [{ name: 'com.x.Missing', subject: 'missing-subject', version: 1 }],
    });
    assert.equal(unknownRef.status, 422);
    assert.equal(unknownRef.body.error_code, 42201);
    assert.match(unknownRef.body.message, /missing-subject/);
    const route = await sr(url, 'GET', '/no/such/route');
    assert.equal(route.status, 404);
    assert.equal(route.body.error_code, 404);
  });

  test('delete: soft first, then permanent; Confluent errors in the wrong order', async () => {
    const s = 'del-s';
    await sr(url, 'POST', `/subjects/${s}/versions`, { schema: avroRecord('D', ['a']) });
    await sr(url, 'POST', `/subjects/${s}/versions`, {
      schema: avroRecord('D', ['a', { name: 'b', type: 'string', default: '' }]),
    });
    // a version: permanent before soft → 40407; soft twice → 40406
    const early = await sr(url, 'DELETE', `/subjects/${s}/versions/1?permanent=true`);
    assert.equal(early.status, 404);
    assert.equal(early.body.error_code, 40407);
    assert.deepEqual((await sr(url, 'DELETE', `/subjects/${s}/versions/1`)).body, 1);
    assert.equal((await sr(url, 'DELETE', `/subjects/${s}/versions/1`)).body.error_code, 40406);
    assert.deepEqual((await sr(url, 'GET', `/subjects/${s}/versions`)).body, [2]);
    assert.deepEqual((await sr(url, 'GET', `/subjects/${s}/versions?deleted=true`)).body, [1, 2]);
    assert.equal((await sr(url, 'GET', `/subjects/${s}/versions/1`)).body.error_code, 40402);
    assert.equal((await sr(url, 'GET', `/subjects/${s}/versions/1?deleted=true`)).body.version, 1);
    assert.deepEqual((await sr(url, 'DELETE', `/subjects/${s}/versions/1?permanent=true`)).body, 1);
    assert.deepEqual((await sr(url, 'GET', `/subjects/${s}/versions?deleted=true`)).body, [2]);

    // the subject: permanent before soft → 40405; soft twice → 40404
    const first = await sr(url, 'DELETE', `/subjects/${s}?permanent=true`);
    assert.equal(first.status, 404);
    assert.equal(first.body.error_code, 40405);
    assert.deepEqual((await sr(url, 'DELETE', `/subjects/${s}`)).body, [2]);
    assert.equal((await sr(url, 'DELETE', `/subjects/${s}`)).body.error_code, 40404);
    assert.ok(!(await sr(url, 'GET', '/subjects')).body.includes(s));
    assert.ok((await sr(url, 'GET', '/subjects?deleted=true')).body.includes(s));
    assert.ok((await sr(url, 'GET', '/subjects?deletedOnly=true')).body.includes(s));
    assert.deepEqual((await sr(url, 'DELETE', `/subjects/${s}?permanent=true`)).body, [2]);
    assert.equal((await sr(url, 'DELETE', `/subjects/${s}`)).body.error_code, 40401);
    assert.ok(!(await sr(url, 'GET', '/subjects?deleted=true')).body.includes(s));
    // after a soft delete, registering again continues the version numbers
    await sr(url, 'POST', '/subjects/del-v/versions', { schema: avroRecord('V', ['a']) });
    await sr(url, 'DELETE', '/subjects/del-v');
    const again = await sr(url, 'POST', '/subjects/del-v/versions', { schema: avroRecord('V', ['a']) });
    assert.equal(again.body.version, 2);
  });

  test('references: register with references, referencedby, and no delete while referenced', async () => {
    const inner = JSON.stringify({
      type: 'record',
      name: 'Inner',
      namespace: 'com.acme',
      fields: [{ name: 'v', type: 'int' }],
    });
    const innerRes = await sr(url, 'POST', '/subjects/ref-inner/versions', { schema: inner });
    assert.equal(innerRes.status, 200);
    const outer = JSON.stringify({ type: 'record', name: 'Outer', fields: [{ name: 'i', type: 'com.acme.Inner' }] });
    const refs = [{ name: 'com.acme.Inner', subject: 'ref-inner', version: 1 }];
    const outerRes = await sr(url, 'POST', '/subjects/ref-outer/versions', { schema: outer, references: refs });
    assert.equal(outerRes.status, 200, JSON.stringify(outerRes.body));
    const got = await sr(url, 'GET', '/subjects/ref-outer/versions/1');
    assert.deepEqual(got.body.references, refs);
    assert.deepEqual((await sr(url, 'GET', `/schemas/ids/${outerRes.body.id}`)).body.references, refs);
    assert.deepEqual((await sr(url, 'GET', '/subjects/ref-inner/versions/1/referencedby')).body, [outerRes.body.id]);
    const del = await sr(url, 'DELETE', '/subjects/ref-inner/versions/1');
    assert.equal(del.status, 422);
    assert.equal(del.body.error_code, 42206);
    assert.equal((await sr(url, 'DELETE', '/subjects/ref-inner')).body.error_code, 42206);
  });

  test('bodies: any content type is read as JSON; a broken body is a 400 with a message', async () => {
    const res = await fetch(`${url}/subjects/ct/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ schema: '"string"' }),
    });
    assert.equal(res.status, 200);
    const bad = await sr(url, 'POST', '/subjects/ct/versions', '{not json');
    assert.equal(bad.status, 400);
    assert.equal(typeof bad.body.message, 'string');
    const noSchema = await sr(url, 'POST', '/subjects/ct/versions', {});
    assert.equal(noSchema.body.error_code, 42201);
  });
});
