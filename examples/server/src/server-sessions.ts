/**
 * "That is not me" feedback sessions, held by the client: a session is a signed token listing the identities the user
 * rejected; `feedback` returns a new token with one more, and a recognition that carries the token leaves them out.
 * Nothing is stored on the server, so a session works on every replica that shares `EOLGUL_SESSION_SECRET`, and a
 * flood of sessions costs no memory. The token is bound to the API key that made it and expires after 24 hours.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ServiceError } from './server-errors.js';

/** At most this many rejected identities per session (keeps tokens short). */
export const MAX_REJECTED = 100;
const TTL_MS = 24 * 3600_000;

interface Payload {
  /** API key name. */
  k: string;
  /** Rejected identities, in order. */
  r: string[];
  /** Expiry, ms since the epoch. */
  e: number;
}

/** Signs and checks session tokens with one secret. */
export class SessionSigner {
  private readonly secret: Buffer;
  constructor(secret?: string) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }

  /** A token for `keyName` with `rejected` identities. */
  sign(keyName: string, rejected: string[]): string {
    const body = Buffer.from(
      JSON.stringify({ k: keyName, r: rejected, e: Date.now() + TTL_MS } satisfies Payload),
    ).toString('base64url');
    return `s1.${body}.${this.mac(body).toString('base64url')}`;
  }

  /**
   * The rejected identities of a token made for `keyName`.
   * @throws {ServiceError} 400 `SESSION_INVALID`: malformed, forged, expired or made with another key.
   */
  open(token: string, keyName: string): string[] {
    const bad = (why: string) => new ServiceError(400, 'SESSION_INVALID', `session token ${why}`);
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3 || parts[0] !== 's1') throw bad('is malformed');
    const mac = Buffer.from(parts[2], 'base64url');
    const want = this.mac(parts[1]);
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) throw bad('has a bad signature');
    const p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Payload;
    if (p.k !== keyName) throw bad('belongs to another API key');
    if (!(p.e > Date.now())) throw bad('has expired');
    return p.r;
  }
}
