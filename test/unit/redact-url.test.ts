import { redactUrl, urlPasswords } from "../../src/redact-url.js";

test.each([
  ["postgres://app:s3cret@db.internal:5432/audit", "postgres://app:***@db.internal:5432/audit"],
  ["rediss://user:pw@redis.internal:6380/2", "rediss://user:***@redis.internal:6380/2"],
  ["redis://:onlypassword@redis:6379", "redis://:***@redis:6379"],
  // Unencoded `/`, `?`, `#` or `@` in the password: the URL parser sees another host (or none).
  ["postgres://app:pa/ss@db.internal/audit", "postgres://app:***@db.internal/audit"],
  ["postgres://app:12/34@db.internal/audit", "postgres://app:***@db.internal/audit"],
  ["postgres://app:a/b?c#d@db.internal/audit", "postgres://app:***@db.internal/audit"],
  ["postgres://app:p@ss/w@db.internal/audit", "postgres://app:***@db.internal/audit"],
  ["postgres://db.internal/audit", "postgres://db.internal/audit"],
  ["sqlite:///var/lib/countersign/audit.db", "sqlite:///var/lib/countersign/audit.db"],
])("%s → %s", (url, expected) => {
  expect(redactUrl(url)).toBe(expected);
});

test("no secret survives, whatever the password holds", () => {
  for (const password of ["a/b", "x?y", "h#sh", "at@sign", "all/of?them#@", "%2F/%40"]) {
    expect(redactUrl(`postgres://app:${password}@db.internal:5432/audit`)).not.toContain(password);
  }
});

test.each([
  ["postgres://app:pa/ss@db/audit", ["pa/ss"]],
  ["postgres://app:p%40ss@db/audit", ["p%40ss", "p@ss"]],
  ["postgres://db/audit", []],
  [undefined, []],
])("the password of %s, for the log's list of secrets: %j", (url, expected) => {
  expect(urlPasswords(url)).toEqual(expected);
});
