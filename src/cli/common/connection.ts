/**
 * Connection options shared by every command that talks to a broker:
 * `-b/--bootstrap-server`, then env TRIBUTARY_BOOTSTRAP_SERVER, then the
 * profile file (TRIBUTARY_PROFILE, or ~/.config/tributary/profile.json,
 * `{"bootstrapServer": "host:port"}`), then localhost:9092. Clients made
 * here connect with short timeouts and few retries, so an unreachable broker
 * fails in a few seconds, not after a client's usual 30.
 *
 * Security, each from its flag, then the environment, then the profile:
 * `--user` (TRIBUTARY_USER, "user"), `--password` (TRIBUTARY_PASSWORD,
 * "password") or `--password-file` ("passwordFile"), `--mechanism`
 * (TRIBUTARY_MECHANISM, "mechanism"; default SCRAM-SHA-512), `--tls` ("tls":
 * true) and `--ca-file` (TRIBUTARY_CA_FILE, "caFile"; implies TLS).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { Admin } from '../../client/admin/index.ts';
import { type ClientOptions, Cluster } from '../../client/index.ts';
import type { SaslMechanismName } from '../../client/sasl.ts';
import { UsageError } from './errors.ts';
import { type OutputFormat, outputFormat } from './output.ts';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

/** Flags every broker command takes. */
export interface ConnectionFlags {
  bootstrapServer?: string;
  format?: string;
  /** --user (stored apart: a command may have a --user of its own, e.g. quota entities). */
  saslUser?: string;
  saslPassword?: string;
  saslPasswordFile?: string;
  saslMechanism?: string;
  tls?: boolean;
  caFile?: string;
}

/** An option whose value lands under another name than its flag's. */
class RenamedOption extends Option {
  readonly #attribute: string;

  constructor(flags: string, description: string, attribute: string) {
    super(flags, description);
    this.#attribute = attribute;
  }

  override attributeName(): string {
    return this.#attribute;
  }
}

/** The security flags; one a command already defines for itself is left out (set it by env or profile there). */
function addSecurityOptions(cmd: Command): void {
  const options: Array<[string, string, string]> = [
    ['--user <name>', 'SASL user name (env TRIBUTARY_USER, profile "user")', 'saslUser'],
    ['--password <password>', 'SASL password (env TRIBUTARY_PASSWORD, profile "password")', 'saslPassword'],
    ['--password-file <file>', 'read the SASL password from a file (profile "passwordFile")', 'saslPasswordFile'],
    ['--mechanism <name>', 'SASL mechanism: SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN', 'saslMechanism'],
    ['--tls', 'connect with TLS (profile "tls": true)', 'tls'],
    ['--ca-file <file>', 'PEM CA certificates to trust for TLS; implies --tls (env TRIBUTARY_CA_FILE)', 'caFile'],
  ];
  for (const [flags, description, attribute] of options) {
    const long = flags.split(' ')[0];
    if (cmd.options.some((o) => o.long === long)) continue;
    cmd.addOption(new RenamedOption(flags, description, attribute));
  }
}

const MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Adds -b/--bootstrap-server, and --format table|json unless the command has its own --format. */
export function withConnectionOptions(cmd: Command, opts: { format?: boolean } = {}): Command {
  cmd.option(
    '-b, --bootstrap-server <host:port>',
    `broker(s) to bootstrap from, comma-separated (env TRIBUTARY_BOOTSTRAP_SERVER, profile file; default ${DEFAULT_BOOTSTRAP})`,
  );
  if (opts.format !== false) cmd.option('--format <format>', 'output format: table or json', 'table');
  addSecurityOptions(cmd);
  return cmd;
}

/** Where the bootstrap servers came from, for messages. */
export interface Bootstrap {
  servers: string;
  source: 'flag' | 'env' | 'profile' | 'default';
}

function profilePath(): { path: string; explicit: boolean } {
  const env = process.env.TRIBUTARY_PROFILE;
  if (env) return { path: env, explicit: true };
  return { path: join(homedir(), '.config', 'tributary', 'profile.json'), explicit: false };
}

/** The profile's settings (an empty object without a profile file). */
function readProfileFile(): Record<string, unknown> {
  const { path, explicit } = profilePath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read the profile ${path} (${(err as Error).message}); fix or unset TRIBUTARY_PROFILE`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the profile ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`the profile ${path} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function readProfile(): string | undefined {
  const { path } = profilePath();
  const value = readProfileFile().bootstrapServer;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`"bootstrapServer" in the profile ${path} must be a "host:port" string`);
  }
  return value;
}

/** Checks and normalises a bootstrap list: host:port (a bare host gets :9092), comma-separated. */
export function normaliseBootstrap(value: string, where: string): string {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${where} is empty; give host:port`);
  return parts
    .map((p) => {
      if (/^\[[^\]]+\]:\d+$/.test(p) || /^[^:\s]+:\d+$/.test(p)) {
        const port = Number(p.slice(p.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) throw new UsageError(`${where}: port ${port} in "${p}" is out of range`);
        return p;
      }
      if (/^[^:\s[\]]+$/.test(p)) return `${p}:9092`;
      throw new UsageError(`${where}: "${p}" is not host:port`);
    })
    .join(',');
}

/** Resolves the bootstrap servers: flag > env > profile > default. */
export function resolveBootstrap(flag: string | undefined): Bootstrap {
  if (flag !== undefined) return { servers: normaliseBootstrap(flag, '--bootstrap-server'), source: 'flag' };
  const env = process.env.TRIBUTARY_BOOTSTRAP_SERVER;
  if (env) return { servers: normaliseBootstrap(env, 'TRIBUTARY_BOOTSTRAP_SERVER'), source: 'env' };
  const profile = readProfile();
  if (profile) return { servers: normaliseBootstrap(profile, `the profile ${profilePath().path}`), source: 'profile' };
  return { servers: DEFAULT_BOOTSTRAP, source: 'default' };
}

/** What a command works with: the cluster, an admin over it, and how to print. */
export interface Session {
  cluster: Cluster;
  admin: Admin;
  bootstrap: Bootstrap;
  format: OutputFormat;
}

/**
 * Opens a cluster client with CLI timeouts and checks a broker answers:
 * one metadata request, not retried, so an unreachable broker fails fast.
 */
export async function openSession(
  flags: ConnectionFlags,
  bootstrap = resolveBootstrap(flags.bootstrapServer),
): Promise<Session> {
  const format = outputFormat(flags.format);
  const cluster = new Cluster({
    ...securityOptions(flags),
    bootstrapServers: bootstrap.servers,
    clientId: 'tributary-cli',
    connectTimeoutMs: 3000,
    requestTimeoutMs: 30_000,
    retry: { retries: 4, initialBackoffMs: 100, maxBackoffMs: 1000 },
  });
  try {
    await cluster.refreshMetadata();
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return { cluster, admin: new Admin(cluster), bootstrap, format };
}

function readSecret(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** Only the connection flags of a command's flags (for commands whose --format means something else). */
export function connectionFlags(flags: ConnectionFlags): ConnectionFlags {
  const { bootstrapServer, saslUser, saslPassword, saslPasswordFile, saslMechanism, tls, caFile } = flags;
  return { bootstrapServer, saslUser, saslPassword, saslPasswordFile, saslMechanism, tls, caFile };
}

/** TLS and SASL client options from flags, environment and profile (empty for a plain connection). */
export function securityOptions(flags: ConnectionFlags): Pick<ClientOptions, 'tls' | 'sasl'> {
  const env = process.env;
  const profile = readProfileFile();
  const text = (key: string): string | undefined => {
    const v = profile[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new UsageError(`"${key}" in the profile ${profilePath().path} must be a string`);
    return v;
  };
  const out: Pick<ClientOptions, 'tls' | 'sasl'> = {};
  const caFile = flags.caFile ?? env.TRIBUTARY_CA_FILE ?? text('caFile');
  if (caFile) out.tls = { ca: readSecret(caFile, 'the CA file') };
  else if (flags.tls || profile.tls === true) out.tls = true;

  const user = flags.saslUser ?? env.TRIBUTARY_USER ?? text('user');
  const passwordFile = flags.saslPasswordFile ?? (flags.saslPassword === undefined ? text('passwordFile') : undefined);
  const password =
    flags.saslPassword ??
    (flags.saslPasswordFile ? undefined : env.TRIBUTARY_PASSWORD) ??
    (passwordFile ? readSecret(passwordFile, 'the password file') : text('password'));
  if (flags.saslPassword !== undefined && flags.saslPasswordFile !== undefined) {
    throw new UsageError('give --password or --password-file, not both');
  }
  if (user === undefined) {
    if (flags.saslPassword !== undefined || flags.saslPasswordFile !== undefined) {
      throw new UsageError('a password was given without --user (or TRIBUTARY_USER)');
    }
    return out;
  }
  if (password === undefined || password === '') {
    throw new UsageError(`--user ${user} needs --password, --password-file or TRIBUTARY_PASSWORD`);
  }
  const mechanism = (
    flags.saslMechanism ??
    env.TRIBUTARY_MECHANISM ??
    text('mechanism') ??
    'SCRAM-SHA-512'
  ).toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new UsageError(`--mechanism must be one of ${MECHANISMS.join(', ')}, not "${mechanism}"`);
  }
  out.sasl = { mechanism: mechanism as SaslMechanismName, username: user, password };
  return out;
}
