import fc from "fast-check";
import { detectReverts } from "../../src/policy/reverts.js";

const base = { repo: "acme/pay", title: "Fix", body: "", headRef: "feature", commitMessages: [] as string[] };

describe("detectReverts", () => {
  test("GitHub's Revert button: body and branch name the same PR once", () => {
    const r = detectReverts({ ...base, title: 'Revert "Add retries"', body: "Reverts acme/pay#42", headRef: "revert-42-add-retries" });
    expect(r).toEqual([{ revertedRepo: "acme/pay", revertedPrNumber: 42, revertedSha: null, method: "body" }]);
  });

  test("a revert of another repository's PR keeps that repository", () => {
    expect(detectReverts({ ...base, body: "Reverts kubernetes/kubernetes#130837" })[0]).toMatchObject({
      revertedRepo: "kubernetes/kubernetes",
      revertedPrNumber: 130837,
    });
  });

  test("branch only", () => {
    expect(detectReverts({ ...base, headRef: "revert-7-x" })).toEqual([
      { revertedRepo: "acme/pay", revertedPrNumber: 7, revertedSha: null, method: "branch" },
    ]);
  });

  test("git revert messages, full and abbreviated SHAs, deduplicated", () => {
    const r = detectReverts({
      ...base,
      commitMessages: [
        'Revert "Add retries"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.',
        "This reverts commit ABCDEF1 (Add x, 2026-01-01)",
        "This reverts commit 0123456789abcdef0123456789abcdef01234567.",
      ],
    });
    expect(r.map((x) => [x.revertedSha, x.method])).toEqual([
      ["0123456789abcdef0123456789abcdef01234567", "commit_msg"],
      ["abcdef1", "commit_msg"],
    ]);
  });

  test("a Revert title alone is weak evidence; an ordinary PR is no revert", () => {
    expect(detectReverts({ ...base, title: 'Revert "Add retries"' })).toEqual([
      { revertedRepo: "acme/pay", revertedPrNumber: null, revertedSha: null, method: "title" },
    ]);
    expect(detectReverts({ ...base, body: "This PR reverts nothing; see #12" })).toEqual([]);
  });

  test("property: never throws", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.array(fc.string()), (title, body, msgs) =>
        Array.isArray(detectReverts({ ...base, title, body, commitMessages: msgs })),
      ),
    );
  });
});
