/**
 * `tributary protocol apis`: the Kafka API keys and versions in the message
 * definitions the codec was generated from.
 */
import { Command } from 'commander';
import { API_DEFINITIONS } from '../../protocol/index.ts';

/** Builds the `protocol` subcommand. */
export function protocolCommand(): Command {
  const cmd = new Command('protocol').description('inspect the Kafka protocol definitions');
  cmd
    .command('apis')
    .description('list every API key with its version range and first flexible version')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = API_DEFINITIONS.map((a) => ({
        key: a.key,
        name: a.name,
        versions: `${a.minVersion}-${a.maxVersion}`,
        flexibleFrom: a.flexibleMin < 0 ? null : a.flexibleMin,
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        const flex = r.flexibleFrom === null ? '-' : `${r.flexibleFrom}+`;
        process.stdout.write(
          `${String(r.key).padStart(3)}  ${r.name.padEnd(34)} ${r.versions.padEnd(6)} flexible ${flex}\n`,
        );
      }
    });
  return cmd;
}
