// Shared by bench/audit.mjs (not a benchmark): the synthetic merges of its audit trail, two years
// of them up to END over the repositories, code areas and teams below, drawn from a seeded PRNG.
import { prng } from "./prng.mjs";

export const END = Date.parse("2026-04-01T00:00:00Z");
const SPAN = 730 * 86_400_000;

// ---- 1. synthetic merges -------------------------------------------------------------------------

// Domains that name both a repository and a code area.
const DOMAINS = [
  "checkout",
  "catalog",
  "orders",
  "inventory",
  "shipping",
  "accounts",
  "admin",
  "analytics",
  "reporting",
  "growth",
  "ml",
  "platform",
];
export const REPOS = [
  "pay",
  "web",
  "api",
  "mobile",
  "infra",
  "auth",
  "search",
  "billing",
  "ledger",
  ...DOMAINS,
  "gateway",
  "notifications",
  "identity",
  "risk",
  "fraud",
  "support",
  "cms",
  "docs-site",
  "design-system",
  "data-pipeline",
  "etl",
  "warehouse",
  "sdk-js",
  "sdk-go",
  "cli",
  "terraform",
  "k8s",
  "observability",
  "edge",
].map((r) => `acme/${r}`);
export const AREAS = [
  "payments",
  "auth",
  "billing",
  "search",
  "ui",
  "api",
  "db",
  "notifications",
  ...DOMAINS,
  "infra",
  "config",
  "i18n",
  "security",
  "storage",
  "cache",
  "mobile",
  "gateway",
  "risk",
  "support",
];
const TEAM_NAMES = [
  "payments",
  "identity",
  "billing",
  "search",
  "frontend",
  "api",
  "data",
  "messaging",
  "checkout",
  "catalog",
  "orders",
  "supply",
  "logistics",
  "accounts",
  "internal-tools",
  "analytics",
  "reporting",
  "growth",
  "ml",
  "platform",
  "sre",
  "config",
  "localization",
  "security",
  "storage",
];
export const TEAMS = Array.from({ length: 25 }, (_, i) => `@acme/${TEAM_NAMES[i]}`);
const AREA_TEAM = AREAS.map((_, i) => TEAMS[i % TEAMS.length]);
const SUBDIRS = ["handlers", "models", "services", "jobs", "api", "components", "utils", "migrations"];
const EXTS = ["ts", "ts", "ts", "tsx", "go", "py", "sql", "json"];
const TOOLS = ["copilot", "claude", "cursor", "chatgpt", "codex", "gemini", "aider", "devin"];
const AGENTS = ["copilot-swe-agent[bot]", "claude[bot]", "devin-ai-integration[bot]", "cursor[bot]", "google-labs-jules[bot]"];
const PEOPLE = Array.from({ length: 400 }, (_, i) => `dev-${i.toString(36)}`);
const NOTES = [
  "Verified: ran the migration against a copy of production data and checked the rollback path restores the old rows.",
  "Verified: exercised the retry logic with the fault injector; idempotency keys prevent double charges on replay.",
  "Verified: read every changed query plan; the new index is used and the feature flag defaults to off.",
  "Verified: walked through the token refresh flow in staging with an expired session and a revoked key.",
];
const CHECKLIST = ["I can explain what this change does and why", "I checked its failure modes and how to roll it back"];

/** Synthesizes merges in merged_at order; some are reverts of a recent merge of the same repo. */
export class MergeFactory {
  constructor(n, seed = 42) {
    this.n = n;
    this.i = 0;
    this.rand = prng(seed);
    this.prNumbers = new Map();
    this.recent = new Map(); // repo → recent merges (ring of 400)
    this.samples = []; // { sha, role } for lookups
    this.pathCount = 0;
    this.commitCount = 0;
  }
  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }
  /** Zipf-ish: low indexes are hot. */
  skewed(list) {
    return list[Math.floor(list.length * this.rand() ** 2.2)];
  }
  sha() {
    let s = "";
    for (let k = 0; k < 5; k++)
      s += Math.floor(this.rand() * 4294967296)
        .toString(16)
        .padStart(8, "0");
    return s;
  }
  path(area) {
    const r = this.rand();
    if (r < 0.1) return `docs/${area}/${this.pick(SUBDIRS)}.md`;
    if (r < 0.25) return `test/${area}/${this.pick(SUBDIRS)}/f${Math.floor(this.rand() * 40)}.test.ts`;
    const sub = this.pick(SUBDIRS);
    return `src/${area}/${sub}/f${Math.floor(this.rand() * 60)}.${sub === "migrations" ? "sql" : this.pick(EXTS)}`;
  }
  /** The next merge and, when it reverts an earlier one, the revert to record after it. */
  next() {
    const i = this.i++;
    const mergedAtMs = END - SPAN + ((i + this.rand()) * SPAN) / this.n;
    const mergedAt = new Date(mergedAtMs).toISOString();
    const repo = this.skewed(REPOS);
    const prNumber = (this.prNumbers.get(repo) ?? 0) + 1;
    this.prNumbers.set(repo, prNumber);
    const recent = this.recent.get(repo) ?? [];
    const reverts =
      recent.length > 5 && this.rand() < 0.012
        ? recent[recent.length - 1 - Math.floor(this.rand() * Math.min(recent.length - 1, 150))]
        : null;

    // AI use grows from ~20% to ~65% of merges over the two years.
    const progress = i / this.n;
    const r = this.rand();
    const aiShare = 0.2 + 0.45 * progress;
    const aiLevel = reverts
      ? "none"
      : r < 0.03
        ? "undisclosed"
        : r < 0.03 + aiShare
          ? this.rand() < 0.55
            ? "assisted"
            : this.rand() < 0.65
              ? "generated"
              : "agent"
          : "none";
    const aiTools =
      aiLevel === "none" || aiLevel === "undisclosed"
        ? []
        : [...new Set([this.pick(TOOLS), ...(this.rand() < 0.3 ? [this.pick(TOOLS)] : [])])].sort();
    const agent = aiLevel === "agent" ? this.pick(AGENTS) : null;
    const author = this.pick(PEOPLE);

    const areaIndex = AREAS.indexOf(this.skewed(AREAS));
    const area = AREAS[areaIndex];
    const pathTotal = reverts ? reverts.paths.length : 8 + Math.floor(this.rand() * 5);
    const paths = reverts ? reverts.paths.map((p) => ({ path: p, previousPath: null, status: "modified" })) : [];
    const seen = new Set();
    while (paths.length < pathTotal) {
      const p = this.path(this.rand() < 0.75 ? area : this.pick(AREAS));
      if (seen.has(p)) continue;
      seen.add(p);
      paths.push({ path: p, previousPath: null, status: this.rand() < 0.2 ? "added" : "modified" });
    }
    this.pathCount += paths.length;

    const commitShas = Array.from({ length: 1 + Math.floor(this.rand() * 6) }, () => this.sha());
    const headSha = commitShas[commitShas.length - 1];
    const mergeCommitSha = this.rand() < 0.995 ? this.sha() : null;
    this.commitCount += commitShas.length + (mergeCommitSha ? 1 : 0);
    const owningTeam = AREA_TEAM[areaIndex];
    const otherTeam = this.rand() < 0.3 ? this.pick(TEAMS) : null;
    const reviewers = Array.from({ length: aiLevel === "none" ? 1 : 1 + Math.floor(this.rand() * 2) }, (_, k) => ({
      reviewer: this.pick(PEOPLE),
      reviewId: 2_000_000_000 + i * 3 + k,
      state: "APPROVED",
      reviewedSha: headSha,
      submittedAt: new Date(mergedAtMs - 3_600_000 * (1 + k)).toISOString(),
      counted: this.rand() < 0.93,
      reason: null,
      checklist: CHECKLIST,
      verified: this.pick(NOTES),
    }));
    const touchesAuth = area === "auth" || area === "security";
    const checkConclusion = this.rand() < 0.02 ? (this.rand() < 0.5 ? "failure" : null) : "success";
    const input = {
      repo,
      prNumber,
      title: reverts
        ? `Revert "${reverts.title}"`
        : `${this.pick(["Add", "Fix", "Refactor", "Update", "Remove"])} ${area} ${this.pick(SUBDIRS)} (${i})`,
      author,
      headSha,
      baseRef: "main",
      baseSha: this.sha(),
      mergeCommitSha,
      mergedBy: this.pick(PEOPLE),
      mergedAt,
      aiLevel,
      aiTools,
      disclosureSources: aiTools.map((tool) => ({ tool, where: "trailer", sha: headSha, detail: `Assisted-by: ${tool}` })),
      agent,
      sponsor: agent ? author : null,
      reviewers,
      owningTeam,
      teams: [
        { team: owningTeam, files: pathTotal - 1 },
        ...(otherTeam && otherTeam !== owningTeam ? [{ team: otherTeam, files: 1 }] : []),
      ],
      paths,
      boundaries: touchesAuth && aiLevel !== "none" ? [{ name: "auth", action: "require_approval", outcome: "approval" }] : [],
      exceptions:
        touchesAuth && this.rand() < 0.05
          ? [
              {
                boundary: "auth",
                grantedBy: "sec-lead",
                reason: "hotfix reviewed by security",
                sha: headSha,
                commentId: 5_000_000_000 + i,
                grantedAt: mergedAt,
              },
            ]
          : [],
      checkConclusion,
      bypassed: checkConclusion !== "success",
      commitShas,
      configHash: "c0ffee".padEnd(64, "0"),
      source: "webhook",
    };
    recent.push({ prNumber, title: input.title, paths: paths.map((p) => p.path) });
    if (recent.length > 400) recent.shift();
    this.recent.set(repo, recent);
    if (this.rand() < 0.0005) this.samples.push({ full: this.pick(commitShas), merge: mergeCommitSha });
    const revert = reverts
      ? {
          repo,
          prNumber,
          revertedRepo: repo,
          revertedPrNumber: reverts.prNumber,
          revertedSha: null,
          method: this.rand() < 0.7 ? "body" : "branch",
        }
      : null;
    return { input, revert };
  }
}
