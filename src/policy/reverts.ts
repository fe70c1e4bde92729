/**
 * Which earlier merges a PR reverts, from what GitHub and git write: the Revert button's body
 * `Reverts owner/repo#N` and branch `revert-N-…`, and git's `This reverts commit <sha>.`
 * A title `Revert "…"` alone is weak evidence and is recorded as such.
 */

export interface DetectedRevert {
  revertedRepo: string;
  revertedPrNumber: number | null;
  revertedSha: string | null;
  method: "body" | "branch" | "commit_msg" | "title";
}

export interface RevertInput {
  repo: string;
  title: string;
  body: string | null;
  headRef: string;
  commitMessages: string[];
}

export function detectReverts(input: RevertInput): DetectedRevert[] {
  const found: DetectedRevert[] = [];
  const seen = new Set<string>();
  const add = (r: DetectedRevert) => {
    const key = `${r.revertedRepo.toLowerCase()}#${r.revertedPrNumber ?? ""}@${r.revertedSha ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(r);
  };

  for (const m of (input.body ?? "").matchAll(/^\s*Reverts\s+(?:([\w.-]+\/[\w.-]+))?#(\d+)\b/gim)) {
    add({ revertedRepo: m[1] ?? input.repo, revertedPrNumber: Number(m[2]), revertedSha: null, method: "body" });
  }
  const branch = /^revert-(\d+)-/.exec(input.headRef);
  if (branch && !found.some((f) => f.revertedPrNumber === Number(branch[1]))) {
    add({ revertedRepo: input.repo, revertedPrNumber: Number(branch[1]), revertedSha: null, method: "branch" });
  }
  for (const message of [...input.commitMessages, input.body ?? ""]) {
    for (const m of message.matchAll(/This reverts commit ([0-9a-f]{7,40})\b/gi)) {
      add({ revertedRepo: input.repo, revertedPrNumber: null, revertedSha: m[1]!.toLowerCase(), method: "commit_msg" });
    }
  }
  if (found.length === 0 && /^Revert "/.test(input.title)) {
    add({ revertedRepo: input.repo, revertedPrNumber: null, revertedSha: null, method: "title" });
  }
  return found;
}
