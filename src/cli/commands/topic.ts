/**
 * `tributary topic create|list|describe|delete|alter-config|produce|consume`.
 * produce and consume live in topic-produce.ts and topic-consume.ts.
 */
import { Command } from 'commander';
import type { ConfigEntry, TopicDescription } from '../../client/admin/index.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { UsageError } from '../common/errors.ts';
import { type Cell, emit, errorJson, pairs, table } from '../common/output.ts';
import { collect, intArg, keyValue } from '../common/parse.ts';
import { reportFailures, run, withSession } from '../common/run.ts';
import { consumeCommand } from './topic-consume.ts';
import { produceCommand } from './topic-produce.ts';

interface CreateFlags extends ConnectionFlags {
  partitions?: number;
  replicas?: number;
  config?: Array<[string, string]>;
  dryRun?: boolean;
}

function createCommand(): Command {
  return withConnectionOptions(
    new Command('create')
      .description('create topics')
      .argument('<topics...>', 'topic names')
      .option('-p, --partitions <n>', 'partitions (default: the broker num.partitions)', intArg(1))
      .option('-r, --replicas <n>', 'replication factor (default: the broker default.replication.factor)', intArg(1))
      .option('-c, --config <key=value>', 'a topic config, e.g. cleanup.policy=compact (repeatable)', keyValue)
      .option('--dry-run', 'validate only; create nothing'),
  ).action(
    run(async (names: string[], flags: CreateFlags) =>
      withSession(flags, async (s) => {
        const configs = Object.fromEntries(flags.config ?? []);
        const results = await s.admin.createTopics(
          names.map((name) => ({
            name,
            ...(flags.partitions !== undefined && { numPartitions: flags.partitions }),
            ...(flags.replicas !== undefined && { replicationFactor: flags.replicas }),
            configs,
          })),
          { validateOnly: flags.dryRun === true },
        );
        const ok = results.filter((r) => !r.error);
        emit(
          s.format,
          results.map((r) => ({
            name: r.name,
            topicId: r.topicId,
            partitions: r.numPartitions,
            replicationFactor: r.replicationFactor,
            error: errorJson(r.error),
          })),
          () =>
            ok.length === 0
              ? ''
              : table(
                  ['TOPIC', 'PARTITIONS', 'REPLICAS', 'STATUS'],
                  ok.map((r) => [r.name, r.numPartitions, r.replicationFactor, flags.dryRun ? 'valid' : 'created']),
                ),
        );
        return reportFailures(results);
      }),
    ),
  );
}

interface ListFlags extends ConnectionFlags {
  internal?: boolean;
}

function listCommand(): Command {
  return withConnectionOptions(
    new Command('list')
      .alias('ls')
      .description('list topics')
      .option('-i, --internal', 'include internal topics (__consumer_offsets, __transaction_state)'),
  ).action(
    run(async (flags: ListFlags) =>
      withSession(flags, async (s) => {
        const topics = await s.admin.listTopics({ includeInternal: flags.internal === true });
        emit(s.format, topics, (list) =>
          table(
            ['NAME', 'PARTITIONS', 'REPLICAS'],
            list.map((t) => [t.name, t.partitions, t.replicationFactor]),
          ),
        );
        return 0;
      }),
    ),
  );
}

interface DescribeFlags extends ConnectionFlags {
  configs?: boolean;
}

function configRows(configs: ConfigEntry[]): Cell[][] {
  return configs.map((c) => [c.name, c.sensitive ? '(sensitive)' : c.value, c.source]);
}

function describeText(
  t: TopicDescription & { offsets: Array<{ logStartOffset: bigint; logEndOffset: bigint }> },
): string {
  const parts = [
    pairs([
      ['NAME', t.name],
      ['ID', t.topicId],
      ['PARTITIONS', t.partitions.length],
      ['REPLICAS', t.partitions[0]?.replicas.length ?? 0],
      ['INTERNAL', t.isInternal ? 'yes' : 'no'],
    ]),
    table(
      ['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'LOG-START', 'LOG-END'],
      t.partitions.map((p, i) => [
        p.partition,
        p.leader,
        p.leaderEpoch,
        p.replicas.join(','),
        p.isr.join(','),
        t.offsets[i]?.logStartOffset,
        t.offsets[i]?.logEndOffset,
      ]),
    ),
  ];
  if (t.configs) parts.push(table(['CONFIG', 'VALUE', 'SOURCE'], configRows(t.configs)));
  return parts.join('\n');
}

function describeCommand(): Command {
  return withConnectionOptions(
    new Command('describe')
      .description('show partitions (leader, replicas, ISR, log start and end offsets) and, with --configs, configs')
      .argument('<topics...>', 'topic names')
      .option('--configs', 'also list every config with its value and source'),
  ).action(
    run(async (names: string[], flags: DescribeFlags) =>
      withSession(flags, async (s) => {
        const described = await s.admin.describeTopics(names, { includeConfigs: flags.configs === true });
        const tps = described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
        const [starts, ends] = await Promise.all([
          s.admin.listOffsets(tps.map((tp) => ({ ...tp, at: 'earliest' }))),
          s.admin.listOffsets(tps.map((tp) => ({ ...tp, at: 'latest' }))),
        ]);
        let i = 0;
        const data = described.map((t) => {
          const offsets = t.partitions.map(() => {
            const o = { logStartOffset: starts[i]?.offset ?? -1n, logEndOffset: ends[i]?.offset ?? -1n };
            i++;
            return o;
          });
          return { ...t, offsets };
        });
        emit(
          s.format,
          data.map((t) => ({
            name: t.name,
            topicId: t.topicId,
            isInternal: t.isInternal,
            partitions: t.partitions.map((p, j) => ({ ...p, ...t.offsets[j] })),
            ...(t.configs && { configs: t.configs }),
          })),
          (list) => list.map((_, j) => describeText(data[j] as (typeof data)[number])).join('\n'),
        );
        return 0;
      }),
    ),
  );
}

function deleteCommand(): Command {
  return withConnectionOptions(
    new Command('delete').alias('rm').description('delete topics').argument('<topics...>', 'topic names'),
  ).action(
    run(async (names: string[], flags: ConnectionFlags) =>
      withSession(flags, async (s) => {
        const results = await s.admin.deleteTopics(names);
        emit(
          s.format,
          results.map((r) => ({
            name: r.name,
            error: errorJson(r.error),
          })),
          () => {
            const ok = results.filter((r) => !r.error);
            return ok.length === 0
              ? ''
              : table(
                  ['TOPIC', 'STATUS'],
                  ok.map((r) => [r.name, 'deleted']),
                );
          },
        );
        return reportFailures(results);
      }),
    ),
  );
}

interface AlterFlags extends ConnectionFlags {
  set?: Array<[string, string]>;
  delete?: string[];
  append?: Array<[string, string]>;
  subtract?: Array<[string, string]>;
  dryRun?: boolean;
}

function alterConfigCommand(): Command {
  return withConnectionOptions(
    new Command('alter-config')
      .description('change topic configs (incrementally: other configs keep their values)')
      .argument('<topics...>', 'topic names')
      .option('-s, --set <key=value>', 'set a config (repeatable)', keyValue)
      .option('-d, --delete <key>', 'remove an override: back to the default (repeatable)', collect)
      .option('--append <key=value>', 'add a value to a list config (repeatable)', keyValue)
      .option('--subtract <key=value>', 'remove a value from a list config (repeatable)', keyValue)
      .option('--dry-run', 'validate only; change nothing'),
  ).action(
    run(async (names: string[], flags: AlterFlags) => {
      const ops = [
        ...(flags.set ?? []).map(([name, value]) => ({ name, op: 'set' as const, value })),
        ...(flags.delete ?? []).map((name) => ({ name, op: 'delete' as const, value: null })),
        ...(flags.append ?? []).map(([name, value]) => ({ name, op: 'append' as const, value })),
        ...(flags.subtract ?? []).map(([name, value]) => ({ name, op: 'subtract' as const, value })),
      ];
      if (ops.length === 0) throw new UsageError('nothing to change: pass --set key=value or --delete key');
      return withSession(flags, async (s) => {
        const results = await s.admin.incrementalAlterConfigs(
          names.map((name) => ({ type: 'topic', name, ops })),
          { validateOnly: flags.dryRun === true },
        );
        const ok = results.filter((r) => !r.error);
        emit(
          s.format,
          results.map((r) => ({
            topic: r.name,
            changes: ops,
            error: errorJson(r.error),
          })),
          () =>
            ok.length === 0
              ? ''
              : table(
                  ['TOPIC', 'CONFIG', 'OPERATION', 'VALUE'],
                  ok.flatMap((r) => ops.map((o) => [r.name, o.name, o.op, o.value])),
                ),
        );
        return reportFailures(results);
      });
    }),
  );
}

/** Builds the `topic` subcommand. */
export function topicCommand(): Command {
  return new Command('topic')
    .description('create, list, describe, delete, configure, produce to and consume from topics')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(describeCommand())
    .addCommand(deleteCommand())
    .addCommand(alterConfigCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand());
}
