/**
 * `issue_comment.created` on a pull request: `/countersign exception|revoke|help`.
 * An exception is granted only by one of the boundary's approvers who is neither the PR's author
 * nor the sponsor of an agent PR, recorded in the audit trail (who, reason, head SHA, comment id,
 * time) and bound to the head commit the approver saw: the one named (`auth@<sha>`), or the one
 * Countersign had evaluated when the comment was written; never a commit pushed after it. The
 * comment itself grants nothing later, so editing or deleting it neither forges nor revokes anything.
 */
import type { Context, Logger } from "probot";
import { loadBaseFiles } from "../github/base-files.js";
import type { GitHub } from "../github/github.js";
import { loadRepoConfig } from "../github/load-config.js";
import { commentOnIssue, getPull, reactToComment, type Pull } from "../github/pulls.js";
import { readTeamMembers } from "../github/teams.js";
import { approversOf, approverTeams, isApprover } from "../policy/approvers.js";
import { boundaryFiles } from "../policy/boundaries.js";
import { COMMAND_HELP, parseCommands, type Command } from "../policy/commands.js";
import type { Config } from "../policy/config.js";
import { decideGrant, type EvaluatedHead } from "../policy/exceptions.js";
import type { PullRequestSnapshot } from "../policy/snapshot.js";
import { assessPullRequest } from "./assess-pull-request.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

const CONFIG_INVALID =
  "The repository's `.github/countersign.yml` is invalid, so no exception can be granted. See the `countersign` check for the errors.";

export async function onIssueComment(context: Context<"issue_comment.created">, deps: PipelineDeps): Promise<void> {
  const { issue, comment } = context.payload;
  if (!issue.pull_request || comment.user?.type === "Bot") return;
  const commands = parseCommands(comment.body);
  if (commands.length === 0) return;

  const { owner, repo } = context.repo();
  const github = context.octokit;
  const log = context.log;
  const where = { delivery: context.id, repo: `${owner}/${repo}`, pr: issue.number, comment: comment.id };
  const reply = (body: string) =>
    courtesy(log, where, "reply", () => commentOnIssue(github, owner, repo, issue.number, `> ${firstLine(comment.body)}\n\n${body}`));

  const pr = await getPull(github, owner, repo, issue.number);
  if (pr.state !== "open") {
    await reply("This pull request is closed: there is nothing to grant or revoke.");
    return;
  }
  const base = await loadBaseFiles(github, deps.caches, owner, repo, pr.base.sha, deps.now());
  const loaded = await loadRepoConfig(github, deps.caches, owner, repo, base.config, deps.now());
  if (!loaded.ok) {
    await reply(CONFIG_INVALID);
    return;
  }
  // 1. Record every command's grant or revoke.
  const login = comment.user?.login ?? "";
  // What a grant is judged on (the PR as GitHub has it now, the heads the app evaluated), read once.
  let facts: Promise<GrantFacts> | null = null;
  const grantFacts = () => (facts ??= readGrantFacts(github, log, deps, pr));
  const outcomes: CommandOutcome[] = [];
  for (const [i, command] of commands.entries()) {
    // One delivery can carry several commands: each gets its own idempotency key.
    const key = context.id ? `${context.id}#${i}` : null;
    const at = { owner, repo, pr: issue.number, headSha: pr.head.sha, login, commentId: comment.id, writtenAt: comment.created_at };
    outcomes.push(await runCommand(github, deps, key, at, loaded.config, command, grantFacts));
  }
  // 2. Re-evaluate. A retried delivery finds its grants already recorded, and evaluates again.
  let evaluation: unknown = null;
  if (outcomes.some((o) => o.recorded)) {
    try {
      const req = { pr, event: "issue_comment.created", deliveryId: context.id ?? null };
      await evaluatePullRequest(github, log, deps, req);
    } catch (error) {
      evaluation = error;
    }
  }
  // 3. Courtesy writes last, each on its own: a failed reply or reaction changes nothing recorded.
  //    Only for what this attempt recorded, so a retry does not repeat them.
  for (const o of outcomes) if (o.reply) await reply(o.reply);
  if (outcomes.some((o) => o.inserted)) {
    await courtesy(log, where, "reaction", () => reactToComment(github, owner, repo, comment.id, "+1"));
  }
  if (evaluation) throw evaluation;
}

interface Where {
  owner: string;
  repo: string;
  pr: number;
  headSha: string;
  login: string;
  commentId: number;
  /** The comment's `created_at`. */
  writtenAt: string;
}

/** The PR as an assessment reads it (author, sponsor, files at the head) and the heads the app evaluated. */
type GrantFacts = { ok: true; snapshot: PullRequestSnapshot; sponsor: string | null; history: EvaluatedHead[] } | { ok: false };

async function readGrantFacts(github: GitHub, log: Logger, deps: PipelineDeps, pr: Pull): Promise<GrantFacts> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const [assessment, history] = await Promise.all([
    assessPullRequest(github, log, deps, pr),
    deps.store.evaluatedHeads(`${owner}/${repo}`, pr.number),
  ]);
  if (assessment.kind !== "verdict") return { ok: false };
  return { ok: true, snapshot: assessment.snapshot, sponsor: assessment.verdict.sponsor, history };
}

interface CommandOutcome {
  /** A grant or revoke by an approver is in the trail (now, or by an earlier attempt of this delivery). */
  recorded: boolean;
  /** Recorded by this attempt. */
  inserted: boolean;
  /** What to answer in the PR, if anything. */
  reply: string | null;
}

async function runCommand(
  github: GitHub,
  deps: PipelineDeps,
  deliveryId: string | null,
  at: Where,
  config: Config,
  command: Command,
  grantFacts: () => Promise<GrantFacts>,
): Promise<CommandOutcome> {
  const answer = (reply: string): CommandOutcome => ({ recorded: false, inserted: false, reply });
  if (command.kind === "help") return answer(COMMAND_HELP);
  if (command.kind === "invalid") return answer(`\`${command.text}\`: ${command.problem}.\n\n${COMMAND_HELP}`);
  const approvers = approversOf(config, command.boundary);
  if (approvers === null) {
    const names = [...config.boundaries.map((b) => b.name), "agent-scope"].map((n) => `\`${n}\``).join(", ");
    return answer(`There is no boundary \`${command.boundary}\`. Boundaries here: ${names}.`);
  }
  // The same rule as the boundary gate, fed by the same membership read (the teams' member lists).
  const teamMembers = await readTeamMembers(github, approverTeams(approvers));
  if (!isApprover(at.login, approvers, teamMembers)) {
    return answer(
      `@${at.login} is not an approver of \`${command.boundary}\`, so nothing was ${command.kind === "revoke" ? "revoked" : "granted"}. ` +
        (approvers.length > 0 ? `Ask one of ${approvers.join(", ")}.` : "No approvers are configured for it (`.github/countersign.yml`)."),
    );
  }
  let sha = at.headSha;
  let granted: string | null = null;
  if (command.kind === "exception") {
    const facts = await grantFacts();
    if (!facts.ok) return answer(CONFIG_INVALID);
    const { snapshot } = facts;
    const decision = decideGrant({
      boundary: command.boundary,
      login: at.login,
      command,
      approvers,
      teamMembers,
      accountable: { author: snapshot.author.login, sponsor: facts.sponsor },
      headSha: snapshot.headSha,
      writtenAt: at.writtenAt,
      history: facts.history,
      requireSha: config.exceptions.require_sha,
      files: boundaryFiles(config, command.boundary, snapshot.files) ?? [],
      filesTruncated: snapshot.filesTruncated,
    });
    if (!decision.ok) return answer(decision.reply);
    sha = decision.sha;
    granted = decision.reply;
  }
  const res = await deps.store.recordException(
    {
      repo: `${at.owner}/${at.repo}`,
      prNumber: at.pr,
      boundary: command.boundary,
      grantedBy: at.login,
      reason: command.kind === "exception" ? command.reason : "revoked",
      sha,
      commentId: at.commentId,
      action: command.kind === "exception" ? "grant" : "revoke",
    },
    deliveryId,
  );
  const reply = !res.inserted ? null : (granted ?? `Exception for \`${command.boundary}\` revoked by @${at.login}.`);
  return { recorded: true, inserted: res.inserted, reply };
}

/** A write that only informs people: its failure is logged, never thrown. */
async function courtesy(log: Logger, where: Record<string, unknown>, what: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    log.warn({ ...where, err: error }, `${what} not posted (the command itself is recorded)`);
  }
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim().startsWith("/countersign")) ?? "").trim().slice(0, 200);
}
