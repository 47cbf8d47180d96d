/**
 * `'connector' = 'nexmark'` (src/sql/connectors/nexmark/factory.ts): option
 * validation through the engine's connector registry, and the source run
 * against a recording SourceOutput — bounded, paced and aborted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogTable } from '../../src/sql/catalog/catalog.ts';
import { type SourceOutput, tableInfo, validateTable } from '../../src/sql/connectors/connector.ts';
import { nexmarkConnector } from '../../src/sql/connectors/nexmark/factory.ts';
import { NexmarkGenerator, nexmarkConfig, nexmarkRowType } from '../../src/sql/connectors/nexmark/index.ts';
import type { Row } from '../../src/sql/runtime/changelog.ts';

const BASE = Date.UTC(2015, 6, 15);

function table(options: Record<string, string>, columns = nexmarkRowType()): CatalogTable {
  if (columns.kind !== 'ROW') throw new TypeError('row type expected');
  return {
    kind: 'table',
    name: 'datagen',
    columns: columns.fields.map((f) => ({ name: f.name, type: f.type, kind: 'physical' as const })),
    options: { connector: 'nexmark', ...options },
  };
}

class Recorder implements SourceOutput {
  rows: Row[] = [];
  partitions = 0;
  ended: number[] = [];
  drains = 0;
  setPartitions(n: number): void {
    this.partitions = n;
  }
  emit(partition: number, kind: number, row: Row): void {
    assert.equal(partition, 0);
    assert.equal(kind, 0);
    this.rows.push(row);
  }
  endPartition(partition: number): void {
    this.ended.push(partition);
  }
  async drain(): Promise<void> {
    this.drains++;
  }
  async checkpoint(): Promise<void> {}
}

test("ddl_gen.sql's options validate; unknown options, bad values and other columns are rejected", () => {
  const ddl = {
    'first-event.rate': '10000000',
    'next-event.rate': '10000000',
    'events.num': '100000000',
    'person.proportion': '1',
    'auction.proportion': '3',
    'bid.proportion': '46',
  };
  assert.equal(validateTable(table(ddl)), nexmarkConnector);
  assert.throws(() => validateTable(table({ 'events.number': '5' })), /Unsupported options found for 'nexmark'/);
  assert.throws(() => validateTable(table({ 'events.num': 'lots' })), /events\.num/);
  const narrow = table({});
  narrow.columns = narrow.columns.slice(0, 3);
  assert.throws(
    () => validateTable(narrow),
    /physical columns event_type INT, person ROW<.*>, auction ROW<.*>, bid ROW<.*>; table .* declares event_type INT, person/,
  );
});

test('a bounded source emits exactly the generator rows, then ends its partition', async () => {
  const options = { 'events.num': '3000', 'base-time': '2015-07-15 00:00:00' };
  const provider = nexmarkConnector.source!(tableInfo(table(options)), { print: () => {}, timeZone: 'UTC' });
  assert.equal(provider.bounded, true);
  const out = new Recorder();
  await provider.create().run(out, new AbortController().signal);
  assert.equal(out.partitions, 1);
  assert.deepEqual(out.ended, [0]);
  assert.equal(out.rows.length, 3000);
  assert.ok(out.drains >= 3);
  assert.deepEqual(out.rows, new NexmarkGenerator(nexmarkConfig({ baseTime: BASE, eventsNum: 3000 })).nextBatch(5000));
});

test('rate.limited paces events to the wall clock; abort stops an unbounded source', async () => {
  const paced = nexmarkConnector.source!(
    tableInfo(table({ 'events.num': '60', 'first-event.rate': '1000', 'rate.limited': 'true' })),
    { print: () => {}, timeZone: 'UTC' },
  );
  const out = new Recorder();
  const t0 = performance.now();
  await paced.create().run(out, new AbortController().signal);
  const elapsed = performance.now() - t0;
  assert.equal(out.rows.length, 60);
  assert.ok(elapsed >= 55, `60 events at 1000/s took ${elapsed} ms`);

  const unbounded = nexmarkConnector.source!(tableInfo(table({})), { print: () => {}, timeZone: 'UTC' });
  assert.equal(unbounded.bounded, false);
  const ac = new AbortController();
  const live = new Recorder();
  setTimeout(() => ac.abort(), 50);
  await unbounded.create().run(live, ac.signal);
  assert.ok(live.rows.length > 1000, `${live.rows.length} rows before abort`);
  assert.deepEqual(live.ended, []);
});
