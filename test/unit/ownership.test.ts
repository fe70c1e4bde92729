import { parseCodeowners } from "../../src/policy/codeowners.js";
import { resolveOwnership } from "../../src/policy/ownership.js";

const strict = { requireTeam: false, fallbackTeam: null };
const files = (...paths: string[]) => paths.map((path) => ({ path }));

const CODEOWNERS = parseCodeowners(
  [
    "* @acme/platform", // 1
    "/web/ @acme/web", // 2
    "/api/ @acme/api", // 3
    "/common/ @acme/web @acme/api", // 4
    "/scripts/ @octocat", // 5
    "/mixed/ @octocat @acme/ops", // 6
    "/generated/", // 7
    "/docs/ docs@example.com", // 8
  ].join("\n"),
);

describe("resolveOwnership", () => {
  test("the owning team owns the most changed files", () => {
    const o = resolveOwnership(CODEOWNERS, files("api/a.ts", "web/a.ts", "web/b.ts", "README.md"), strict);
    expect(o.owningTeam).toBe("@acme/web");
    expect(o.teams).toEqual([
      { team: "@acme/web", files: 2, firstLine: 2, fallback: false },
      { team: "@acme/platform", files: 1, firstLine: 1, fallback: false },
      { team: "@acme/api", files: 1, firstLine: 3, fallback: false },
    ]);
    expect(o.unowned).toEqual([]);
    expect(o.files.map((f) => [f.path, f.owners, f.line, f.team])).toEqual([
      ["api/a.ts", ["@acme/api"], 3, "@acme/api"],
      ["web/a.ts", ["@acme/web"], 2, "@acme/web"],
      ["web/b.ts", ["@acme/web"], 2, "@acme/web"],
      ["README.md", ["@acme/platform"], 1, "@acme/platform"],
    ]);
  });

  test("ties go to the team whose rule comes first in CODEOWNERS", () => {
    const o = resolveOwnership(CODEOWNERS, files("web/a.ts", "api/a.ts"), strict);
    expect(o.owningTeam).toBe("@acme/web");
    // Order of the changed files does not matter.
    expect(resolveOwnership(CODEOWNERS, files("api/a.ts", "web/a.ts"), strict).owningTeam).toBe("@acme/web");
    expect(resolveOwnership(CODEOWNERS, files("api/a.ts", "README.md"), strict).owningTeam).toBe("@acme/platform");
  });

  test("a file owned by two teams counts for both; firstLine is the lowest line naming the team", () => {
    const o = resolveOwnership(CODEOWNERS, files("common/x.ts", "api/y.ts"), strict);
    expect(o.teams).toEqual([
      { team: "@acme/api", files: 2, firstLine: 3, fallback: false },
      { team: "@acme/web", files: 1, firstLine: 4, fallback: false },
    ]);
    expect(o.owningTeam).toBe("@acme/api");
    expect(o.files[0]!.team).toBe("@acme/web");
  });

  test("user and email owners own files unless a team is required", () => {
    const loose = resolveOwnership(CODEOWNERS, files("scripts/a.sh", "docs/a.md", "mixed/a"), strict);
    expect(loose.unowned).toEqual([]);
    expect(loose.owningTeam).toBe("@acme/ops");
    expect(loose.files.map((f) => f.team)).toEqual([null, null, "@acme/ops"]);

    const teamOnly = resolveOwnership(CODEOWNERS, files("scripts/a.sh", "docs/a.md", "mixed/a"), { requireTeam: true, fallbackTeam: null });
    expect(teamOnly.unowned).toEqual(["scripts/a.sh", "docs/a.md"]);
    expect(teamOnly.owningTeam).toBe("@acme/ops");
    // The CODEOWNERS owners are still reported.
    expect(teamOnly.files[0]!.owners).toEqual(["@octocat"]);
  });

  test("a rule without owners leaves its files unowned", () => {
    const o = resolveOwnership(CODEOWNERS, files("generated/api.ts", "web/a.ts"), strict);
    expect(o.unowned).toEqual(["generated/api.ts"]);
    expect(o.files[0]).toEqual({ path: "generated/api.ts", previousPath: null, owners: [], line: 7, team: null });
  });

  test("a fallback team takes the unowned files and is counted", () => {
    const o = resolveOwnership(CODEOWNERS, files("generated/a.ts", "generated/b.ts", "web/a.ts"), {
      requireTeam: false,
      fallbackTeam: "@acme/maintainers",
    });
    expect(o.unowned).toEqual([]);
    expect(o.owningTeam).toBe("@acme/maintainers");
    expect(o.teams).toEqual([
      { team: "@acme/maintainers", files: 2, firstLine: Number.MAX_SAFE_INTEGER, fallback: true },
      { team: "@acme/web", files: 1, firstLine: 2, fallback: false },
    ]);
    expect(o.files[0]!.team).toBe("@acme/maintainers");
  });

  test("a team named in CODEOWNERS wins a tie against the fallback team", () => {
    const o = resolveOwnership(CODEOWNERS, files("generated/a.ts", "web/a.ts"), { requireTeam: false, fallbackTeam: "@acme/maintainers" });
    expect(o.owningTeam).toBe("@acme/web");
  });

  test("with requireTeam, user-owned files go to the fallback team too", () => {
    const o = resolveOwnership(CODEOWNERS, files("scripts/a.sh"), { requireTeam: true, fallbackTeam: "@acme/platform" });
    expect(o.unowned).toEqual([]);
    expect(o.files[0]).toMatchObject({ owners: ["@octocat"], team: "@acme/platform" });
    expect(o.teams).toEqual([{ team: "@acme/platform", files: 1, firstLine: Number.MAX_SAFE_INTEGER, fallback: true }]);
  });

  test("a fallback team that also appears in CODEOWNERS is one entry", () => {
    const o = resolveOwnership(CODEOWNERS, files("README.md", "generated/a.ts"), { requireTeam: false, fallbackTeam: "@acme/platform" });
    expect(o.teams).toEqual([{ team: "@acme/platform", files: 2, firstLine: 1, fallback: true }]);
  });

  test("renames are owned at their new path and keep the old one", () => {
    const o = resolveOwnership(CODEOWNERS, [{ path: "web/new.ts", previousPath: "api/old.ts" }], strict);
    expect(o.files).toEqual([{ path: "web/new.ts", previousPath: "api/old.ts", owners: ["@acme/web"], line: 2, team: "@acme/web" }]);
    expect(o.owningTeam).toBe("@acme/web");
  });

  test("without a CODEOWNERS file every file is unowned, or the fallback team's", () => {
    const none = resolveOwnership(null, files("a.ts", "b/c.ts"), strict);
    expect(none.unowned).toEqual(["a.ts", "b/c.ts"]);
    expect(none.owningTeam).toBeNull();
    expect(none.teams).toEqual([]);
    expect(none.files[0]).toEqual({ path: "a.ts", previousPath: null, owners: [], line: null, team: null });

    const fallback = resolveOwnership(null, files("a.ts", "b/c.ts"), { requireTeam: true, fallbackTeam: "@acme/platform" });
    expect(fallback.unowned).toEqual([]);
    expect(fallback.owningTeam).toBe("@acme/platform");
    expect(fallback.teams[0]!.files).toBe(2);
  });

  test("teams compare case-insensitively, like GitHub's", () => {
    const co = parseCodeowners("/a/ @Acme/Web\n/b/ @acme/web\n/c/ @acme/api\n/d/ @acme/api");
    const o = resolveOwnership(co, files("b/x", "a/x", "c/x"), strict);
    expect(o.teams).toEqual([
      { team: "@Acme/Web", files: 2, firstLine: 1, fallback: false },
      { team: "@acme/api", files: 1, firstLine: 3, fallback: false },
    ]);
  });

  test("no changed files: no owning team", () => {
    expect(resolveOwnership(CODEOWNERS, [], strict)).toEqual({ files: [], owningTeam: null, teams: [], unowned: [] });
  });
});
