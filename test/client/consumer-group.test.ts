/**
 * Three consumers in one group over a 6-partition topic, for the classic
 * protocol with the eager range assignor and the cooperative-sticky one,
 * and for KIP-848: every partition is owned by exactly one member, a member
 * that leaves hands its partitions to the others, and with a synchronous
 * commit after each poll no record is consumed twice and none is lost.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, type ConsumerOptions, type TopicPartition } from '../../src/client/consumer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cluster, FAST, GROUP_CONFIGS, rawProduce, waitFor } from './consumer-helpers.ts';

const PARTITIONS = 6;

/** A consumer in a poll → record → commit loop. */
class Worker {
  readonly consumer: Consumer;
  readonly events: string[] = [];
  readonly errors: Error[] = [];
  consumed = 0;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(
    c: ConstructorParameters<typeof Consumer>[0],
    opts: ConsumerOptions,
    topic: string,
    seen: Map<string, string[]>,
    readonly name: string,
  ) {
    const consumer = new Consumer(c, {
      ...FAST,
      ...opts,
      autoCommit: false,
      autoOffsetReset: 'earliest',
      onPartitionsAssigned: (tps) => {
        this.events.push(`+${fmt(tps)}`);
      },
      onPartitionsRevoked: (tps) => {
        this.events.push(`-${fmt(tps)}`);
      },
      onPartitionsLost: (tps) => {
        this.events.push(`lost ${fmt(tps)}`);
      },
    });
    this.consumer = consumer;
    consumer.subscribe([topic]);
    this.#loop = (async () => {
      while (this.#running) {
        try {
          const records = await consumer.poll(100);
          if (records.length > 0) {
            const parts = [...new Set(records.map((r) => `${r.partition}@${r.offset}`))];
            this.events.push(`poll ${parts.slice(0, 3).join(',')}`);
          }
          for (const r of records) {
            const k = r.value?.toString() ?? '';
            seen.set(k, [...(seen.get(k) ?? []), name]);
          }
          this.consumed += records.length;
          if (records.length > 0) {
            await sleep(5); // processing time, so rebalances happen while the application works
            await consumer.commit();
          }
        } catch (err) {
          if (this.#running) this.errors.push(err as Error);
        }
      }
    })();
  }

  owned(): string[] {
    return this.consumer.assignment().map((tp) => `${tp.partition}`);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    await this.consumer.close();
  }
}

const fmt = (tps: TopicPartition[]): string => tps.map((tp) => tp.partition).join(',');

describe('consumer groups: three members, rebalances, no duplicates', async () => {
  const tb = await startTestBroker(after, GROUP_CONFIGS);
  const c = cluster(tb, after);

  const produce = async (topic: string, round: string, perPartition: number): Promise<string[]> => {
    const values: string[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const batch = Array.from({ length: perPartition }, (_, i) => `${round}-p${p}-${i}`);
      values.push(...batch);
      await rawProduce(
        c,
        topic,
        p,
        batch.map((value) => ({ value })),
      );
    }
    return values;
  };

  const scenarios: Array<[string, ConsumerOptions]> = [
    ['classic, range (eager)', { assignors: ['range'] }],
    ['classic, cooperative-sticky', { assignors: ['cooperative-sticky'] }],
    ['KIP-848 consumer protocol', { groupProtocol: 'consumer' }],
  ];

  for (const [name, opts] of scenarios) {
    test(name, async (t) => {
      const topic = topicName('cg');
      const groupId = topicName('cg-group');
      await tb.broker.createTopic(topic, PARTITIONS, 1, {});
      const expected = await produce(topic, 'a', 50);
      const seen = new Map<string, string[]>();
      const workers: Worker[] = [];
      t.after(async () => {
        for (const w of workers) await w.stop();
      });
      const start = (n: string): Worker => {
        const w = new Worker(c, { ...opts, groupId }, topic, seen, n);
        workers.push(w);
        return w;
      };
      const exactlyOnce = (ws: Worker[]): boolean => {
        const all = ws.flatMap((w) => w.owned());
        return all.length === PARTITIONS && new Set(all).size === PARTITIONS;
      };

      // records keep arriving while members come and go
      let producing = true;
      const producer = (async () => {
        for (let round = 0; producing; round++) expected.push(...(await produce(topic, `r${round}`, 3)));
      })();

      const a = start('a');
      await waitFor(() => a.owned().length === PARTITIONS, 'the first member to own everything');
      const b = start('b');
      const cc = start('c');
      await waitFor(
        () => exactlyOnce([a, b, cc]) && [a, b, cc].every((w) => w.owned().length === 2),
        'three members with two partitions each',
        15_000,
      );
      await waitFor(() => [a, b, cc].every((w) => w.consumed > 0), 'every member consuming');

      // c leaves: its partitions go to a and b
      const cOwned = cc.owned();
      await cc.stop();
      await waitFor(() => exactlyOnce([a, b]), 'two members owning everything', 15_000);
      assert.ok(cOwned.every((p) => a.owned().includes(p) || b.owned().includes(p)));
      const consumedBefore = a.consumed + b.consumed;
      await waitFor(() => a.consumed + b.consumed > consumedBefore + 50, 'consumption going on');
      producing = false;
      await producer;
      await waitFor(() => expected.every((v) => seen.has(v)), 'every record consumed');

      for (const w of workers) assert.deepEqual(w.errors, [], `${w.name} saw no errors`);
      const dupes = [...seen].filter(([, by]) => by.length > 1);
      assert.deepEqual(
        dupes,
        [],
        `no record consumed twice; ${workers.map((w) => `${w.name}: ${w.events.join(' ')}`).join('; ')}`,
      );
      assert.equal(seen.size, expected.length);
      assert.ok(
        cc.events.some((e) => e.startsWith('-')),
        'the leaving member saw its partitions revoked',
      );
    });
  }
});
