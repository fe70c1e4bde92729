/**
 * The understanding note the gate tests review with, and dan's generated "Rotate keys" pull request
 * on acme's `auth` boundary (src/auth/keys.ts, security requested), reviewed by plat-lead with that
 * note: every other gate passes, so the `auth` boundary alone blocks it until an exception.
 */
import { disclosure, note, seedAcme } from "../../../tools/demo/acme.mjs";
import { uniqueRepo, type Harness } from "./harness.js";

export const UPLOAD_NOTE = note("replayed the upload path against a local S3 stub with injected 503s and read the retry loop");

/** A fresh acme repository with the reviewed "Rotate keys" pull request open on it. */
export async function reviewedAuthPull(h: Harness) {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Rotate keys",
    body: disclosure("generated", "Cursor"),
    author: { login: "dan" },
    files: ["src/auth/keys.ts"],
    requestedTeams: ["security"],
  });
  await h.sim.review(repo, pr.number, { user: "plat-lead", body: UPLOAD_NOTE });
  return { repo, pr };
}
