/**
 * One `countersign` check run per head SHA, created already completed and updated in place.
 * Every write costs about a second of the app's write spacing, so an update whose output would
 * not change is skipped: the last output we wrote is remembered per SHA (GitHubCaches.checkRuns),
 * and on a cold cache the run the evaluation's GraphQL read saw (or, without one, the listed run)
 * is compared.
 *
 * An evaluation that failed on a GitHub outage and will be retried (`retried`) does not rewrite a
 * check that already says it could not evaluate (only the delivery id or the failing call would
 * change): during an outage every retry of every delivery rewrote it, one write a second each, and
 * those writes held up the verdicts once GitHub was back. Over a verdict, or where there is no
 * check yet, it is written: fail closed, and the author sees why.
 */
import { createHash } from "node:crypto";
import { CHECK_NAME, type CheckOutput, ERROR_TITLE } from "../policy/render.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";
import type { ExistingCheckRun } from "./pull-request-state.js";

/** GitHub accepts at most 50 annotations per create or update request. */
const ANNOTATIONS_PER_REQUEST = 50;

export interface UpsertResult {
  /** "left": a retried failure not written over the same message (see above). */
  action: "created" | "updated" | "unchanged" | "left";
  id: number;
}

function fingerprint(conclusion: string, title: string, summary: string, text: string, annotations: number): string {
  return createHash("sha256")
    .update(JSON.stringify([conclusion, title, summary, text, annotations]))
    .digest("hex");
}

export async function upsertCheckRun(
  github: GitHub,
  target: { owner: string; repo: string; headSha: string; appId: number | null },
  output: CheckOutput,
  options: {
    /** What this process wrote (null: remember nothing). */
    remembered: GitHubCaches["checkRuns"] | null;
    /** false when other replicas write the same check runs: what this process wrote last may be stale. */
    trustRemembered?: boolean;
    /** Our run on the SHA as the evaluation's GraphQL read just saw it (null: none); undefined: not read, so list it. */
    current?: ExistingCheckRun | null;
    /** `output` says the evaluation could not finish, and it will be tried again. */
    retried?: boolean;
  },
): Promise<UpsertResult> {
  const known = options.remembered;
  const { owner, repo, headSha } = target;
  const key = rememberedKey(target);
  const want = fingerprint(output.conclusion, output.title, output.summary, output.text, output.annotations.length);

  let existing = options.trustRemembered === false ? undefined : known?.get(key);
  if (!existing && options.current !== undefined) {
    existing = options.current ? knownFrom(options.current) : undefined;
  } else if (!existing) {
    const run = await findCheckRun(github, target);
    if (run) existing = knownFrom(run);
  }
  if (existing) known?.set(key, existing);
  if (existing && existing.fingerprint === want) return { action: "unchanged", id: existing.id };
  if (options.retried && existing?.couldNotEvaluate) return { action: "left", id: existing.id };

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
    await github.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      output: { title: output.title, summary: output.summary, annotations: batch },
    });
  }
  known?.set(key, { id, fingerprint: want, couldNotEvaluate: output.title === ERROR_TITLE });
  return { action, id };
}

const rememberedKey = (target: { owner: string; repo: string; headSha: string }) =>
  `${target.owner}/${target.repo}@${target.headSha}`.toLowerCase();

/** Whether upsertCheckRun can write over our run on the SHA without listing it (it remembers the run and may trust that). */
export function remembersCheckRun(
  remembered: GitHubCaches["checkRuns"] | null,
  target: { owner: string; repo: string; headSha: string },
  trustRemembered: boolean,
): boolean {
  return trustRemembered && remembered?.has(rememberedKey(target)) === true;
}

/** Our newest `countersign` run on the SHA (null: none), listed over REST. */
export async function findCheckRun(
  github: GitHub,
  target: { owner: string; repo: string; headSha: string; appId: number | null },
): Promise<ExistingCheckRun | null> {
  const { owner, repo, headSha } = target;
  const res = await github.rest.checks.listForRef({ owner, repo, ref: headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
  const ours = res.data.check_runs.filter((r) => target.appId === null || r.app?.id === target.appId);
  const run = ours.sort((a, b) => b.id - a.id)[0];
  if (!run) return null;
  return {
    id: run.id,
    status: run.status,
    conclusion: run.conclusion ?? null,
    title: run.output.title ?? "",
    summary: run.output.summary ?? "",
    text: run.output.text ?? "",
    annotationsCount: run.output.annotations_count,
  };
}

function knownFrom(run: ExistingCheckRun): { id: number; fingerprint: string; couldNotEvaluate: boolean } {
  return {
    id: run.id,
    couldNotEvaluate: run.status === "completed" && run.title === ERROR_TITLE,
    // A run still in progress (another writer's, or a crash mid-way) never matches: it is rewritten.
    fingerprint:
      run.status === "completed" ? fingerprint(run.conclusion ?? "", run.title, run.summary, run.text, run.annotationsCount) : "",
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
