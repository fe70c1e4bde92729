/**
 * One `countersign` check run per head SHA, created already completed and updated in place.
 * Every write costs about a second of Probot's write spacing, so an update whose output would
 * not change is skipped: the last output we wrote is remembered per SHA (GitHubCaches.checkRuns),
 * and on a cold cache the
 * existing run is read back and compared.
 */
import { createHash } from "node:crypto";
import { CHECK_NAME, type CheckOutput } from "../policy/render.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

/** GitHub accepts at most 50 annotations per create or update request. */
const ANNOTATIONS_PER_REQUEST = 50;

export interface UpsertResult {
  action: "created" | "updated" | "unchanged";
  id: number;
}

function fingerprint(conclusion: string, title: string, summary: string, text: string, annotations: number): string {
  return createHash("sha256").update(JSON.stringify([conclusion, title, summary, text, annotations])).digest("hex");
}

export async function upsertCheckRun(
  github: GitHub,
  target: { owner: string; repo: string; headSha: string; appId: number | null },
  output: CheckOutput,
  /**
   * `remembered`: what this process wrote (null: remember nothing); `trustRemembered` false when
   * other replicas write the same check runs, so what this process wrote last may be stale.
   */
  options: { remembered: GitHubCaches["checkRuns"] | null; trustRemembered?: boolean },
): Promise<UpsertResult> {
  const known = options.remembered;
  const { owner, repo, headSha } = target;
  const key = `${owner}/${repo}@${headSha}`.toLowerCase();
  const want = fingerprint(output.conclusion, output.title, output.summary, output.text, output.annotations.length);

  let existing = options.trustRemembered === false ? undefined : known?.get(key);
  if (!existing) {
    const res = await github.rest.checks.listForRef({ owner, repo, ref: headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
    const ours = res.data.check_runs.filter((r) => target.appId === null || r.app?.id === target.appId);
    const run = ours.sort((a, b) => b.id - a.id)[0];
    if (run) {
      existing = {
        id: run.id,
        fingerprint:
          run.status === "completed"
            ? fingerprint(run.conclusion ?? "", run.output.title ?? "", run.output.summary ?? "", run.output.text ?? "", run.output.annotations_count)
            : "",
      };
      known?.set(key, existing);
    }
  }
  if (existing && existing.fingerprint === want) return { action: "unchanged", id: existing.id };

  const batches = chunk(output.annotations, ANNOTATIONS_PER_REQUEST);
  const body = {
    owner,
    repo,
    name: CHECK_NAME,
    status: "completed" as const,
    conclusion: output.conclusion,
    output: { title: output.title, summary: output.summary, text: output.text, annotations: batches[0] ?? [] },
  };
  let id: number;
  let action: UpsertResult["action"];
  if (existing) {
    await github.rest.checks.update({ ...body, check_run_id: existing.id });
    id = existing.id;
    action = "updated";
  } else {
    const res = await github.rest.checks.create({ ...body, head_sha: headSha });
    id = res.data.id;
    action = "created";
  }
  // Further annotations are appended by updates carrying the next batch.
  for (const batch of batches.slice(1)) {
    await github.rest.checks.update({ owner, repo, check_run_id: id, output: { title: output.title, summary: output.summary, annotations: batch } });
  }
  known?.set(key, { id, fingerprint: want });
  return { action, id };
}

/** The conclusion of our latest `countersign` run on a SHA (null when there is none, or it has not completed). */
export async function readCheckConclusion(
  github: GitHub,
  target: { owner: string; repo: string; headSha: string; appId: number | null },
): Promise<string | null> {
  const res = await github.rest.checks.listForRef({ owner: target.owner, repo: target.repo, ref: target.headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
  const run = res.data.check_runs.filter((r) => target.appId === null || r.app?.id === target.appId).sort((a, b) => b.id - a.id)[0];
  if (!run || run.status !== "completed") return null;
  return run.conclusion ?? null;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
