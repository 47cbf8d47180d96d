/**
 * The all-in-one process: starts every component on its port and stops them
 * in reverse order.
 */
import { resolve } from 'node:path';
import { destination, type Logger, pino } from 'pino';
import { Broker } from '../broker/index.ts';
import type { PlatformConfig } from './config.ts';

/** A running platform. */
export interface Platform {
  broker: Broker;
  /** One line per endpoint, e.g. `kafka 127.0.0.1:9092`. */
  endpoints: string[];
  close(): Promise<void>;
}

/** Starts the platform. */
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
  return {
    broker,
    endpoints: cfg.security?.listeners
      ? broker.listeners.map((l) => {
          const e = broker.endpointFor(l.name);
          const bound = `${l.host || '*'}:${broker.listenerPort(l.name)}`;
          return `kafka ${e.host}:${e.port} (listener ${l.name}, ${l.securityProtocol}, listening on ${bound})`;
        })
      : [`kafka ${broker.advertisedHost}:${broker.port} (listening on ${cfg.host}:${broker.port})`],
    close: () => broker.close(),
  };
}
