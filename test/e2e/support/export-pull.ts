/**
 * Cleo's "Paginate export" pull request on acme's billing code, approved by pay-lead with an
 * understanding note, neither webhook delivered yet: it passes every gate once its noted approval is
 * listed. For the tests of the webhook inbox and of GitHub faults.
 */
import { disclosure, note, seedAcme } from "../../../tools/demo/acme.mjs";
import type { Harness } from "./harness.js";

export const EXPORT_NOTE = note("exported 12k invoices from the staging snapshot and diffed the CSV byte for byte");

/** Seeds `repo` as acme's and opens the approved pull request on it, undelivered. */
export async function approvedExportPull(h: Harness, repo: string) {
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Paginate export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
    labels: ["owner:payments"],
    requestedTeams: ["payments"],
    deliver: false,
  });
  await h.sim.review(repo, pr.number, { user: "pay-lead", body: EXPORT_NOTE, deliver: false });
  return pr;
}
