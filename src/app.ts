/**
 * The Probot application function: wires each event to its handler and the read-only routes.
 * No policy logic lives here.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { AuditStore } from "./audit/audit-store.js";
import type { Leases } from "./cluster/leases.js";
import { createDashboardHandler } from "./dashboard/dashboard-handler.js";
import { ConditionalReads } from "./github/conditional-requests.js";
import type { GitHub } from "./github/github.js";
import type { GitHubOAuthConfig } from "./github/user-sign-in.js";
import { createAuditApiHandler } from "./http/audit-api.js";
import { changeEventStats, type ChangeEventOptions } from "./notify/change-events.js";
import { onCheckRunRerequested } from "./handlers/check-run.js";
import type { PipelineDeps } from "./handlers/evaluate-pull-request.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onMergeGroup } from "./handlers/merge-group.js";
import { onPullRequestReview, PULL_REQUEST_REVIEW_EVENTS } from "./handlers/pull-request-review.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";

export interface AppOptions {
  store: AuditStore;
  appId?: number | null;
  now?: () => number;
  /** POST a change event for every recorded merge (INCIDENT_WEBHOOK_URL). */
  changeEvents?: ChangeEventOptions | null;
  /** AUDIT_API_TOKEN: turns on the read-only audit API and the dashboard's token sign-in. */
  auditApiToken?: string | null;
  /** GITHUB_CLIENT_ID/SECRET: the dashboard's GitHub sign-in (each user sees their repositories). */
  githubOAuth?: GitHubOAuthConfig | null;
  /** Links from the dashboard to pull requests and commits (GHE: its web URL). */
  githubUrl?: string;
  /** Evaluation leases shared by replicas (REDIS_URL); null for a single process. */
  leases?: Leases | null;
  /** Register HTTP routes (needs Probot's server; off for probot.receive-only use). */
  serve?: boolean;
  /** ETags and bodies of repeated reads (shared through Redis by main when REDIS_URL is set); default: in memory. */
  conditionalReads?: ConditionalReads;
}

export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    const reads = options.conditionalReads ?? new ConditionalReads();
    // Every event's Octokit re-reads through the ETag cache and counts what it spends.
    const withReads = <C extends { octokit: unknown }>(context: C): C => {
      reads.attach(context.octokit as GitHub);
      return context;
    };
    const deps: PipelineDeps = {
      store: options.store,
      appId: options.appId ?? null,
      now: options.now ?? Date.now,
      changeEvents: options.changeEvents ?? null,
      leases: options.leases ?? null,
      apiUsage: (github) => reads.usage(github),
    };

    app.on([...PULL_REQUEST_EVENTS], (context) => onPullRequest(withReads(context), deps));
    app.on([...PULL_REQUEST_REVIEW_EVENTS], (context) => onPullRequestReview(withReads(context), deps));
    app.on("check_run.rerequested", (context) => onCheckRunRerequested(withReads(context), deps));
    app.on("merge_group.checks_requested", (context) => onMergeGroup(withReads(context), deps));
    app.on("issue_comment.created", (context) => onIssueComment(withReads(context), deps));

    // Probot's addHandler throws "No server instance" when the app is loaded without its HTTP
    // server (probot.receive in tests, serverless adapters): routes are then simply not served.
    if (options.serve !== false) {
      addHandler((req, res) => {
        if (req.method === "GET" && req.url === "/healthz") {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, store: options.store.engine, changeEvents: changeEventStats }));
          return true;
        }
        return false;
      });
      // The JSON API takes the bearer token only; the dashboard is on with either sign-in.
      if (options.auditApiToken) addHandler(createAuditApiHandler({ store: options.store, token: options.auditApiToken, log: app.log }));
      if (options.auditApiToken || options.githubOAuth) {
        addHandler(createDashboardHandler({
          store: options.store,
          token: options.auditApiToken ?? undefined,
          github: options.githubOAuth ?? null,
          log: app.log,
          ...(options.githubUrl ? { githubUrl: options.githubUrl } : {}),
        }));
      }
    }
  };
}
