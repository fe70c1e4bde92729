/** Small pure pieces of the inbox and metrics: request kinds, transient errors, error text, backoff. */
import { pino } from "pino";
import type { InboxStore } from "../../src/audit/inbox-store.js";
import { isTransient } from "../../src/github/errors.js";
import { requestKind } from "../../src/github/octokit.js";
import { describeError, InboxWorker } from "../../src/inbox/inbox-worker.js";

test.each([
  ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "GET /repos/{owner}/{repo}/pulls/{id}/files"],
  ["GET", "https://api.github.com/repositories/42/pulls/7/files?per_page=100&page=2", "GET /repos/{owner}/{repo}/pulls/{id}/files"],
  [
    "GET",
    "http://127.0.0.1:3100/api/v3/repos/acme/pay/commits/0123456789abcdef0123456789abcdef01234567/check-runs",
    "GET /repos/{owner}/{repo}/commits/{id}/check-runs",
  ],
  ["POST", "/graphql", "POST /graphql"],
  ["POST", "http://ghe.example/api/graphql", "POST /graphql"],
  ["post", "/app/installations/{installation_id}/access_tokens", "POST /app/installations/{id}/access_tokens"],
])("requestKind(%s %s) = %s", (method, url, kind) => {
  expect(requestKind(method, url)).toBe(kind);
});

test("transient: 5xx, 429, rate-limited 403, network; not: 404, 401, a plain 403, GraphQL errors, bugs", () => {
  const http = (status: number, extra: object = {}) => Object.assign(new Error("x"), { status, ...extra });
  expect(isTransient(http(502))).toBe(true);
  expect(isTransient(http(429))).toBe(true);
  expect(isTransient(http(403, { message: "You have exceeded a secondary rate limit" }))).toBe(true);
  expect(isTransient(http(403, { response: { headers: { "x-ratelimit-remaining": "0" } } }))).toBe(true);
  expect(isTransient(new AggregateError([new TypeError("bug"), http(503)]))).toBe(true);
  expect(isTransient(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }))).toBe(true);
  expect(isTransient(http(404))).toBe(false);
  expect(isTransient(http(401))).toBe(false);
  expect(isTransient(http(403, { message: "Resource not accessible by integration" }))).toBe(false);
  expect(isTransient(Object.assign(new Error("GraphQL"), { errors: [{ message: "NOT_FOUND" }] }))).toBe(false);
  expect(isTransient(new TypeError("Cannot read properties of undefined"))).toBe(false);
});

test("describeError names every error of an AggregateError with its HTTP status and request", () => {
  const url = "https://api.github.com/repos/a/b/pulls/1/files";
  const e = Object.assign(new Error("Bad Gateway"), { status: 502, request: { method: "GET", url: `${url}?page=2` } });
  expect(describeError(new AggregateError([e, new Error("second")]))).toBe(`HTTP 502: Bad Gateway (GET ${url}); second`);
});

test("retry delays grow 3× from the base, with jitter, up to the maximum", () => {
  const log = pino({ level: "silent" });
  const worker = new InboxWorker({ store: {} as InboxStore, dispatch: async () => {}, log, retryBaseMs: 1000, retryMaxMs: 20_000 });
  const delays = [1, 2, 3, 4, 5].map((n) => worker.retryDelay(n));
  const expected = [1000, 3000, 9000, 20_000, 20_000];
  delays.forEach((d, i) => {
    expect(d).toBeGreaterThanOrEqual(expected[i]! * 0.8);
    expect(d).toBeLessThanOrEqual(expected[i]! * 1.2);
  });
});
