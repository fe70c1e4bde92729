/**
 * The one assessment of a pull request, shared by the check run, merge recording, backfill and
 * `countersign check`:
 *   1. the config in force at the base commit (base files → config; invalid → stop here)
 *   2. the exceptions granted on the PR (from the audit trail)
 *   3. the snapshot: files, commits, reviews, approver teams, CODEOWNERS at the base
 *      (with GitHub's own list of invalid CODEOWNERS lines when ours has any)
 *   4. evaluate
 * The result says either "the config is invalid" (no gate was evaluated) or gives the verdict.
 * Where the inputs come from is the caller's: GitHub (`assessPullRequest`: one GraphQL query for
 * commits, reviews, our check run and the base files unless cached, and the changed files from
 * REST) or a local git repository (cli/check.ts).
 */
import type { Logger } from "probot";
import { githubCodeownersErrors, parsedCodeowners } from "../github/codeowners-cache.js";
import type { GitHub } from "../github/github.js";
import { loadRepoConfig, type ConfigLoad } from "../github/load-config.js";
import { loadSnapshot, readPullRequest, type PullLike, type ReviewEdit } from "../github/load-snapshot.js";
import type { ExistingCheckRun, HeadPull } from "../github/pull-request-state.js";
import type { Codeowners } from "../policy/codeowners.js";
import type { Config, ConfigError } from "../policy/config.js";
import { evaluate, type Verdict } from "../policy/evaluate.js";
import { grantedExceptions } from "../policy/exceptions.js";
import type { CodeownersSource, GrantedException, PullRequestSnapshot } from "../policy/snapshot.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export type Assessment =
  | {
      kind: "config-invalid";
      configSource: string;
      errors: ConfigError[];
      exceptions: GrantedException[];
      /** The PR's facts (no approver teams read), only when asked for with `factsWhenInvalid`. */
      snapshot: PullRequestSnapshot | null;
    }
  | {
      kind: "verdict";
      configSource: string;
      /** SHA-256 of the config text(s) in force; null for the defaults. */
      configHash: string | null;
      config: Config;
      exceptions: GrantedException[];
      snapshot: PullRequestSnapshot;
      verdict: Verdict;
    };

/** Where an assessment reads from. */
export interface AssessmentInputs {
  config(): Promise<ConfigLoad>;
  exceptions(): Promise<GrantedException[]>;
  /** `config` null: the config is invalid; read the facts only. */
  snapshot(config: Config | null, exceptions: GrantedException[]): Promise<PullRequestSnapshot>;
  /** Parsed CODEOWNERS (e.g. from a cache); absent: `evaluate` parses the snapshot's text. */
  codeowners?(source: CodeownersSource): Codeowners | null;
  /** GitHub's own invalid-line list, read only when our parse found errors. */
  githubCodeownersErrors?(): Promise<{ line: number; message: string }[] | null>;
}

export interface AssessOptions {
  /** Also read the PR's files, commits and reviews when the config is invalid (merge records). */
  factsWhenInvalid?: boolean;
}

export async function assess(inputs: AssessmentInputs, options: AssessOptions = {}): Promise<Assessment> {
  const loaded = await inputs.config(); // 1
  if (!loaded.ok) {
    const exceptions = options.factsWhenInvalid ? await inputs.exceptions() : [];
    const snapshot = options.factsWhenInvalid ? await inputs.snapshot(null, exceptions) : null;
    return { kind: "config-invalid", configSource: loaded.source, errors: loaded.errors, exceptions, snapshot };
  }
  const exceptions = await inputs.exceptions(); // 2
  const snapshot = await inputs.snapshot(loaded.config, exceptions); // 3
  const codeowners = inputs.codeowners ? inputs.codeowners(snapshot.codeowners) : undefined;
  if (codeowners && codeowners.errors.length > 0 && inputs.githubCodeownersErrors) {
    snapshot.codeowners = { ...snapshot.codeowners, githubErrors: await inputs.githubCodeownersErrors() };
  }
  const verdict = evaluate(snapshot, loaded.config, codeowners === undefined ? {} : { codeowners }); // 4
  return { kind: "verdict", configSource: loaded.source, configHash: loaded.hash, config: loaded.config, exceptions, snapshot, verdict };
}

/** Where and how a pull request read from GitHub is assessed. */
export interface PullRequestAssessOptions extends AssessOptions {
  /** The commit whose `countersign` run is read along (a merge group's head); default the PR head. */
  checkSha?: string;
  /** A `pull_request_review.edited` event: its sender edited that review. */
  reviewEdit?: ReviewEdit | null;
}

/**
 * An assessment from GitHub, with our check run on `checkSha` as the same read saw it (null: none)
 * and the pull requests whose head is `checkSha` (null: GitHub listed only some).
 */
export type PullRequestAssessment = Assessment & { checkRun: ExistingCheckRun | null; headPulls: HeadPull[] | null };

/** The assessment of `pr` as GitHub and the audit trail hold it now. */
export async function assessPullRequest(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  options: PullRequestAssessOptions = {},
): Promise<PullRequestAssessment> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const target = { checkSha: options.checkSha ?? pr.head.sha, appId: deps.appId, now: deps.now() };
  const read = await readPullRequest(github, deps.caches, pr, target);
  const assessment = await assess(
    {
      config: () => loadRepoConfig(github, deps.caches, owner, repo, read.base.config, deps.now()),
      exceptions: async () => grantedExceptions(await deps.store.listExceptions(`${owner}/${repo}`, pr.number)),
      snapshot: (config, exceptions) => loadSnapshot(github, pr, read, config, exceptions, options.reviewEdit ?? null),
      codeowners: (source) => parsedCodeowners(deps.caches, source),
      githubCodeownersErrors: () => githubCodeownersErrors(github, deps.caches, log, owner, repo, pr.base.sha),
    },
    options,
  );
  return { ...assessment, checkRun: read.checkRun, headPulls: read.headPulls };
}
