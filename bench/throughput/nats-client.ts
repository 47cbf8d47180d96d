/**
 * The NATS load generator of bench/broker-throughput.ts, run by nats.ts as
 * its own process (`node --import tsx bench/throughput/nats-client.ts MODE
 * --port P --stream S --count N --size B ...`) so the client and the
 * benchmark are separate processes, as with kcat and redis-cli. It reads no
 * options of the benchmark (options.ts parses the benchmark's argv).
 *
 * - publish: reads the kcat input file (one record per line) and publishes
 *   every record to the stream's subject with JetStream `js.publish`, with at
 *   most --window publishes awaiting their ack; any failed publish fails it.
 * - consume: reads the stream from its first message with an ordered
 *   consumer (`consume()`, pulls of --batch messages, refilled as they drain)
 *   and checks every message: its stream sequence is i+1, its size is --size
 *   and it starts with i (every record starts with its index, see inputs.ts).
 *
 * It writes `begin` on stdout when the first record goes out (publish) or
 * arrives (consume) and `end <json>` after the last ack or record, so the
 * parent times and meters exactly that span, without Node's start-up.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';

// nats.js 2.x builds an Error (and its stack) for every request it settles,
// even a successful one (RequestOne.cancel); without stacks the publisher
// uses about 15% less CPU. Errors still carry their messages.
Error.stackTraceLimit = 0;

const { values: o, positionals } = parseArgs({
  options: {
    port: { type: 'string' },
    stream: { type: 'string' },
    count: { type: 'string' },
    size: { type: 'string' },
    file: { type: 'string' },
    window: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '10000' },
  },
  allowPositionals: true,
  strict: true,
});
const MODE = positionals[0];
const STREAM = o.stream ?? '';
const COUNT = Number(o.count);
const SIZE = Number(o.size);

/** Publishes COUNT records of the lines file with at most `window` acks outstanding. */
async function publish(js: JetStreamClient, file: string, window: number): Promise<Record<string, number>> {
  const frame = SIZE + 1;
  const perChunk = Math.max(1, Math.floor((4 << 20) / frame));
  const fd = openSync(file, 'r');
  let inflight = 0;
  let acked = 0;
  let failed: Error | null = null;
  let wake: (() => void) | null = null;
  const settle = (): void => {
    inflight--;
    const w = wake;
    wake = null;
    w?.();
  };
  const waitBelow = async (limit: number): Promise<void> => {
    while (inflight > limit && failed === null) await new Promise<void>((r) => (wake = r));
  };
  try {
    process.stdout.write('begin\n');
    for (let i = 0; i < COUNT && failed === null; ) {
      // a new buffer per chunk: the client keeps references to queued payloads until it flushes them
      const chunk = Buffer.allocUnsafe(Math.min(perChunk, COUNT - i) * frame);
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got !== chunk.length) throw new Error(`${file}: short read at record ${i}`);
      for (let at = 0; at < got && failed === null; at += frame, i++) {
        if (inflight >= window) await waitBelow(window - 1);
        inflight++;
        js.publish(STREAM, chunk.subarray(at, at + SIZE)).then(
          (ack) => {
            if (ack.duplicate) failed ??= new Error(`publish acked as a duplicate (seq ${ack.seq})`);
            acked++;
            settle();
          },
          (err: Error) => {
            failed ??= new Error(`js.publish to ${STREAM} failed: ${err.message}`);
            settle();
          },
        );
      }
    }
    await waitBelow(0);
  } finally {
    closeSync(fd);
  }
  if (failed) throw failed;
  return { acked };
}

/** Reads COUNT messages from the start of the stream and checks each one. */
async function consume(js: JetStreamClient, batch: number): Promise<Record<string, number>> {
  const consumer = await js.consumers.get(STREAM);
  const messages = await consumer.consume({ max_messages: batch });
  let read = 0;
  let bad = 0;
  let firstBad = '';
  for await (const m of messages) {
    if (read === 0) process.stdout.write('begin\n');
    const d = m.data;
    let index = 0;
    for (let k = 0; k < 10; k++) index = index * 10 + d[k]! - 48;
    if (m.seq !== read + 1 || d.length !== SIZE || index !== read) {
      if (bad++ === 0) firstBad = `message ${read}: seq ${m.seq}, ${d.length} bytes, record ${index}`;
    }
    if (++read === COUNT) break;
  }
  if (bad > 0) throw new Error(`${bad} bad message(s) of ${read}; first: ${firstBad}`);
  if (read !== COUNT) throw new Error(`read ${read} messages, expected ${COUNT}`);
  return { read };
}

async function main(): Promise<void> {
  if (!o.port || !STREAM || !(COUNT > 0) || !(SIZE > 0)) throw new Error('needs --port, --stream, --count, --size');
  // noAsyncTraces: nats.js would otherwise capture a stack trace for every request (each js.publish)
  const nc: NatsConnection = await connect({ servers: `127.0.0.1:${o.port}`, noAsyncTraces: true });
  try {
    const js = nc.jetstream();
    let report: Record<string, number>;
    if (MODE === 'publish') {
      if (!o.file) throw new Error('publish needs --file');
      report = await publish(js, o.file, Number(o.window));
    } else if (MODE === 'consume') {
      report = await consume(js, Number(o.batch));
    } else {
      throw new Error(`unknown mode "${MODE}" (publish or consume)`);
    }
    process.stdout.write(`end ${JSON.stringify(report)}\n`);
  } finally {
    await nc.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`nats-client ${MODE}: ${err.message}\n`);
    process.exit(1);
  },
);
