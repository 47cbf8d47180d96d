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
  });
  return {
    broker,
    endpoints: [`kafka ${broker.advertisedHost}:${broker.port} (listening on ${cfg.host}:${broker.port})`],
    close: () => broker.close(),
  };
}
