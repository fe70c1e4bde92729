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
import type { PullLike } from "../github/load-snapshot.js";
import { COMMAND_HELP, parseCommands, type Command } from "../policy/commands.js";
import type { Config } from "../policy/config.js";
import { evaluatePullRequest, type PipelineDeps } from "./evaluate-pull-request.js";

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
    courtesy(log, where, "reply", () =>
      github.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: `> ${firstLine(comment.body)}\n\n${body}` }),
    );

  const { data: pr } = await github.rest.pulls.get({ owner, repo, pull_number: issue.number });
  if (pr.state !== "open") {
    await reply("This pull request is closed: there is nothing to grant or revoke.");
    return;
  }
  const base = await loadBaseFiles(github, owner, repo, pr.base.sha, deps.now());
  const loaded = await loadRepoConfig(github, owner, repo, base.config, deps.now());
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
      const req = { pr: pr as unknown as PullLike, event: "issue_comment.created", deliveryId: context.id ?? null };
      await evaluatePullRequest(github, log, deps, req);
    } catch (error) {
      evaluation = error;
    }
  }
  // 3. Courtesy writes last, each on its own: a failed reply or reaction changes nothing recorded.
  //    Only for what this attempt recorded, so a retry does not repeat them.
  for (const o of outcomes) if (o.reply) await reply(o.reply);
  if (outcomes.some((o) => o.inserted)) {
    await courtesy(log, where, "reaction", () =>
      github.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "+1" }),
    );
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
  if (!(await isApprover(github, at.login, approvers))) {
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

function approversOf(config: Config, boundary: string): string[] | null {
  if (boundary === "agent-scope") return config.agents.approvers;
  return config.boundaries.find((b) => b.name === boundary)?.approvers ?? null;
}

/** A user approver by login, or an active member of an approver team. */
async function isApprover(github: GitHub, login: string, approvers: string[]): Promise<boolean> {
  for (const a of approvers) {
    if (!a.includes("/")) {
      if (a.slice(1).toLowerCase() === login.toLowerCase()) return true;
      continue;
    }
    const [org, team_slug] = a.slice(1).split("/") as [string, string];
    try {
      const { data } = await github.rest.teams.getMembershipForUserInOrg({ org, team_slug, username: login });
      if (data.state === "active") return true;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return false;
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim().startsWith("/countersign")) ?? "").trim().slice(0, 200);
}
