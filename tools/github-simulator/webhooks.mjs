/**
 * Webhook deliveries the way GitHub sends them: JSON body, `X-GitHub-Event`, `X-GitHub-Delivery`
 * (a GUID, kept on redelivery), `X-Hub-Signature-256` (HMAC-SHA256 of the exact body with the
 * app's webhook secret), `X-Hub-Signature` (SHA-1, legacy), the hook-installation headers and a
 * `GitHub-Hookshot` user agent. Payloads are built from the simulator's state, so what a webhook
 * says and what the REST API answers agree (unless a test deliberately sends a stale payload).
 */
import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export function signPayload(body, secret) {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs one delivery; resolves with the app's status and body (never rejects on HTTP errors). */
export function postDelivery(url, { event, id, body, secret, signature, appId, installationTargetId, timeoutMs = 30_000 }) {
  const u = new URL(url);
  const headers = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "user-agent": "GitHub-Hookshot/simulator",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-github-hook-id": "1",
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": String(appId ?? installationTargetId ?? ""),
    // `signature` overrides the computed one (to test tampered or mis-signed deliveries).
    "x-hub-signature-256": signature ?? signPayload(body, secret),
    "x-hub-signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`,
  };
  const started = Date.now();
  return new Promise((resolve) => {
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, { method: "POST", headers, timeout: timeoutMs });
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error(`delivery timed out after ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ status: 0, body: String(error?.message ?? error), ms: Date.now() - started, error }));
    req.end(body);
  });
}

export function newDeliveryId() {
  return randomUUID();
}

/** Builds webhook payloads from the world's state. */
export function createPayloads(world, base) {
  const common = (repo, sender) => ({
    repository: world.repoJson(repo, base()),
    organization: world.orgJson(repo.owner, base()),
    installation: { id: repo.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${repo.installationId}` },
    sender: world.userJson(sender, base()),
  });
  return {
    pullRequest(repo, pr, action, { sender, extra = {} } = {}) {
      return { action, number: pr.number, pull_request: world.pullJson(repo, pr, base()), ...extra, ...common(repo, sender ?? pr.user) };
    },
    pullRequestReview(repo, pr, review, action = "submitted", { sender, extra = {} } = {}) {
      return {
        action,
        ...extra,
        review: world.reviewJson(repo, pr, review, base(), { webhook: true }),
        pull_request: world.pullJson(repo, pr, base(), { simple: true }),
        ...common(repo, sender ?? review.user),
      };
    },
    issueComment(repo, pr, comment, action = "created") {
      return {
        action,
        issue: world.issueJson(repo, pr, base()),
        comment: world.commentJson(repo, comment, base()),
        ...common(repo, comment.user),
      };
    },
    checkRun(repo, run, action, { sender }) {
      return { action, check_run: world.checkRunJson(repo, run, base()), ...common(repo, sender) };
    },
    mergeGroup(repo, group, action = "checks_requested", { sender }) {
      return { action, merge_group: group, ...common(repo, sender) };
    },
  };
}
