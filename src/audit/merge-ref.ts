/**
 * How people name a merge: `owner/repo#N` or a commit SHA (the merge commit, the head or any
 * commit of the PR; 7 to 64 hex). Parsed once here for the CLI, the HTTP API and the postmortem.
 */
import type { AppendResult, AuditStore, IncidentLinkInput, MergeRecord } from "./audit-store.js";

export type MergeRef = { kind: "pr"; repo: string; prNumber: number } | { kind: "sha"; sha: string };

export const MERGE_REF_FORMS = "owner/repo#N or a commit SHA (at least 7 hex characters)";

/** null when `ref` is neither form. */
export function parseMergeRef(ref: string): MergeRef | null {
  const pr = /^([\w.-]+\/[\w.-]+)#([1-9]\d{0,9})$/.exec(ref.trim());
  if (pr) return { kind: "pr", repo: pr[1]!, prNumber: Number(pr[2]) };
  if (/^[0-9a-f]{7,64}$/i.test(ref.trim())) return { kind: "sha", sha: ref.trim().toLowerCase() };
  return null;
}

/** The merge named by `ref`; an abbreviated SHA matching several commits throws AuditInputError. */
export function findMergeByRef(store: AuditStore, ref: MergeRef): Promise<MergeRecord | null> {
  return ref.kind === "pr" ? store.getMerge(ref.repo, ref.prNumber) : store.findMergeBySha(ref.sha);
}

export type LinkByRefOutcome = { missing: "incident" | "merge" } | { merge: MergeRecord; result: AppendResult };

/** Links a recorded incident to the merge `ref` names (CLI and API); says which of the two is missing. */
export async function linkIncidentByRef(
  store: AuditStore,
  ref: MergeRef,
  link: Omit<IncidentLinkInput, "repo" | "prNumber">,
): Promise<LinkByRefOutcome> {
  if (!(await store.getIncident(link.externalId))) return { missing: "incident" };
  const merge = await findMergeByRef(store, ref);
  if (!merge) return { missing: "merge" };
  const result = await store.linkIncident({ ...link, repo: merge.repo, prNumber: merge.prNumber });
  return { merge, result };
}
