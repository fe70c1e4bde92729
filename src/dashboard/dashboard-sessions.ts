/**
 * Dashboard sign-in state, with no session table: the session cookie carries a random id and its
 * expiry, signed with HMAC-SHA256 under a key derived from AUDIT_API_TOKEN. Rotating the token
 * therefore signs everyone out. Sign-out adds the id to an in-memory revocation list until it
 * would have expired anyway (and the browser drops the cookie); with several replicas, a copied
 * cookie stays valid on the others until its expiry, at most SESSION_TTL_MS.
 *
 * CSRF: the session cookie is SameSite=Strict, and every POST form also carries a token that is
 * an HMAC of the session id (or, for the sign-in form, of a nonce kept in a short-lived cookie:
 * double submit). All comparisons are constant time.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const LOGIN_NONCE_TTL_MS = 60 * 60 * 1000;
const MAX_REVOKED = 10_000;

export interface DashboardSession {
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const ID = /^[A-Za-z0-9_-]{24}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

export class DashboardSessions {
  private readonly sessionKey: Buffer;
  private readonly csrfKey: Buffer;
  private readonly tokenDigest: Buffer;
  /** Signed-out session ids → their expiry. */
  private readonly revoked = new Map<string, number>();

  constructor(token: string) {
    if (!token) throw new Error("DashboardSessions: the token is empty");
    const derive = (info: string) => Buffer.from(hkdfSync("sha256", token, "countersign-dashboard", info, 32));
    this.sessionKey = derive("session cookie v1");
    this.csrfKey = derive("csrf v1");
    this.tokenDigest = sha256(token);
  }

  /** Whether a presented sign-in token is AUDIT_API_TOKEN (hashed first: no length or content leaks). */
  tokenMatches(presented: string): boolean {
    return timingSafeEqual(sha256(presented), this.tokenDigest);
  }

  issue(now: number): { session: DashboardSession; cookieValue: string } {
    const session = { id: randomBytes(18).toString("base64url"), expiresAt: now + SESSION_TTL_MS };
    const body = `v1.${session.id}.${session.expiresAt}`;
    return { session, cookieValue: `${body}.${this.mac(this.sessionKey, body)}` };
  }

  /** The session a cookie value proves, or null (malformed, forged, expired or signed out). */
  verify(cookieValue: string | undefined, now: number): DashboardSession | null {
    if (!cookieValue) return null;
    const parts = cookieValue.split(".");
    if (parts.length !== 4 || parts[0] !== "v1") return null;
    const [, id, expires, mac] = parts as [string, string, string, string];
    if (!ID.test(id) || !/^\d{13,15}$/.test(expires) || !MAC.test(mac)) return null;
    if (!macEquals(this.mac(this.sessionKey, `v1.${id}.${expires}`), mac)) return null;
    const expiresAt = Number(expires);
    // The upper bound (with a few minutes for clock skew between replicas) retires cookies issued
    // under a longer lifetime by an older version.
    if (expiresAt <= now || expiresAt > now + SESSION_TTL_MS + 5 * 60_000) return null;
    if (this.revoked.has(id)) return null;
    return { id, expiresAt };
  }

  revoke(session: DashboardSession, now: number): void {
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
    // Bounded: past the cap the oldest revocations go first (they expire first too).
    while (this.revoked.size >= MAX_REVOKED) this.revoked.delete(this.revoked.keys().next().value!);
    this.revoked.set(session.id, session.expiresAt);
  }

  csrfToken(session: DashboardSession): string {
    return this.mac(this.csrfKey, `session.${session.id}`);
  }

  csrfMatches(session: DashboardSession, presented: string | undefined): boolean {
    return typeof presented === "string" && MAC.test(presented) && macEquals(this.csrfToken(session), presented);
  }

  /** A nonce for the sign-in form's double-submit cookie. */
  newLoginNonce(): string {
    return randomBytes(18).toString("base64url");
  }

  isLoginNonce(value: string | undefined): value is string {
    return typeof value === "string" && ID.test(value);
  }

  loginCsrfToken(nonce: string): string {
    return this.mac(this.csrfKey, `login.${nonce}`);
  }

  loginCsrfMatches(nonce: string | undefined, presented: string | undefined): boolean {
    if (!this.isLoginNonce(nonce) || typeof presented !== "string" || !MAC.test(presented)) return false;
    return macEquals(this.loginCsrfToken(nonce), presented);
  }

  private mac(key: Buffer, text: string): string {
    return createHmac("sha256", key).update(text, "utf8").digest("base64url");
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Both are 43-character base64url MACs here; compared as bytes in constant time. */
function macEquals(expected: string, presented: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(presented, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
