/**
 * Six months of earlier merges for the demo's audit trail, so the dashboard's weekly charts have a
 * shape: AI use rising week by week, a few bypasses, reverts and incidents by category. Written
 * straight to the store (as `countersign backfill` would, source "backfill") before the app starts,
 * so the scripted PRs the demo then plays are the newest records. Deterministic for a given `now`.
 */
import { createHash } from "node:crypto";
import { prng } from "./prng.mjs";

const REPOS = ["acme/payments-api", "acme/web", "acme/infra"];
const TEAMS = { "acme/payments-api": "@acme/payments", "acme/web": "@acme/platform", "acme/infra": "@acme/platform" };
const AUTHORS = ["ana", "ben", "chen", "dana", "eli", "fay"];
const TOOLS = ["copilot", "claude", "cursor"];
const TITLES = [
  "Tidy retry logic",
  "Add metrics to the uploader",
  "Paginate the ledger API",
  "Bump the HTTP client",
  "Fix flaky settlement test",
  "Cache exchange rates",
  "Split the invoice job",
  "Harden webhook parsing",
];
const CATEGORIES = ["hallucination-in-production-code", "agent-overreach", "shadow-ai", "not-ai", "credential-exposure"];
const WEEK = 7 * 24 * 3600 * 1000;

const sha = (seed) => createHash("sha256").update(seed).digest("hex").slice(0, 40);

/**
 * Records `weeks` weeks of merges ending a day before `now` into `store` (an AuditStore), then
 * reverts and incidents. `setClock(ms)` sets the clock the store stamps records with (its `now`
 * option). Returns what it wrote. PR numbers start at 1000 so they never meet the demo's PRs.
 */
export async function seedHistory(store, { now = Date.now(), weeks = 26, setClock = () => {} } = {}) {
  const rnd = prng(2041);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const merges = [];
  const start = now - weeks * WEEK - 24 * 3600 * 1000;
  let number = 1000;
  for (let w = 0; w < weeks; w++) {
    const progress = w / (weeks - 1);
    const count = 4 + Math.floor(rnd() * 5) + Math.floor(progress * 4);
    for (let i = 0; i < count; i++) {
      const repo = pick(REPOS);
      const prNumber = number++;
      const at = new Date(start + w * WEEK + Math.floor(rnd() * WEEK)).toISOString().replace(/\.\d{3}Z$/, "Z");
      const r = rnd();
      // AI use grows from about a fifth of merges to about two thirds.
      const ai = r < 0.2 + 0.45 * progress;
      const aiLevel = !ai ? "none" : rnd() < 0.15 ? "agent" : rnd() < 0.5 ? "generated" : "assisted";
      const bypassed = rnd() < 0.04;
      const author = aiLevel === "agent" ? "Copilot" : pick(AUTHORS);
      const reviewer = pick(AUTHORS.filter((a) => a !== author));
      const head = sha(`${repo}#${prNumber} head`);
      merges.push({
        repo,
        prNumber,
        title: pick(TITLES),
        author,
        headSha: head,
        baseRef: "main",
        baseSha: sha(`${repo}#${prNumber} base`),
        mergeCommitSha: sha(`${repo}#${prNumber} merge`),
        mergedBy: reviewer,
        mergedAt: at,
        aiLevel,
        aiTools: ai ? [pick(TOOLS)] : [],
        disclosureSources: [{ tool: null, where: "body", detail: `AI-Assisted: ${aiLevel}` }],
        agent: aiLevel === "agent" ? "copilot-swe-agent[bot]" : null,
        sponsor: aiLevel === "agent" ? reviewer : null,
        reviewers: [
          {
            reviewer,
            reviewId: prNumber * 10,
            state: "APPROVED",
            reviewedSha: head,
            submittedAt: at,
            counted: !bypassed,
            reason: bypassed ? "no understanding note" : null,
            checklist: [],
            verified: bypassed ? null : "Verified: ran it against " + "staging.",
          },
        ],
        owningTeam: TEAMS[repo],
        teams: [{ team: TEAMS[repo], files: 1 + Math.floor(rnd() * 6) }],
        paths: [{ path: `src/${pick(["upload", "ledger", "billing", "api"])}/index.ts`, previousPath: null, status: "modified" }],
        boundaries: [],
        exceptions: [],
        checkConclusion: bypassed ? "failure" : "success",
        bypassed,
        commitShas: [head],
        configHash: null,
        source: "backfill",
      });
    }
  }
  merges.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt));
  await store.recordMergesBulk(merges);

  // Reverts: AI-generated merges are reverted a little more often; each revert is a merge too.
  const reverted = merges.filter((m) => rnd() < (m.aiLevel === "none" ? 0.04 : 0.09));
  // `setClock` moves the store's clock so each revert is detected days after its merge, not today.
  for (const m of reverted) {
    setClock(Math.min(Date.parse(m.mergedAt) + (1 + Math.floor(rnd() * 10)) * 24 * 3600 * 1000, now));
    await store.recordRevert(
      {
        repo: m.repo,
        prNumber: number++,
        revertedRepo: m.repo,
        revertedPrNumber: m.prNumber,
        revertedSha: m.mergeCommitSha,
        method: "body",
        source: "backfill",
      },
      null,
    );
  }
  setClock(now);

  // About one incident a month, linked to the merge that caused it.
  const incidents = [];
  for (let month = 0; month < 6; month++) {
    // One merge from that sixth of the history, an AI-assisted one more often than not.
    const window = merges.slice(Math.floor((month / 6) * merges.length), Math.floor(((month + 1) / 6) * merges.length));
    const ai = window.filter((m) => m.aiLevel !== "none");
    const caused = rnd() < 0.7 && ai.length > 0 ? pick(ai) : pick(window);
    const id = `INC-${1900 + month * 7}`;
    const startedAt = new Date(Date.parse(caused.mergedAt) + (1 + Math.floor(rnd() * 5)) * 24 * 3600 * 1000).toISOString();
    await store.recordIncident({
      externalId: id,
      title: `${caused.title} broke ${caused.repo.split("/")[1]}`,
      severity: 1 + Math.floor(rnd() * 3),
      category: caused.aiLevel === "none" ? "not-ai" : pick(CATEGORIES),
      startedAt,
      source: "backfill",
    });
    await store.linkIncident({
      externalId: id,
      repo: caused.repo,
      prNumber: caused.prNumber,
      relation: "caused",
      note: "found in the review",
      linkedBy: "sre-oncall",
      source: "backfill",
    });
    incidents.push(id);
  }
  return { merges: merges.length, reverts: reverted.length, incidents: incidents.length, since: merges[0]?.mergedAt ?? null };
}
