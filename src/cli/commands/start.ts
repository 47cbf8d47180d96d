/**
 * `tributary start`: runs the platform until SIGINT/SIGTERM.
 */
import { Command } from 'commander';
import { resolveConfig, type StartFlags, startPlatform } from '../../server/index.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Builds the `start` subcommand. */
export function startCommand(): Command {
  return new Command('start')
    .description(
      'start the platform (Kafka broker on 127.0.0.1:9092, schema registry on 8081, platform API on 8080, data in ./data)',
    )
    .option('--data-dir <dir>', 'data directory (env TRIBUTARY_DATA_DIR)')
    .option('--host <addr>', 'address to bind (env TRIBUTARY_HOST)')
    .option('--advertised-host <host>', 'host clients are told to connect to (env TRIBUTARY_ADVERTISED_HOST)')
    .option('--kafka-port <n>', 'Kafka protocol port, 0 = any free port (env TRIBUTARY_KAFKA_PORT)')
    .option(
      '--registry-port <n>',
      'schema registry port, 0 = any free port (default 8081, or any when --kafka-port is 0; env TRIBUTARY_REGISTRY_PORT)',
    )
    .option('--no-registry', 'do not start the schema registry')
    .option(
      '--api-port <n>',
      'platform API port (SQL statements), 0 = any free port (default 8080, or any when --kafka-port is 0; env TRIBUTARY_API_PORT)',
    )
    .option('--no-api', 'do not start the platform API')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env TRIBUTARY_LOG_LEVEL)')
    .option('--config <file>', 'config file, .json or .properties (env TRIBUTARY_CONFIG)')
    .option('--broker-config <key=value>', 'a broker config by its Kafka name (repeatable)', collect)
    .option(
      '--listener <NAME://host:port>',
      'a listener: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL or a mapped name (repeatable; replaces --host/--kafka-port; env TRIBUTARY_LISTENERS)',
      collect,
    )
    .option('--advertised-listener <NAME://host:port>', 'address clients are told for a listener (repeatable)', collect)
    .option('--listener-security-protocol-map <NAME:PROTOCOL,...>', 'security protocols of custom listener names')
    .option('--tls-cert <file>', 'PEM certificate (chain) of SSL/SASL_SSL listeners (env TRIBUTARY_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env TRIBUTARY_TLS_KEY)')
    .option('--tls-ca <file>', 'PEM CA certificates that client certificates must chain to (env TRIBUTARY_TLS_CA)')
    .option('--tls-client-auth <mode>', 'required|requested|none: client certificates on SSL listeners (default none)')
    .option(
      '--admin-user <name>',
      'create or update this SCRAM user at start and make it a super user (env TRIBUTARY_ADMIN_USER)',
    )
    .option('--admin-password-file <file>', "the admin user's password (env TRIBUTARY_ADMIN_PASSWORD)")
    .action(async (flags: StartFlags) => {
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
