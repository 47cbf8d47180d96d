/**
 * `tributary user create|list|delete`: SCRAM users through
 * AlterUserScramCredentials and DescribeUserScramCredentials (KIP-554).
 *
 * The new user's password is salted on this side (the broker never sees it)
 * and set for SCRAM-SHA-256 and SCRAM-SHA-512 (or the --scram-mechanism
 * given), one request per mechanism since Kafka alters a user once per
 * request. Its flags are --new-password / --new-password-file ("-" reads
 * stdin) because --password and --mechanism are the connection's own (the
 * caller authenticates with them).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ScramMechanism } from '../../client/admin/scram.ts';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { CliError, UsageError } from '../common/errors.ts';
import { emit, errorJson, table } from '../common/output.ts';
import { reportFailures, run, withSession } from '../common/run.ts';

const SCRAM: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 16384;

function mechanismOption(): Option {
  return new Option(
    '--scram-mechanism <name>',
    'only SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default both)',
  ).argParser((v: string, prev: ScramMechanism[] = []) => {
    const m = v.toUpperCase() as ScramMechanism;
    if (!SCRAM.includes(m)) throw new UsageError(`--scram-mechanism must be ${SCRAM.join(' or ')}, not "${v}"`);
    return [...prev, m];
  });
}

interface CreateFlags extends ConnectionFlags {
  newPassword?: string;
  newPasswordFile?: string;
  scramMechanism?: ScramMechanism[];
  iterations: string;
}

function newPassword(flags: CreateFlags): string {
  if (flags.newPassword !== undefined && flags.newPasswordFile !== undefined) {
    throw new UsageError('give --new-password or --new-password-file, not both');
  }
  let password = flags.newPassword;
  if (flags.newPasswordFile !== undefined) {
    try {
      password = readFileSync(flags.newPasswordFile === '-' ? 0 : flags.newPasswordFile, 'utf8').replace(
        /[\r\n]+$/,
        '',
      );
    } catch (err) {
      throw new UsageError(`cannot read ${flags.newPasswordFile} (${(err as Error).message})`);
    }
  }
  if (password === undefined)
    throw new UsageError('give the new password: --new-password-file FILE or --new-password P');
  if (password === '') throw new UsageError('the new password is empty');
  return password;
}

function createCommand(): Command {
  return withConnectionOptions(
    new Command('create')
      .description('create a SCRAM user, or set its password')
      .argument('<name>', 'user name')
      .option('--new-password <password>', "the user's password")
      .option('--new-password-file <file>', "read the user's password from a file ('-' for stdin)")
      .addOption(mechanismOption())
      .option('--iterations <n>', `PBKDF2 iterations, ${MIN_ITERATIONS}-${MAX_ITERATIONS}`, '8192'),
  ).action(
    run(async (name: string, flags: CreateFlags) => {
      const password = newPassword(flags);
      const iterations = Number(flags.iterations);
      if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new UsageError(`--iterations must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`);
      }
      const mechanisms = flags.scramMechanism ?? [...SCRAM];
      return withSession(flags, async (s) => {
        const results = [];
        for (const mechanism of mechanisms) {
          const [r] = await s.admin.alterScramUsers({ upsertions: [{ user: name, mechanism, password, iterations }] });
          if (r) results.push({ ...r, mechanism });
        }
        const ok = results.filter((r) => !r.error);
        emit(
          s.format,
          results.map((r) => ({
            user: r.user,
            mechanism: r.mechanism,
            iterations,
            error: errorJson(r.error),
          })),
          () =>
            ok.length === 0
              ? ''
              : table(
                  ['USER', 'MECHANISM', 'ITERATIONS', 'STATUS'],
                  ok.map((r) => [r.user, r.mechanism, iterations, 'set']),
                ),
        );
        return reportFailures(results);
      });
    }),
  );
}

function listCommand(): Command {
  return withConnectionOptions(
    new Command('list').alias('ls').description('list SCRAM users and their mechanisms'),
  ).action(
    run(async (flags: ConnectionFlags) =>
      withSession(flags, async (s) => {
        const users = (await s.admin.describeScramUsers()).sort((a, b) => a.user.localeCompare(b.user));
        emit(
          s.format,
          users.map((u) => ({ user: u.user, credentials: u.credentials })),
          (list) =>
            table(
              ['USER', 'MECHANISMS'],
              list.map((u) => [u.user, u.credentials.map((c) => `${c.mechanism} (${c.iterations})`).join(', ')]),
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
      .description("delete a SCRAM user's credentials (all of them by default)")
      .argument('<name>', 'user name')
      .addOption(mechanismOption()),
  ).action(
    run(async (name: string, flags: ConnectionFlags & { scramMechanism?: ScramMechanism[] }) =>
      withSession(flags, async (s) => {
        const [found] = await s.admin.describeScramUsers([name]);
        if (!found || found.error)
          throw new CliError(`user ${name} has no SCRAM credentials; see 'tributary user list'`);
        const have = found.credentials.map((c) => c.mechanism).filter((m): m is ScramMechanism => m !== 'UNKNOWN');
        const mechanisms = flags.scramMechanism ?? have;
        const results = [];
        for (const mechanism of mechanisms) {
          const [r] = await s.admin.alterScramUsers({ deletions: [{ user: name, mechanism }] });
          if (r) results.push({ ...r, mechanism });
        }
        emit(
          s.format,
          results.map((r) => ({
            user: r.user,
            mechanism: r.mechanism,
            error: errorJson(r.error),
          })),
          (list) =>
            table(
              ['USER', 'MECHANISM', 'STATUS'],
              list.filter((r) => !r.error).map((r) => [r.user, r.mechanism, 'deleted']),
            ),
        );
        return reportFailures(results);
      }),
    ),
  );
}

/** Builds the `user` subcommand. */
export function userCommand(): Command {
  return new Command('user')
    .description('manage SCRAM users (SASL/SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN logins)')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(deleteCommand());
}
