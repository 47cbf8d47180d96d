/**
 * The security part of the platform configuration: listeners, TLS files and
 * the admin user, from flags over environment over the config file.
 *
 * | what | flag | environment | config file (properties / JSON) |
 * |---|---|---|---|
 * | listeners | --listener NAME://host:port (repeatable) | TRIBUTARY_LISTENERS | listeners / listeners |
 * | advertised | --advertised-listener (repeatable) | TRIBUTARY_ADVERTISED_LISTENERS | advertised.listeners / advertisedListeners |
 * | custom names | --listener-security-protocol-map N:P,... | TRIBUTARY_LISTENER_SECURITY_PROTOCOL_MAP | listener.security.protocol.map / listenerSecurityProtocolMap |
 * | TLS | --tls-cert, --tls-key, --tls-ca, --tls-client-auth | TRIBUTARY_TLS_CERT, _KEY, _CA, _CLIENT_AUTH | tls.cert, tls.key, tls.ca, ssl.client.auth / tls {cert,key,ca,clientAuth} |
 * | admin | --admin-user, --admin-password-file | TRIBUTARY_ADMIN_USER, TRIBUTARY_ADMIN_PASSWORD (or _PASSWORD_FILE) | admin.user, admin.password.file / adminUser, adminPasswordFile |
 *
 * Without listeners the broker has one PLAINTEXT listener on --host/--kafka-port.
 */
import { readFileSync } from 'node:fs';
import {
  type AdvertisedEndpoint,
  type ListenerSpec,
  parseAdvertisedListeners,
  parseListeners,
  parseProtocolMap,
} from '../broker/security/listeners.ts';
import { parseClientAuth, type TlsMaterial } from '../broker/security/tls.ts';

/** Security flags of `tributary start`. */
export interface SecurityFlags {
  listener?: string[];
  advertisedListener?: string[];
  listenerSecurityProtocolMap?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientAuth?: string;
  adminUser?: string;
  adminPasswordFile?: string;
}

/** What the broker gets (only the parts that were configured). */
export interface SecurityConfig {
  listeners?: ListenerSpec[];
  advertisedListeners?: AdvertisedEndpoint[];
  tls?: TlsMaterial;
  adminUser?: { name: string; password: string };
}

/** Kafka config names read here, and removed from the broker configs. */
const CONSUMED = [
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'ssl.client.auth',
  'tls.cert',
  'tls.key',
  'tls.ca',
  'admin.user',
  'admin.password.file',
];

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A password file's content without its trailing newline. */
function readPassword(path: string, what: string): string {
  const password = readFile(path, what)
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
  if (password === '') throw new Error(`${what} ${path} is empty`);
  return password;
}

/**
 * Resolves listeners, TLS and the admin user; undefined when none is configured.
 * `broker` (configs by Kafka name from the file and --broker-config) loses the keys read here.
 */
export function resolveSecurity(
  flags: SecurityFlags,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
  broker: Record<string, string>,
  defaults: { host: string; port: number },
): SecurityConfig | undefined {
  const props: Record<string, string | undefined> = {};
  for (const k of CONSUMED) {
    props[k] = broker[k];
    delete broker[k];
  }
  const fileTls = (file.tls ?? {}) as Record<string, unknown>;
  const pick = (...values: unknown[]): string | undefined => values.map(str).find((v) => v !== undefined && v !== '');
  const out: SecurityConfig = {};

  const listenerList = pick(flags.listener, env.TRIBUTARY_LISTENERS, file.listeners, props.listeners);
  const advertised = pick(
    flags.advertisedListener,
    env.TRIBUTARY_ADVERTISED_LISTENERS,
    file.advertisedListeners,
    props['advertised.listeners'],
  );
  const map = parseProtocolMap(
    pick(
      flags.listenerSecurityProtocolMap,
      env.TRIBUTARY_LISTENER_SECURITY_PROTOCOL_MAP,
      file.listenerSecurityProtocolMap,
      props['listener.security.protocol.map'],
    ) ?? '',
  );
  if (listenerList !== undefined || advertised !== undefined) {
    out.listeners = listenerList
      ? parseListeners(listenerList, map)
      : [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: defaults.host, port: defaults.port }];
    if (advertised) out.advertisedListeners = parseAdvertisedListeners(advertised, out.listeners);
  }

  const cert = pick(flags.tlsCert, env.TRIBUTARY_TLS_CERT, fileTls.cert, props['tls.cert']);
  const key = pick(flags.tlsKey, env.TRIBUTARY_TLS_KEY, fileTls.key, props['tls.key']);
  const ca = pick(flags.tlsCa, env.TRIBUTARY_TLS_CA, fileTls.ca, props['tls.ca']);
  const clientAuth = pick(
    flags.tlsClientAuth,
    env.TRIBUTARY_TLS_CLIENT_AUTH,
    fileTls.clientAuth,
    props['ssl.client.auth'],
  );
  if ((cert === undefined) !== (key === undefined)) throw new Error('give both --tls-cert and --tls-key');
  if (cert && key) {
    out.tls = {
      cert: readFile(cert, 'the TLS certificate'),
      key: readFile(key, 'the TLS key'),
      ...(ca && { ca: readFile(ca, 'the TLS CA file') }),
      ...(clientAuth && { clientAuth: parseClientAuth(clientAuth) }),
    };
  } else if (ca || clientAuth) {
    throw new Error('--tls-ca and --tls-client-auth need --tls-cert and --tls-key');
  }
  const secure = (out.listeners ?? []).filter((l) => l.securityProtocol === 'SSL' || l.securityProtocol === 'SASL_SSL');
  if (secure.length > 0 && !out.tls) {
    throw new Error(`listener ${secure[0]?.name} uses TLS: give --tls-cert and --tls-key`);
  }

  const admin = pick(flags.adminUser, env.TRIBUTARY_ADMIN_USER, file.adminUser, props['admin.user']);
  const passwordFile = pick(
    flags.adminPasswordFile,
    env.TRIBUTARY_ADMIN_PASSWORD ? undefined : env.TRIBUTARY_ADMIN_PASSWORD_FILE,
    env.TRIBUTARY_ADMIN_PASSWORD ? undefined : file.adminPasswordFile,
    env.TRIBUTARY_ADMIN_PASSWORD ? undefined : props['admin.password.file'],
  );
  const password = passwordFile
    ? readPassword(passwordFile, 'the admin password file')
    : env.TRIBUTARY_ADMIN_PASSWORD || undefined;
  if (admin && !password) {
    throw new Error('the admin user needs a password: --admin-password-file FILE or TRIBUTARY_ADMIN_PASSWORD');
  }
  if (!admin && password) throw new Error('an admin password was given without --admin-user (TRIBUTARY_ADMIN_USER)');
  if (admin && password) out.adminUser = { name: admin, password };

  return Object.keys(out).length > 0 ? out : undefined;
}
