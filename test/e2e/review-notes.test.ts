/**
 * An understanding note is the reviewer's own words. Anyone with write access can edit another
 * person's review, so a body edited by someone else no longer counts as the reviewer's note: GitHub
 * says who edited it last (GraphQL `editor` / `lastEditedAt`), and the `pull_request_review.edited`
 * webhook's sender says it even before GraphQL does. When GitHub cannot say who, the note does not
 * count either, and the check says why. Signed webhooks from the simulator, through the real app.
 */
import { disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";
import { UPLOAD_NOTE as NOTE } from "./support/auth-pull.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const OTHER_NOTE = note("ran the full export against the staging snapshot and diffed every generated invoice");

/** A green PR: assisted, approved by plat-dev with a note on the head. */
async function approvedPullRequest(repo: string) {
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Retry uploads",
    body: disclosure("assisted", "GitHub Copilot"),
    author: { login: "ana" },
    files: ["src/upload/retry.ts"],
  });
  const review = await h.sim.review(repo, pr.number, { user: "plat-dev", body: NOTE });
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("success");
  return { ...pr, reviewId: review.id };
}

test("a note edited by someone else no longer counts: the check names the editor", async () => {
  const repo = uniqueRepo("notes");
  const pr = await approvedPullRequest(repo);
  // Today the edited body still counted as plat-dev's note and the check stayed green.
  await h.sim.editReview(repo, pr.number, pr.reviewId, { body: OTHER_NOTE, by: "maintainer" });
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(check.text).toMatch(/@plat-dev approved with a note edited by @maintainer/);
});

test("the reviewer editing their own note keeps it counted", async () => {
  const repo = uniqueRepo("notes");
  const pr = await approvedPullRequest(repo);
  await h.sim.editReview(repo, pr.number, pr.reviewId, { body: OTHER_NOTE, by: "plat-dev" });
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("success");
});

test("the edited webhook's sender decides even when GitHub's GraphQL does not show the edit yet", async () => {
  const repo = uniqueRepo("notes");
  const pr = await approvedPullRequest(repo);
  const edit = await h.sim.editReview(repo, pr.number, pr.reviewId, { body: OTHER_NOTE, by: "maintainer", deliver: false });
  // GraphQL lags behind the event: no editor, no lastEditedAt yet.
  const review = h.sim.pull(repo, pr.number).reviews.find((r: { id: number }) => r.id === pr.reviewId);
  Object.assign(review, { editor: undefined, lastEditedAt: undefined });
  await h.sim.deliver(edit.delivery.event, edit.delivery.payload);
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(check.text).toMatch(/edited by @maintainer/);
});

test("an edit GitHub cannot attribute (the editor's account is gone) does not count, and the check says why", async () => {
  const repo = uniqueRepo("notes");
  const pr = await approvedPullRequest(repo);
  const edit = await h.sim.editReview(repo, pr.number, pr.reviewId, { body: OTHER_NOTE, by: "plat-dev", deliver: false });
  // The last editor was deleted: GitHub shows lastEditedAt with a null editor.
  const review = h.sim.pull(repo, pr.number).reviews.find((r: { id: number }) => r.id === pr.reviewId);
  review.editor = null;
  await h.sim.deliver(edit.delivery.event, edit.delivery.payload);
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(check.text).toMatch(/edited \([^)]+\) by an account GitHub does not name/);
});
