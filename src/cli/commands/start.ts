/**
 * `tributary start`: runs the platform until SIGINT/SIGTERM.
 */
import { Command } from 'commander';
import { type ConfigFlags, resolveConfig, startPlatform } from '../../server/index.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Builds the `start` subcommand. */
export function startCommand(): Command {
  return new Command('start')
    .description('start the platform (Kafka broker on 127.0.0.1:9092, data in ./data)')
    .option('--data-dir <dir>', 'data directory (env TRIBUTARY_DATA_DIR)')
    .option('--host <addr>', 'address to bind (env TRIBUTARY_HOST)')
    .option('--advertised-host <host>', 'host clients are told to connect to (env TRIBUTARY_ADVERTISED_HOST)')
    .option('--kafka-port <n>', 'Kafka protocol port, 0 = any free port (env TRIBUTARY_KAFKA_PORT)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env TRIBUTARY_LOG_LEVEL)')
    .option('--config <file>', 'config file, .json or .properties (env TRIBUTARY_CONFIG)')
    .option('--broker-config <key=value>', 'a broker config by its Kafka name (repeatable)', collect)
    .action(async (flags: ConfigFlags) => {
      let cfg: ReturnType<typeof resolveConfig>;
      try {
        cfg = resolveConfig(flags);
      } catch (err) {
        process.stderr.write(`tributary start: ${(err as Error).message}\n`);
        process.exit(2);
      }
      // Signal handlers go in before anything is printed: a supervisor may
      // send SIGTERM as soon as it reads the endpoint line.
      let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`received ${signal}, stopping\n`);
        if (!platform) return; // still starting: stops right after startup
        platform.close().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      try {
        platform = await startPlatform(cfg);
      } catch (err) {
        process.stderr.write(`tributary start: ${(err as Error).message}\n`);
        process.exit(1);
      }
      for (const line of platform.endpoints) process.stdout.write(`${line}\n`);
      if (stopping) {
        stopping = false;
        stop('a signal during startup');
      }
    });
}
