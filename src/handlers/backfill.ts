/**
 * Backfill: record the merges the app missed (it was down, webhooks were lost, or it was installed
 * later). Each merged PR is evaluated as of its merge — body, commits, reviews, and the config and
 * CODEOWNERS at its base SHA — through the same `recordMerge` the webhook uses, marked
 * `source: backfill`. Idempotent and resumable: merges already in the trail are skipped.
 */
import type { Logger } from "probot";
import type { GitHub } from "../github/github.js";
import { closedPullsSince, getPull } from "../github/pulls.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { recordMerge } from "./record-merge.js";

export interface BackfillProgress {
  scanned: number;
  merged: number;
  recorded: number;
  alreadyRecorded: number;
  failed: number;
}

export interface BackfillOptions {
  owner: string;
  repo: string;
  /** Only PRs merged at or after this time (ISO-8601). */
  since: string | null;
  onProgress?: (p: BackfillProgress, current: string) => void;
}

export async function backfillRepository(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  opts: BackfillOptions,
): Promise<BackfillProgress & { errors: string[] }> {
  const p: BackfillProgress = { scanned: 0, merged: 0, recorded: 0, alreadyRecorded: 0, failed: 0 };
  const errors: string[] = [];
  const since = opts.since ? Date.parse(opts.since) : null;
  const fullName = `${opts.owner}/${opts.repo}`;

  for await (const pr of closedPullsSince(github, opts.owner, opts.repo, opts.since)) {
    p.scanned++;
    if (!pr.merged_at || (since !== null && Date.parse(pr.merged_at) < since)) continue;
    p.merged++;
    opts.onProgress?.(p, `#${pr.number}`);
    if (await deps.store.getMerge(fullName, pr.number)) {
      p.alreadyRecorded++;
      continue;
    }
    try {
      // The list omits merged_by; the single-PR read has it.
      const full = await getPull(github, opts.owner, opts.repo, pr.number);
      const res = await recordMerge(github, log, deps, full, null, "backfill");
      if (res.inserted) p.recorded++;
      else p.alreadyRecorded++;
    } catch (error) {
      p.failed++;
      errors.push(`#${pr.number}: ${error instanceof Error ? error.message : String(error)}`);
      log.warn({ err: error, repo: fullName, pr: pr.number }, "backfill could not record this merge; re-run to retry");
    }
  }
  opts.onProgress?.(p, "done");
  return { ...p, errors };
}
