/**
 * `tributary cert`: a local certificate authority and certificates for
 * development TLS, made with the `openssl` command.
 *
 * Into a directory (default ./certs): `ca.pem` + `ca-key.pem` (made once,
 * reused on later runs), `server.pem` + `server-key.pem` with subject
 * alternative names for localhost, 127.0.0.1, ::1 and every --host, and for
 * each --client SUBJECT (e.g. "CN=alice,OU=eng") `client-<cn>.pem` +
 * `client-<cn>-key.pem` for mutual TLS: the broker's principal for that
 * certificate is `User:` + SUBJECT. Keys are EC P-256, unencrypted, mode 0600.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { CliError, UsageError } from '../common/errors.ts';
import { run } from '../common/run.ts';

/** What `makeDevCertificates` wrote (absolute paths). */
export interface DevCertificates {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
  clients: Array<{ subject: string; cert: string; key: string }>;
}

/** Options of `makeDevCertificates`. */
export interface DevCertificateOptions {
  /** Extra host names or IP addresses for the server certificate. */
  hosts?: string[];
  /** Client certificate subjects in RFC 2253 order, e.g. "CN=alice,OU=eng". */
  clients?: string[];
  /** Validity of server and client certificates; default 825 days. */
  days?: number;
  /** Make a new CA even when the directory has one. */
  newCa?: boolean;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CliError(
      missing ? 'openssl is not installed (Debian: apt-get install openssl)' : `openssl: ${r.error.message}`,
    );
  }
  if (r.status !== 0) throw new CliError(`openssl ${args[0]} failed: ${r.stderr.trim().split('\n').pop()}`);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** "CN=alice,OU=eng" (most specific first, as Kafka prints it) → openssl's "/OU=eng/CN=alice". */
function opensslSubject(rfc2253: string): string {
  const parts = rfc2253
    .split(/(?<!\\),/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^[A-Za-z][A-Za-z0-9.]*=./.test(p))) {
    throw new UsageError(`certificate subject "${rfc2253}" is not like CN=alice,OU=eng`);
  }
  return `/${parts
    .reverse()
    .map((p) => p.replace(/\\,/g, ',').replace(/[/+]/g, (c) => `\\${c}`))
    .join('/')}`;
}

/** Signs a new key's request with the CA; `ext` lines go into the certificate. */
function issue(dir: string, name: string, subject: string, days: number, ext: string[]): void {
  const csr = `${name}.csr`;
  const extFile = `${name}.ext`;
  try {
    openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}-key.pem`, '-out', csr, '-subj', subject], dir);
    writeFileSync(join(dir, extFile), `${ext.join('\n')}\n`);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        String(days),
        '-sha256',
        '-extfile',
        extFile,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
    chmodSync(join(dir, `${name}-key.pem`), 0o600);
  } finally {
    rmSync(join(dir, csr), { force: true });
    rmSync(join(dir, extFile), { force: true });
  }
}

/** Makes (or reuses) a development CA in `dir` and issues a server certificate and client certificates. */
export function makeDevCertificates(dir: string, opts: DevCertificateOptions = {}): DevCertificates {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const days = opts.days ?? 825;
  if (opts.newCa || !existsSync(join(out, 'ca.pem')) || !existsSync(join(out, 'ca-key.pem'))) {
    openssl(
      [
        'req',
        '-x509',
        '-new',
        ...EC_KEY,
        '-keyout',
        'ca-key.pem',
        '-out',
        'ca.pem',
        '-days',
        '3650',
        '-sha256',
        '-subj',
        '/O=Tributary/CN=Tributary development CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      out,
    );
    chmodSync(join(out, 'ca-key.pem'), 0o600);
  }
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...(opts.hosts ?? [])])];
  const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  issue(out, 'server', '/O=Tributary/CN=localhost', days, [
    `subjectAltName=${san}`,
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
  ]);
  const clients = (opts.clients ?? []).map((subject) => {
    const cn = /(?:^|,)\s*CN=([^,]+)/i.exec(subject)?.[1] ?? 'client';
    const name = `client-${cn.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    issue(out, name, opensslSubject(subject), days, [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
    ]);
    return { subject, cert: join(out, `${name}.pem`), key: join(out, `${name}-key.pem`) };
  });
  return {
    ca: join(out, 'ca.pem'),
    caKey: join(out, 'ca-key.pem'),
    cert: join(out, 'server.pem'),
    key: join(out, 'server-key.pem'),
    clients,
  };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Builds the `cert` subcommand. */
export function certCommand(): Command {
  return new Command('cert')
    .description('make a development CA, a server certificate and client certificates (uses openssl)')
    .option('--dir <dir>', 'where to write the files', 'certs')
    .option('--host <name>', 'another host name or IP address for the server certificate (repeatable)', collect)
    .option('--client <subject>', 'a client certificate for mutual TLS, e.g. "CN=alice,OU=eng" (repeatable)', collect)
    .option('--days <n>', 'validity of the server and client certificates in days', '825')
    .option('--new-ca', 'make a new CA even when the directory has one')
    .action(
      run(async (flags: { dir: string; host?: string[]; client?: string[]; days: string; newCa?: boolean }) => {
        const days = Number(flags.days);
        if (!Number.isInteger(days) || days < 1)
          throw new UsageError(`--days must be a positive integer, got "${flags.days}"`);
        const c = makeDevCertificates(flags.dir, {
          hosts: flags.host,
          clients: flags.client,
          days,
          newCa: flags.newCa,
        });
        const lines = [
          `CA           ${c.ca} (key ${c.caKey})`,
          `server       ${c.cert} (key ${c.key})`,
          ...c.clients.map((x) => `client       ${x.cert} (key ${x.key}) principal User:${x.subject}`),
          '',
          `start a TLS listener: tributary start --listener SASL_SSL://127.0.0.1:9093 --tls-cert ${c.cert} --tls-key ${c.key} --tls-ca ${c.ca}`,
          `connect: tributary cluster info -b 127.0.0.1:9093 --tls --ca-file ${c.ca} --user NAME --password-file FILE`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      }),
    );
}
