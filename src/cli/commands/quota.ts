/**
 * `tributary quota describe|alter`: client quotas, as kafka-configs
 * (--entity-type users/clients) and rpk cluster quotas manage them.
 *
 *   tributary quota alter --client-id app-1 --add producer_byte_rate=1048576
 *   tributary quota alter --user alice --default-client --add request_percentage=50 --delete consumer_byte_rate
 *   tributary quota describe [--user alice|--default-user] [--client-id ID|--default-client] [--strict]
 *
 * An entity is a user, a client id, or both (or an ip); `--default-user` and
 * `--default-client` name the default entity (`<default>`). describe without
 * entity flags lists every quota; with some, the entities that match them
 * (and others too unless --strict). Values are numbers: bytes per second for
 * producer_byte_rate and consumer_byte_rate, percent of one thread for
 * request_percentage.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { QuotaEntity, QuotaFilterComponent } from '../../client/admin/index.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { UsageError } from '../common/errors.ts';
import { emit, errorJson, table } from '../common/output.ts';
import { reportFailures, run, withSession } from '../common/run.ts';

interface EntityFlags extends ConnectionFlags {
  user?: string;
  defaultUser?: boolean;
  clientId?: string;
  defaultClient?: boolean;
  ip?: string;
  defaultIp?: boolean;
}

interface DescribeFlags extends EntityFlags {
  strict?: boolean;
}

interface AlterFlags extends EntityFlags {
  add?: Array<[string, number]>;
  delete?: string[];
  dryRun?: boolean;
}

const DEFAULT = '<default>';

function withEntityOptions(cmd: Command): Command {
  return cmd
    .option('--user <name>', 'the user (principal name without "User:")')
    .option('--default-user', 'the default user entity (<default>)')
    .option('--client-id <id>', 'the client id')
    .option('--default-client', 'the default client-id entity (<default>)')
    .option('--ip <address>', 'an IP address (connection_creation_rate only)')
    .option('--default-ip', 'the default ip entity (<default>)');
}

/** The entity the flags name: type → name, null for a default; empty when none is named. */
function entityOf(flags: EntityFlags): QuotaEntity {
  const entity: QuotaEntity = {};
  const pick = (type: string, name: string | undefined, dflt: boolean | undefined, flag: string, df: string): void => {
    if (name !== undefined && dflt) throw new UsageError(`give --${flag} or --${df}, not both`);
    if (name !== undefined) {
      if (name === '') throw new UsageError(`--${flag} needs a name`);
      entity[type] = name;
    } else if (dflt) entity[type] = null;
  };
  pick('user', flags.user, flags.defaultUser, 'user', 'default-user');
  pick('client-id', flags.clientId, flags.defaultClient, 'client-id', 'default-client');
  pick('ip', flags.ip, flags.defaultIp, 'ip', 'default-ip');
  return entity;
}

function quotaValue(value: string, previous: Array<[string, number]> = []): Array<[string, number]> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  const v = Number(value.slice(eq + 1));
  if (value.slice(eq + 1).trim() === '' || !Number.isFinite(v)) {
    throw new InvalidArgumentError(`the value of ${value.slice(0, eq)} must be a number, got "${value.slice(eq + 1)}"`);
  }
  return [...previous, [value.slice(0, eq), v]];
}

const nameText = (entity: QuotaEntity, type: string): string | undefined =>
  type in entity ? (entity[type] ?? DEFAULT) : undefined;

function describeCommand(): Command {
  return withConnectionOptions(
    withEntityOptions(
      new Command('describe')
        .alias('list')
        .description('show client quotas: every one, or those of the entities named')
        .option('--strict', 'only entities of exactly the types named'),
    ),
  ).action(
    run(async (flags: DescribeFlags) =>
      withSession(flags, async (s) => {
        const components: QuotaFilterComponent[] = Object.entries(entityOf(flags)).map(([entityType, match]) => ({
          entityType,
          match,
        }));
        const entries = await s.admin.describeClientQuotas(components, { strict: flags.strict ?? false });
        entries.sort((a, b) => JSON.stringify(a.entity).localeCompare(JSON.stringify(b.entity)));
        emit(s.format, entries, (list) =>
          table(
            ['USER', 'CLIENT-ID', 'IP', 'KEY', 'VALUE'],
            list.flatMap((e) =>
              Object.entries(e.values)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([key, value]) => [
                  nameText(e.entity, 'user'),
                  nameText(e.entity, 'client-id'),
                  nameText(e.entity, 'ip'),
                  key,
                  value,
                ]),
            ),
          ),
        );
        return 0;
      }),
    ),
  );
}

function alterCommand(): Command {
  return withConnectionOptions(
    withEntityOptions(
      new Command('alter')
        .description("set (--add) or remove (--delete) an entity's quotas")
        .option(
          '--add <key=value>',
          'set a quota: producer_byte_rate, consumer_byte_rate (bytes/s), request_percentage, controller_mutation_rate (repeatable)',
          quotaValue,
        )
        .option('--delete <key>', 'remove a quota (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
        .option('--dry-run', 'validate on the broker without applying'),
    ),
  ).action(
    run(async (flags: AlterFlags) => {
      const entity = entityOf(flags);
      if (Object.keys(entity).length === 0) {
        throw new UsageError('name an entity: --user/--default-user, --client-id/--default-client or --ip');
      }
      const ops = [
        ...(flags.add ?? []).map(([key, value]) => ({ key, value })),
        ...(flags.delete ?? []).map((key) => ({ key, remove: true })),
      ];
      if (ops.length === 0) throw new UsageError('give at least one --add key=value or --delete key');
      return withSession(flags, async (s) => {
        const results = await s.admin.alterClientQuotas([{ entity, ops }], { validateOnly: flags.dryRun ?? false });
        emit(
          s.format,
          results.map((r) => ({
            entity: r.entity,
            error: errorJson(r.error),
          })),
          () => {
            const ok = results.filter((r) => !r.error);
            return ok.length === 0
              ? ''
              : table(
                  ['USER', 'CLIENT-ID', 'IP', 'STATUS'],
                  ok.map((r) => [
                    nameText(r.entity, 'user'),
                    nameText(r.entity, 'client-id'),
                    nameText(r.entity, 'ip'),
                    flags.dryRun ? 'valid' : 'altered',
                  ]),
                );
          },
        );
        return reportFailures(results);
      });
    }),
  );
}

/** Builds the `quota` subcommand. */
export function quotaCommand(): Command {
  return new Command('quota')
    .description('describe and alter client quotas (produce/fetch byte rates, request percentage)')
    .addCommand(describeCommand())
    .addCommand(alterCommand());
}
