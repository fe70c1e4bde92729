/**
 * The process logger: Probot's own (pino, formatted by @probot/pino: pretty in development,
 * JSON with LOG_FORMAT=json or NODE_ENV=production, Sentry with SENTRY_DSN) with credentials
 * removed at every level. Probot's request logger (pino-http) writes every request's headers and
 * URL, so without this the audit token, session cookies and OAuth codes would be in the log.
 *
 * Two layers: structured redaction of credential headers wherever a headers object is logged,
 * and a last pass over every serialized line (known secret values, cookies of ours, OAuth and
 * token URL parameters, App-manifest codes, bearer credentials, GitHub tokens, PEM private keys).
 */
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import { urlPasswords } from "./redact-url.js";

export const REDACTED = "[redacted]";

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie"];
/** Where headers objects appear: pino-http's req/res, Octokit's request errors, our own logs. */
const HEADER_OWNERS = ["req.headers", "res.headers", "headers", "*.headers", "*.request.headers", "*.response.headers"];
const REDACT_PATHS = HEADER_OWNERS.flatMap((owner) => CREDENTIAL_HEADERS.map((h) => `${owner}["${h}"]`));

/** URL (and form) parameters that carry credentials: the OAuth code and state, tokens, client secrets. */
const SECRET_PARAMS = /([?&;](?:code|state|token|access_token|refresh_token|client_secret)=)[^&#\s"'\\]+/gi;
/**
 * The one-time code of a GitHub App manifest, in the path of the request that trades it for the
 * App's credentials (`POST /app-manifests/{code}/conversions`; a failed one is logged with its URL).
 */
const MANIFEST_CODES = /(\/app-manifests\/)[^/?#\s"'\\]+/g;
/** Our cookies (sessions, the sign-in nonce, the OAuth state), wherever their values show up. */
const OUR_COOKIES = /\b(countersign_[a-z]+=)[^;,\s"'\\]+/g;
const AUTH_SCHEMES = /\b(Bearer|Basic)(\s+)(?=[A-Za-z0-9._~+/-]{12,})[A-Za-z0-9._~+/=-]+/g;
/** GitHub's token formats: installation (ghs_), user (ghu_), OAuth (gho_), refresh (ghr_), personal. */
const GITHUB_TOKENS = /\b(gh[opsur]_|github_pat_)[A-Za-z0-9_]{8,}/g;
/** A PEM private key, with real or JSON-escaped newlines. */
const PRIVATE_KEYS = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Removes credentials from one log line (serialized JSON, or any text). `secrets`: exact values to hide. */
export function redactLogLine(line: string, secrets: readonly string[] = []): string {
  let out = line;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(PRIVATE_KEYS, REDACTED)
    .replace(SECRET_PARAMS, `$1${REDACTED}`)
    .replace(MANIFEST_CODES, `$1${REDACTED}`)
    .replace(OUR_COOKIES, `$1${REDACTED}`)
    .replace(AUTH_SCHEMES, `$1$2${REDACTED}`)
    .replace(GITHUB_TOKENS, `$1${REDACTED}`);
}

/**
 * The forms a secret value can take in a serialized line: as is, and JSON-escaped (a PEM key's
 * newlines become `\n`). Values shorter than 8 characters are left alone: they would redact prose.
 */
export function secretForms(values: readonly (string | undefined | null)[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (!value || value.length < 8) continue;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a secret containing another is removed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

export interface LogOptions {
  level?: string | undefined;
  logFormat?: "json" | "pretty" | undefined;
  logLevelInString?: boolean | undefined;
  logMessageKey?: string | undefined;
  sentryDsn?: string | undefined;
  /** Exact values never to print (the audit token, the webhook and client secrets, the private key). */
  secrets?: readonly (string | undefined | null)[];
}

/** Probot's logger (same name, level, message key and formatting) with credentials redacted. */
export async function createRedactingLog(options: LogOptions = {}): Promise<Logger> {
  const secrets = secretForms(options.secrets ?? []);
  const { logFormat, logLevelInString, sentryDsn } = options;
  const transform = await getTransformStream({ logFormat, logLevelInString, sentryDsn });
  // pino's SonicBoom destination is a writable stream in all but its declared type.
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    {
      name: "probot",
      level: options.level ?? "info",
      messageKey: options.logMessageKey ?? "msg",
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => redactLogLine(line, secrets) },
    },
    transform,
  );
}

/**
 * The logger's settings from the environment, as Probot reads them (LOG_LEVEL, LOG_FORMAT,
 * LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY, SENTRY_DSN), and the configured credentials it must never
 * print. The same for the app and for setup mode before it is registered.
 */
export function logOptionsFromEnv(env: NodeJS.ProcessEnv): LogOptions {
  return {
    level: env.LOG_LEVEL || undefined,
    logFormat: logFormatOf(env),
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    logMessageKey: env.LOG_MESSAGE_KEY || undefined,
    sentryDsn: env.SENTRY_DSN || undefined,
    secrets: [
      env.AUDIT_API_TOKEN,
      env.METRICS_TOKEN,
      env.WEBHOOK_SECRET,
      env.GITHUB_CLIENT_SECRET,
      env.PRIVATE_KEY,
      ...urlPasswords(env.DATABASE_URL),
      ...urlPasswords(env.REDIS_URL),
    ],
  };
}

/** LOG_FORMAT as Probot reads it: pretty unless LOG_FORMAT=json, or NODE_ENV=production without LOG_FORMAT. */
export function logFormatOf(env: { LOG_FORMAT?: string | undefined; NODE_ENV?: string | undefined }): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}
