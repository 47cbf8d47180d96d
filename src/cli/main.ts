/**
 * `tributary` command line: one file per subcommand under commands/, shared
 * pieces (connection options, output, errors, progress) under common/.
 *
 * Exit codes: 0 success, 1 a Kafka or operation error, 2 a usage error.
 * Usage errors print as one line naming the command's --help.
 */
import { Command, CommanderError } from 'commander';
import { aclCommand } from './commands/acl.ts';
import { benchCommand } from './commands/bench.ts';
import { certCommand } from './commands/cert.ts';
import { clusterCommand } from './commands/cluster.ts';
import { groupCommand } from './commands/group.ts';
import { protocolCommand } from './commands/protocol.ts';
import { quotaCommand } from './commands/quota.ts';
import { schemaCommand } from './commands/schema.ts';
import { sqlCommand } from './commands/sql.ts';
import { startCommand } from './commands/start.ts';
import { topicCommand } from './commands/topic.ts';
import { userCommand } from './commands/user.ts';
import { EXIT_OK, EXIT_USAGE, exit } from './common/errors.ts';
import { version } from './version.ts';

// `tributary ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command()
  .name('tributary')
  .description('Tributary: a real-time data streaming platform with a Kafka-compatible broker')
  .version(version(), '-V, --version');

program.addCommand(startCommand());
program.addCommand(protocolCommand());
program.addCommand(clusterCommand());
program.addCommand(topicCommand());
program.addCommand(groupCommand());
program.addCommand(schemaCommand());
program.addCommand(sqlCommand());
program.addCommand(aclCommand());
program.addCommand(quotaCommand());
program.addCommand(userCommand());
program.addCommand(certCommand());
program.addCommand(benchCommand());

/** The command's full name, e.g. "tributary topic create". */
function path(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Usage errors on one line with a pointer to --help; commander throws instead of exiting. */
function configure(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (str, write) => write(`${str.trim().replace(/\s*\n\s*/g, ' ')} (see '${path(cmd)} --help')\n`),
  });
  for (const sub of cmd.commands) configure(sub);
}
configure(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // --help, `help CMD` and --version end with exit code 0; a command group run
  // without a subcommand prints its help with 1, which is a usage error here.
  await exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
}
