/**
 * `tributary` command line: one file per subcommand under commands/.
 */
import { Command } from 'commander';
import { protocolCommand } from './commands/protocol.ts';
import { startCommand } from './commands/start.ts';
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

await program.parseAsync(process.argv);
