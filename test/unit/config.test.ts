import { readFileSync } from "node:fs";
import fc from "fast-check";
import { DEFAULT_CONFIG, loadConfig } from "../../src/policy/config.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");

describe("loadConfig", () => {
  test("no file (empty or comments only) means the documented defaults", () => {
    for (const text of ["", "   \n", "# nothing yet\n", null]) {
      const res = loadConfig(text);
      expect(res).toEqual({ ok: true, config: DEFAULT_CONFIG });
    }
    expect(DEFAULT_CONFIG.review).toEqual({
      applies_to: ["assisted", "generated", "agent"],
      required_approvals: 1,
      require_fresh_review: true,
      checklist: ["I can explain what this change does and why", "I checked its failure modes and how to roll it back"],
      min_note_length: 40,
    });
    expect(DEFAULT_CONFIG.boundaries).toEqual([]);
    expect(DEFAULT_CONFIG.agents.scope).toEqual(["**"]);
    expect(DEFAULT_CONFIG.audit.on_bypass).toBe("none");
  });

  test("a configured list replaces the default list (never concatenated)", () => {
    const res = loadConfig('review:\n  checklist: ["Only this"]\n  applies_to: [generated]\n');
    expect(res.ok && res.config.review.checklist).toEqual(["Only this"]);
    expect(res.ok && res.config.review.applies_to).toEqual(["generated"]);
    expect(res.ok && res.config.review.min_note_length).toBe(40);
  });

  test("a typical organisation's config parses with its values and filled defaults", () => {
    const res = loadConfig(fixture("valid.yml"));
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    expect(res.config.boundaries.map((b) => [b.name, b.action, b.min_approvals, b.applies_to])).toEqual([
      ["auth", "block", 1, ["assisted", "generated", "agent"]],
      ["payments", "require_approval", 2, ["assisted", "generated", "agent"]],
    ]);
    expect(res.config.ownership).toEqual({ require_team: false, fallback_team: "@acme/platform", label: true, request_review: true });
    expect(res.config.disclosure.ai_identities).toEqual([
      { tool: "internal-llm", emails: ["llm-bot@acme.example"], logins: ["acme-llm[bot]"] },
    ]);
  });

  test("malformed YAML is rejected whole, with a line", () => {
    const res = loadConfig(fixture("malformed.yml"));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors[0]!.message).toMatch(/^invalid YAML/);
    expect(res.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  test("an alias bomb is refused, not expanded", () => {
    const res = loadConfig(fixture("evil.yml"));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors[0]!.message).toMatch(/invalid YAML: .*alias/i);
  });

  test("wrong types, unknown keys, bad enums and duplicates: every error with key path and line", () => {
    const res = loadConfig(fixture("wrong-types.yml"));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    const byPath = Object.fromEntries(res.errors.map((e) => [e.path, e]));
    expect(byPath["review.required_approvals"]).toMatchObject({ line: 2 });
    expect(byPath["review.applies_to.1"]).toMatchObject({ line: 3 });
    expect(byPath["ownership.fallback_team"]).toMatchObject({ line: 5, message: 'expected a team as "@org/team"' });
    expect(byPath["boundaries.0.paths"]).toMatchObject({ line: 8 });
    expect(byPath["boundaries.0.action"]).toMatchObject({ line: 9 });
    expect(byPath["boundaries.1.approvers"]!.message).toBe("require_approval needs at least one approver");
    expect(byPath["unknown_top"]).toMatchObject({ line: 13, message: 'unknown key "unknown_top"' });
  });

  test("duplicate and reserved boundary names are errors", () => {
    const res = loadConfig(
      "boundaries:\n  - name: auth\n    paths: [a/**]\n  - name: auth\n    paths: [b/**]\n  - name: agent-scope\n    paths: [c/**]\n",
    );
    expect(!res.ok && res.errors.map((e) => [e.path, e.line, e.message])).toEqual([
      ["boundaries.1.name", 4, 'duplicate boundary name "auth"'],
      ["boundaries.2.name", 6, '"agent-scope" is reserved for agents.scope exceptions'],
    ]);
  });

  test("a scalar or a list at the top is not a config", () => {
    for (const text of ["just a string", "- a\n- b\n", "42"]) {
      const res = loadConfig(text);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.errors[0]!.message).toMatch(/must be a YAML mapping/);
    }
  });

  test("a misspelt key gets a suggestion", () => {
    const res = loadConfig('ownership:\n  fallbak_team: "@a/b"\n');
    expect(!res.ok && res.errors[0]).toEqual({
      path: "ownership.fallbak_team",
      line: 2,
      message: 'unknown key "fallbak_team" (did you mean "fallback_team"?)',
    });
  });

  test("duplicate keys are invalid YAML (a second value would silently win)", () => {
    const res = loadConfig("review:\n  required_approvals: 1\n  required_approvals: 0\n");
    expect(res.ok).toBe(false);
  });

  test("property: never throws, always ok or errors with a message", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const res = loadConfig(text);
        if (!res.ok) expect(res.errors.length).toBeGreaterThan(0);
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
