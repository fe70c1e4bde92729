/**
 * schema/countersign.schema.json: generated from the zod schema and checked in. This suite fails
 * when the file is out of date (so CI enforces `npm run schema`), and checks that the schema
 * accepts the documented configs and rejects unknown keys, as the app does.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CONFIG_EXAMPLE } from "../../src/cli/init.js";
import { loadConfig } from "../../src/policy/config.js";
import { PROJECT_ROOT } from "./cli-harness.js";

const schemaText = readFileSync(join(PROJECT_ROOT, "schema/countersign.schema.json"), "utf8");
const schema = JSON.parse(schemaText) as Record<string, unknown>;
const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);

/** The example config in the README's "Configuration" section. */
function readmeExample(): string {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("README.md has no ```yaml example under ## Configuration");
  return m[1]!;
}

test("the checked-in schema is what scripts/generate-schema.mjs generates (run `npm run schema` when this fails)", async () => {
  const result = await new Promise<{ code: number; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, "scripts/generate-schema.mjs"), "--check"],
      { cwd: PROJECT_ROOT, timeout: 20_000 },
      (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr: String(stderr) }),
    ),
  );
  expect(result).toEqual({ code: 0, stderr: "" });
});

test("it is a draft-07 schema editors can use, with the doc comments as descriptions", () => {
  expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
  expect(schema.additionalProperties).toBe(false);
  const review = (schema.properties as Record<string, { properties: Record<string, { description?: string }> }>).review!;
  expect(review.properties.required_approvals!.description).toBe("Noted approvals needed on the current head SHA.");
});

test("documents disclosure.autocomplete_exempt (a boolean, false unless set)", () => {
  type Property = { type?: string; default?: unknown; description?: string };
  const disclosure = (schema.properties as Record<string, { properties: Record<string, Property> }>).disclosure!;
  expect(disclosure.properties.autocomplete_exempt).toMatchObject({ type: "boolean", default: false });
  expect(disclosure.properties.autocomplete_exempt!.description).toMatch(/autocomplete/);
  expect(validator.safeParse({ disclosure: { autocomplete_exempt: true } }).success).toBe(true);
  expect(validator.safeParse({ disclosure: { autocomplete_exempt: "yes" } }).success).toBe(false);
});

test("documents exceptions.require_sha (a boolean, false unless set), as loadConfig reads it", () => {
  type Property = { type?: string; default?: unknown; description?: string };
  const exceptions = (schema.properties as Record<string, { properties: Record<string, Property> }>).exceptions!;
  expect(exceptions.properties.require_sha).toMatchObject({ type: "boolean", default: false });
  expect(exceptions.properties.require_sha!.description).toMatch(/@<sha>/);
  expect(validator.safeParse({ exceptions: { require_sha: true } }).success).toBe(true);
  expect(validator.safeParse({ exceptions: { require_sha: "yes" } }).success).toBe(false);
  const loaded = loadConfig("exceptions:\n  require_sha: true\n");
  expect(loaded.ok && loaded.config.exceptions.require_sha).toBe(true);
  const none = loadConfig("");
  expect(none.ok && none.config.exceptions.require_sha).toBe(false);
});

test.each([
  ["the README example", readmeExample()],
  ["the config `countersign init` writes", CONFIG_EXAMPLE],
  ["an empty file", ""],
])("accepts %s (as loadConfig does)", (_name, text) => {
  const raw = (parseYaml(text) ?? {}) as unknown;
  expect(loadConfig(text).ok).toBe(true);
  expect(validator.safeParse(raw).error?.issues ?? []).toEqual([]);
});

test.each([
  ["an unknown top-level key", { reviews: { required_approvals: 2 } }],
  ["an unknown nested key", { review: { required_approval: 2 } }],
  ["an unknown key in a boundary", { boundaries: [{ name: "auth", paths: ["src/auth/**"], actions: "block" }] }],
  ["an unknown key in an AI identity", { disclosure: { ai_identities: [{ tool: "x", email: "a@b.c" }] } }],
  ["a value outside an enum", { audit: { on_bypass: "email" } }],
  ["a number out of range", { review: { required_approvals: 11 } }],
  ["a malformed team", { ownership: { fallback_team: "platform" } }],
])("rejects %s, as loadConfig does", (_name, config) => {
  expect(validator.safeParse(config).success).toBe(false);
  expect(loadConfig(JSON.stringify(config)).ok).toBe(false);
});
