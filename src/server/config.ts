/**
 * Platform configuration: flags over environment variables over a config
 * file over defaults.
 *
 * Environment: TRIBUTARY_DATA_DIR, TRIBUTARY_HOST, TRIBUTARY_ADVERTISED_HOST,
 * TRIBUTARY_KAFKA_PORT, TRIBUTARY_REGISTRY_PORT, TRIBUTARY_API_PORT, TRIBUTARY_LOG_LEVEL,
 * TRIBUTARY_CONFIG (file path).
 * Config file: JSON (`{"dataDir": "...", "kafkaPort": 9092, "broker": {"num.partitions": "3"}}`)
 * or Java properties (`data.dir=...`, `kafka.port=...`, `registry.port=...`, `api.port=...`, and broker configs by their Kafka names).
 *
 * Schema registry: `registryPort` absent = 8081, or any free port when the
 * Kafka port is 0 (so ephemeral platforms never clash on 8081); `false` =
 * no registry (`--no-registry`). The platform API (`apiPort`, `--api-port`) likewise:
 * absent = 8080, or any free port when the Kafka port is 0; `false` = off (`--no-api`).
 *
 * Security (security.ts): listeners (`--listener`, TRIBUTARY_LISTENERS, or the
 * Kafka configs `listeners`, `advertised.listeners`,
 * `listener.security.protocol.map`), TLS files and the admin user.
 */
import { readFileSync } from 'node:fs';
import { resolveSecurity, type SecurityConfig, type SecurityFlags } from './security.ts';

/** Everything the all-in-one process needs to start. */
export interface PlatformConfig {
  dataDir: string;
  host: string;
  advertisedHost?: string;
  kafkaPort: number;
  /** Schema registry port; absent = the default (see the header), false = off. */
  registryPort?: number | false;
  /** Platform API port; absent = the default (see the header), false = off. */
  apiPort?: number | false;
  logLevel: string;
  /** Broker configs by Kafka name. */
  broker: Record<string, string>;
  /** Listeners, TLS and the admin user; absent = one PLAINTEXT listener on host:kafkaPort. */
  security?: SecurityConfig;
}

/** Options as given on the command line (all optional). */
export interface ConfigFlags {
  dataDir?: string;
  host?: string;
  advertisedHost?: string;
  kafkaPort?: string | number;
  registryPort?: string | number;
  /** false with --no-registry. */
  registry?: boolean;
  apiPort?: string | number;
  /** false with --no-api. */
  api?: boolean;
  logLevel?: string;
  config?: string;
  brokerConfig?: string[];
}

/** Every flag of `tributary start`. */
export type StartFlags = ConfigFlags & SecurityFlags;

const DEFAULTS: PlatformConfig = {
  dataDir: './data',
  host: '127.0.0.1',
  kafkaPort: 9092,
  logLevel: 'info',
  broker: {},
};
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.search(/[=:]/);
    if (eq < 0) throw new Error(`config file line "${line}" is not key=value`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function fromFile(path: string): Partial<PlatformConfig> {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) {
    const j = JSON.parse(text) as Partial<PlatformConfig> & { broker?: Record<string, unknown> };
    const broker: Record<string, string> = {};
    for (const [k, v] of Object.entries(j.broker ?? {})) broker[k] = String(v);
    return { ...j, broker };
  }
  const props = parseProperties(text);
  const out: Partial<PlatformConfig> = { broker: {} };
  for (const [k, v] of Object.entries(props)) {
    if (k === 'data.dir') out.dataDir = v;
    else if (k === 'host') out.host = v;
    else if (k === 'advertised.host') out.advertisedHost = v;
    else if (k === 'kafka.port') out.kafkaPort = Number(v);
    else if (k === 'registry.port') out.registryPort = Number(v);
    else if (k === 'api.port') out.apiPort = Number(v);
    else if (k === 'log.level') out.logLevel = v;
    else (out.broker as Record<string, string>)[k] = v;
  }
  return out;
}

function port(value: string | number, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${what} must be a port number 0-65535, got "${value}"`);
  return n;
}

/** Resolves the configuration; throws an Error whose message says what to fix. */
export function resolveConfig(flags: StartFlags, env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const file = flags.config ?? env.TRIBUTARY_CONFIG;
  const fileCfg = file ? fromFile(file) : {};
  const pick = <T>(flag: T | undefined, envVal: T | undefined, fileVal: T | undefined, def: T): T =>
    flag ?? envVal ?? fileVal ?? def;
  const broker: Record<string, string> = { ...fileCfg.broker };
  for (const kv of flags.brokerConfig ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--broker-config takes key=value, got "${kv}"`);
    broker[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const cfg: PlatformConfig = {
    dataDir: pick(flags.dataDir, env.TRIBUTARY_DATA_DIR, fileCfg.dataDir, DEFAULTS.dataDir),
    host: pick(flags.host, env.TRIBUTARY_HOST, fileCfg.host, DEFAULTS.host),
    advertisedHost: pick(flags.advertisedHost, env.TRIBUTARY_ADVERTISED_HOST, fileCfg.advertisedHost, undefined),
    kafkaPort: port(
      pick<string | number>(flags.kafkaPort, env.TRIBUTARY_KAFKA_PORT, fileCfg.kafkaPort, 9092),
      'kafka port',
    ),
    logLevel: pick(flags.logLevel, env.TRIBUTARY_LOG_LEVEL, fileCfg.logLevel, DEFAULTS.logLevel),
    broker,
  };
  if (flags.registry === false) cfg.registryPort = false;
  else {
    const rp = pick<string | number | false | undefined>(
      flags.registryPort,
      env.TRIBUTARY_REGISTRY_PORT,
      fileCfg.registryPort,
      undefined,
    );
    if (rp !== undefined && rp !== false) cfg.registryPort = port(rp, 'registry port');
    else if (rp === false) cfg.registryPort = false;
  }
  if (flags.api === false) cfg.apiPort = false;
  else {
    const ap = pick<string | number | false | undefined>(
      flags.apiPort,
      env.TRIBUTARY_API_PORT,
      fileCfg.apiPort,
      undefined,
    );
    if (ap !== undefined && ap !== false) cfg.apiPort = port(ap, 'api port');
    else if (ap === false) cfg.apiPort = false;
  }
  if (!LEVELS.has(cfg.logLevel))
    throw new Error(`log level must be one of ${[...LEVELS].join(', ')}, got "${cfg.logLevel}"`);
  const security = resolveSecurity(flags, env, fileCfg as Record<string, unknown>, cfg.broker, {
    host: cfg.host,
    port: cfg.kafkaPort,
  });
  if (security) cfg.security = security;
  return cfg;
}
