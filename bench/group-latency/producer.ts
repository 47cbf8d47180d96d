/**
 * The producer process of bench/group-latency.ts (forked with a
 * ScenarioConfig as JSON in argv[2]): a kafkajs producer that sends
 * `total` records at a fixed rate and reports to its parent over IPC.
 *
 * A timer ticks about every millisecond; each tick sends, in one send()
 * call, the records whose scheduled time has come, each stamped with the
 * time of that call. send() calls are not awaited one by one, so a slow
 * acknowledgement (acks=all waits for the fsync) does not hold back the
 * schedule; how late the calls ran against the schedule is reported.
 */
import { Kafka, logLevel } from 'kafkajs';
import { formatValue, nowMs, type ProducerMessage, type ScenarioConfig, sleep, summarize, toParent } from './shared.ts';

const cfg = JSON.parse(process.argv[2] ?? '') as ScenarioConfig;
const send = (m: ProducerMessage): Promise<void> => toParent(m);

async function main(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'group-latency-producer',
    brokers: [cfg.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await send({ type: 'connected' });

  const lags: number[] = [];
  const acks: number[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | null = null;
  const periodMs = 1000 / cfg.rate;
  const t0 = nowMs() + 5;
  let seq = 0;
  while (seq < cfg.total) {
    const now = nowMs();
    const due = Math.min(cfg.total, Math.floor((now - t0) / periodMs) + 1);
    if (due > seq) {
      lags.push(now - (t0 + seq * periodMs));
      const messages: Array<{ value: string }> = [];
      for (; seq < due; seq++) messages.push({ value: formatValue(seq, now, cfg.size) });
      const p = producer.send({ topic: cfg.topic, acks: cfg.acks, messages }).then(
        () => {
          acks.push(nowMs() - now);
        },
        (err: Error) => {
          errors += messages.length;
          firstError ??= err.message;
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await sleep(1);
  }
  const seconds = (nowMs() - t0) / 1000;
  await Promise.all(pending);
  await send({
    type: 'done',
    sent: cfg.total - errors,
    errors,
    firstError,
    seconds,
    scheduleLag: summarize(Float64Array.from(lags)),
    ack: summarize(Float64Array.from(acks)),
  });
  await producer.disconnect();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`group-latency producer: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
