import { otherApprovers } from "../../src/policy/approvers.js";
import { boundaryFiles } from "../../src/policy/boundaries.js";
import { exceptionCommand, parseCommands } from "../../src/policy/commands.js";
import { loadConfig, type Config } from "../../src/policy/config.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { bindException, decideGrant, headAt, selfGrant, type EvaluatedHead } from "../../src/policy/exceptions.js";
import { approval, HEAD, snapshot } from "../support/snapshot.js";

const REASON = "reviewed with security in SEC-1234, algorithm unchanged";
const OLD = "01d0000000000000000000000000000000000000";
const files = (...paths: string[]) => paths.map((path) => ({ path, status: "modified" as const }));

function config(yaml: string): Config {
  const res = loadConfig(yaml);
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.config;
}
const CFG = config(`
boundaries:
  - name: auth
    paths: ["src/auth/**"]
    ignore: ["src/auth/README.md"]
    approvers: ["@acme/security", "@carol"]
agents:
  scope: ["docs/**"]
  approvers: ["@lead", "@lead2"]
`);

describe("parseCommands: the SHA form", () => {
  test("`<boundary>@<sha>` takes 7 to 40 hex digits, lowercased; the bare form has no SHA", () => {
    const parsed = parseCommands(`/countersign exception auth@ABCDEF1: ${REASON}`);
    expect(parsed).toEqual([{ kind: "exception", boundary: "auth", sha: "abcdef1", reason: REASON }]);
    expect(parseCommands(`/countersign exception auth@${HEAD}: ${REASON}`)[0]).toMatchObject({ sha: HEAD });
    expect(parseCommands(`/countersign exception auth: ${REASON}`)[0]).toMatchObject({ sha: null });
  });

  test.each(["abc12", "xyz1234", "", "a".repeat(41)])("`auth@%s` is refused with how to write it", (sha) => {
    expect(parseCommands(`/countersign exception auth@${sha}: ${REASON}`)).toEqual([
      expect.objectContaining({ kind: "invalid", problem: expect.stringMatching(/head commit's SHA \(7 to 40 hex digits\)/) }),
    ]);
  });

  test("the command to copy carries 12 digits of the head", () => {
    expect(exceptionCommand("auth", HEAD, REASON)).toBe(`/countersign exception auth@${HEAD.slice(0, 12)}: ${REASON}`);
  });
});

describe("self-grants", () => {
  test("the PR's author and an agent PR's sponsor may not grant; anyone else may", () => {
    expect(selfGrant("Dev", { author: "dev", sponsor: null })).toBe("opened this pull request");
    expect(selfGrant("lead", { author: "Copilot", sponsor: "Lead" })).toBe("sponsors this agent pull request");
    expect(selfGrant("carol", { author: "dev", sponsor: "lead" })).toBeNull();
  });

  test("the other approvers: users and team members, less the one asking, the author and the sponsor", () => {
    const teams = { "@acme/security": ["sec1", "Dev", "carol"] };
    expect(otherApprovers(["@acme/security", "@carol"], teams, ["sec1", "dev", null])).toEqual(["@carol"]);
    expect(otherApprovers(["@lead"], {}, ["lead"])).toEqual([]);
  });

  test("the gate ignores an exception granted by the author or by the sponsor, and says why", () => {
    const teamMembers = { "@acme/security": ["dev", "sec1"] };
    const grant = (boundary: string, grantedBy: string) => [
      { boundary, grantedBy, reason: REASON, sha: HEAD, commentId: 1, grantedAt: "2026-11-20T00:00:00Z", revoked: false },
    ];
    const own = evaluate(snapshot({ files: files("src/auth/a.ts"), teamMembers, exceptions: grant("auth", "dev") }), CFG);
    expect(own.gates.find((g) => g.id === "boundaries")!.status).toBe("unmet");
    expect(own.boundaries[0]!.reasons[0]).toBe(
      "the exception granted by @dev is ignored: @dev opened this pull request; another approver must grant it",
    );
    const byOther = evaluate(snapshot({ files: files("src/auth/a.ts"), teamMembers, exceptions: grant("auth", "sec1") }), CFG);
    expect(byOther.gates.find((g) => g.id === "boundaries")!.status).toBe("passed");

    const agent = { author: { login: "Copilot", type: "Bot" as const }, body: "Sponsor: @lead", reviews: [approval("rev")] };
    const scoped = (grantedBy: string) =>
      evaluate(snapshot({ ...agent, files: files("docs/a.md", "src/x.ts"), exceptions: grant("agent-scope", grantedBy) }), CFG);
    const sponsored = scoped("lead");
    expect(sponsored.sponsor).toBe("lead");
    expect(sponsored.boundaries[0]).toMatchObject({ name: "agent-scope", status: "unmet" });
    expect(sponsored.boundaries[0]!.reasons[0]).toMatch(/ignored: @lead sponsors this agent pull request/);
    expect(scoped("lead2").boundaries[0]).toMatchObject({ name: "agent-scope", status: "passed" });
  });
});

describe("binding an exception to the commit the approver saw", () => {
  const history: EvaluatedHead[] = [
    { headSha: OLD, recordedAt: "2026-11-20T10:00:00.500Z" },
    { headSha: HEAD, recordedAt: "2026-11-20T10:05:00.250Z" },
  ];
  const bind = (sha: string | null, writtenAt: string, requireSha = false) =>
    bindException({ sha, headSha: HEAD, writtenAt, history, requireSha });

  test("headAt: the head last evaluated at or before a time", () => {
    expect(headAt(history, "2026-11-20T09:59:59Z")).toBeNull();
    expect(headAt(history, "2026-11-20T10:05:00Z")).toBe(OLD);
    expect(headAt(history, "2026-11-20T10:05:01Z")).toBe(HEAD);
  });

  test("bare form: the head evaluated before the comment binds; a head first evaluated after it does not", () => {
    expect(bind(null, "2026-11-20T10:06:00Z")).toEqual({ ok: true, sha: HEAD });
    // Written at 10:05:00 (GitHub's second), the head evaluated 250 ms later: it may be a push after the comment.
    expect(bind(null, "2026-11-20T10:05:00Z")).toEqual({ ok: false, why: expect.stringMatching(/last evaluated was 01d000000000$/) });
    expect(bind(null, "2026-11-20T09:00:00Z")).toEqual({ ok: false, why: expect.stringMatching(/not evaluated this pull request yet/) });
    expect(bindException({ sha: null, headSha: HEAD, writtenAt: "2026-11-20T10:06:00Z", history: [], requireSha: false }).ok).toBe(false);
  });

  test("require_sha refuses the bare form", () => {
    expect(bind(null, "2026-11-20T10:06:00Z", true)).toEqual({ ok: false, why: expect.stringMatching(/exceptions\.require_sha/) });
  });

  test("SHA form: a prefix of the head binds to the full head; another commit is refused naming the head", () => {
    expect(bind(HEAD.slice(0, 7), "2026-11-20T10:06:00Z", true)).toEqual({ ok: true, sha: HEAD });
    const why = `it names ${OLD.slice(0, 9)}, but the head of this pull request is now ${HEAD.slice(0, 12)}`;
    expect(bind(OLD.slice(0, 9), "2026-11-20T10:06:00Z")).toEqual({ ok: false, why });
  });

  test("SHA form: an abbreviated SHA of a head first evaluated after the comment (same-prefix push) is refused; a full SHA is not", () => {
    expect(bind(HEAD.slice(0, 7), "2026-11-20T10:05:00Z")).toMatchObject({ ok: true }); // within created_at's second
    const late = bind(HEAD.slice(0, 7), "2026-11-20T10:04:00Z");
    expect(late).toEqual({ ok: false, why: expect.stringMatching(/had not evaluated the head .* name the full SHA/) });
    expect(bind(HEAD, "2026-11-20T10:04:00Z")).toEqual({ ok: true, sha: HEAD });
  });
});

describe("decideGrant", () => {
  const base = {
    boundary: "auth",
    login: "sec1",
    command: { sha: null, reason: REASON },
    approvers: ["@acme/security", "@carol"],
    teamMembers: { "@acme/security": ["sec1", "sec2"] },
    accountable: { author: "dev", sponsor: null },
    headSha: HEAD,
    writtenAt: "2026-11-20T10:06:00Z",
    history: [{ headSha: HEAD, recordedAt: "2026-11-20T10:05:00Z" }],
    requireSha: false,
    files: boundaryFiles(CFG, "auth", files("src/auth/a.ts", "src/auth/README.md", "src/api.ts"))!,
    filesTruncated: false,
  };

  test("granted: the reply names the full SHA and the boundary's files", () => {
    expect(base.files).toEqual(["src/auth/a.ts"]);
    expect(decideGrant(base)).toEqual({
      ok: true,
      sha: HEAD,
      reply:
        `Exception for \`auth\` granted by @sec1 on ${HEAD} and recorded in the audit trail: it covers \`src/auth/a.ts\`. ` +
        "It holds for this commit only: new commits void it.",
    });
  });

  test("refused for the author, naming the other approvers", () => {
    expect(decideGrant({ ...base, login: "sec1", accountable: { author: "sec1", sponsor: null } }).reply).toBe(
      "@sec1 opened this pull request, so they cannot grant an exception for `auth` on it. Ask another approver: @sec2, @carol.",
    );
  });

  test("refused when the head cannot be bound, with the command to copy", () => {
    const d = decideGrant({ ...base, command: { sha: OLD.slice(0, 7), reason: REASON } });
    expect(d.ok).toBe(false);
    expect(d.reply).toContain(`\`\`\`\n/countersign exception auth@${HEAD}: ${REASON}\n\`\`\``);
  });

  test("agent-scope covers the files outside agents.scope; an unknown boundary has none", () => {
    expect(boundaryFiles(CFG, "agent-scope", files("docs/a.md", "src/x.ts"))).toEqual(["src/x.ts"]);
    expect(boundaryFiles(CFG, "nope", files("src/x.ts"))).toBeNull();
  });
});
