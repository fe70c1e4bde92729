import { DEFAULT_CONFIG, loadConfig, type Config } from "../../src/policy/config.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { render, renderError } from "../../src/policy/render.js";
import { approval, DISCLOSURE, HEAD, NOTE, snapshot } from "../support/snapshot.js";

function config(yaml: string): Config {
  const res = loadConfig(yaml);
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.config;
}

const statuses = (v: ReturnType<typeof evaluate>) => Object.fromEntries(v.gates.map((g) => [g.id, g.status]));

describe("evaluate: the five gates", () => {
  test("a disclosed, noted, owned PR passes; gates 4 and 5 are not applicable", () => {
    const v = evaluate(snapshot({ reviews: [approval("rev")] }), DEFAULT_CONFIG);
    expect(statuses(v)).toEqual({
      disclosure: "passed",
      review: "passed",
      ownership: "passed",
      boundaries: "not_applicable",
      incident: "not_applicable",
    });
    expect(v.conclusion).toBe("success");
    expect(v.title).toBe("Passed: 3 of 5 gates met, 2 not applicable");
    expect(v.ownerLabel).toBe("owner:core");
  });

  test("undisclosed: gate 1 unmet with the template as the fix, and review is required meanwhile", () => {
    const v = evaluate(snapshot({ body: "Adds retries." }), DEFAULT_CONFIG);
    expect(statuses(v)).toMatchObject({ disclosure: "unmet", review: "unmet" });
    expect(v.title).toBe("Blocked: 2 of 5 gates unmet");
    const g = v.gates[0]!;
    expect(g.fix).toContain("## AI assistance disclosure");
    expect(g.reasons.join(" ")).toMatch(/disclosure/i);
  });

  test("declared none with an AI co-author trailer is a contradiction naming the commit and tool", () => {
    const v = evaluate(
      snapshot({
        body: DISCLOSURE("None"),
        commits: [
          {
            sha: "abcdef1234567890abcdef1234567890abcdef12",
            message: "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
            authorLogin: "dev",
            authorEmail: "dev@acme.example",
          },
        ],
      }),
      DEFAULT_CONFIG,
    );
    expect(v.disclosure.contradiction).toBe(true);
    expect(v.gates[0]!.status).toBe("unmet");
    const text = v.gates[0]!.reasons.join(" ");
    expect(text).toContain("abcdef1");
    expect(text).toMatch(/claude/i);
  });

  test("declared none needs no review by default; review.applies_to: [none, …] requires it", () => {
    const s = snapshot({ body: DISCLOSURE("None") });
    expect(statuses(evaluate(s, DEFAULT_CONFIG)).review).toBe("not_applicable");
    expect(statuses(evaluate(s, config("review:\n  applies_to: [none, assisted]\n"))).review).toBe("unmet");
  });

  test("approvals: the author, a bot, a stale SHA, a dismissed or superseded approval and a filler note do not count", () => {
    const v = evaluate(
      snapshot({
        reviews: [
          approval("dev"),
          approval("ci-bot[bot]", NOTE, { user: { login: "ci-bot[bot]", type: "Bot" } }),
          approval("old", NOTE, { commitId: "0".repeat(40) }),
          approval("later", NOTE),
          { ...approval("later", "needs work"), state: "CHANGES_REQUESTED" },
          approval(
            "filler",
            "- [x] I can explain what this change does and why\n- [x] I checked its failure modes and how to roll it back\nVerified: LGTM",
          ),
        ],
      }),
      DEFAULT_CONFIG,
    );
    expect(v.gates[1]!.status).toBe("unmet");
    const why = Object.fromEntries(v.reviews.map((r) => [r.reviewer, r.reason]));
    expect(why).toEqual({
      dev: "is the PR author",
      "ci-bot[bot]": "is a bot; an understanding review must come from a human",
      old: `approved an older commit (0000000); the head is now ${HEAD.slice(0, 7)}`,
      filler: expect.stringMatching(/says nothing/),
    });
    expect(v.reviews.find((r) => r.reviewer === "later")).toBeUndefined();
  });

  test("a stale approval counts when require_fresh_review is off", () => {
    const s = snapshot({ reviews: [approval("old", NOTE, { commitId: "0".repeat(40) })] });
    expect(statuses(evaluate(s, config("review:\n  require_fresh_review: false\n"))).review).toBe("passed");
  });

  test("required_approvals: 2 needs two distinct noted reviewers", () => {
    const cfg = config("review:\n  required_approvals: 2\n");
    expect(statuses(evaluate(snapshot({ reviews: [approval("a"), approval("a")] }), cfg)).review).toBe("unmet");
    expect(statuses(evaluate(snapshot({ reviews: [approval("a"), approval("b")] }), cfg)).review).toBe("passed");
  });

  test("agent PR: the sponsor's approval does not count, and no sponsor is unmet", () => {
    const agentPr = {
      author: { login: "Copilot", type: "Bot" as const },
      body: "Thanks for assigning this issue to me.\n\nSponsor: @lead",
    };
    const withSponsorOnly = evaluate(snapshot({ ...agentPr, reviews: [approval("lead")] }), DEFAULT_CONFIG);
    expect(withSponsorOnly.disclosure.level).toBe("agent");
    expect(withSponsorOnly.sponsor).toBe("lead");
    expect(withSponsorOnly.reviews[0]!.reason).toBe("is the agent's sponsor; another human must review");
    expect(statuses(evaluate(snapshot({ ...agentPr, reviews: [approval("lead"), approval("other")] }), DEFAULT_CONFIG)).review).toBe(
      "passed",
    );

    const noSponsor = evaluate(
      snapshot({ author: { login: "Copilot", type: "Bot" }, body: "Thanks for assigning this issue to me.", reviews: [approval("other")] }),
      DEFAULT_CONFIG,
    );
    expect(noSponsor.sponsor).toBeNull();
    expect(noSponsor.gates[1]!.status).toBe("unmet");
    expect(noSponsor.gates[1]!.reasons.join(" ")).toMatch(/no sponsor/);

    const assigned = evaluate(
      snapshot({
        author: { login: "Copilot", type: "Bot" },
        body: "",
        assignees: [{ login: "owner1", type: "User" }],
        reviews: [approval("other")],
      }),
      DEFAULT_CONFIG,
    );
    expect(assigned.sponsor).toBe("owner1");
  });

  test("ownership: unowned files are unmet with annotations, unless fallback_team is set", () => {
    const s = snapshot({
      codeowners: { path: "CODEOWNERS", text: "/docs/ @acme/docs\n", sizeBytes: 18 },
      files: [
        { path: "src/a.ts", status: "modified" },
        { path: "docs/x.md", status: "added" },
      ],
      reviews: [approval("rev")],
    });
    const v = evaluate(s, DEFAULT_CONFIG);
    expect(v.gates[2]!.status).toBe("unmet");
    expect(v.annotations).toEqual([expect.objectContaining({ path: "src/a.ts", annotation_level: "failure", title: "No owner" })]);
    expect(v.gates[2]!.fix).toContain("/src/a.ts @org/team");
    const fb = evaluate(s, config('ownership:\n  fallback_team: "@acme/platform"\n'));
    expect(fb.gates[2]!.status).toBe("passed");
  });

  test("ownership: no CODEOWNERS file or one of 3 MB or more owns nothing, and says why", () => {
    const none = evaluate(snapshot({ codeowners: { path: null, text: null, sizeBytes: 0 } }), DEFAULT_CONFIG);
    expect(none.gates[2]!.reasons.join(" ")).toMatch(/No CODEOWNERS file/);
    const huge = evaluate(snapshot({ codeowners: { path: ".github/CODEOWNERS", text: null, sizeBytes: 3 * 1024 * 1024 } }), DEFAULT_CONFIG);
    expect(huge.gates[2]!.status).toBe("unmet");
    expect(huge.gates[2]!.reasons.join(" ")).toMatch(/3 MB or more/);
  });

  test("more than 3,000 files fails closed on the path gates", () => {
    const v = evaluate(snapshot({ filesTruncated: true, reviews: [approval("rev")] }), DEFAULT_CONFIG);
    expect(v.conclusion).toBe("failure");
    expect(v.gates[2]!.reasons[0]).toMatch(/3,000/);
  });
});

describe("render", () => {
  test("one row per gate, and for each unmet gate the reasons and the text to add", () => {
    const out = render(evaluate(snapshot({ body: "" }), DEFAULT_CONFIG));
    expect(
      out.summary
        .split("\n")
        .filter(
          (l) => l.startsWith("| 1.") || l.startsWith("| 2.") || l.startsWith("| 3.") || l.startsWith("| 4.") || l.startsWith("| 5."),
        ),
    ).toHaveLength(5);
    expect(out.text).toMatch(/### ❌ AI disclosure[\s\S]*\*\*To fix:\*\*[\s\S]*- \[ \] \*\*None\*\*/);
    expect(out.text).toMatch(/### ❌ Understanding review[\s\S]*Verified: </);
  });

  test("renderError is always a failure", () => {
    expect(renderError("GitHub is failing", "Re-run")).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });
  });
});
