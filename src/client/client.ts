/**
 * Client: one Cluster (connections, metadata, coordinators) and every
 * producer, consumer, admin and group member made from it. `close()` closes
 * them all, consumers first (they commit and leave their groups), then
 * producers (they flush), then the connections.
 *
 *   const client = new Client({ bootstrapServers: 'localhost:9092' });
 *   const producer = client.producer({ compression: 'zstd' });
 *   await producer.send({ topic: 'orders', key: 'k1', value: '{"id":1}' });
 *   const consumer = client.consumer({ groupId: 'billing' });
 *   consumer.subscribe(['orders']);
 *   for await (const r of consumer) handle(r);
 */
import { Admin } from './admin/index.ts';
import { type ClientOptions, Cluster } from './cluster.ts';
import { Consumer, type ConsumerOptions, GroupMember, type GroupMemberOptions } from './consumer/index.ts';
import { Producer, type ProducerOptions } from './producer/index.ts';

export class Client {
  readonly cluster: Cluster;
  readonly #producers = new Set<Producer>();
  readonly #consumers = new Set<Consumer>();
  readonly #members = new Set<GroupMember>();
  #admin: Admin | null = null;

  constructor(options: ClientOptions) {
    this.cluster = new Cluster(options);
  }

  producer(options?: ProducerOptions): Producer {
    const p = new Producer(this.cluster, options);
    this.#producers.add(p);
    return p;
  }

  consumer(options?: ConsumerOptions): Consumer {
    const c = new Consumer(this.cluster, options);
    this.#consumers.add(c);
    return c;
  }

  /** A member of a group with a custom protocol type (leader election, work distribution). */
  groupMember(options: GroupMemberOptions): GroupMember {
    const m = new GroupMember(this.cluster, options);
    this.#members.add(m);
    return m;
  }

  admin(): Admin {
    this.#admin ??= new Admin(this.cluster);
    return this.#admin;
  }

  async close(): Promise<void> {
    const settle = (ps: Array<Promise<unknown>>) => Promise.allSettled(ps);
    await settle([...this.#consumers].map((c) => c.close()));
    await settle([...this.#members].map((m) => m.stop()));
    await settle([...this.#producers].map((p) => p.close()));
    this.#consumers.clear();
    this.#members.clear();
    this.#producers.clear();
    await this.cluster.close();
  }
}
