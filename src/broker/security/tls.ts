/**
 * TLS for SSL and SASL_SSL listeners, from PEM files, and the principal of a
 * client certificate.
 *
 * - `ssl.client.auth` (SSL listeners only, as Kafka's KIP-684 default for
 *   SASL_SSL): `required` refuses clients without a certificate the CA
 *   signed; `requested` accepts clients without one (principal ANONYMOUS) but
 *   fails the handshake for a certificate that does not verify, as Java's
 *   TLS engine does; `none` never asks.
 * - The principal of a client certificate is `User:` + its subject as
 *   Java's X500Principal.getName() prints it (RFC 2253: most specific RDN
 *   first, CN/C/L/ST/O/OU/STREET/DC/UID by keyword, other attributes as
 *   OID=#hex, `,=+<>#;"\` escaped), which is what Kafka's default
 *   `ssl.principal.mapping.rules=DEFAULT` yields.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { ANONYMOUS } from '../handler.ts';

/** Kafka's ssl.client.auth values. */
export type ClientAuth = 'required' | 'requested' | 'none';

/** PEM material of the broker's TLS listeners. */
export interface TlsMaterial {
  /** Certificate chain (PEM). */
  cert: string | Buffer;
  /** Private key (PEM, unencrypted). */
  key: string | Buffer;
  /** CA certificates that client certificates must chain to (PEM). */
  ca?: string | Buffer;
  /** For SSL listeners; default none. */
  clientAuth?: ClientAuth;
}

/** Checks a client-auth value. */
export function parseClientAuth(value: string): ClientAuth {
  const v = value.trim().toLowerCase();
  if (v === 'required' || v === 'requested' || v === 'none') return v;
  throw new Error(`TLS client authentication must be required, requested or none, got "${value}"`);
}

/** Checks the material once at start, so a bad file fails the start, not the first handshake. */
export function validateTlsMaterial(m: TlsMaterial): void {
  try {
    new X509Certificate(m.cert);
  } catch (err) {
    throw new Error(`the TLS certificate is not a PEM certificate: ${(err as Error).message}`);
  }
  if ((m.clientAuth ?? 'none') !== 'none' && !m.ca) {
    throw new Error(`TLS client authentication "${m.clientAuth}" needs a CA file (--tls-ca) to verify clients`);
  }
}

/** Node TLS server options for one listener. */
export function tlsServerOptions(m: TlsMaterial, clientAuth: ClientAuth): TlsOptions {
  return {
    cert: m.cert,
    key: m.key,
    ...(m.ca !== undefined && { ca: m.ca }),
    minVersion: 'TLSv1.2',
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
  };
}

/**
 * After the handshake: the principal of the client certificate (ANONYMOUS
 * without one), or null when the connection must be refused (a certificate
 * that does not verify under `requested`).
 */
export function tlsPrincipal(socket: TLSSocket, clientAuth: ClientAuth): string | null {
  if (clientAuth === 'none') return ANONYMOUS;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return clientAuth === 'required' ? null : ANONYMOUS;
  if (!socket.authorized) return null;
  return `User:${subjectRfc2253(peer.raw)}`;
}

// --- X.509 subject → RFC 2253 ------------------------------------------------

interface Tlv {
  tag: number;
  /** Content bytes. */
  value: Buffer;
  /** The whole element, tag and length included. */
  raw: Buffer;
}

function readTlv(buf: Buffer, offset: number): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] ?? 0);
    pos += n;
  }
  if (pos + len > buf.length) throw new Error('truncated DER');
  return { tag, value: buf.subarray(pos, pos + len), raw: buf.subarray(offset, pos + len) };
}

function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < t.value.length; ) {
    const c = readTlv(t.value, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

function oidString(b: Buffer): string {
  const first = b[0] ?? 0;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i] as number;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

// Java's AVAKeyword table: the keywords RFC 2253 output uses.
const KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function decodeDirectoryString(t: Tlv): string | null {
  switch (t.tag) {
    case 0x0c: // UTF8String
      return t.value.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // T61String
    case 0x1b: // GeneralString
      return t.value.toString('latin1');
    case 0x1e: // BMPString (UTF-16BE)
      return Buffer.from(t.value).swap16().toString('utf16le');
    default:
      return null;
  }
}

function escapeValue(s: string): string {
  let out = '';
  for (const c of s) {
    if (',=+<>#;"\\'.includes(c)) out += `\\${c}`;
    else if (c === '\0') out += '\\00';
    else out += c;
  }
  // leading and trailing blanks are escaped
  const lead = out.length - out.replace(/^[ \r]+/, '').length;
  const trail = out.length - out.replace(/[ \r]+$/, '').length;
  if (lead === 0 && trail === 0) return out;
  const chars = [...out];
  return chars.map((c, i) => (i < lead || i >= chars.length - trail ? `\\${c}` : c)).join('');
}

function ava(t: Tlv): string {
  const [type, value] = children(t);
  if (!type || !value) throw new Error('malformed attribute');
  const oid = oidString(type.value);
  const keyword = KEYWORDS[oid];
  const text = keyword ? decodeDirectoryString(value) : null;
  if (keyword && text !== null) return `${keyword}=${escapeValue(text)}`;
  return `${keyword ?? oid}=#${value.raw.toString('hex')}`;
}

/** The subject of a DER certificate in RFC 2253 form (Java's X500Principal.getName()). */
export function subjectRfc2253(der: Buffer): string {
  const cert = readTlv(der, 0);
  const [tbs] = children(cert);
  if (!tbs) throw new Error('malformed certificate');
  const fields = children(tbs);
  // [0] version is optional; then serial, signature, issuer, validity, subject
  const start = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[start + 4];
  if (!subject) throw new Error('certificate has no subject');
  return children(subject)
    .map((rdn) => children(rdn).map(ava).join('+'))
    .reverse()
    .join(',');
}
