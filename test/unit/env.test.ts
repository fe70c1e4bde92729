import { reconcileIntervalMs, githubOAuthOf, githubUrls, parseEnv } from "../../src/env.js";

test.each([
  ["redis://127.0.0.1:6379", true],
  ["rediss://user:pw@redis.internal:6380/2", true],
  ["redis://redis", true],
  ["http://redis:6379", false],
  ["127.0.0.1:6379", false],
  ["redis", false],
])("REDIS_URL=%s is accepted: %s", (url, ok) => {
  const parsed = parseEnv({ REDIS_URL: url });
  expect(parsed.ok).toBe(ok);
  if (!parsed.ok) expect(parsed.errors).toEqual([expect.stringMatching(/^REDIS_URL: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)]);
});

test("an empty REDIS_URL is the same as unset: one process, no Redis", () => {
  expect(parseEnv({ REDIS_URL: "" })).toEqual({ ok: true, env: {} });
});

describe("GitHub sign-in for the dashboard", () => {
  const ID = "Iv1.8a61f9b3a7aba766";
  const SECRET = "1234567890abcdef1234567890abcdef12345678";

  test("both set: on, with github.com's web and API URLs", () => {
    const parsed = parseEnv({ GITHUB_CLIENT_ID: ID, GITHUB_CLIENT_SECRET: SECRET });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(githubOAuthOf(parsed.env)).toEqual({
      clientId: ID,
      clientSecret: SECRET,
      webUrl: "https://github.com",
      apiUrl: "https://api.github.com",
    });
  });

  test("neither set (or empty): off", () => {
    const parsed = parseEnv({ GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "" });
    expect(parsed).toEqual({ ok: true, env: {} });
    if (parsed.ok) expect(githubOAuthOf(parsed.env)).toBeNull();
  });

  test.each([
    [{ GITHUB_CLIENT_ID: ID }, "GITHUB_CLIENT_SECRET: required with GITHUB_CLIENT_ID"],
    [{ GITHUB_CLIENT_SECRET: SECRET }, "GITHUB_CLIENT_ID: required with GITHUB_CLIENT_SECRET"],
    [{ GITHUB_CLIENT_ID: ID, GITHUB_CLIENT_SECRET: "" }, "GITHUB_CLIENT_SECRET: required with GITHUB_CLIENT_ID"],
  ])("one without the other is refused, naming the missing one: %j", (env, message) => {
    const parsed = parseEnv(env);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toEqual([expect.stringContaining(message)]);
  });

  test.each([
    [{ GITHUB_CLIENT_ID: "has space", GITHUB_CLIENT_SECRET: SECRET }, /^GITHUB_CLIENT_ID: GITHUB_CLIENT_ID must be the App's client id/],
    [{ GITHUB_CLIENT_ID: ID, GITHUB_CLIENT_SECRET: "short" }, /^GITHUB_CLIENT_SECRET: GITHUB_CLIENT_SECRET must be at least 16 characters/],
    [{ GHE_PROTOCOL: "ftp" }, /^GHE_PROTOCOL: GHE_PROTOCOL must be http or https/],
  ])("malformed values are refused: %j", (env, message) => {
    const parsed = parseEnv(env);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toEqual([expect.stringMatching(message)]);
  });

  test.each([
    [{}, { web: "https://github.com", api: "https://api.github.com" }],
    [{ GHE_HOST: "github.example.com" }, { web: "https://github.example.com", api: "https://github.example.com/api/v3" }],
    [
      { GHE_HOST: "127.0.0.1:3100", GHE_PROTOCOL: "http" as const },
      { web: "http://127.0.0.1:3100", api: "http://127.0.0.1:3100/api/v3" },
    ],
  ])("GitHub's URLs from GHE_HOST/GHE_PROTOCOL as Probot reads them: %j", (env, urls) => {
    expect(githubUrls(env)).toEqual(urls);
  });
});

test("RECONCILE_INTERVAL_SECONDS: default 300 s, 0 turns the sweep off, anything else is refused", () => {
  expect(reconcileIntervalMs({})).toBe(300_000);
  const off = parseEnv({ RECONCILE_INTERVAL_SECONDS: "0" });
  expect(off.ok && reconcileIntervalMs(off.env)).toBe(0);
  expect(parseEnv({ RECONCILE_INTERVAL_SECONDS: "5m" })).toEqual({
    ok: false,
    errors: [expect.stringMatching(/^RECONCILE_INTERVAL_SECONDS: .*whole number of seconds \(0 turns the recovery sweep off\)/)],
  });
});

describe("WEBHOOK_SECRET", () => {
  test.each([{}, { NODE_ENV: "development" }, { NODE_ENV: "production" }, { WEBHOOK_SECRET: "" }])(
    "required whenever APP_ID is set (Probot's default secret is public), saying how to set it: %j",
    (extra) => {
      const parsed = parseEnv({ APP_ID: "123", ...extra });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.errors).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: required when APP_ID is set/)]);
        expect(parsed.errors[0]).toMatch(/App settings/);
        expect(parsed.errors[0]).toMatch(/\.env/);
      }
    },
  );

  test("with APP_ID and WEBHOOK_SECRET: accepted", () => {
    expect(parseEnv({ APP_ID: "123", WEBHOOK_SECRET: "s3cret-from-the-app-settings" })).toEqual({
      ok: true,
      env: { APP_ID: "123", WEBHOOK_SECRET: "s3cret-from-the-app-settings" },
    });
  });

  test("without APP_ID (Probot's setup page registers the app and writes both): not required", () => {
    expect(parseEnv({ NODE_ENV: "development" })).toEqual({ ok: true, env: { NODE_ENV: "development" } });
  });
});

describe("TRUSTED_PROXIES", () => {
  test("addresses and CIDR ranges, IPv4 and IPv6, comma-separated", () => {
    const parsed = parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1,fd00::/8, ::1" });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const proxies = parsed.env.TRUSTED_PROXIES!;
    expect(proxies.entries).toEqual(["10.0.0.0/8", "127.0.0.1", "fd00::/8", "::1"]);
    expect(["10.1.2.3", "::ffff:10.1.2.3", "127.0.0.1", "fd12::1", "::1"].map((a) => proxies.has(a))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["11.0.0.1", "127.0.0.2", "2001:db8::1", "not-an-ip"].map((a) => proxies.has(a))).toEqual([false, false, false, false]);
  });

  test.each(["10.0.0.0/33", "localhost", "10.0.0.1/8/1", "fd00::/129"])("%s is refused, naming the entry", (value) => {
    const parsed = parseEnv({ TRUSTED_PROXIES: `127.0.0.1, ${value}` });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.errors).toEqual([
        `TRUSTED_PROXIES: "${value}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)`,
      ]);
  });
});
