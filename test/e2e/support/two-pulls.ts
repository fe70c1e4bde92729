/**
 * Two open pull requests on one head commit, for the tests of the check they share: PR A changes
 * auth code into main (acme's `auth` boundary blocks it), PR B is the same head into release/1.x,
 * whose config has no boundaries. Both are reviewed with an understanding note unless told not to.
 */
import { disclosure, note, seedAcme } from "../../../tools/demo/acme.mjs";
import type { Harness } from "./harness.js";

export const TWIN_NOTE = note("rotated a staging key with the new code path and checked the old key was refused afterwards");
/** release/1.x holds a config with no boundaries: weaker than main's `auth` boundary. */
const WEAK_CONFIG = "incident:\n  label: incident\n";

/** `repo` as acme's, with release/1.x (from main) whose config has no boundaries, and release/2.x as main. */
function seedWithRelease(h: Harness, repo: string): void {
  seedAcme(h.sim, repo);
  const branches = h.sim.world.findRepo(repo).branches;
  branches.set("release/1.x", h.sim.branchSha(repo));
  branches.set("release/2.x", h.sim.branchSha(repo));
  h.sim.pushToBranch(repo, "release/1.x", { files: { ".github/countersign.yml": WEAK_CONFIG } });
}

/** `baseA`: where A goes (default main). */
export async function twoPullsOneHead(h: Harness, repo: string, options: { reviewB?: boolean; baseA?: string } = {}) {
  seedWithRelease(h, repo);
  const pull = {
    title: "Rotate keys",
    body: disclosure("generated", "Cursor"),
    author: { login: "dan" },
    labels: ["owner:security"],
    requestedTeams: ["security"],
  };
  const a = await h.sim.openPullRequest(repo, { ...pull, files: ["src/auth/keys.ts"], base: options.baseA ?? "main" });
  await h.sim.review(repo, a.number, { user: "plat-lead", body: TWIN_NOTE });
  const b = await h.sim.openPullRequest(repo, { ...pull, title: "Rotate keys (1.x)", base: "release/1.x", sameHeadAs: a.number });
  if (b.headSha !== a.headSha) throw new Error("the simulator opened B on another head");
  if (options.reviewB !== false) await h.sim.review(repo, b.number, { user: "plat-lead", body: TWIN_NOTE });
  return { a, b, head: a.headSha };
}
