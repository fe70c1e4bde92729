import { logOptionsFromEnv, REDACTED, redactLogLine, secretForms } from "../../src/redacting-log.js";

test.each([
  [
    "OAuth callback URL",
    "GET /countersign/auth/github/callback?code=81fd1943&state=Np6JiMU-q5 200",
    `GET /countersign/auth/github/callback?code=${REDACTED}&state=${REDACTED} 200`,
  ],
  ["token in a form body", "next=%2Fcountersign&token=abc123def456", `next=%2Fcountersign&token=${REDACTED}`],
  [
    "client secret and access token parameters",
    "?client_id=Iv1.x&client_secret=s3cr3t&access_token=gho_x",
    `?client_id=Iv1.x&client_secret=${REDACTED}&access_token=${REDACTED}`,
  ],
  [
    "our cookies",
    '"cookie":"countersign_session=v1.abc.123.def; countersign_oauth=Np6.L2"',
    `"cookie":"countersign_session=${REDACTED}; countersign_oauth=${REDACTED}"`,
  ],
  [
    "an App-manifest code in the URL that trades it for the App's credentials",
    '"url":"https://api.github.com/app-manifests/a1b2c3d4e5f60718293a/conversions"',
    `"url":"https://api.github.com/app-manifests/${REDACTED}/conversions"`,
  ],
  ["a bearer credential", '"Bearer audit-token-0123456789abcdef"', `"Bearer ${REDACTED}"`],
  ["GitHub tokens", "token ghs_16C7e42F292c6912E7710c838347Ae178B4a and ghu_abcdefgh12345678", `token ghs_${REDACTED} and ghu_${REDACTED}`],
  [
    "a private key with JSON-escaped newlines",
    '"key":"-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----"',
    `"key":"${REDACTED}"`,
  ],
])("%s", (_name, line, expected) => {
  expect(redactLogLine(line)).toBe(expected);
});

test("prose about tokens, states and codes is left alone", () => {
  const line = "That token is not the audit token; the state of the code review is unchanged (Bearer auth)";
  expect(redactLogLine(line)).toBe(line);
});

test("known secret values are removed as they are and JSON-escaped; short values are not treated as secrets", () => {
  const pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
  const secrets = secretForms(["webhook-secret-value", pem, "short", undefined]);
  expect(secrets).toContain(JSON.stringify(pem).slice(1, -1));
  expect(secrets).not.toContain("short");
  expect(redactLogLine(`{"msg":"secret webhook-secret-value","k":${JSON.stringify(pem)}}`, secrets)).toBe(
    `{"msg":"secret ${REDACTED}","k":"${REDACTED}"}`,
  );
});

test("the settings from the environment: Probot's variables (an empty one unset) and the configured credentials as secrets", () => {
  const options = logOptionsFromEnv({
    LOG_LEVEL: "trace",
    LOG_FORMAT: "json",
    LOG_LEVEL_IN_STRING: "true",
    LOG_MESSAGE_KEY: "message",
    SENTRY_DSN: "",
    AUDIT_API_TOKEN: "audit-token-0123456789",
    METRICS_TOKEN: "metrics-token-0123456789",
    DATABASE_URL: "postgres://app:db%2Fpass@db/countersign",
  });
  expect(options).toMatchObject({
    level: "trace",
    logFormat: "json",
    logLevelInString: true,
    logMessageKey: "message",
    sentryDsn: undefined,
  });
  expect(options.secrets).toEqual(expect.arrayContaining(["audit-token-0123456789", "metrics-token-0123456789", "db%2Fpass", "db/pass"]));
});
