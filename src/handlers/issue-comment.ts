/**
 * `issue_comment.created` on a pull request: `/countersign exception|revoke|help`.
 * An exception is granted only by one of the boundary's approvers, recorded in the audit trail
 * (who, reason, head SHA, comment id, time) and bound to that head SHA; the comment itself
 * grants nothing later, so editing or deleting it neither forges nor revokes anything.
 */
import type { Context } from "probot";
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
  const reply = (body: string) => commentOnIssue(github, owner, repo, issue.number, `> ${firstLine(comment.body)}\n\n${body}`);

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
  const login = comment.user?.login ?? "";
  let changed = false;
  for (const [i, command] of commands.entries()) {
    // One delivery can carry several commands: each gets its own idempotency key.
    const key = context.id ? `${context.id}#${i}` : null;
    changed = (await runCommand(github, deps, key, { owner, repo, pr: issue.number, headSha: pr.head.sha, login, commentId: comment.id }, loaded.config, command, reply)) || changed;
  }
  if (changed) {
    await reactToComment(github, owner, repo, comment.id, "+1");
    await evaluatePullRequest(github, context.log, deps, { pr, event: "issue_comment.created", deliveryId: context.id ?? null });
  }
}

interface Where {
  owner: string;
  repo: string;
  pr: number;
  headSha: string;
  login: string;
  commentId: number;
}

async function runCommand(github: GitHub, deps: PipelineDeps, deliveryId: string | null, at: Where, config: Config, command: Command, reply: (body: string) => Promise<unknown>): Promise<boolean> {
  if (command.kind === "help") {
    await reply(COMMAND_HELP);
    return false;
  }
  if (command.kind === "invalid") {
    await reply(`\`${command.text}\`: ${command.problem}.\n\n${COMMAND_HELP}`);
    return false;
  }
  const approvers = approversOf(config, command.boundary);
  if (approvers === null) {
    const names = [...config.boundaries.map((b) => b.name), "agent-scope"].map((n) => `\`${n}\``).join(", ");
    await reply(`There is no boundary \`${command.boundary}\`. Boundaries here: ${names}.`);
    return false;
  }
  // The same rule as the boundary gate, fed by the same membership read (the teams' member lists).
  if (!isApprover(at.login, approvers, await readTeamMembers(github, approverTeams(approvers)))) {
    await reply(
      `@${at.login} is not an approver of \`${command.boundary}\`, so nothing was ${command.kind === "revoke" ? "revoked" : "granted"}. ` +
        (approvers.length > 0 ? `Ask one of ${approvers.join(", ")}.` : "No approvers are configured for it (`.github/countersign.yml`)."),
    );
    return false;
  }
  const repoName = `${at.owner}/${at.repo}`;
  if (command.kind === "exception") {
    const res = await deps.store.recordException(
      { repo: repoName, prNumber: at.pr, boundary: command.boundary, grantedBy: at.login, reason: command.reason, sha: at.headSha, commentId: at.commentId, action: "grant" },
      deliveryId,
    );
    if (res.inserted) {
      await reply(`Exception for \`${command.boundary}\` granted by @${at.login} on ${at.headSha.slice(0, 7)} and recorded in the audit trail. New commits void it.`);
    }
    return res.inserted;
  }
  const res = await deps.store.recordException(
    { repo: repoName, prNumber: at.pr, boundary: command.boundary, grantedBy: at.login, reason: "revoked", sha: at.headSha, commentId: at.commentId, action: "revoke" },
    deliveryId,
  );
  if (res.inserted) await reply(`Exception for \`${command.boundary}\` revoked by @${at.login}.`);
  return res.inserted;
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim().startsWith("/countersign")) ?? "").trim().slice(0, 200);
}
