/**
 * SCRAM-SHA-256/512 server (RFC 5802, RFC 7677) as Kafka's ScramSaslServer:
 *
 * - client-first must be `n,[a=authzid],[m=...,]n=saslname,r=nonce[,ext=value...]`
 *   with Kafka's character classes (7-bit names, printable nonces); only the
 *   "n" GS2 flag (no channel binding) is accepted.
 * - the user name is the SaslName with =2C and =3D decoded; any other '='
 *   fails. An authzid must equal the user name.
 * - `tokenauth=true` asks for a delegation token, which this broker does not
 *   issue: it fails like an unknown user. Other extensions are ignored.
 * - credentials below the mechanism's minimum iterations are refused.
 * - the server nonce is a 130-bit random number in base 36 appended to the
 *   client's; client-final must carry a nonce ending with the combined nonce,
 *   and a proof whose H(ClientSignature XOR proof) equals StoredKey.
 * - server-final is `v=ServerSignature`.
 */
import { timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, SaslCredentialError, type SaslServer } from './sasl-errors.ts';
import {
  randomBase36,
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramCredentialStore,
  type ScramMechanism,
  scramHash,
  scramHmac,
  scramUsername,
} from './scram.ts';

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const B64 = '[a-zA-Z0-9/+]';
const BASE64 = `(?:${B64}{4})*(?:${B64}{3}=|${B64}{2}==)?`;
const EXTENSIONS = `(?:,[A-Za-z]+=${VALUE})*`;
const CLIENT_FIRST = new RegExp(
  `^n,(?:a=(?<authzid>${SASLNAME}))?,(?:m=${VALUE},)?n=(?<saslname>${SASLNAME}),r=(?<nonce>${PRINTABLE})(?<extensions>${EXTENSIONS})$`,
);
const CLIENT_FINAL = new RegExp(
  `^c=(?<channel>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS},p=(?<proof>${BASE64})$`,
);

type State = 'first' | 'final' | 'complete' | 'failed';

/** One SCRAM exchange. */
export class ScramSaslServer implements SaslServer {
  readonly mechanism: ScramMechanism;
  readonly #store: ScramCredentialStore;
  #state: State = 'first';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #credential: ScramCredential | null = null;
  #authorizationId = '';

  constructor(mechanism: ScramMechanism, store: ScramCredentialStore) {
    this.mechanism = mechanism;
    this.#store = store;
  }

  get complete(): boolean {
    return this.#state === 'complete';
  }

  get authorizationId(): string {
    return this.#authorizationId;
  }

  async evaluate(token: Buffer): Promise<Buffer | null> {
    try {
      if (this.#state === 'first') return this.#first(token.toString('utf8'));
      if (this.#state === 'final') return this.#final(token.toString('utf8'));
      throw new SaslAuthenticationError(`Unexpected challenge in Sasl server state ${this.#state.toUpperCase()}`);
    } catch (err) {
      this.#credential = null;
      this.#state = 'failed';
      throw err;
    }
  }

  #first(msg: string): Buffer {
    const m = CLIENT_FIRST.exec(msg);
    if (!m?.groups) throw new SaslCredentialError(`Invalid SCRAM client first message format: ${msg}`);
    const { authzid = '', saslname = '', nonce = '', extensions = '' } = m.groups;
    const ext = parseExtensions(extensions);
    let username: string;
    try {
      username = scramUsername(saslname);
    } catch (err) {
      throw new SaslCredentialError(`Authentication failed: Credentials could not be obtained: ${err}`);
    }
    if ((ext.get('tokenauth') ?? '').toLowerCase() === 'true') {
      throw new SaslCredentialError(`Token Authentication failed: Invalid tokenId : ${username}`);
    }
    const credential = this.#store.get(username, this.mechanism);
    if (!credential) throw new SaslCredentialError('Authentication failed: Invalid user credentials');
    if (authzid !== '' && authzid !== username) {
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    const min = SCRAM_MECHANISMS[this.mechanism].minIterations;
    if (credential.iterations < min) {
      throw new SaslCredentialError(`Iterations ${credential.iterations} is less than the minimum ${min}`);
    }
    this.#credential = credential;
    this.#authorizationId = username;
    this.#clientFirstBare = `n=${saslname},r=${nonce}${[...ext].map(([k, v]) => `,${k}=${v}`).join('')}`;
    this.#nonce = nonce + randomBase36();
    this.#serverFirst = `r=${this.#nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.#state = 'final';
    return Buffer.from(this.#serverFirst, 'utf8');
  }

  #final(msg: string): Buffer {
    const m = CLIENT_FINAL.exec(msg);
    if (!m?.groups) throw new SaslCredentialError(`Invalid SCRAM client final message format: ${msg}`);
    const { channel = '', nonce = '', proof = '' } = m.groups;
    if (!nonce.endsWith(this.#nonce))
      throw new SaslCredentialError('Invalid client nonce in the final client message.');
    const credential = this.#credential as ScramCredential;
    const withoutProof = `c=${Buffer.from(channel, 'base64').toString('base64')},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientSignature = scramHmac(this.mechanism, credential.storedKey, authMessage);
    const proofBytes = Buffer.from(proof, 'base64');
    // A proof of the wrong length is not a credential failure in Kafka (its xor throws): the connection closes.
    if (proofBytes.length !== clientSignature.length) throw new Error('SCRAM client proof has the wrong length');
    const clientKey = Buffer.alloc(proofBytes.length);
    for (let i = 0; i < clientKey.length; i++) {
      clientKey[i] = (clientSignature[i] as number) ^ (proofBytes[i] as number);
    }
    const computed = scramHash(this.mechanism, clientKey);
    if (computed.length !== credential.storedKey.length || !timingSafeEqual(computed, credential.storedKey)) {
      throw new SaslCredentialError('Invalid client credentials');
    }
    const serverSignature = scramHmac(this.mechanism, credential.serverKey, authMessage);
    this.#credential = null;
    this.#state = 'complete';
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}

/** `,k=v,k2=v2` → map (Kafka's ScramExtensions: a value ends at the next '='). */
function parseExtensions(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of s.split(',').filter(Boolean)) {
    const [k = '', v = ''] = kv.split('=');
    out.set(k, v);
  }
  return out;
}
