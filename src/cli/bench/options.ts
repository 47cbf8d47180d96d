/**
 * Options of `tributary bench produce|consume|e2e`, with the parsers that
 * reject a bad value before anything connects (commander reports the thrown
 * InvalidArgumentError as one line; the command exits 2).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_BOOTSTRAP } from '../common/connection.ts';

export type AcksName = '0' | '1' | 'all';
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Options of every mode. */
export interface CommonOptions {
  /** As given; resolved (flag > env > profile > default) before use. */
  bootstrapServer: string;
  topic: string;
  records: number;
  json: boolean;
}

/** Options of consume. */
export interface ConsumeOptions extends CommonOptions {
  /** Fail when no record arrives for this long. */
  timeoutMs: number;
}

/** Options of produce and e2e. */
export interface ProduceOptions extends CommonOptions {
  recordSize: number;
  acks: AcksName;
  compression: CompressionName;
  partitions: number;
  producers: number;
  lingerMs: number;
  batchSize: number;
  /** Records per second over all producers; -1: as fast as possible. */
  throughput: number;
}

/** Options of e2e. */
export type E2eOptions = ProduceOptions & ConsumeOptions;

/** A parser for an integer option in [min, max]. */
export function intArg(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}.`);
    }
    return value as T;
  };
}

function throughputArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (n <= 0 && n !== -1)) {
    throw new InvalidArgumentError('expected records per second > 0, or -1 for no limit.');
  }
  return n;
}

function topicArg(value: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError('a topic name is 1-249 of a-z A-Z 0-9 . _ -');
  }
  return value;
}

/** Options shared by every mode. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option(
      '-b, --bootstrap-server <host:port>',
      `broker(s) to bootstrap from, comma-separated (env TRIBUTARY_BOOTSTRAP_SERVER, profile file; default ${DEFAULT_BOOTSTRAP})`,
    )
    .option('--topic <name>', 'topic (produce and e2e create it when missing)', topicArg, 'tributary-bench')
    .option('--records <n>', 'records to produce or consume', intArg(1, 1_000_000_000), 100_000)
    .option('--json', 'print one JSON object instead of the summary', false);
}

/** Options of the producing modes (produce, e2e). */
export function addProduceOptions(cmd: Command): Command {
  return cmd
    .option('--record-size <bytes>', 'value size of each record', intArg(1, 10_000_000), 1024)
    .option('--acks <acks>', '0, 1 or all', oneOf(['0', '1', 'all'] as const), 'all')
    .option(
      '--compression <codec>',
      'none, gzip, snappy, lz4 or zstd',
      oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const),
      'none',
    )
    .option('--partitions <n>', 'partitions of the topic when it is created', intArg(1, 100_000), 1)
    .option('--producers <k>', 'producer instances in parallel, each with its own connection', intArg(1, 256), 1)
    .option('--linger-ms <ms>', 'linger.ms of each producer', intArg(0, 3_600_000), 5)
    .option('--batch-size <bytes>', 'batch.size of each producer', intArg(1, 1 << 30), 16_384)
    .option('--throughput <n>', 'records per second over all producers, -1 = no limit', throughputArg, -1);
}

/** --timeout-ms of the consuming modes (consume, e2e). */
export function addTimeoutOption(cmd: Command): Command {
  return cmd.option('--timeout-ms <ms>', 'fail when no record arrives for this long', intArg(1, 86_400_000), 10_000);
}

/** The producer option value for --acks. */
export function acksValue(a: AcksName): -1 | 0 | 1 {
  return a === 'all' ? -1 : a === '1' ? 1 : 0;
}
