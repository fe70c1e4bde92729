/**
 * The AuditStore contract's report (counts, revert proxies, dimensions, parameter errors), run against
 * every engine of audit-harness.ts. Expected numbers are exact: both engines must give the same answers.
 */
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import type { AuditStore, MergeRecordInput, ReportCounts } from "../../src/audit/audit-store.js";
import { collect, harnesses, key, mergeInput, sha, useEngine } from "./audit-harness.js";

describe.each(harnesses)("AuditStore queries: $engine", (h) => {
  const { newStore } = useEngine(h);

  describe("report", () => {
    // Nine merges, four of them reverts, with every case of the proxies' windows:
    //   #1 reverted by #5 after 5 days (by PR), #2 by #6 after 19 days (by SHA),
    //   #4 by #7 after exactly 7 days (by PR), #8 by #9 after 31 days (by branch, i.e. PR).
    type Row = [
      pr: number,
      repo: string,
      mergedAt: string,
      ai: MergeRecordInput["aiLevel"],
      team: string | null,
      bypassed: boolean,
      exceptions: number,
    ];
    const ROWS: Row[] = [
      [1, "acme/pay", "2026-01-05T10:00:00Z", "assisted", "@acme/payments", false, 0],
      [2, "acme/pay", "2026-01-20T10:00:00Z", "none", "@acme/payments", true, 1],
      [3, "acme/web", "2026-01-25T10:00:00Z", "agent", "@acme/web", false, 2],
      [4, "acme/web", "2026-02-01T10:00:00Z", "undisclosed", "@Acme/Web", true, 0],
      [5, "acme/pay", "2026-01-10T10:00:00Z", "none", "@acme/payments", false, 0],
      [6, "acme/pay", "2026-02-08T10:00:00Z", "generated", "@acme/payments", false, 0],
      [7, "acme/web", "2026-02-08T10:00:00Z", "none", null, false, 0],
      [8, "acme/web", "2026-02-15T10:00:00Z", "generated", "@acme/web", false, 0],
      [9, "acme/web", "2026-03-18T10:00:00Z", "assisted", "@acme/web", false, 0],
    ];
    const input = ([prNumber, repo, mergedAt, aiLevel, team, bypassed, exceptions]: Row) =>
      mergeInput({
        prNumber,
        repo,
        mergedAt,
        aiLevel,
        bypassed,
        checkConclusion: bypassed ? "failure" : "success",
        owningTeam: team,
        teams: team ? [{ team, files: 1 }] : [],
        exceptions: Array.from({ length: exceptions }, (_, i) => ({
          boundary: `b${i}`,
          grantedBy: "sec-erin",
          reason: "reviewed",
          sha: sha(`x${prNumber}`),
          commentId: i,
          grantedAt: mergedAt,
        })),
      });
    let store: AuditStore;

    beforeEach(async () => {
      ({ store } = await newStore());
      for (const row of ROWS) await store.recordMerge(input(row), null);
      const revert = (
        prNumber: number,
        repo: string,
        r: { revertedPrNumber?: number; revertedSha?: string; method: "body" | "branch" | "commit_msg" },
      ) =>
        store.recordRevert(
          {
            repo,
            prNumber,
            revertedRepo: repo,
            revertedPrNumber: r.revertedPrNumber ?? null,
            revertedSha: r.revertedSha ?? null,
            method: r.method,
          },
          null,
        );
      await revert(5, "acme/pay", { revertedPrNumber: 1, method: "body" });
      await revert(6, "acme/pay", { revertedSha: sha("acme/pay#2 merge").slice(0, 9), method: "commit_msg" });
      await revert(7, "acme/web", { revertedPrNumber: 4, method: "body" });
      await revert(9, "acme/web", { revertedPrNumber: 8, method: "branch" });
    });

    const counts = (c: Partial<ReportCounts> & Pick<ReportCounts, "merges">): ReportCounts => {
      const full = {
        aiAssisted: 0,
        undisclosed: 0,
        bypassed: 0,
        incomplete: 0,
        exceptions: 0,
        revertBase: 0,
        revertedWithin7d: 0,
        revertedWithin30d: 0,
        ...c,
      };
      const r = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
      return {
        merges: full.merges,
        aiAssisted: full.aiAssisted,
        aiAssistedShare: r(full.aiAssisted, full.merges),
        undisclosed: full.undisclosed,
        bypassed: full.bypassed,
        incomplete: full.incomplete,
        exceptions: full.exceptions,
        revertBase: full.revertBase,
        revertedWithin7d: full.revertedWithin7d,
        revertRate7d: r(full.revertedWithin7d, full.revertBase),
        revertedWithin30d: full.revertedWithin30d,
        revertRate30d: r(full.revertedWithin30d, full.revertBase),
      };
    };
    const TOTAL = counts({
      merges: 9,
      aiAssisted: 5,
      undisclosed: 1,
      bypassed: 2,
      exceptions: 3,
      revertBase: 5,
      revertedWithin7d: 2,
      revertedWithin30d: 3,
    });

    test("by team (the primary owning team, case-folded; no owner last)", async () => {
      const report = await store.report({}, ["team"]);
      expect(report.groupBy).toEqual(["team"]);
      expect(report.rows).toEqual([
        {
          group: { team: "@acme/payments" },
          ...counts({ merges: 4, aiAssisted: 2, bypassed: 1, exceptions: 1, revertBase: 2, revertedWithin7d: 1, revertedWithin30d: 2 }),
        },
        {
          group: { team: "@acme/web" },
          ...counts({
            merges: 4,
            aiAssisted: 3,
            undisclosed: 1,
            bypassed: 1,
            exceptions: 2,
            revertBase: 3,
            revertedWithin7d: 1,
            revertedWithin30d: 1,
          }),
        },
        { group: { team: null }, ...counts({ merges: 1 }) },
      ]);
      expect(report.total).toEqual(TOTAL);
      expect(report.rows[1]).toMatchObject({ aiAssistedShare: 0.75, revertRate7d: 0.3333, revertRate30d: 0.3333 });
      expect(report.definitions.revertRate7d).toMatch(/change-failure proxy/);
    });

    test("by month", async () => {
      expect((await store.report({}, ["month"])).rows).toEqual([
        {
          group: { month: "2026-01" },
          ...counts({ merges: 4, aiAssisted: 2, bypassed: 1, exceptions: 3, revertBase: 3, revertedWithin7d: 1, revertedWithin30d: 2 }),
        },
        {
          group: { month: "2026-02" },
          ...counts({ merges: 4, aiAssisted: 2, undisclosed: 1, bypassed: 1, revertBase: 2, revertedWithin7d: 1, revertedWithin30d: 1 }),
        },
        { group: { month: "2026-03" }, ...counts({ merges: 1, aiAssisted: 1 }) },
      ]);
    });

    test("by AI level", async () => {
      expect((await store.report({}, ["ai"])).rows).toEqual([
        { group: { ai: "agent" }, ...counts({ merges: 1, aiAssisted: 1, exceptions: 2, revertBase: 1 }) },
        { group: { ai: "assisted" }, ...counts({ merges: 2, aiAssisted: 2, revertBase: 1, revertedWithin7d: 1, revertedWithin30d: 1 }) },
        { group: { ai: "generated" }, ...counts({ merges: 2, aiAssisted: 2, revertBase: 1 }) },
        { group: { ai: "none" }, ...counts({ merges: 3, bypassed: 1, exceptions: 1, revertBase: 1, revertedWithin30d: 1 }) },
        {
          group: { ai: "undisclosed" },
          ...counts({ merges: 1, undisclosed: 1, bypassed: 1, revertBase: 1, revertedWithin7d: 1, revertedWithin30d: 1 }),
        },
      ]);
    });

    test("by repo and month, and with no grouping", async () => {
      const report = await store.report({}, ["repo", "month"]);
      expect(
        report.rows.map((r) => [r.group.repo, r.group.month, r.merges, r.revertBase, r.revertedWithin7d, r.revertedWithin30d]),
      ).toEqual([
        ["acme/pay", "2026-01", 3, 2, 1, 2],
        ["acme/pay", "2026-02", 1, 0, 0, 0],
        ["acme/web", "2026-01", 1, 1, 0, 0],
        ["acme/web", "2026-02", 3, 2, 1, 1],
        ["acme/web", "2026-03", 1, 0, 0, 0],
      ]);
      expect(report.total).toEqual(TOTAL);
      const flat = await store.report({}, []);
      expect(flat.rows).toEqual([{ group: {}, ...TOTAL }]);
    });

    test("filters: since/until, repo, team, ai", async () => {
      const feb = await store.report({ since: "2026-02-01", until: "2026-02-28" }, ["team"]);
      expect(feb.rows).toEqual([
        { group: { team: "@acme/payments" }, ...counts({ merges: 1, aiAssisted: 1 }) },
        {
          group: { team: "@acme/web" },
          ...counts({ merges: 2, aiAssisted: 1, undisclosed: 1, bypassed: 1, revertBase: 2, revertedWithin7d: 1, revertedWithin30d: 1 }),
        },
        { group: { team: null }, ...counts({ merges: 1 }) },
      ]);
      expect((await store.report({ repo: "acme/pay" }, [])).total).toEqual(
        counts({ merges: 4, aiAssisted: 2, bypassed: 1, exceptions: 1, revertBase: 2, revertedWithin7d: 1, revertedWithin30d: 2 }),
      );
      expect((await store.report({ team: "acme/web", ai: ["generated", "agent"] }, [])).total).toEqual(
        counts({ merges: 2, aiAssisted: 2, exceptions: 2, revertBase: 2 }),
      );
      expect(await store.report({ repo: "acme/none" }, ["team"])).toMatchObject({ rows: [], total: counts({ merges: 0 }) });
    });

    test("iterateMerges as JSON gives exactly JSON.stringify of each record, revert links included", async () => {
      await store.recordMerge(
        mergeInput({
          prNumber: 50,
          title: 'Ünïcode "quotes" \\ \u2028 and {braces}, "deliveryId":',
          mergedAt: "2026-03-30T00:00:00+02:00",
        }),
        "d-50",
      );
      const records = await collect(store.iterateMerges({}, { batchSize: 4 }));
      const lines = await collect(store.iterateMerges({}, { batchSize: 4, as: "json" }));
      expect(lines).toHaveLength(10);
      expect(lines).toEqual(records.map((r) => JSON.stringify(r)));
      expect(records.filter((r) => r.revertedBy).map(key)).toEqual(["acme/web#8", "acme/web#4", "acme/pay#2", "acme/pay#1"]);
      expect(await collect(store.iterateMerges({ repo: "acme/pay", ai: "none" }, { as: "json" }))).toEqual(
        (await collect(store.iterateMerges({ repo: "acme/pay", ai: "none" }))).map((r) => JSON.stringify(r)),
      );
    });

    test("bad dimensions and filters are refused", async () => {
      await expect(store.report({}, ["week" as "month"])).rejects.toThrow(/group by "week" is not one of team, ai, repo, month/);
      await expect(store.report({}, ["team", "team"])).rejects.toThrow(/twice/);
      await expect(store.report({ path: "src/**" } as never, [])).rejects.toThrow(AuditInputError);
      await expect(store.report({ since: "soon" }, [])).rejects.toThrow(/since/);
    });
  });
});
