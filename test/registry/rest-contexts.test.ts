/**
 * Contexts: qualified subjects (`:.ctx:subject`) get ids of their own
 * context, `/schemas/ids/{id}?subject=` picks the context, and the
 * `/contexts/{ctx}/...` URL form reaches the same subjects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroRecord, sr, startTestRegistry } from './helpers.ts';

test('contexts keep their own ids; URL prefix form and qualified names agree', async (t) => {
  const { url } = await startTestRegistry((fn) => t.after(fn));
  const plain = await sr(url, 'POST', '/subjects/orders-value/versions', { schema: avroRecord('O', ['a']) });
  const other = await sr(url, 'POST', '/subjects/orders-value/versions', {
    schema: avroRecord('O', ['a', { name: 'b', type: 'string', default: '' }]),
  });
  assert.deepEqual([plain.body.id, other.body.id], [1, 2]);
  // the first schema of another context starts again at id 1
  const q = encodeURIComponent(':.staging:orders-value');
  const inCtx = await sr(url, 'POST', `/subjects/${q}/versions`, { schema: avroRecord('P', ['z']) });
  assert.equal(inCtx.status, 200);
  assert.equal(inCtx.body.id, 1);
  assert.equal((await sr(url, 'GET', '/schemas/ids/1')).body.schema, avroRecord('O', ['a']));
  assert.equal((await sr(url, 'GET', `/schemas/ids/1?subject=${q}`)).body.schema, avroRecord('P', ['z']));
  assert.deepEqual((await sr(url, 'GET', '/contexts')).body, ['.', '.staging']);

  // URL prefix form
  assert.deepEqual((await sr(url, 'GET', '/contexts/.staging/subjects')).body, [':.staging:orders-value']);
  assert.equal((await sr(url, 'GET', '/contexts/.staging/subjects/orders-value/versions/1')).body.id, 1);
  assert.equal((await sr(url, 'GET', '/contexts/.staging/schemas/ids/1')).body.schema, avroRecord('P', ['z']));
  const viaPrefix = await sr(url, 'POST', '/contexts/.staging/subjects/other/versions', {
    schema: avroRecord('Q', ['y']),
  });
  assert.equal(viaPrefix.body.id, 2);
  assert.deepEqual((await sr(url, 'GET', `/subjects/${encodeURIComponent(':.staging:other')}/versions`)).body, [1]);
  assert.deepEqual((await sr(url, 'PUT', '/contexts/.staging/config/other', { compatibility: 'NONE' })).body, {
    compatibility: 'NONE',
  });
  assert.equal(
    (await sr(url, 'GET', `/config/${encodeURIComponent(':.staging:other')}`)).body.compatibilityLevel,
    'NONE',
  );
});
