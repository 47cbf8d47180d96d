/**
 * The kafkajs consumer process of bench/group-latency.ts (forked with a
 * ScenarioConfig as JSON in argv[2]): one member of a new consumer group,
 * subscribed from the earliest offset, with kafkajs' default fetch settings
 * (maxWaitTimeInMs 5000, minBytes 1) and, unless --kafkajs-no-commit,
 * kafkajs' auto-commit, which commits after every batch and waits for the
 * answer before the next batch is delivered. It tells
 * its parent when it has joined, takes the delivery time of every record in
 * eachMessage, and on `finish` sends what it saw.
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  Collector,
  type FinishMessage,
  nowMs,
  type ScenarioConfig,
  type Summary,
  sleep,
  summarize,
  toParent,
} from './shared.ts';

const cfg = JSON.parse(process.argv[2] ?? '') as ScenarioConfig;

async function main(): Promise<void> {
  const collector = new Collector(cfg.total, cfg.warmup);
  const kafka = new Kafka({
    clientId: 'group-latency-consumer',
    brokers: [cfg.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: cfg.groupId });
  const finish = new Promise<FinishMessage>((resolve) => {
    process.on('message', (m: FinishMessage) => {
      if (m.type === 'finish') resolve(m);
    });
  });
  consumer.on(consumer.events.GROUP_JOIN, () => void toParent({ type: 'ready' }));
  // Request durations (sent to answered) by API, to see what a delivery waits for.
  const requests = new Map<string, number[]>();
  consumer.on(consumer.events.REQUEST, ({ payload }) => {
    let list = requests.get(payload.apiName);
    if (!list) requests.set(payload.apiName, (list = []));
    list.push(payload.duration);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: cfg.autoCommit,
    eachMessage: async ({ message }) => {
      const at = nowMs();
      collector.add(message.value?.toString('latin1') ?? '', at);
    },
  });
  const { graceMs } = await finish;
  const deadline = nowMs() + graceMs;
  while (!collector.complete() && nowMs() < deadline) await sleep(10);
  const byApi: Record<string, Summary> = {};
  for (const [api, list] of requests) byApi[api] = summarize(Float64Array.from(list));
  await toParent({ type: 'result', result: collector.result(), requests: byApi });
  await consumer.disconnect();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`group-latency consumer: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
