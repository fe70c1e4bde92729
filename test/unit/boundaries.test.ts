import { loadConfig, type Config } from "../../src/policy/config.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { parseIncidentDeclaration } from "../../src/policy/boundaries.js";
import { proseLines } from "../../src/policy/markdown-lines.js";
import { approval, DISCLOSURE, HEAD, snapshot } from "../support/snapshot.js";

function config(yaml: string): Config {
  const res = loadConfig(yaml);
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.config;
}

const ORG = config(`
boundaries:
  - name: auth
    paths: ["src/auth/**", "**/crypto/**"]
    ignore: ["src/auth/README.md"]
    approvers: ["@acme/security"]
    message: Auth code is off-limits to AI-assisted changes.
  - name: payments
    paths: ["src/payments/**"]
    action: require_approval
    approvers: ["@acme/payments", "@alice"]
    min_approvals: 2
agents:
  scope: ["docs/**", "test/**"]
  approvers: ["@lead"]
`);

const gate = (v: ReturnType<typeof evaluate>, id: string) => v.gates.find((g) => g.id === id)!;
const files = (...paths: string[]) => paths.map((path) => ({ path, status: "modified" as const }));

describe("boundaries", () => {
  test("block: an AI-assisted change in auth is unmet, with an annotation per file naming the approvers", () => {
    const v = evaluate(snapshot({ files: files("src/auth/login.ts", "lib/crypto/aes.ts", "src/app.ts"), reviews: [approval("rev")] }), ORG);
    expect(gate(v, "boundaries").status).toBe("unmet");
    expect(v.annotations.filter((a) => a.title === 'Boundary "auth"').map((a) => a.path)).toEqual([
      "src/auth/login.ts",
      "lib/crypto/aes.ts",
    ]);
    expect(v.annotations[0]!.message).toContain(`/countersign exception auth@${HEAD.slice(0, 12)}: <reason>`);
    expect(v.annotations[0]!.message).toContain("@acme/security");
  });

  test("ignore globs, dotfiles and case-sensitivity", () => {
    expect(gate(evaluate(snapshot({ files: files("src/auth/README.md") }), ORG), "boundaries").status).toBe("not_applicable");
    expect(gate(evaluate(snapshot({ files: files("src/auth/.env") }), ORG), "boundaries").status).toBe("unmet");
    expect(gate(evaluate(snapshot({ files: files("src/Auth/login.ts") }), ORG), "boundaries").status).toBe("not_applicable");
  });

  test("a rename out of a boundary still touches it", () => {
    const v = evaluate(snapshot({ files: [{ path: "src/app/login.ts", previousPath: "src/auth/login.ts", status: "renamed" }] }), ORG);
    expect(gate(v, "boundaries").status).toBe("unmet");
  });

  test("boundaries do not apply to declared none", () => {
    const v = evaluate(snapshot({ body: DISCLOSURE("None"), files: files("src/auth/login.ts") }), ORG);
    expect(gate(v, "boundaries").status).toBe("not_applicable");
  });

  test("an exception from an approver on the head SHA clears a block; on an older SHA it is void and says so", () => {
    const grant = {
      boundary: "auth",
      grantedBy: "sec1",
      reason: "Reviewed by security in SEC-123",
      sha: HEAD,
      commentId: 1,
      grantedAt: "2026-11-20T00:00:00Z",
      revoked: false,
    };
    const base = { files: files("src/auth/login.ts"), teamMembers: { "@acme/security": ["sec1"] } };
    expect(gate(evaluate(snapshot({ ...base, exceptions: [grant] }), ORG), "boundaries").status).toBe("passed");
    const stale = evaluate(snapshot({ ...base, exceptions: [{ ...grant, sha: "0".repeat(40) }] }), ORG);
    expect(gate(stale, "boundaries").status).toBe("unmet");
    expect(gate(stale, "boundaries").reasons.join(" ")).toMatch(/no longer holds: new commits/);
    expect(gate(evaluate(snapshot({ ...base, exceptions: [{ ...grant, revoked: true }] }), ORG), "boundaries").status).toBe("unmet");
    expect(gate(evaluate(snapshot({ ...base, exceptions: [{ ...grant, grantedBy: "mallory" }] }), ORG), "boundaries").status).toBe("unmet");
  });

  test("require_approval with min_approvals: 2 counts noted head-SHA approvals from approvers (team members or users)", () => {
    const base = { files: files("src/payments/charge.ts"), teamMembers: { "@acme/payments": ["pay1", "pay2"] } };
    expect(gate(evaluate(snapshot({ ...base, reviews: [approval("pay1")] }), ORG), "boundaries").status).toBe("unmet");
    expect(gate(evaluate(snapshot({ ...base, reviews: [approval("pay1"), approval("alice")] }), ORG), "boundaries").status).toBe("passed");
    expect(gate(evaluate(snapshot({ ...base, reviews: [approval("pay1"), approval("outsider")] }), ORG), "boundaries").status).toBe(
      "unmet",
    );
    expect(gate(evaluate(snapshot({ ...base, reviews: [approval("pay1"), approval("pay2", "LGTM")] }), ORG), "boundaries").status).toBe(
      "unmet",
    );
  });

  test("agent scope: an agent PR outside agents.scope is unmet", () => {
    const agent = { author: { login: "Copilot", type: "Bot" as const }, body: "Sponsor: @lead", reviews: [approval("rev")] };
    expect(gate(evaluate(snapshot({ ...agent, files: files("docs/a.md", "test/b.ts") }), ORG), "boundaries").status).toBe("not_applicable");
    const out = evaluate(snapshot({ ...agent, files: files("docs/a.md", "src/app.ts") }), ORG);
    expect(gate(out, "boundaries").status).toBe("unmet");
    expect(out.boundaries[0]).toMatchObject({ name: "agent-scope", files: ["src/app.ts"] });
  });
});

describe("incident patches", () => {
  const INC = config("incident:\n  label: incident\n");
  const body = (extra: string) => `${DISCLOSURE("None")}\n${extra}`;

  test("not labelled: not applicable", () => {
    expect(gate(evaluate(snapshot({ body: body("") }), INC), "incident").status).toBe("not_applicable");
  });

  test("no Scope: and no Rollback: is unmet", () => {
    const v = evaluate(snapshot({ labels: ["incident"], body: body(""), reviews: [approval("rev")] }), INC);
    expect(gate(v, "incident").status).toBe("unmet");
    expect(gate(v, "incident").reasons[0]).toMatch(/`Scope:`.*`Rollback:`/);
  });

  test("in scope with rollback and an independent approval passes; a lockfile or an out-of-scope file does not", () => {
    const decl = "Scope: src/payments/retry.ts, src/payments/queue/**\nRollback: revert this PR; flag payments.retry_v2 off";
    const ok = evaluate(
      snapshot({ labels: ["incident"], body: body(decl), files: files("src/payments/retry.ts"), reviews: [approval("rev")] }),
      INC,
    );
    expect(gate(ok, "incident").status).toBe("passed");
    const lock = evaluate(
      snapshot({
        labels: ["incident"],
        body: body(decl),
        files: files("src/payments/retry.ts", "package-lock.json"),
        reviews: [approval("rev")],
      }),
      INC,
    );
    expect(gate(lock, "incident").reasons.join(" ")).toMatch(/package-lock\.json/);
    const out = evaluate(snapshot({ labels: ["incident"], body: body(decl), files: files("src/app.ts"), reviews: [approval("rev")] }), INC);
    expect(gate(out, "incident").reasons.join(" ")).toMatch(/Outside the declared scope: `src\/app\.ts`/);
    const selfApproved = evaluate(
      snapshot({ labels: ["incident"], body: body(decl), files: files("src/payments/retry.ts"), reviews: [approval("dev")] }),
      INC,
    );
    expect(gate(selfApproved, "incident").reasons.join(" ")).toMatch(/someone other than the author/);
  });

  test("a reviewer's later change request supersedes their approval; another reviewer's approval still counts", () => {
    const decl = "Scope: src/payments/**\nRollback: revert this PR; flag payments.retry_v2 off";
    const inc = (reviews: ReturnType<typeof approval>[]) =>
      gate(evaluate(snapshot({ labels: ["incident"], body: body(decl), files: files("src/payments/retry.ts"), reviews }), INC), "incident");
    const withdrawn = inc([approval("rev"), approval("rev", "this refunds twice", { state: "CHANGES_REQUESTED" })]);
    expect(withdrawn.status).toBe("unmet");
    expect(withdrawn.reasons.join(" ")).toMatch(/someone other than the author/);
    expect(inc([approval("rev", "wait", { state: "CHANGES_REQUESTED" }), approval("rev")]).status).toBe("passed");
    expect(inc([approval("rev"), approval("rev", "a comment", { state: "COMMENTED" })]).status).toBe("passed");
    expect(inc([approval("rev"), approval("rev", null, { state: "DISMISSED" })]).status).toBe("unmet");
    expect(inc([approval("rev"), approval("other", "wait", { state: "CHANGES_REQUESTED" })]).status).toBe("passed");
  });

  test("Scope: as a list, Rollback: over two lines; template placeholders are not declarations", () => {
    expect(parseIncidentDeclaration(proseLines("Scope:\n- src/a/**\n- src/b.ts\n\nRollback: revert\nand redeploy v1.2\n"))).toEqual({
      scope: ["src/a/**", "src/b.ts"],
      rollback: "revert and redeploy v1.2",
    });
    expect(parseIncidentDeclaration(proseLines("Scope: <paths>\nRollback: <how to undo>\n"))).toEqual({ scope: [], rollback: null });
  });
});
