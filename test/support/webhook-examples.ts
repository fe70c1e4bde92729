/**
 * Real webhook payloads from @octokit/webhooks-examples, patched per test. The package lacks a
 * merged `closed`, an approved review, `edited` events and PR comments: those are derived from
 * the nearest example with explicit patches (see the helpers below).
 */
import { createRequire } from "node:module";
import type { EmitterWebhookEvent } from "@octokit/webhooks";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as {
  name: string;
  examples: ({ action?: string } & Record<string, unknown>)[];
}[];

type Payload = Record<string, any>;

/** A deep copy of the first example of `event.action` that has an `installation`. */
export function example(event: string, action: string): Payload {
  const family = examples.find((e) => e.name === event);
  const found = family?.examples.find((e) => e.action === action && "installation" in e);
  if (!found) throw new Error(`no webhooks-example for ${event}.${action} with an installation`);
  return structuredClone(found) as Payload;
}

export const REPO = { owner: "Codertocat", name: "Hello-World" };
export const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

/** pull_request.<action> for PR #2 with the given body and labels. */
export function pullRequestEvent(
  action: "opened" | "synchronize" | "reopened" | "edited" | "closed" | "labeled",
  patch: Payload = {},
): Payload {
  const base = action === "edited" || action === "closed" ? example("pull_request", "opened") : example("pull_request", action);
  base.action = action;
  Object.assign(base.pull_request, patch);
  if (action === "edited") base.changes = { body: { from: "" } };
  return base;
}

/** pull_request.closed with merged: true (the examples only have unmerged closes). */
export function mergedEvent(patch: Payload = {}): Payload {
  const payload = pullRequestEvent("closed", {
    state: "closed",
    merged: true,
    merged_at: "2026-11-20T10:00:00Z",
    merge_commit_sha: "1234567890abcdef1234567890abcdef12345678",
    merged_by: { login: "octo-maintainer", id: 99, type: "User" },
    ...patch,
  });
  return payload;
}

/** pull_request_review.submitted with state approved (the examples only have `commented`). */
export function reviewEvent(review: Payload, prPatch: Payload = {}): Payload {
  const payload = example("pull_request_review", "submitted");
  Object.assign(payload.review, { state: "approved", commit_id: HEAD_SHA, ...review });
  Object.assign(payload.pull_request, { head: { ...payload.pull_request.head, sha: HEAD_SHA }, ...prPatch });
  return payload;
}

export type Receivable = EmitterWebhookEvent;

/** The examples are typed with the older webhooks types: cast once, here. */
export function asEvent(name: string, payload: Payload, id = `delivery-${Math.random().toString(16).slice(2)}`): Receivable {
  return { id, name, payload } as unknown as Receivable;
}

/**
 * issue_comment.created on PR #2 (the examples have no PR comment): derived from the one example
 * with an installation, with `issue.pull_request` set and the repository swapped for Hello-World.
 */
export function prCommentEvent(body: string, login: string, patch: Payload = {}): Payload {
  const payload = example("issue_comment", "created");
  payload.repository = pullRequestEvent("opened").repository;
  payload.issue.number = 2;
  payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" };
  Object.assign(payload.comment, { id: 4242, body, user: { login, id: 7, type: "User" } });
  Object.assign(payload, patch);
  return payload;
}
