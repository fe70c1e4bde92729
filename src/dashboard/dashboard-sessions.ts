/**
 * Dashboard sign-in state, with no session table: the session cookie carries a random id, its
 * expiry and what the session may see, signed with HMAC-SHA256 under a key derived from
 * AUDIT_API_TOKEN and, when GitHub sign-in is on, GITHUB_CLIENT_SECRET. Rotating either therefore
 * signs everyone out. Sign-out adds the id to an in-memory revocation list until it would have
 * expired anyway (and the browser drops the cookie); with several replicas, a copied cookie stays
 * valid on the others until its expiry, at most SESSION_TTL_MS.
 *
 * Two kinds of session: signed in with the token (`v1.<id>.<expiry>.<mac>`: sees everything), or
 * with GitHub (`g1.<id>.<expiry>.<access>.<mac>`, the access being the login and the repositories
 * they could read at sign-in, deflated JSON in base64url, so it holds a few hundred repositories
 * within a browser's 4 KB cookie limit). Repository access is as of sign-in, for the session's 8 hours.
 *
 * CSRF: the session cookie is SameSite=Strict, and every POST form also carries a token that is
 * an HMAC of the session id (or, for the sign-in form, of a nonce kept in a short-lived cookie:
 * double submit). All comparisons are constant time.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const LOGIN_NONCE_TTL_MS = 60 * 60 * 1000;
/** What a browser keeps of one cookie (4096 bytes for name, value and attributes) with room to spare. */
export const MAX_SESSION_COOKIE_VALUE = 3800;
const MAX_REVOKED = 10_000;

/** What a session may see: everything (the audit token), or a GitHub user's repositories. */
export type SessionAccess = { kind: "token" } | { kind: "github"; login: string; repos: readonly string[] };

export interface DashboardSession {
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  access: SessionAccess;
}

const ID = /^[A-Za-z0-9_-]{24}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
const ACCESS = /^[A-Za-z0-9_-]{1,3800}$/;

export class DashboardSessions {
  private readonly sessionKey: Buffer;
  private readonly csrfKey: Buffer;
  private readonly tokenDigest: Buffer | null;
  /** Signed-out session ids → their expiry. */
  private readonly revoked = new Map<string, number>();

  /**
   * `token`: AUDIT_API_TOKEN (token sign-in on); `githubClientSecret`: GitHub sign-in on. At least
   * one. With the token alone the keys are the ones earlier versions derived from it.
   */
  constructor(token: string | null | undefined, githubClientSecret?: string | null) {
    const material = [token, githubClientSecret].filter((s): s is string => Boolean(s)).join("\u0000");
    if (!material) throw new Error("DashboardSessions: neither the token nor the GitHub client secret is set");
    const derive = (info: string) => Buffer.from(hkdfSync("sha256", material, "countersign-dashboard", info, 32));
    this.sessionKey = derive("session cookie v1");
    this.csrfKey = derive("csrf v1");
    this.tokenDigest = token ? sha256(token) : null;
  }

  /** Whether a presented sign-in token is AUDIT_API_TOKEN (hashed first: no length or content leaks). */
  tokenMatches(presented: string): boolean {
    if (!this.tokenDigest) return false;
    return timingSafeEqual(sha256(presented), this.tokenDigest);
  }

  /** A new session and its cookie value; check the value against MAX_SESSION_COOKIE_VALUE before sending it. */
  issue(now: number, access: SessionAccess = { kind: "token" }): { session: DashboardSession; cookieValue: string } {
    const session: DashboardSession = { id: randomBytes(18).toString("base64url"), expiresAt: now + SESSION_TTL_MS, access };
    const body =
      access.kind === "token"
        ? `v1.${session.id}.${session.expiresAt}`
        : `g1.${session.id}.${session.expiresAt}.` +
          `${deflateRawSync(JSON.stringify({ login: access.login, repos: access.repos })).toString("base64url")}`;
    return { session, cookieValue: `${body}.${this.mac(this.sessionKey, body)}` };
  }

  /** The session a cookie value proves, or null (malformed, forged, expired or signed out). */
  verify(cookieValue: string | undefined, now: number): DashboardSession | null {
    if (!cookieValue || cookieValue.length > MAX_SESSION_COOKIE_VALUE + 200) return null;
    const parts = cookieValue.split(".");
    const kind = parts[0] === "v1" && parts.length === 4 ? "token" : parts[0] === "g1" && parts.length === 5 ? "github" : null;
    if (!kind) return null;
    const id = parts[1]!;
    const expires = parts[2]!;
    const mac = parts[parts.length - 1]!;
    const packed = kind === "github" ? parts[3]! : null;
    if (!ID.test(id) || !/^\d{13,15}$/.test(expires) || !MAC.test(mac) || (packed !== null && !ACCESS.test(packed))) return null;
    if (!macEquals(this.mac(this.sessionKey, parts.slice(0, -1).join(".")), mac)) return null;
    const expiresAt = Number(expires);
    // The upper bound (with a few minutes for clock skew between replicas) retires cookies issued
    // under a longer lifetime by an older version.
    if (expiresAt <= now || expiresAt > now + SESSION_TTL_MS + 5 * 60_000) return null;
    if (this.revoked.has(id)) return null;
    const access = packed === null ? ({ kind: "token" } as const) : unpackAccess(packed);
    return access ? { id, expiresAt, access } : null;
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

/** The access of a cookie whose MAC has already been checked (so this is our own JSON). */
function unpackAccess(packed: string): SessionAccess | null {
  try {
    const value = JSON.parse(inflateRawSync(Buffer.from(packed, "base64url"), { maxOutputLength: 1024 * 1024 }).toString("utf8")) as {
      login?: unknown;
      repos?: unknown;
    };
    if (typeof value.login !== "string" || !Array.isArray(value.repos) || !value.repos.every((r) => typeof r === "string")) return null;
    return { kind: "github", login: value.login, repos: value.repos as string[] };
  } catch {
    return null;
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
