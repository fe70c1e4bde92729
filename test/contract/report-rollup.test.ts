/**
 * The report rollup on every engine of audit-harness.ts: over seeded random trails (single and
 * bulk merges, incomplete merges and their later completion, reverts by PR and by commit recorded
 * before or after the merges they name, reverting PRs merged before or after the revert is seen),
 * the report read from the rollup equals the report computed over the merges for every group-by
 * and filter, including periods that start or end inside a day or a month; migration 7 fills the
 * rollup from merges already recorded; a tampered rollup is found and rebuilt.
 */
import {
  INCOMPLETE_MERGE_MISSING,
  type AuditStore,
  type MergeRecordInput,
  type ReportDimension,
  type ReportFilter,
} from "../../src/audit/audit-store.js";
import type { SqlAuditStore } from "../../src/audit/sql-audit-store.js";
// mulberry32, seeded: a failing trail can be replayed from its seed.
import { prng } from "../../tools/demo/prng.mjs";
import { harnesses, mergeInput, sha, useEngine } from "./audit-harness.js";

const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00Z");
const SPAN = 100 * DAY;
const REPOS = ["acme/pay", "Acme/Web", "acme/infra"];
const OWNERS = ["@acme/payments", "@Acme/Payments", "@acme/web", "acme/platform", null];
const TEAMS = ["@acme/payments", "@acme/web", "@acme/platform", "@Acme/Web"];
const LEVELS = ["none", "assisted", "generated", "agent", "undisclosed"] as const;
/** Instants on and next to day and month boundaries, where a period's split is easiest to get wrong. */
const EDGES = ["2026-02-01T00:00:00.000Z", "2026-01-31T23:59:59.999Z", "2026-03-01T00:00:00.000Z", "2026-02-14T00:00:00.000Z"];

interface Op {
  at: number;
  run: (store: SqlAuditStore) => Promise<unknown>;
  /** A complete merge recorded alone: may join a bulk import with its neighbours. */
  merge?: MergeRecordInput;
}

/** A random trail as operations in recording order (the store's clock is set to each `at`). */
function randomTrail(seed: number, size: number): Op[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const prs = new Map<string, number>();
  const merges: { input: MergeRecordInput; at: number; complete?: MergeRecordInput }[] = [];
  for (let i = 0; i < size; i++) {
    const repo = pick(REPOS);
    const prNumber = (prs.get(repo) ?? 0) + 1;
    prs.set(repo, prNumber);
    const mergedAtMs = rand() < 0.15 ? Date.parse(pick(EDGES)) : START + Math.floor(rand() * SPAN);
    const commits = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => sha(`${seed} ${repo}#${prNumber} c${k}`));
    const owningTeam = pick(OWNERS);
    const granted = mergeInput({ repo, prNumber }).exceptions;
    const full = mergeInput({
      repo,
      prNumber,
      mergedAt: new Date(mergedAtMs).toISOString(),
      aiLevel: pick(LEVELS),
      owningTeam,
      teams: [...new Set([...(owningTeam ? [owningTeam] : []), ...TEAMS.filter(() => rand() < 0.3)])].map((team) => ({ team, files: 1 })),
      bypassed: rand() < 0.2,
      checkConclusion: "success",
      exceptions: rand() < 0.25 ? granted.concat(rand() < 0.5 ? granted : []) : [],
      commitShas: commits,
      headSha: commits[commits.length - 1]!,
      mergeCommitSha: sha(`${seed} ${repo}#${prNumber} merge`),
    });
    // Late records (backfill) let reverts be seen before the merge they name is recorded.
    const at = mergedAtMs + (rand() < 0.15 ? (20 + rand() * 40) * DAY : rand() * 3_600_000);
    if (rand() < 0.15) {
      const incomplete = { ...full, reviewers: [], owningTeam: null, teams: [], paths: [], boundaries: [], checkConclusion: null };
      const missing = [...INCOMPLETE_MERGE_MISSING];
      const recorded = { ...incomplete, bypassed: false, commitShas: [], configHash: null, incomplete: true, missing };
      merges.push({ input: recorded, at, complete: rand() < 0.7 ? full : undefined });
    } else {
      merges.push({ input: full, at });
    }
  }
  const ops: Op[] = [];
  for (const m of merges) {
    ops.push({ at: m.at, run: (s) => s.recordMerge(m.input, null), merge: m.input.incomplete === true ? undefined : m.input });
    if (m.complete) {
      const complete = m.complete;
      ops.push({ at: m.at + rand() * 30 * DAY, run: (s) => s.completeMerge(complete) });
    }
  }
  for (let i = 0; i < size / 3; i++) {
    const target = pick(merges).input;
    const reverting = rand() < 0.8 ? pick(merges).input : { repo: target.repo, prNumber: 900 + i };
    const bySha = rand() < 0.4;
    // A PR commit's prefix: an incomplete record lacks its PR commits until completion.
    const prefix = sha(`${seed} ${target.repo}#${target.prNumber} c0`).slice(0, 7 + Math.floor(rand() * 10));
    const revert = {
      repo: reverting.repo,
      prNumber: reverting.prNumber,
      revertedRepo: target.repo.toUpperCase(),
      revertedPrNumber: bySha && rand() < 0.6 ? null : target.prNumber,
      revertedSha: bySha ? prefix : null,
      method: "body" as const,
    };
    const at = Date.parse(target.mergedAt) + rand() * 40 * DAY;
    ops.push({ at, run: (s) => s.recordRevert(revert, null) });
    if (rand() < 0.1) ops.push({ at: at + DAY, run: (s) => s.recordRevert(revert, null) });
  }
  ops.sort((a, b) => a.at - b.at);
  return groupBulk(ops, rand);
}

/** Replaces some runs of consecutive complete merges by one recordMergesBulk, as an import would. */
function groupBulk(ops: Op[], rand: () => number): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < ops.length; ) {
    const run: MergeRecordInput[] = [];
    for (let j = i; j < ops.length && ops[j]!.merge && run.length < 6; j++) run.push(ops[j]!.merge!);
    if (run.length >= 2 && rand() < 0.5) {
      out.push({ at: ops[i]!.at, run: (s) => s.recordMergesBulk(run) });
      i += run.length;
    } else {
      out.push(ops[i]!);
      i += 1;
    }
  }
  return out;
}

const GROUPINGS: ReportDimension[][] = [[], ["team"], ["month"], ["ai"], ["repo"], ["team", "month"], ["repo", "ai", "month", "team"]];

function filtersFor(rand: () => number): ReportFilter[] {
  const instant = () => new Date(START - 5 * DAY + Math.floor(rand() * (SPAN + 10 * DAY))).toISOString();
  const randomPeriods = Array.from({ length: 4 }, () => {
    const [a, b] = [instant(), instant()].sort();
    return { since: a, until: b };
  });
  return [
    {},
    { since: "2026-02-01" },
    { until: "2026-02-28" },
    { since: "2026-01-15T12:30:00Z", until: "2026-03-03T01:00:00Z" },
    { since: "2026-02-14", until: "2026-02-14" },
    { since: "2026-02-01T00:00:00Z", until: "2026-03-31T23:59:59.999Z" },
    { since: "2026-01-31T23:59:59.999Z", until: "2026-02-01T00:00:00Z" },
    { since: "2026-02-10T05:00:00+02:00", until: "2026-02-11T07:00:00Z" },
    { since: "2026-03-10", until: "2026-02-01" },
    { repo: "acme/web" },
    { repos: ["acme/pay", "ACME/infra"] },
    { repos: [] },
    { ai: ["assisted", "agent"] },
    { ai: "undisclosed" },
    { team: "@acme/payments" },
    { team: "acme/platform", since: "2026-01-20T08:00:00Z" },
    { bypassed: true },
    { bypassed: false, until: "2026-02-20T10:00:00Z" },
    { incomplete: true },
    { incomplete: false },
    { reverted: true },
    { reverted: false, since: "2026-02-03T03:00:00Z" },
    { exceptions: true },
    { exceptions: false, team: "@Acme/Web" },
    { team: "@acme/web", reverted: true, ai: ["none", "generated"], since: "2026-01-07T11:00:00Z", until: "2026-03-20" },
    ...randomPeriods,
    ...randomPeriods.slice(0, 2).map((p) => ({ ...p, team: "@acme/payments", repo: "acme/pay" })),
  ];
}

async function expectRollupEqualsMerges(store: SqlAuditStore, filters: ReportFilter[]): Promise<void> {
  for (const filter of filters) {
    for (const groupBy of GROUPINGS) {
      const [fromRollup, fromMerges] = await Promise.all([store.report(filter, groupBy), store.reportFromMerges(filter, groupBy)]);
      expect({ filter, groupBy, report: fromRollup }).toEqual({ filter, groupBy, report: fromMerges });
    }
  }
}

describe.each(harnesses)("Report rollup: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

  async function trailStore(seed: number): Promise<{ store: SqlAuditStore; url: string; ops: Op[]; clock: { now: Date } }> {
    const clock = { now: new Date(START) };
    const { store, url } = await newStore(undefined, { now: () => clock.now });
    return { store: store as AuditStore as SqlAuditStore, url, ops: randomTrail(seed, 70), clock };
  }

  async function replay(store: SqlAuditStore, clock: { now: Date }, ops: Op[]): Promise<void> {
    for (const op of ops) {
      clock.now = new Date(Math.max(clock.now.getTime(), Math.round(op.at)));
      await op.run(store);
    }
  }

  it.each([1, 2, 3])(
    "equals the report over the merges for every grouping and filter, midway and after the whole trail (seed %i)",
    async (seed) => {
      const { store, ops, clock } = await trailStore(seed);
      const filters = filtersFor(prng(seed * 7919));
      const half = Math.floor(ops.length / 2);
      await replay(store, clock, ops.slice(0, half));
      await expectRollupEqualsMerges(store, filters);
      await replay(store, clock, ops.slice(half));
      await expectRollupEqualsMerges(store, filters);
      await expect(store.reportRollupProblem()).resolves.toBeNull();
      // The trail exercised what the rollup must follow, not only plain merges.
      const total = (await store.reportFromMerges({}, [])).total;
      expect(total.revertedWithin30d).toBeGreaterThan(0);
      expect(total.revertBase).toBeLessThan(total.merges);
      expect(total.exceptions).toBeGreaterThan(0);
      expect((await store.listIncompleteMerges()).length + total.incomplete).toBeGreaterThan(0);
    },
    120_000,
  );

  it("a revert seen before the merges it names, and the reverting PR merged later, update the earlier months' rows", async () => {
    const clock = { now: new Date("2026-01-05T00:00:00Z") };
    const { store: s } = await newStore(undefined, { now: () => clock.now });
    const store = s as AuditStore as SqlAuditStore;
    const revert = { repo: "acme/pay", prNumber: 50, revertedRepo: "acme/pay", revertedPrNumber: 10, revertedSha: null };
    await store.recordRevert({ ...revert, method: "title" }, null);
    clock.now = new Date("2026-02-20T00:00:00Z");
    await store.recordMerge(mergeInput({ prNumber: 10, mergedAt: "2026-01-02T00:00:00Z" }), null);
    const jan = { since: "2026-01-01", until: "2026-01-31" };
    // Detected 3 days after the merge, before it was recorded: reverted within 7 days.
    expect((await store.report(jan, ["month"])).total).toMatchObject({ merges: 1, revertedWithin7d: 1, revertedWithin30d: 1 });
    // The reverting PR's merge, recorded now, moves the revert time to 2026-01-20: 18 days.
    clock.now = new Date("2026-02-21T00:00:00Z");
    await store.recordMerge(mergeInput({ prNumber: 50, mergedAt: "2026-01-20T00:00:00Z", aiLevel: "none" }), null);
    const after = { merges: 2, revertBase: 1, revertedWithin7d: 0, revertedWithin30d: 1 };
    expect((await store.report(jan, ["month"])).total).toMatchObject(after);
    await expectRollupEqualsMerges(store, [jan, {}, { reverted: true }]);
  });

  it("migration 7 fills the rollup from merges recorded before it; a tampered rollup is reported and rebuilt", async () => {
    const { store, url, ops, clock } = await trailStore(4);
    await replay(store, clock, ops);
    const expected = await store.reportFromMerges({}, ["team", "month", "ai", "repo"]);
    await store.close();
    const raw = await rawOn(url);
    // Back to version 6: no rollup table.
    await raw.exec("DROP TABLE report_rollup");
    await raw.exec("DELETE FROM schema_migrations WHERE version = 7");
    const { store: migrated } = await newStore(url);
    const again = migrated as AuditStore as SqlAuditStore;
    expect(await again.report({}, ["team", "month", "ai", "repo"])).toEqual(expected);
    await expect(again.reportRollupProblem()).resolves.toBeNull();

    await raw.exec(
      "UPDATE report_rollup SET merges = merges + 1 WHERE grain = 'month' AND by_team = FALSE AND bucket = '2026-02' AND repo = 'acme/pay'",
    );
    await expect(again.reportRollupProblem()).resolves.toMatch(
      /report rollup holds a row the merges do not give: .*grain=month bucket=2026-02 repo=acme\/pay/,
    );
    // `audit verify` says so too: the chain and the merges are intact, the reports are not.
    const verified = await again.verify();
    expect(verified).toMatchObject({ ok: false, brokenAt: { projection: { table: "report_rollup", column: null } } });
    expect(verified.brokenAt!.reason).toMatch(/report rollup holds a row the merges do not give: .*bucket=2026-02 repo=acme\/pay/);
    await raw.exec("DELETE FROM report_rollup WHERE grain = 'day'");
    await again.rebuildReportRollup();
    await expect(again.reportRollupProblem()).resolves.toBeNull();
    await expect(again.verify()).resolves.toMatchObject({ ok: true });
    await expectRollupEqualsMerges(again, [{}, { since: "2026-02-03T10:00:00Z", until: "2026-02-20" }]);
  });
});
