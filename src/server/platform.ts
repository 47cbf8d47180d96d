/**
 * The all-in-one process: starts every component on its port and stops them
 * in reverse order.
 */
import { resolve } from 'node:path';
import { destination, type Logger, pino } from 'pino';
import { Broker } from '../broker/index.ts';
import { type RunningRegistry, startRegistry } from '../registry/index.ts';
import { checkRecord, RegistrySchemaSource } from '../serde/index.ts';
import { StatementService } from '../sql/service/index.ts';
import { type RunningApi, startApi } from './api.ts';
import type { PlatformConfig } from './config.ts';

/** A running platform. */
export interface Platform {
  broker: Broker;
  /** The schema registry; null when off (--no-registry, or custom listeners: see startPlatform). */
  registry: RunningRegistry | null;
  /** The platform API (`/api/v1/...`); null when off (--no-api, or custom listeners). */
  api: RunningApi | null;
  /** SQL statements as jobs (state in `_sql-statements`); null when the API is off. */
  statements: StatementService | null;
  /** One line per endpoint, e.g. `kafka 127.0.0.1:9092`. */
  endpoints: string[];
  close(): Promise<void>;
}

/**
 * Starts the platform: the broker, then the schema registry and the platform
 * API (SQL statements) on it. Both talk to the broker over the plain
 * listener; with custom listeners (--listener, SASL/TLS) they are not
 * started yet.
 */
export async function startPlatform(cfg: PlatformConfig, logger?: Logger): Promise<Platform> {
  const log = logger ?? pino({ level: cfg.logLevel }, destination(2));
  const broker = await Broker.start({
    dataDir: resolve(cfg.dataDir),
    host: cfg.host,
    port: cfg.kafkaPort,
    advertisedHost: cfg.advertisedHost,
    configs: cfg.broker,
    logger: log,
    ...cfg.security,
  });
  let registry: RunningRegistry | null = null;
  if (cfg.registryPort !== false && !cfg.security?.listeners) {
    try {
      registry = await startRegistry({
        bootstrapServers: `${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${broker.port}`,
        host: cfg.host,
        port: cfg.registryPort ?? (cfg.kafkaPort === 0 ? 0 : 8081),
        logger: log,
      });
    } catch (err) {
      await broker.close();
      throw new Error(`schema registry: ${(err as Error).message}`);
    }
    // schema validation of produced records reads the in-process registry's state
    const source = new RegistrySchemaSource(registry.registry);
    broker.setRecordValidator((check) => checkRecord(source, check));
  } else if (cfg.registryPort !== false) {
    log.warn('schema registry not started: it does not connect through custom listeners yet');
  }
  let statements: StatementService | null = null;
  let api: RunningApi | null = null;
  if (cfg.apiPort !== false && !cfg.security?.listeners) {
    try {
      statements = await StatementService.start({
        bootstrapServers: `${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${broker.port}`,
        logger: log,
      });
      api = await startApi({
        statements,
        host: cfg.host,
        port: cfg.apiPort ?? (cfg.kafkaPort === 0 ? 0 : 8080),
        logger: log,
      });
    } catch (err) {
      await statements?.close();
      broker.setRecordValidator(null);
      await registry?.close();
      await broker.close();
      throw new Error(`platform api: ${(err as Error).message}`);
    }
  } else if (cfg.apiPort !== false) {
    log.warn('platform api not started: it does not connect through custom listeners yet');
  }
  const kafka = cfg.security?.listeners
    ? broker.listeners.map((l) => {
        const e = broker.endpointFor(l.name);
        const bound = `${l.host || '*'}:${broker.listenerPort(l.name)}`;
        return `kafka ${e.host}:${e.port} (listener ${l.name}, ${l.securityProtocol}, listening on ${bound})`;
      })
    : [`kafka ${broker.advertisedHost}:${broker.port} (listening on ${cfg.host}:${broker.port})`];
  return {
    broker,
    registry,
    api,
    statements,
    endpoints: [...kafka, ...(registry ? [`registry ${registry.url}`] : []), ...(api ? [`api ${api.url}`] : [])],
    close: async () => {
      await api?.close();
      await statements?.close();
      broker.setRecordValidator(null);
      await registry?.close();
      await broker.close();
    },
  };
}
