/**
 * Change events out: on every recorded merge, POST a change event that incident tools can ingest,
 * shaped like PagerDuty's Events API v2 change event (so `INCIDENT_WEBHOOK_URL` can point straight
 * at `https://events.pagerduty.com/v2/change/enqueue` with a routing key). Sent in the background
 * with retries and exponential backoff; failures are logged and counted and never block the check
 * or the audit record.
 */
import type { Logger } from "probot";
import { githubUrlOf, type MergeRecordInput } from "../audit/audit-store.js";

export interface ChangeEventOptions {
  url: string;
  /** PagerDuty integration key (or any routing key the receiver wants). */
  routingKey?: string | null;
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First backoff in ms, doubled each retry (default 1,000). */
  baseDelayMs?: number;
  /** GitHub's web host for PR links (default github.com). */
  webHost?: string;
}

export interface ChangeEvent {
  routing_key?: string;
  payload: {
    summary: string;
    timestamp: string;
    source: "countersign";
    custom_details: {
      repo: string;
      pr_number: number;
      pr_url: string;
      merge_sha: string | null;
      head_sha: string;
      merged_by: string | null;
      ai_level: string;
      ai_tools: string[];
      owning_team: string | null;
      teams: string[];
      bypassed: boolean;
      check_conclusion: string | null;
    };
  };
  links: { href: string; text: string }[];
}

/** Counters of one app's change events (served on /healthz); created with the app, not per module. */
export interface ChangeEventStats {
  sent: number;
  failed: number;
  retried: number;
}

export function createChangeEventStats(): ChangeEventStats {
  return { sent: 0, failed: 0, retried: 0 };
}

export function buildChangeEvent(m: MergeRecordInput, options: Pick<ChangeEventOptions, "routingKey" | "webHost">): ChangeEvent {
  const prUrl = `${githubUrlOf(m, `https://${options.webHost ?? "github.com"}`)}/${m.repo}/pull/${m.prNumber}`;
  const summary =
    `Merged ${m.repo}#${m.prNumber}: ${m.title} ` +
    `(AI: ${m.aiLevel}${m.owningTeam ? `, owner ${m.owningTeam}` : ""}${m.bypassed ? ", gate BYPASSED" : ""})`;
  return {
    ...(options.routingKey ? { routing_key: options.routingKey } : {}),
    payload: {
      // PagerDuty caps summaries at 1,024 characters.
      summary: summary.slice(0, 1024),
      timestamp: m.mergedAt,
      source: "countersign",
      custom_details: {
        repo: m.repo,
        pr_number: m.prNumber,
        pr_url: prUrl,
        merge_sha: m.mergeCommitSha,
        head_sha: m.headSha,
        merged_by: m.mergedBy,
        ai_level: m.aiLevel,
        ai_tools: m.aiTools,
        owning_team: m.owningTeam,
        teams: m.teams.map((t) => t.team),
        bypassed: m.bypassed,
        check_conclusion: m.checkConclusion,
      },
    },
    links: [{ href: prUrl, text: `${m.repo}#${m.prNumber}` }],
  };
}

/** Sends with retries; resolves true when delivered, false when given up. Never throws. */
export async function sendChangeEvent(
  event: ChangeEvent,
  options: ChangeEventOptions,
  log: Logger,
  stats: ChangeEventStats,
): Promise<boolean> {
  const attempts = options.attempts ?? 5;
  let delay = options.baseDelayMs ?? 1000;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "countersign" },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) {
        stats.sent++;
        return true;
      }
      // 4xx other than 408/429 will not get better by retrying.
      if (res.status < 500 && res.status !== 408 && res.status !== 429) {
        log.warn(
          { status: res.status, repo: event.payload.custom_details.repo, pr: event.payload.custom_details.pr_number },
          "change event refused; not retrying",
        );
        break;
      }
      log.warn({ status: res.status, attempt }, "change event failed; retrying");
    } catch (error) {
      log.warn({ err: error, attempt }, "change event could not be sent; retrying");
    }
    if (attempt < attempts) {
      stats.retried++;
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  stats.failed++;
  log.error({ repo: event.payload.custom_details.repo, pr: event.payload.custom_details.pr_number }, "change event dropped after retries");
  return false;
}
