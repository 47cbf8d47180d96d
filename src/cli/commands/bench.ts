/**
 * `tributary bench produce|consume|e2e`: load tests with the project's own
 * client, after kafka-producer-perf-test and kafka-consumer-perf-test.
 *
 * - produce: K producers (--producers), each with its own connections, send
 *   --records values of --record-size bytes; records/s, MB/s and the latency
 *   from send() to the delivery report (avg, p50, p99, p99.9, max).
 * - consume: reads --records records from the beginning of every partition;
 *   records/s, MB/s and the time to the first record.
 * - e2e: a consumer at the end of the topic while the producers run; the
 *   latency from the send time written into each record to its receipt.
 *
 * A summary by default, one JSON object with --json; a progress line on
 * stderr when it is a terminal. Exit codes: 0 done, 1 failed (a record not
 * delivered, too few records read, no broker), 2 bad options.
 * The code is in src/cli/bench/.
 */
import { Command, type CommanderError } from 'commander';
import {
  addCommonOptions,
  addProduceOptions,
  addTimeoutOption,
  type CommonOptions,
  type ConsumeOptions,
  type E2eOptions,
  type ProduceOptions,
} from '../bench/options.ts';
import { type BenchReport, printReport } from '../bench/report.ts';
import { BenchError, benchConsume, benchE2e, benchProduce } from '../bench/run.ts';
import { resolveBootstrap } from '../common/connection.ts';
import { describeError, EXIT_OK, EXIT_USAGE, exit, exitCodeFor, UsageError } from '../common/errors.ts';

/** A bad option or value (commander printed one line): exit 2. */
function exitOnUsageError(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
}

/** Runs one benchmark: the report on stdout (also after failed records), errors as one line, then exits. */
async function execute<O extends CommonOptions>(o: O, bench: (o: O) => Promise<BenchReport>): Promise<void> {
  let code = EXIT_OK;
  try {
    o.bootstrapServer = resolveBootstrap(o.bootstrapServer).servers;
    await printReport(await bench(o), o.json);
  } catch (err) {
    if (err instanceof BenchError) await printReport(err.report, o.json);
    if (process.env.TRIBUTARY_DEBUG) console.error(err);
    process.stderr.write(`${describeError(err, o.bootstrapServer)}\n`);
    code = exitCodeFor(err);
  }
  // exit even if a stray client handle (a timer, a socket) is still open
  await exit(code);
}

function subcommand(name: string, description: string): Command {
  return new Command(name).description(description).exitOverride(exitOnUsageError);
}

/** Builds the `bench` subcommand. */
export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('measure throughput and latency with the project client (like kafka-*-perf-test)')
    .exitOverride(exitOnUsageError);

  const produce = subcommand('produce', 'produce records and report records/s, MB/s and send → ack latency');
  addProduceOptions(addCommonOptions(produce)).action((o: ProduceOptions) => execute(o, benchProduce));

  const consume = subcommand('consume', 'consume records from the beginning and report records/s and MB/s');
  addTimeoutOption(addCommonOptions(consume)).action((o: ConsumeOptions) => execute(o, benchConsume));

  const e2e = subcommand('e2e', 'produce and consume at once and report the end-to-end latency');
  addTimeoutOption(addProduceOptions(addCommonOptions(e2e))).action((o: E2eOptions) =>
    execute(o, (opts) => {
      if (opts.recordSize < 8)
        throw new UsageError('--record-size must be at least 8 for e2e (the send time is in the value)');
      return benchE2e(opts);
    }),
  );

  return cmd.addCommand(produce).addCommand(consume).addCommand(e2e);
}
