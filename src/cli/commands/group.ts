/**
 * `tributary group list|describe|seek|delete`: consumer groups as
 * kafka-consumer-groups shows them. describe prints the group's state,
 * protocol and members, then per partition the committed offset, log end
 * offset and lag; seek moves committed offsets (only while the group has
 * no members, as --reset-offsets).
 */
import { Command } from 'commander';
import type { GroupDescription, PartitionLag, TopicPartition } from '../../client/admin/index.ts';
import { ErrorCode, KafkaError } from '../../client/index.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { UsageError } from '../common/errors.ts';
import { emit, errorJson, pairs, table } from '../common/output.ts';
import { collect, type Position, positionArg } from '../common/parse.ts';
import { partitionsOf, resolvePositions } from '../common/positions.ts';
import { reportFailures, run, withSession } from '../common/run.ts';

interface ListFlags extends ConnectionFlags {
  state?: string[];
  type?: string[];
}

function listCommand(): Command {
  return withConnectionOptions(
    new Command('list')
      .alias('ls')
      .description('list consumer groups')
      .option('--state <state>', 'only groups in this state, e.g. Stable or Empty (repeatable)', collect)
      .option('--type <type>', 'only groups of this type: classic or consumer (repeatable)', collect),
  ).action(
    run(async (flags: ListFlags) =>
      withSession(flags, async (s) => {
        const groups = await s.admin.listGroups({ states: flags.state ?? [], types: flags.type ?? [] });
        emit(s.format, groups, (list) =>
          table(
            ['GROUP', 'STATE', 'TYPE', 'PROTOCOL-TYPE'],
            list.map((g) => [g.groupId, g.state, g.type, g.protocolType]),
          ),
        );
        return 0;
      }),
    ),
  );
}

function assignmentText(tps: TopicPartition[]): string {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([t, ps]) => `${t}[${ps.join(',')}]`).join(' ');
}

function describeText(g: GroupDescription, lag: PartitionLag[]): string {
  const total = lag.reduce((sum, r) => sum + (r.lag ?? 0n), 0n);
  const parts = [
    pairs([
      ['GROUP', g.groupId],
      ['STATE', g.state],
      ['TYPE', g.type],
      ['PROTOCOL-TYPE', g.protocolType],
      ['PROTOCOL', g.protocol],
      ['MEMBERS', g.members.length],
      ['TOTAL-LAG', total],
    ]),
  ];
  if (g.members.length > 0) {
    parts.push(
      table(
        ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'],
        g.members.map((m) => [m.memberId, m.clientId, m.clientHost, assignmentText(m.assignment)]),
      ),
    );
  }
  parts.push(
    table(
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      lag.map((r) => [r.topic, r.partition, r.committed, r.logEnd, r.lag, r.memberId, r.host, r.clientId]),
    ),
  );
  return parts.join('\n');
}

function describeCommand(): Command {
  return withConnectionOptions(
    new Command('describe')
      .description('show state, protocol, members, and per partition the committed offset, log end offset and lag')
      .argument('<groups...>', 'group ids'),
  ).action(
    run(async (ids: string[], flags: ConnectionFlags) =>
      withSession(flags, async (s) => {
        const groups = await s.admin.describeGroups(ids);
        const lags = await Promise.all(
          groups.map(async (g) => {
            try {
              return await s.admin.groupLag(g.groupId);
            } catch (err) {
              if (err instanceof KafkaError && err.code === ErrorCode.GROUP_ID_NOT_FOUND) {
                throw new KafkaError(err.code, `group ${g.groupId} does not exist`);
              }
              throw err;
            }
          }),
        );
        emit(
          s.format,
          groups.map((g, i) => ({
            ...g,
            totalLag: (lags[i] ?? []).reduce((sum, r) => sum + (r.lag ?? 0n), 0n),
            partitions: lags[i] ?? [],
          })),
          () => groups.map((g, i) => describeText(g, lags[i] ?? [])).join('\n'),
        );
        return 0;
      }),
    ),
  );
}

interface SeekFlags extends ConnectionFlags {
  to: Position;
  topic?: string[];
  dryRun?: boolean;
}

function seekCommand(): Command {
  return withConnectionOptions(
    new Command('seek')
      .description(
        "move a group's committed offsets (only while the group has no members, as kafka-consumer-groups --reset-offsets)",
      )
      .argument('<group>', 'group id')
      .requiredOption(
        '--to <position>',
        'beginning|earliest, end|latest, OFFSET (clamped to the partition), -N (N before the end), @TIMESTAMP (ms)',
        positionArg,
      )
      .option(
        '-t, --topic <topic>',
        'only this topic, all its partitions (repeatable; default: the topics the group has offsets for)',
        collect,
      )
      .option('--dry-run', 'show the new offsets without committing them'),
  ).action(
    run(async (groupId: string, flags: SeekFlags) =>
      withSession(flags, async (s) => {
        const committed = await s.admin.fetchOffsets(groupId);
        let tps: TopicPartition[];
        if (flags.topic && flags.topic.length > 0) {
          tps = await partitionsOf(s.admin, flags.topic);
        } else {
          tps = committed.map(({ topic, partition }) => ({ topic, partition }));
          if (tps.length === 0) {
            throw new UsageError(`group ${groupId} has no committed offsets; name the topics to seek with --topic`);
          }
        }
        const targets = await resolvePositions(s.admin, tps, flags.to);
        if (!flags.dryRun) await s.admin.alterGroupOffsets(groupId, targets);
        const old = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
        const rows = targets.map((t) => ({
          topic: t.topic,
          partition: t.partition,
          previous: old.get(`${t.topic}\u0000${t.partition}`) ?? null,
          offset: t.offset,
        }));
        emit(s.format, rows, (list) =>
          table(
            ['TOPIC', 'PARTITION', 'OLD-OFFSET', 'NEW-OFFSET'],
            list.map((r) => [r.topic, r.partition, r.previous, r.offset]),
          ),
        );
        return 0;
      }),
    ),
  );
}

function deleteCommand(): Command {
  return withConnectionOptions(
    new Command('delete')
      .alias('rm')
      .description('delete groups and their committed offsets (only groups without members)')
      .argument('<groups...>', 'group ids'),
  ).action(
    run(async (ids: string[], flags: ConnectionFlags) =>
      withSession(flags, async (s) => {
        const results = await s.admin.deleteGroups(ids);
        emit(
          s.format,
          results.map((r) => ({
            groupId: r.groupId,
            error: errorJson(r.error),
          })),
          () => {
            const ok = results.filter((r) => !r.error);
            return ok.length === 0
              ? ''
              : table(
                  ['GROUP', 'STATUS'],
                  ok.map((r) => [r.groupId, 'deleted']),
                );
          },
        );
        return reportFailures(results);
      }),
    ),
  );
}

/** Builds the `group` subcommand. */
export function groupCommand(): Command {
  return new Command('group')
    .description('list, describe, seek and delete consumer groups')
    .addCommand(listCommand())
    .addCommand(describeCommand())
    .addCommand(seekCommand())
    .addCommand(deleteCommand());
}
