/**
 * The processes of bench/group-latency.ts: the broker, the forked producer
 * and kafkajs consumer, and kcat as a librdkafka group member. Every child
 * is killed and every temp dir removed however the run ends.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { children, stopChild, withTimeout } from '../common/children.ts';
import { type Collected, Collector, nowMs, type ScenarioConfig, sleep } from './shared.ts';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

export { stopChild, tmpDir, withTimeout } from '../common/children.ts';

/** A broker started as a child process. */
export interface ChildBroker {
  proc: ChildProcess;
  bootstrap: string;
  stderr(): string;
}

/** `tributary start` on a free port with `brokerConfig` (key=value), once it prints its Kafka endpoint. */
export function startBroker(dataDir: string, brokerConfig: string[]): Promise<ChildBroker> {
  const args = [BIN, 'start', '--data-dir', dataDir, '--kafka-port', '0', '--log-level', 'warn'];
  for (const c of brokerConfig) args.push('--broker-config', c);
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-64 * 1024);
  });
  return withTimeout(
    new Promise<ChildBroker>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^kafka (\S+):(\d+)/m.exec(out);
        if (m) resolve({ proc, bootstrap: `${m[1]}:${m[2]}`, stderr: () => err });
      });
      proc.once('exit', (code, signal) =>
        reject(new Error(`tributary start exited early (code ${code}, signal ${signal})\n${err}`)),
      );
    }),
    60_000,
    'tributary start',
  );
}

/** Creates `topic` with kafkajs' admin client and checks its partition count. */
export async function createTopic(bootstrap: string, topic: string, numPartitions: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 30_000, 'kafkajs admin connect');
  try {
    await withTimeout(admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true }), 30_000, topic);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const got = meta.topics[0]?.partitions.length;
    if (got !== numPartitions) throw new Error(`topic ${topic} has ${got} partitions, wanted ${numPartitions}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Forks `file` (a .ts module next to this one) with `cfg` as JSON in argv[2] and an IPC channel. */
export function forkChild(file: string, cfg: ScenarioConfig): ChildProcess {
  const p = fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(cfg)], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(p);
  return p;
}

/** The next IPC message from `p` whose type is `type`; rejects if `p` exits first. */
export function nextMessage<T extends { type: string }>(
  p: ChildProcess,
  type: T['type'],
  ms: number,
  what: string,
): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: T): void => {
        if (m.type !== type) return;
        p.off('message', onMessage);
        resolve(m);
      };
      p.on('message', onMessage);
      p.once('exit', (code) => reject(new Error(`${what} exited (code ${code}) before "${type}"`)));
    }),
    ms,
    `${what} "${type}"`,
  );
}

/** kcat (librdkafka) as the only member of a consumer group, delivering into a Collector. */
export interface KcatMember {
  proc: ChildProcess;
  /** Resolves once kcat reports its partitions assigned. */
  ready: Promise<void>;
  /** Waits until every record has arrived (or `graceMs`), stops kcat and returns what it saw. */
  finish(graceMs: number): Promise<Collected>;
}

/**
 * `kcat -G` with librdkafka's defaults (fetch.wait.max.ms 500,
 * fetch.min.bytes 1), from the earliest offset, printing each value as a
 * line with unbuffered output (-u); a record's delivery time is when its
 * line reaches this process.
 */
export function kcatMember(cfg: ScenarioConfig): KcatMember {
  const args = ['-b', cfg.bootstrap, '-G', cfg.groupId, '-X', 'auto.offset.reset=earliest', '-u', '-f', '%s\n'];
  const proc = spawn('kcat', [...args, cfg.topic], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const collector = new Collector(cfg.total, cfg.warmup);
  let partial = '';
  proc.stdout.on('data', (d: Buffer) => {
    const at = nowMs();
    const text = partial + d.toString('latin1');
    let start = 0;
    for (let eol = text.indexOf('\n'); eol >= 0; eol = text.indexOf('\n', start)) {
      collector.add(text.slice(start, eol), at);
      start = eol + 1;
    }
    partial = text.slice(start);
  });
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-16 * 1024);
      if (/assigned: .*\[/.test(err)) resolve();
    });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`kcat -G exited (code ${code}):\n${err}`)));
  });
  ready.catch(() => {});
  return {
    proc,
    ready,
    async finish(graceMs: number): Promise<Collected> {
      const deadline = nowMs() + graceMs;
      while (!collector.complete() && nowMs() < deadline) await sleep(10);
      await stopChild(proc);
      return collector.result();
    },
  };
}
