/**
 * A check run belongs to a commit, so every open pull request whose head is that commit shares
 * it: the last evaluation must not decide it for all. When other open PRs share the head, each is
 * assessed against its own base (the full assessment, as for the PR of the event), the check
 * concludes with the strictest (a PR that could not be evaluated fails it), and its summary has
 * a section per PR. The evaluation's own GraphQL read lists the PRs on the head, so a PR alone on
 * its head costs no extra call; evaluating any of them computes them all.
 */
import type { Logger } from "probot";
import { explainError, isTransient } from "../github/errors.js";
import type { GitHub } from "../github/github.js";
import type { PullLike } from "../github/load-snapshot.js";
import type { HeadPull } from "../github/pull-request-state.js";
import { otherOpenPullsOnHead } from "../github/pulls.js";
import { render, renderError, renderSharedHead, type CheckOutput, type PullSection } from "../policy/render.js";
import { assessPullRequest, type Assessment } from "./assess-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/** The check output of one PR's assessment: its verdict, or the invalid config named. */
export function assessmentOutput(assessment: Assessment, pr: PullLike): CheckOutput {
  if (assessment.kind === "verdict") return render(assessment.verdict);
  const problems = assessment.errors
    .map((e) => `- ${e.line ? `line ${e.line}: ` : ""}${e.path ? `\`${e.path}\`: ` : ""}${e.message}`)
    .join("\n");
  return renderError(
    `Invalid configuration in ${assessment.configSource}`,
    `${problems}\n\nFix the file on the base branch (\`${pr.base.ref}\`); \`countersign validate\` checks it locally.`,
  );
}

/** The failing output of a PR that could not be evaluated. */
export function failedOutput(error: unknown, pr: PullLike, sha: string, deliveryId: string | null): CheckOutput {
  const { reason, nextStep } = explainError(error);
  const repo = `${pr.base.repo.owner.login}/${pr.base.repo.name}`;
  return renderError(reason, `${nextStep}\n\nDelivery: \`${deliveryId ?? "n/a"}\`, ${repo}#${pr.number} at ${sha.slice(0, 7)}.`);
}

export interface SharedHeadResult {
  output: CheckOutput;
  /** A transient GitHub failure while assessing another PR (the delivery is retried when the inbox retries). */
  transient: unknown;
}

/**
 * The check of `pr`'s head when other open PRs share it (null when `pr` is alone on it): `own` is
 * `pr`'s own output, `associated` the PRs GitHub associates with the head (from the same read).
 */
export async function sharedHeadOutput(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  own: CheckOutput,
  associated: readonly HeadPull[] | null,
  deliveryId: string | null,
): Promise<SharedHeadResult | null> {
  const others = await otherOpenPullsOnHead(github, pr, associated);
  if (others.length === 0) return null;
  const sections: PullSection[] = [{ number: pr.number, baseRef: pr.base.ref, output: own }];
  let transient: unknown = null;
  for (const other of others) {
    let output: CheckOutput;
    try {
      output = assessmentOutput(await assessPullRequest(github, log, deps, other, { checkSha: pr.head.sha }), other);
    } catch (error) {
      const where = { err: error, pr: other.number, sharedWith: pr.number, sha: pr.head.sha };
      log.error(where, "could not evaluate a pull request sharing the head");
      output = failedOutput(error, other, pr.head.sha, deliveryId);
      if (deps.retryTransient && isTransient(error)) transient ??= error;
    }
    sections.push({ number: other.number, baseRef: other.base.ref, output });
  }
  return { output: renderSharedHead(sections), transient };
}
