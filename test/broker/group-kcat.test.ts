/**
 * kcat balanced consumers (librdkafka 2.0.2, `kcat -G`, range/roundrobin
 * assignors) against the group coordinator: two members split four
 * partitions, the survivor takes all of them when the other leaves, and the
 * committed offsets resume both after restarting the consumer and after
 * restarting the broker on the same data dir.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startTestBroker, type TestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { decodeAssignment, describe as describeGroup, waitFor } from './group-wire.ts';

const CONFIGS = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '8' };
const CONSUMER_OPTS = [
  '-X',
  'auto.offset.reset=earliest',
  '-X',
  'auto.commit.interval.ms=200',
  '-X',
  'session.timeout.ms=6000',
  '-X',
  'heartbeat.interval.ms=250',
  '-f',
  '%p %o %s\\n',
];

/** A `kcat -G` process and the lines it printed so far. */
class KcatConsumer {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  #partial = '';
  #stderr = '';

  constructor(bootstrap: string, group: string, topic: string) {
    this.proc = spawn('kcat', ['-b', bootstrap, '-G', group, topic, '-q', '-u', ...CONSUMER_OPTS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.on('data', (d: Buffer) => {
      const parts = (this.#partial + d.toString()).split('\n');
      this.#partial = parts.pop() ?? '';
      this.lines.push(...parts.filter(Boolean));
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString();
    });
  }

  /** Values printed, as "partition value". */
  values(from = 0): string[] {
    return this.lines.slice(from).map((l) => {
      const [p, , v] = l.split(' ');
      return `${p} ${v}`;
    });
  }

  /** SIGTERM: kcat closes the consumer (final commit, LeaveGroup) and exits. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    await exited;
  }

  get stderr(): string {
    return this.#stderr;
  }
}

async function produce(bootstrap: string, topic: string, tag: string, perPartition: number): Promise<string[]> {
  const sent: string[] = [];
  for (let p = 0; p < 4; p++) {
    const values = Array.from({ length: perPartition }, (_, i) => `${tag}-${p}-${i}`);
    const r = await exec(
      'kcat',
      ['-b', bootstrap, '-P', '-t', topic, '-p', String(p), '-X', 'acks=all'],
      `${values.join('\n')}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    sent.push(...values.map((v) => `${p} ${v}`));
  }
  return sent.sort();
}

/** `kcat -G ... -e`: joins, consumes to the end of every partition, commits, leaves. */
async function consumeToEnd(bootstrap: string, group: string, topic: string): Promise<string[]> {
  const r = await exec('kcat', ['-b', bootstrap, '-G', group, topic, '-e', '-q', ...CONSUMER_OPTS], '', 30_000);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [p, , v] = l.split(' ');
      return `${p} ${v}`;
    })
    .sort();
}

async function assignments(port: number, group: string): Promise<string[][]> {
  const conn = await RawConnection.open(port);
  try {
    const d = await describeGroup(conn, group);
    if (d.groupState !== 'Stable') return [];
    return d.members.map((m) => decodeAssignment(m.memberAssignment));
  } finally {
    conn.close();
  }
}

describe('kcat balanced consumer group', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kcat-group-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('two members split 4 partitions, one leaves and the other takes over; offsets resume after consumer and broker restarts', async (t) => {
    let tb: TestBroker = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    const topic = topicName('kg');
    const group = topicName('kcat-group');
    await tb.broker.createTopic(topic, 4, 1, {});
    const consumers: KcatConsumer[] = [];
    t.after(async () => {
      for (const c of consumers) await c.stop();
    });

    const first = await produce(tb.bootstrap, topic, 'a', 5);
    const c1 = new KcatConsumer(tb.bootstrap, group, topic);
    consumers.push(c1);
    await waitFor(() => c1.lines.length >= first.length, 15_000, 'c1 to read the first batch');
    assert.deepEqual(c1.values().sort(), first);

    const c2 = new KcatConsumer(tb.bootstrap, group, topic);
    consumers.push(c2);
    const split = await waitFor(
      async () => {
        const a = await assignments(tb.port, group);
        return a.length === 2 && a.every((x) => x.length === 2) ? a : null;
      },
      15_000,
      'two members with two partitions each',
    );
    assert.deepEqual(
      split.flat().sort(),
      [0, 1, 2, 3].map((p) => `${topic}-${p}`),
    );

    const from1 = c1.lines.length;
    const from2 = c2.lines.length;
    const second = await produce(tb.bootstrap, topic, 'b', 5);
    await waitFor(() => c1.lines.length - from1 + c2.lines.length - from2 >= second.length, 15_000, 'second batch');
    const got1 = c1.values(from1);
    const got2 = c2.values(from2);
    assert.deepEqual([...got1, ...got2].sort(), second, 'each record once');
    const parts = (vs: string[]) => [...new Set(vs.map((v) => v.split(' ')[0]))].sort();
    assert.equal(parts(got1).length, 2, `c1 read partitions ${parts(got1)}`);
    assert.equal(parts(got2).length, 2, `c2 read partitions ${parts(got2)}`);

    await c2.stop();
    await waitFor(
      async () => {
        const a = await assignments(tb.port, group);
        return a.length === 1 && a[0]?.length === 4;
      },
      15_000,
      'c1 to own every partition',
    );
    const from = c1.lines.length;
    const third = await produce(tb.bootstrap, topic, 'c', 5);
    await waitFor(() => c1.lines.length - from >= third.length, 15_000, 'third batch');
    assert.deepEqual(c1.values(from).sort(), third);
    await c1.stop();

    // a restarted consumer resumes from the committed offsets
    const fourth = await produce(tb.bootstrap, topic, 'd', 3);
    assert.deepEqual(await consumeToEnd(tb.bootstrap, group, topic), fourth);

    // so does one after a broker restart on the same data dir
    await tb.broker.close();
    tb = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    await tb.broker.groups.loaded();
    const fifth = await produce(tb.bootstrap, topic, 'e', 3);
    assert.deepEqual(await consumeToEnd(tb.bootstrap, group, topic), fifth);
  });
});
