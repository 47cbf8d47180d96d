/**
 * Connection options shared by every command that talks to a broker:
 * `-b/--bootstrap-server`, then env TRIBUTARY_BOOTSTRAP_SERVER, then the
 * profile file (TRIBUTARY_PROFILE, or ~/.config/tributary/profile.json,
 * `{"bootstrapServer": "host:port"}`), then localhost:9092. Clients made
 * here connect with short timeouts and few retries, so an unreachable broker
 * fails in a few seconds, not after a client's usual 30.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Admin } from '../../client/admin/index.ts';
import { Cluster } from '../../client/index.ts';
import { UsageError } from './errors.ts';
import { type OutputFormat, outputFormat } from './output.ts';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

/** Flags every broker command takes. */
export interface ConnectionFlags {
  bootstrapServer?: string;
  format?: string;
}

/** Adds -b/--bootstrap-server, and --format table|json unless the command has its own --format. */
export function withConnectionOptions(cmd: Command, opts: { format?: boolean } = {}): Command {
  cmd.option(
    '-b, --bootstrap-server <host:port>',
    `broker(s) to bootstrap from, comma-separated (env TRIBUTARY_BOOTSTRAP_SERVER, profile file; default ${DEFAULT_BOOTSTRAP})`,
  );
  if (opts.format !== false) cmd.option('--format <format>', 'output format: table or json', 'table');
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

function readProfile(): string | undefined {
  const { path, explicit } = profilePath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the profile ${path} (${(err as Error).message}); fix or unset TRIBUTARY_PROFILE`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the profile ${path} is not valid JSON (${(err as Error).message})`);
  }
  const value = (parsed as { bootstrapServer?: unknown } | null)?.bootstrapServer;
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
