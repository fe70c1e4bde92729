/** What the dashboard is configured with (createDashboardHandler's options). */
import type { AuditStore } from "../audit/audit-store.js";
import type { GitHubOAuthConfig } from "../github/user-sign-in.js";
import type { TrustedProxies } from "../http/client-address.js";
import type { SignedIn } from "./layout.js";

export interface DashboardLog {
  info?: (details: Record<string, unknown>, message: string) => void;
  warn?: (details: Record<string, unknown>, message: string) => void;
  error: (details: Record<string, unknown>, message: string) => void;
}

export interface DashboardOptions {
  store: AuditStore;
  /** AUDIT_API_TOKEN: token sign-in, sessions that see everything. */
  token: string | undefined;
  /**
   * GitHub sign-in (GITHUB_CLIENT_ID/SECRET): sessions that see the repositories the user can
   * read through the app. With neither this nor a token the dashboard is off (the handler always
   * returns false).
   */
  github?: GitHubOAuthConfig | null;
  /** For the calls to GitHub (tests). */
  fetch?: typeof fetch;
  log?: DashboardLog;
  /**
   * Mark cookies Secure. Default: when the request came over TLS or a proxy says so
   * (`X-Forwarded-Proto: https`). Set true behind a TLS proxy that does not send the header.
   */
  secureCookies?: boolean;
  /** Links to pull requests and commits (GHE: https://github.example.com). */
  githubUrl?: string;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client for the sign-in throttle. */
  trustedProxies?: TrustedProxies | null;
}

/** Failed sign-ins allowed per client address per window (the token itself is ≥ 16 characters). */
export const MAX_FAILED_LOGINS = 10;
export const FAILED_LOGIN_WINDOW_MS = 15 * 60 * 1000;

/** What a signed-in request may see: the page header's facts, and the repositories (null: all). */
export interface Viewer {
  signedIn: SignedIn;
  repos: readonly string[] | null;
}
