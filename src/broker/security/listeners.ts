/**
 * Listeners as Kafka configures them: `listeners` (NAME://host:port, comma
 * separated), `advertised.listeners` and `listener.security.protocol.map`.
 *
 * - Names are case-insensitive and normalised to upper case (Kafka's
 *   ListenerName.normalised). A name that is a security protocol needs no
 *   map entry; any other name must be mapped.
 * - An empty host binds every interface.
 * - Names must be unique, and so must ports other than 0.
 * - Advertised listeners must name configured listeners; a listener without
 *   one advertises its own host and bound port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ANONYMOUS, type SecurityProtocol } from '../handler.ts';
import { type ClientAuth, type TlsMaterial, tlsPrincipal, tlsServerOptions } from './tls.ts';

/** One configured listener. */
export interface ListenerSpec {
  /** Normalised (upper-case) listener name. */
  name: string;
  securityProtocol: SecurityProtocol;
  /** Address to bind; '' = every interface. */
  host: string;
  /** 0 picks a free port. */
  port: number;
}

/** The address clients are told to use for one listener. */
export interface AdvertisedEndpoint {
  name: string;
  host: string;
  /** 0 = the listener's bound port. */
  port: number;
}

const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const ENDPOINT = /^([^:/]+):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(-?[0-9]+)$/;

/** True for the four security protocols. */
export function isSecurityProtocol(s: string): s is SecurityProtocol {
  return (PROTOCOLS as readonly string[]).includes(s);
}

/** Parses `NAME:PROTOCOL,NAME2:PROTOCOL2` (listener.security.protocol.map). */
export function parseProtocolMap(value: string | readonly string[]): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  for (const item of splitList(value)) {
    const colon = item.lastIndexOf(':');
    const name = item.slice(0, colon).trim().toUpperCase();
    const protocol = item
      .slice(colon + 1)
      .trim()
      .toUpperCase();
    if (colon <= 0 || !isSecurityProtocol(protocol)) {
      throw new Error(
        `listener security protocol map entry "${item}" is not NAME:PROTOCOL with PROTOCOL one of ${PROTOCOLS.join(', ')}`,
      );
    }
    out.set(name, protocol);
  }
  return out;
}

function splitList(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? [value] : value;
  return items
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseEndpoint(spec: string, what: string): { name: string; host: string; port: number } {
  const m = ENDPOINT.exec(spec.trim());
  if (!m) throw new Error(`${what} "${spec}" is not NAME://host:port (e.g. SASL_SSL://0.0.0.0:9093)`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${what} "${spec}": port ${m[3]} is not in 0-65535`);
  }
  return { name: (m[1] as string).toUpperCase(), host: m[2] as string, port };
}

/** Parses and checks `listeners`; `protocolMap` maps custom names to security protocols. */
export function parseListeners(
  value: string | readonly string[],
  protocolMap: ReadonlyMap<string, SecurityProtocol> = new Map(),
): ListenerSpec[] {
  const specs = splitList(value).map((s) => {
    const { name, host, port } = parseEndpoint(s, 'listener');
    const securityProtocol = protocolMap.get(name) ?? (isSecurityProtocol(name) ? name : undefined);
    if (!securityProtocol) {
      throw new Error(
        `no security protocol defined for listener ${name}; map it with --listener-security-protocol-map ${name}:PROTOCOL`,
      );
    }
    return { name, securityProtocol, host, port };
  });
  if (specs.length === 0) throw new Error('no listener given');
  const names = specs.map((s) => s.name);
  if (new Set(names).size !== names.length) {
    throw new Error(`each listener must have a different name, listeners: ${names.join(',')}`);
  }
  const ports = specs.map((s) => s.port).filter((p) => p !== 0);
  if (new Set(ports).size !== ports.length) {
    throw new Error(`each listener must have a different port, listeners: ${splitList(value).join(',')}`);
  }
  return specs;
}

/** Parses `advertised.listeners`; every name must be one of `listeners`. */
export function parseAdvertisedListeners(
  value: string | readonly string[],
  listeners: readonly ListenerSpec[],
): AdvertisedEndpoint[] {
  const out = splitList(value).map((s) => parseEndpoint(s, 'advertised listener'));
  const known = new Set(listeners.map((l) => l.name));
  for (const a of out) {
    if (!known.has(a.name)) {
      throw new Error(
        `advertised listener names must be equal to or a subset of the ones defined in listeners. Found ${a.name}. ` +
          `The valid options based on currently configured listeners are ${[...known].join(',')}`,
      );
    }
    if (a.host === '' || a.host === '0.0.0.0' || a.host === '::') {
      throw new Error(`advertised listener ${a.name} cannot use the nonroutable meta-address "${a.host}"`);
    }
  }
  if (new Set(out.map((a) => a.name)).size !== out.length) {
    throw new Error('each advertised listener must have a different name');
  }
  return out;
}

/** True for a bind address that means "every interface". */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** A bound (or about to be bound) listener. */
export interface ListenerServer {
  readonly spec: ListenerSpec;
  /** ssl.client.auth in force on this listener. */
  readonly clientAuth: ClientAuth;
  listen(): Promise<void>;
  /** The bound port (0 before listen). */
  readonly port: number;
  /** Stops accepting; resolves once every socket is closed. */
  close(): Promise<void>;
  /** Destroys every socket still open, handshakes in progress included. */
  destroySockets(): void;
}

/**
 * Creates the TCP or TLS server of one listener. `onSocket` gets every
 * connection once it is ready (after the TLS handshake) with its principal
 * from the client certificate (ANONYMOUS without one). A failed handshake,
 * or a certificate refused under `requested`, closes the socket with one
 * log line; the listener keeps serving.
 */
export function createListenerServer(
  spec: ListenerSpec,
  tls: TlsMaterial | undefined,
  onSocket: (socket: Socket, principal: string) => void,
  log: (client: string, reason: string) => void,
): ListenerServer {
  const secure = spec.securityProtocol === 'SSL' || spec.securityProtocol === 'SASL_SSL';
  if (secure && !tls) {
    throw new Error(
      `listener ${spec.name} (${spec.securityProtocol}) needs a TLS certificate and key (--tls-cert, --tls-key)`,
    );
  }
  const clientAuth: ClientAuth = spec.securityProtocol === 'SSL' ? (tls?.clientAuth ?? 'none') : 'none';
  const client = (s: Socket): string => `${s.remoteAddress}:${s.remotePort}`;
  const sockets = new Set<Socket>();
  let server: Server;
  if (secure && tls) {
    const tlsServer = createTlsServer(tlsServerOptions(tls, clientAuth), (socket: TLSSocket) => {
      const principal = tlsPrincipal(socket, clientAuth);
      if (principal === null) {
        log(client(socket), `TLS client certificate refused (${socket.authorizationError ?? 'none given'})`);
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      onSocket(socket, principal);
    });
    tlsServer.on('tlsClientError', (err, socket) => {
      log(client(socket), `TLS handshake failed: ${err.message}`);
      socket.destroy();
    });
    server = tlsServer;
  } else {
    server = createServer({ noDelay: true }, (socket) => onSocket(socket, ANONYMOUS));
  }
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    spec,
    clientAuth,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        const host = spec.host === '' ? undefined : spec.host.replace(/^\[|\]$/g, '');
        server.listen(spec.port, host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    get port() {
      const a = server.address();
      return a && typeof a === 'object' ? a.port : 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    destroySockets: () => {
      for (const s of sockets) s.destroy();
    },
  };
}
