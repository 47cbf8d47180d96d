/**
 * A tiny client for the schema registry's REST API (Confluent's v1) over the
 * global fetch, for `tributary schema`. The URL comes from `--registry-url`,
 * then env TRIBUTARY_REGISTRY_URL, then `registryUrl` in the profile file
 * (TRIBUTARY_PROFILE, or ~/.config/tributary/profile.json), then
 * http://localhost:8081. Registry errors (`{error_code, message}`) become a
 * RegistryError, an unreachable registry a one-line CliError; both exit 1.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, UsageError } from './errors.ts';

export const DEFAULT_REGISTRY_URL = 'http://localhost:8081';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const TIMEOUT_MS = 30_000;

/** Flags every registry command takes. */
export interface RegistryFlags {
  registryUrl?: string;
  format?: string;
}

/** Adds --registry-url and --format table|json. */
export function withRegistryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--registry-url <url>',
      `schema registry URL (env TRIBUTARY_REGISTRY_URL, profile "registryUrl"; default ${DEFAULT_REGISTRY_URL})`,
    )
    .option('--format <format>', 'output format: table or json', 'table');
}

/** An error answer from the registry: Confluent's error code and message. */
export class RegistryError extends CliError {
  override name = 'RegistryError';
  readonly code: number;
  readonly status: number;

  constructor(code: number, message: string, status: number) {
    super(`${message} (registry error ${code})`);
    this.code = code;
    this.status = status;
  }
}

/** The profile's `registryUrl`, if any (the profile file is optional unless TRIBUTARY_PROFILE names it). */
function profileRegistryUrl(): { url: string; path: string } | undefined {
  const explicit = process.env.TRIBUTARY_PROFILE;
  const path = explicit || join(homedir(), '.config', 'tributary', 'profile.json');
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
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`the profile ${path} must be a JSON object`);
  }
  const value = (parsed as Record<string, unknown>).registryUrl;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`"registryUrl" in the profile ${path} must be a URL string`);
  }
  return { url: value, path };
}

/** Checks a registry URL (http or https) and drops trailing slashes. */
export function normaliseRegistryUrl(value: string, where: string): string {
  const v = value.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new UsageError(`${where}: "${v}" is not a URL; give e.g. http://localhost:8081`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${where}: "${v}" must be an http:// or https:// URL`);
  }
  return v.replace(/\/+$/, '');
}

/** Resolves the registry URL: flag > env > profile > default. */
export function resolveRegistryUrl(flag: string | undefined): string {
  if (flag !== undefined) return normaliseRegistryUrl(flag, '--registry-url');
  const env = process.env.TRIBUTARY_REGISTRY_URL;
  if (env) return normaliseRegistryUrl(env, 'TRIBUTARY_REGISTRY_URL');
  const profile = profileRegistryUrl();
  if (profile) return normaliseRegistryUrl(profile.url, `"registryUrl" in the profile ${profile.path}`);
  return DEFAULT_REGISTRY_URL;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** Why a fetch failed, in a few words. */
function reason(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; e && depth < 10; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return REASONS[code] ?? code;
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** Query parameters; false and undefined are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Requests to one registry. */
export class RegistryClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  /** One request; answers the parsed JSON body or throws RegistryError / CliError. */
  async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined || v === false) continue;
      params.set(k, String(v));
    }
    const qs = params.size > 0 ? `?${params}` : '';
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}${qs}`, {
        method,
        headers: { Accept: CONTENT_TYPE, ...(opts.body !== undefined && { 'Content-Type': CONTENT_TYPE }) },
        ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') {
        throw new CliError(`no answer from the schema registry at ${this.url} within ${TIMEOUT_MS / 1000} s`);
      }
      throw new CliError(
        `cannot reach the schema registry at ${this.url} (${reason(err)}); is it running? pass --registry-url`,
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = body as { error_code?: unknown; message?: unknown } | null | undefined;
      if (e && typeof e.error_code === 'number' && typeof e.message === 'string') {
        throw new RegistryError(e.error_code, e.message, res.status);
      }
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new CliError(
        `the schema registry at ${this.url} answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`,
      );
    }
    if (body === undefined) {
      throw new CliError(`the answer from ${this.url}${path} is not JSON; is --registry-url a schema registry?`);
    }
    return body as T;
  }
}
