/**
 * `tributary topic produce TOPIC`: one record per line of stdin (or
 * --file), like kafka-console-producer and `kcat -P`.
 *
 * - `--key-separator SEP` splits each line at the first SEP into key and
 *   value; a line without SEP is a value with a null key.
 * - `-H k=v` adds a header to every record; `--partition N` writes every
 *   record to one partition (default: Kafka's partitioner).
 * - `--acks all|1|0`, `--compression none|gzip|snappy|lz4|zstd`.
 * - `--schema SPEC` / `--key-schema SPEC` encode each value / key (JSON
 *   text) with the schema registry in Confluent's wire format, running the
 *   contract's WRITE rules (see ../common/serde.ts); a line that does not
 *   encode stops the command with exit 1 and says which line.
 * - A summary (records, partitions) goes to stderr at the end; with --file
 *   and a terminal on stderr, a progress bar while it runs.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { Producer, type ProducerRecord } from '../../client/producer/index.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { CliError, UsageError } from '../common/errors.ts';
import { intArg, keyValue } from '../common/parse.ts';
import { ProgressBar } from '../common/progress.ts';
import { run, withSession } from '../common/run.ts';
import { type ProduceSchemaFlags, produceEncoders, withProduceSchemaOptions } from '../common/serde.ts';

interface ProduceFlags extends ConnectionFlags, ProduceSchemaFlags {
  file?: string;
  keySeparator?: string;
  header?: Array<[string, string]>;
  partition?: number;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  acks: 'all' | '-1' | '1' | '0';
}

/** Records awaited together: enough to keep batches full, few enough to bound memory. */
const WINDOW = 5000;

/** Builds `topic produce`. */
export function produceCommand(): Command {
  return withConnectionOptions(
    withProduceSchemaOptions(new Command('produce'))
      .description('produce one record per line read from stdin (or --file); a summary goes to stderr')
      .argument('<topic>', 'topic name')
      .option('-f, --file <path>', 'read lines from this file instead of stdin')
      .option('-k, --key-separator <sep>', 'split each line at the first <sep> into key and value')
      .option('-H, --header <key=value>', 'a header on every record (repeatable)', keyValue)
      .option('--partition <n>', 'write every record to this partition', intArg(0))
      .addOption(
        new Option('-z, --compression <codec>', 'compression codec')
          .choices(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
          .default('none'),
      )
      .addOption(
        new Option('--acks <acks>', 'all (-1): every in-sync replica; 1: the leader; 0: no answer')
          .choices(['all', '-1', '1', '0'])
          .default('all'),
      ),
    { format: false },
  ).action(
    run(async (topic: string, flags: ProduceFlags) => {
      if (flags.keySeparator === '') throw new UsageError('--key-separator must not be empty');
      if (flags.keySchema !== undefined && flags.keySeparator === undefined) {
        throw new UsageError('--key-schema needs --key-separator to split each line into key and value');
      }
      const encoders = produceEncoders(flags);
      let input: Readable = process.stdin;
      let total = 0;
      if (flags.file) {
        try {
          total = statSync(flags.file).size;
        } catch (err) {
          throw new UsageError(`cannot read --file ${flags.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        input = createReadStream(flags.file);
      }
      return withSession(flags, async (s) => {
        // Fails at once, and clearly, for a topic or partition that does not exist.
        const [t] = await s.admin.describeTopics([topic]);
        if (flags.partition !== undefined && !t?.partitions.some((p) => p.partition === flags.partition)) {
          throw new CliError(`topic ${topic} has no partition ${flags.partition} (it has ${t?.partitions.length})`);
        }
        const encode = await encoders.open(topic);
        const acks = flags.acks === 'all' ? -1 : (Number(flags.acks) as -1 | 0 | 1);
        const producer = new Producer(s.cluster, {
          acks,
          compression: flags.compression,
          idempotent: acks === -1,
          lingerMs: 10,
        });
        const headers = flags.header ?? [];
        const partitions = new Set<number>();
        const bar = new ProgressBar(`producing to ${topic}`, total, flags.file !== undefined && process.stderr.isTTY);
        let count = 0;
        let lineNo = 0;
        let bytes = 0;
        let window: Array<Promise<unknown>> = [];
        const settle = async (): Promise<void> => {
          const done = window;
          window = [];
          await Promise.all(done);
          bar.update(bytes, `${count} records`);
        };
        try {
          const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
          for await (const line of lines) {
            bytes += Buffer.byteLength(line) + 1;
            lineNo++;
            let key: string | null = null;
            let value = line;
            if (flags.keySeparator !== undefined) {
              const at = line.indexOf(flags.keySeparator);
              if (at >= 0) {
                key = line.slice(0, at);
                value = line.slice(at + flags.keySeparator.length);
              }
            }
            const record: ProducerRecord = { topic, value };
            if (key !== null) record.key = key;
            try {
              if (encode.value) record.value = await encode.value(topic, value);
              if (encode.key && key !== null) record.key = await encode.key(topic, key);
            } catch (err) {
              throw new CliError(`line ${lineNo}: ${(err as Error).message}`);
            }
            if (headers.length > 0) record.headers = headers;
            if (flags.partition !== undefined) record.partition = flags.partition;
            count++;
            window.push(producer.send(record).then((m) => partitions.add(m.partition)));
            if (window.length >= WINDOW) await settle();
          }
          await settle();
          await producer.flush();
        } finally {
          bar.finish();
          await producer.close().catch(() => undefined);
        }
        const list = [...partitions].sort((a, b) => a - b);
        process.stderr.write(
          `produced ${count} record${count === 1 ? '' : 's'} to ${topic}` +
            (list.length > 0 ? ` (partition${list.length === 1 ? '' : 's'} ${list.join(', ')})\n` : '\n'),
        );
        return 0;
      });
    }),
  );
}
