/**
 * One assessment for every path (handlers/assess-pull-request.ts): the check run, the merge
 * record and `countersign check` read the same config the same way. These tests pin the places
 * where merge recording had drifted from the check run.
 */
import { assess, type AssessmentInputs } from "../../src/handlers/assess-pull-request.js";
import { DEFAULT_CONFIG } from "../../src/policy/config.js";
import type { PullRequestSnapshot } from "../../src/policy/snapshot.js";
import { mockGitHub } from "../support/github-mock.js";
import { snapshot as makeSnapshot } from "../support/snapshot.js";
import { useTempStore } from "../support/temp-store.js";
import { createTestProbot } from "../support/test-probot.js";
import { asEvent, mergedEvent, pullRequestEvent } from "../support/webhook-examples.js";
import { listMerges } from "../support/list-merges.js";

const DISCLOSED = "AI-Assisted: assisted\nAI-Tools: GitHub Copilot\n";
const NOTE = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: ran the uploader against a local S3 stub with injected 503s and read the retry loop line by line`;
const CODEOWNERS = { path: ".github/CODEOWNERS", text: "* @Codertocat/core\n" };
const BROKEN_CONFIG = "review:\n  required_aprovals: 2\n";

const db = useTempStore();

describe("a merge under an invalid config", () => {
  test("is recorded as config-invalid with no gate evaluated, never under the defaults", async () => {
    mockGitHub({
      config: BROKEN_CONFIG,
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
      checkConclusionAtMerge: "failure",
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", mergedEvent({ body: DISCLOSED })));
    const [m] = await listMerges(db.store, {});
    expect(m).toMatchObject({
      prNumber: 2,
      configHash: null,
      configInvalid: {
        source: "Codertocat/Hello-World:.github/countersign.yml",
        errors: [{ path: "review.required_aprovals", line: 2, message: expect.stringMatching(/unknown key/) }],
      },
      // Not evaluated: the defaults would have read "assisted", counted the review and named the owner.
      aiLevel: "undisclosed",
      aiTools: [],
      reviewers: [],
      owningTeam: null,
      boundaries: [],
      checkConclusion: "failure",
      bypassed: true,
    });
    // The facts that do not depend on the config are still there.
    expect(m!.paths.length).toBeGreaterThan(0);
    expect(m!.commitShas.length).toBeGreaterThan(0);
  });

  test("the check run on the same config fails with the same errors", async () => {
    const gh = mockGitHub({ config: BROKEN_CONFIG, codeowners: CODEOWNERS });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(gh.lastCheck()).toMatchObject({ conclusion: "failure", output: { title: expect.stringMatching(/could not evaluate/) } });
    expect(gh.lastCheck()!.output.summary).toMatch(/Invalid configuration in Codertocat\/Hello-World:\.github\/countersign\.yml/);
  });
});

test("merge recording reads GitHub's own CODEOWNERS errors when ours finds invalid lines, as the check run does", async () => {
  const codeowners = { path: ".github/CODEOWNERS", text: "* @Codertocat/core\n!/vendor/ @Codertocat/core\n" };
  const gh = mockGitHub({ codeowners, githubCodeownersErrors: [{ line: 2, kind: "Invalid pattern" }], checkConclusionAtMerge: "success" });
  await createTestProbot(db.store).receive(asEvent("pull_request", mergedEvent({ body: DISCLOSED })));
  expect(gh.calls.filter((c) => c.endsWith("/codeowners/errors"))).toHaveLength(1);
  const [m] = await listMerges(db.store, {});
  expect(m).toMatchObject({ owningTeam: "@Codertocat/core", aiLevel: "assisted" });
  expect(m!.configInvalid).toBeUndefined();
});

describe("assess (pure sequencing over its inputs)", () => {
  function inputs(config: Awaited<ReturnType<AssessmentInputs["config"]>>, snap: PullRequestSnapshot, calls: string[]): AssessmentInputs {
    return {
      config: async () => (calls.push("config"), config),
      exceptions: async () => (calls.push("exceptions"), []),
      snapshot: async (c) => (calls.push(c === null ? "facts" : "snapshot"), snap),
      githubCodeownersErrors: async () => (calls.push("github-errors"), [{ line: 2, message: "Invalid pattern" }]),
      codeowners: () => ({ rules: [], errors: [{ line: 2, message: "bad" }], ownersOf: () => ({ owners: [], line: null }) }),
    };
  }
  const invalid = { ok: false as const, source: "x", errors: [{ path: "review", line: 1, message: "bad" }] };

  test("an invalid config stops before anything else is read, unless the facts are asked for", async () => {
    const calls: string[] = [];
    const a = await assess(inputs(invalid, makeSnapshot(), calls));
    expect(a).toMatchObject({ kind: "config-invalid", snapshot: null, errors: invalid.errors });
    expect(calls).toEqual(["config"]);
    const withFacts: string[] = [];
    const b = await assess(inputs(invalid, makeSnapshot(), withFacts), { factsWhenInvalid: true });
    expect(b.kind).toBe("config-invalid");
    expect(b.snapshot).not.toBeNull();
    expect(withFacts).toEqual(["config", "exceptions", "facts"]);
  });

  test("a valid config is evaluated with GitHub's CODEOWNERS errors on the snapshot", async () => {
    const calls: string[] = [];
    const a = await assess(inputs({ ok: true, config: DEFAULT_CONFIG, source: "defaults", hash: null }, makeSnapshot(), calls));
    expect(calls).toEqual(["config", "exceptions", "snapshot", "github-errors"]);
    if (a.kind !== "verdict") throw new Error("expected a verdict");
    expect(a.snapshot.codeowners.githubErrors).toEqual([{ line: 2, message: "Invalid pattern" }]);
    expect(a.verdict.gates.length).toBeGreaterThan(0);
  });
});
