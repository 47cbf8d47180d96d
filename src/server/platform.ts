/**
 * The all-in-one process: starts every component on its port and stops them
 * in reverse order.
 */
import { resolve } from 'node:path';
import { destination, type Logger, pino } from 'pino';
import { Broker } from '../broker/index.ts';
import { type RunningRegistry, startRegistry } from '../registry/index.ts';
import { checkRecord, RegistrySchemaSource } from '../serde/index.ts';
import type { PlatformConfig } from './config.ts';

/** A running platform. */
export interface Platform {
  broker: Broker;
  /** The schema registry; null when off (--no-registry, or custom listeners: see startPlatform). */
  registry: RunningRegistry | null;
  /** One line per endpoint, e.g. `kafka 127.0.0.1:9092`. */
  endpoints: string[];
  close(): Promise<void>;
}

/**
 * Starts the platform: the broker, then the schema registry on it. The
 * registry talks to the broker over the plain listener; with custom
 * listeners (--listener, SASL/TLS) it is not started yet.
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
    endpoints: registry ? [...kafka, `registry ${registry.url}`] : kafka,
    close: async () => {
      broker.setRecordValidator(null);
      await registry?.close();
      await broker.close();
    },
  };
}
