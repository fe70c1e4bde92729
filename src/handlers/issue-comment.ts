/**
 * `issue_comment.created` on a pull request: `/countersign exception|revoke|help`.
 * An exception is granted only by one of the boundary's approvers, recorded in the audit trail
 * (who, reason, head SHA, comment id, time) and bound to that head SHA; the comment itself
 * grants nothing later, so editing or deleting it neither forges nor revokes anything.
 */
import type { Context, Logger } from "probot";
import { loadBaseFiles } from "../github/base-files.js";
import type { GitHub } from "../github/github.js";
import { loadRepoConfig } from "../github/load-config.js";
import { commentOnIssue, getPull, reactToComment } from "../github/pulls.js";
import { readTeamMembers } from "../github/teams.js";
import { approversOf, approverTeams, isApprover } from "../policy/approvers.js";
import { COMMAND_HELP, parseCommands, type Command } from "../policy/commands.js";
import type { Config } from "../policy/config.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

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
    await reply("The repository's `.github/countersign.yml` is invalid, so no exception can be granted. See the `countersign` check for the errors.");
    return;
  }
  // 1. Record every command's grant or revoke.
  const login = comment.user?.login ?? "";
  const outcomes: CommandOutcome[] = [];
  for (const [i, command] of commands.entries()) {
    // One delivery can carry several commands: each gets its own idempotency key.
    const key = context.id ? `${context.id}#${i}` : null;
    const at = { owner, repo, pr: issue.number, headSha: pr.head.sha, login, commentId: comment.id };
    outcomes.push(await runCommand(github, deps, key, at, loaded.config, command));
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
  if (!isApprover(at.login, approvers, await readTeamMembers(github, approverTeams(approvers)))) {
    return answer(
      `@${at.login} is not an approver of \`${command.boundary}\`, so nothing was ${command.kind === "revoke" ? "revoked" : "granted"}. ` +
        (approvers.length > 0 ? `Ask one of ${approvers.join(", ")}.` : "No approvers are configured for it (`.github/countersign.yml`)."),
    );
  }
  const repoName = `${at.owner}/${at.repo}`;
  const grant = command.kind === "exception";
  const res = await deps.store.recordException(
    {
      repo: repoName,
      prNumber: at.pr,
      boundary: command.boundary,
      grantedBy: at.login,
      reason: grant ? command.reason : "revoked",
      sha: at.headSha,
      commentId: at.commentId,
      action: grant ? "grant" : "revoke",
    },
    deliveryId,
  );
  const what = `Exception for \`${command.boundary}\``;
  const granted = `${what} granted by @${at.login} on ${at.headSha.slice(0, 7)} and recorded in the audit trail. New commits void it.`;
  const reply = !res.inserted ? null : grant ? granted : `${what} revoked by @${at.login}.`;
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
