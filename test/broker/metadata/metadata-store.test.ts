import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MetadataStore } from '../../../src/broker/metadata/metadata-store.ts';

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'tributary-meta-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('changes replay after reopen: topics, partitions, configs, deletes, cluster id', (t) => {
  const d = dir(t);
  const a = MetadataStore.open(d);
  const clusterId = a.clusterId;
  assert.equal(clusterId.length, 22);
  a.apply({
    type: 'topic',
    topic: { name: 'x', id: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 1, configs: { 'retention.ms': '1' } },
  });
  a.apply({ type: 'topic', topic: { name: 'y', id: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: 2, configs: {} } });
  a.apply({ type: 'partitions', id: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 4 });
  a.apply({
    type: 'topic-config',
    id: 'AAAAAAAAAAAAAAAAAAAAAQ',
    configs: { 'retention.ms': null, 'cleanup.policy': 'compact' },
  });
  a.apply({ type: 'broker-config', configs: { 'num.partitions': '3' } });
  a.apply({ type: 'delete-topic', id: 'AAAAAAAAAAAAAAAAAAAAAg' });
  a.close();
  const b = MetadataStore.open(d);
  assert.equal(b.clusterId, clusterId);
  assert.deepEqual([...b.topicsByName.keys()], ['x']);
  assert.deepEqual(b.topicsByName.get('x'), {
    name: 'x',
    id: 'AAAAAAAAAAAAAAAAAAAAAQ',
    partitions: 4,
    configs: { 'cleanup.policy': 'compact' },
  });
  assert.deepEqual(b.brokerConfigs, { 'num.partitions': '3' });
  b.close();
});

test('a torn tail from a crash is dropped; the intact prefix survives', (t) => {
  const d = dir(t);
  const a = MetadataStore.open(d);
  a.apply({ type: 'topic', topic: { name: 'keep', id: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 1, configs: {} } });
  a.apply({ type: 'topic', topic: { name: 'torn', id: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: 1, configs: {} } });
  a.close();
  const log = join(d, 'metadata.log');
  truncateSync(log, statSync(log).size - 5);
  appendFileSync(log, Buffer.from([1, 2, 3]));
  const b = MetadataStore.open(d);
  assert.deepEqual([...b.topicsByName.keys()], ['keep']);
  b.apply({ type: 'topic', topic: { name: 'after', id: 'AAAAAAAAAAAAAAAAAAAAAw', partitions: 1, configs: {} } });
  b.close();
  const c = MetadataStore.open(d);
  assert.deepEqual([...c.topicsByName.keys()].sort(), ['after', 'keep']);
  c.close();
});

test('a snapshot compacts the log and replays the same state', (t) => {
  const d = dir(t);
  const a = MetadataStore.open(d);
  for (let i = 0; i < 1100; i++) {
    a.apply({ type: 'broker-config', configs: { 'num.partitions': String(i) } });
  }
  a.close();
  assert.ok(statSync(join(d, 'metadata.log')).size < 100 * 200, 'the log was truncated after the snapshot');
  assert.ok(readFileSync(join(d, 'snapshot.json'), 'utf8').includes('num.partitions'));
  const b = MetadataStore.open(d);
  assert.equal(b.brokerConfigs['num.partitions'], '1099');
  b.close();
});

test('entities of any kind replay from the log and from a snapshot; null deletes', (t) => {
  const d = dir(t);
  const a = MetadataStore.open(d);
  a.putEntity('acl', 'k1', { principal: 'User:alice', op: 'Read' });
  a.putEntity('acl', 'k2', { principal: 'User:bob', op: 'Write' });
  a.putEntity('quota', 'user=alice', { producer_byte_rate: 1024 });
  a.putEntity('acl', 'k2', null);
  a.close();
  const b = MetadataStore.open(d);
  assert.deepEqual([...b.entities('acl').keys()], ['k1']);
  assert.deepEqual(b.entity('quota', 'user=alice'), { producer_byte_rate: 1024 });
  assert.equal(b.entity('acl', 'k2'), undefined);
  b.snapshot();
  b.putEntity('quota', 'user=bob', { consumer_byte_rate: 1 });
  b.close();
  const c = MetadataStore.open(d);
  assert.deepEqual(c.entity('acl', 'k1'), { principal: 'User:alice', op: 'Read' });
  assert.deepEqual([...c.entities('quota').keys()].sort(), ['user=alice', 'user=bob']);
  assert.equal(c.entities('nothing').size, 0);
  c.close();
});
