/**
 * The query side of the AuditStore contract (pages, streaming, report, bulk appends, migration 2),
 * run against every engine of audit-harness.ts. Expected numbers are exact: both engines must
 * give the same answers.
 */
import { mergeReviewStatement } from "../../src/audit/in-toto-statement.js";
import { buildChangeEvent } from "../../src/notify/change-events.js";
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import type { AuditStore, MergeRecordInput, ReportCounts } from "../../src/audit/audit-store.js";
import { mergePlan } from "../../src/audit/audit-write-plans.js";
import { buildChainRow } from "../../src/audit/hash-chain.js";
import { decodeCursor, encodeCursor, listMergesStatement, normalizeMergeFilter } from "../../src/audit/merge-query.js";
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from "../../src/audit/migrations/index.js";
import { insertRows, statement } from "../../src/audit/sql-builder.js";
import { FIXED_NOW, harnesses, mergeInput, sha, useEngine } from "./audit-harness.js";
import { listMerges } from "../support/list-merges.js";

const key = (m: { repo: string; prNumber: number }) => `${m.repo}#${m.prNumber}`;
const keys = (ms: { repo: string; prNumber: number }[]) => ms.map(key);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe.each(harnesses)("AuditStore queries: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

  describe("pages", () => {
    let store: AuditStore;
    // Ten merges; #4 to #7 share one merged_at, so their order is by seq (newest first).
    const merges = Array.from({ length: 10 }, (_, i) =>
      mergeInput({
        repo: i % 2 ? "acme/web" : "acme/pay",
        prNumber: i + 1,
        mergedAt: i >= 3 && i <= 6 ? "2026-01-15T12:00:00Z" : `2026-01-${String(10 + i).padStart(2, "0")}T08:00:00Z`,
        aiLevel: (["none", "assisted", "generated", "agent", "undisclosed"] as const)[i % 5],
        paths: [{ path: i % 3 ? `src/payments/p${i}.ts` : `docs/d${i}.md`, previousPath: null, status: "modified" }],
      }),
    );
    const newestFirst = [
      "acme/web#10",
      "acme/pay#9",
      "acme/web#8",
      "acme/pay#7",
      "acme/web#6",
      "acme/pay#5",
      "acme/web#4",
      "acme/pay#3",
      "acme/web#2",
      "acme/pay#1",
    ];

    beforeEach(async () => {
      ({ store } = await newStore());
      for (const m of merges) await store.recordMerge(m, null);
    });

    const allPages = async (filter: Parameters<AuditStore["listMergesPage"]>[0]) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.listMergesPage({ ...filter, cursor });
        pages.push(keys(page.merges));
        if (page.nextCursor === null) return pages;
        cursor = page.nextCursor;
      }
      throw new Error("pagination did not end");
    };

    test("pages of 3 walk every merge once, newest first, ties by seq; the last page has no cursor", async () => {
      expect(await allPages({ limit: 3 })).toEqual([
        newestFirst.slice(0, 3),
        newestFirst.slice(3, 6),
        newestFirst.slice(6, 9),
        newestFirst.slice(9),
      ]);
      // An exact multiple: the last full page already says there is nothing more.
      expect(await allPages({ limit: 5 })).toEqual([newestFirst.slice(0, 5), newestFirst.slice(5)]);
      expect(await store.listMergesPage({ limit: 100 })).toMatchObject({ nextCursor: null });
      expect(keys(await listMerges(store, {}))).toEqual(newestFirst);
    });

    test("pages combine with filters", async () => {
      expect(await allPages({ repo: "acme/web", limit: 2 })).toEqual([
        ["acme/web#10", "acme/web#8"],
        ["acme/web#6", "acme/web#4"],
        ["acme/web#2"],
      ]);
      expect(await allPages({ ai: ["assisted", "generated"], limit: 1 })).toEqual([
        ["acme/web#8"],
        ["acme/pay#7"],
        ["acme/pay#3"],
        ["acme/web#2"],
      ]);
    });

    test("repos: only merges in a set of repositories, case-insensitive, in every query; an empty set matches nothing", async () => {
      await store.recordMerge(
        mergeInput({ repo: "acme/infra", prNumber: 50, mergedAt: "2026-01-16T00:00:00Z", commitShas: [sha("infra-50")] }),
        null,
      );
      const web = newestFirst.filter((k) => k.startsWith("acme/web#"));
      expect(await allPages({ repos: ["ACME/Web"], limit: 2 })).toEqual([web.slice(0, 2), web.slice(2, 4), web.slice(4)]);
      expect(keys(await listMerges(store, { repos: ["acme/web", "acme/infra"], ai: "none" }))).toEqual(["acme/web#6"]);
      expect(keys(await listMerges(store, { repos: ["acme/infra", "acme/web"], repo: "acme/pay" }))).toEqual([]);
      expect(keys(await collect(store.iterateMerges({ repos: ["acme/pay"], path: "src/**" }, { batchSize: 1 })))).toEqual([
        "acme/pay#9",
        "acme/pay#5",
        "acme/pay#3",
      ]);
      expect(await listMerges(store, { repos: [] })).toEqual([]);
      expect(await collect(store.iterateMerges({ repos: [] }))).toEqual([]);
      expect((await store.report({ repos: ["acme/infra", "acme/pay"] }, [])).total.merges).toBe(6);
      expect((await store.report({ repos: [] }, [])).total.merges).toBe(0);
      await expect(listMerges(store, { repos: ["acme"] })).rejects.toThrow(/repos: "acme" is not of the form owner\/name/);
      // The commit lookup is scoped in the query: another repository's commit is simply not found.
      expect((await store.findMergeBySha(sha("infra-50"), { repos: ["Acme/Infra"] }))?.prNumber).toBe(50);
      expect(await store.findMergeBySha(sha("infra-50"), { repos: ["acme/web"] })).toBeNull();
      expect(await store.findMergeBySha(sha("infra-50"), { repos: [] })).toBeNull();
    });

    test("a page cut inside a run of equal merged_at continues inside it", async () => {
      const first = await store.listMergesPage({ limit: 5 }); // ends at #6, the second of four merged at the same instant
      expect(keys(first.merges).at(-1)).toBe("acme/web#6");
      expect(decodeCursor(first.nextCursor!)).toEqual({ mergedAt: "2026-01-15T12:00:00.000Z", id: 6 });
      expect(keys((await store.listMergesPage({ limit: 2, cursor: first.nextCursor! })).merges)).toEqual(["acme/pay#5", "acme/web#4"]);
    });

    test("a cursor stays valid when newer merges are appended", async () => {
      const first = await store.listMergesPage({ limit: 4 });
      await store.recordMerge(mergeInput({ prNumber: 99, mergedAt: "2026-03-30T00:00:00Z" }), null);
      await store.recordMerge(mergeInput({ prNumber: 98, mergedAt: "2026-01-15T12:00:00Z" }), null); // same instant as #4-#7, higher seq
      const second = await store.listMergesPage({ limit: 4, cursor: first.nextCursor! });
      expect(keys(second.merges)).toEqual(["acme/web#6", "acme/pay#5", "acme/web#4", "acme/pay#3"]);
    });

    test("pages with a path glob, from the path index and by walking merges", async () => {
      const expected = [
        ["acme/pay#9", "acme/web#8"],
        ["acme/web#6", "acme/pay#5"],
        ["acme/pay#3", "acme/web#2"],
      ];
      expect(await allPages({ path: "src/payments/**", limit: 2 })).toEqual(expected);
      const { store: walking } = await newStore(undefined, { pathIndexMaxRows: 0 });
      for (const m of merges) await walking.recordMerge(m, null);
      const walked: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await walking.listMergesPage({ path: "src/payments/**", limit: 2, cursor });
        walked.push(keys(page.merges));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(walked).toEqual(expected);
      expect(keys(await listMerges(walking, { path: "docs/**" }))).toEqual(["acme/web#10", "acme/pay#7", "acme/web#4", "acme/pay#1"]);
      expect(keys(await listMerges(walking, { path: "**/*.md", ai: "agent" }))).toEqual(["acme/web#4"]);
      expect(await listMerges(walking, { path: "nowhere/**" })).toEqual([]);
    });

    test("an invalid or foreign cursor is refused with the field named", async () => {
      for (const bad of [
        "",
        "abc",
        "m1.!!!",
        `m1.${Buffer.from("yesterday|3").toString("base64url")}`,
        `m1.${Buffer.from("2026-01-01T00:00:00.000Z|0").toString("base64url")}`,
      ]) {
        const error = await store.listMergesPage({ cursor: bad }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AuditInputError);
        expect((error as AuditInputError).field).toBe("cursor");
      }
      expect(encodeCursor({ mergedAt: "2026-02-01T00:00:00.000Z", id: 6 })).toMatch(/^m1\.[A-Za-z0-9_-]+$/);
    });

    test("iterateMerges streams every match in page order, in batches", async () => {
      expect(keys(await collect(store.iterateMerges({}, { batchSize: 3 })))).toEqual(newestFirst);
      expect(keys(await collect(store.iterateMerges({ repo: "acme/pay", path: "src/**" }, { batchSize: 1 })))).toEqual([
        "acme/pay#9",
        "acme/pay#5",
        "acme/pay#3",
      ]);
      expect(await collect(store.iterateMerges({ repo: "acme/none" }))).toEqual([]);
      const all = await collect(store.iterateMerges({}));
      expect(all).toHaveLength(10);
      expect(all[0]).toStrictEqual(await store.getMerge("acme/web", 10));
      await expect(collect(store.iterateMerges({}, { batchSize: 0 }))).rejects.toThrow(AuditInputError);
    });

    test("keyset pages seek with the merged_at index instead of sorting the table", async () => {
      const { url } = await newStore();
      const raw = await rawOn(url);
      const f = normalizeMergeFilter({ cursor: encodeCursor({ mergedAt: "2026-01-15T12:00:00.000Z", id: 6 }) });
      // On an empty table any plan is cheap: ask whether one exists that needs no sort.
      if (h.engine === "postgres") await raw.exec("SET enable_bitmapscan = off; SET enable_sort = off");
      const plan = await raw.explain(listMergesStatement(h.engine, f, null));
      if (h.engine === "sqlite") {
        // The page's ids come from the index in order; only the page itself (≤ limit rows) is sorted.
        expect(plan).toMatch(/INDEX merges_time \(merged_at<\?\)/);
        const [inner] = plan.split(/\nSCAN page/);
        expect(inner).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      } else {
        expect(plan).toMatch(/Index Scan Backward using merges_time_id/);
      }
    });
  });

  describe("filters added with the report", () => {
    test("ai as a list; exceptions carried or not", async () => {
      const { store } = await newStore();
      await store.recordMerge(mergeInput({ prNumber: 1, aiLevel: "assisted", exceptions: [] }), null);
      await store.recordMerge(mergeInput({ prNumber: 2, aiLevel: "none", mergedAt: "2026-03-02T00:00:00Z" }), null);
      await store.recordMerge(mergeInput({ prNumber: 3, aiLevel: "agent", mergedAt: "2026-03-03T00:00:00Z", exceptions: [] }), null);
      expect(keys(await listMerges(store, { ai: ["assisted", "generated", "agent"] }))).toEqual(["acme/pay#3", "acme/pay#1"]);
      expect(keys(await listMerges(store, { ai: ["none"] }))).toEqual(["acme/pay#2"]);
      await expect(listMerges(store, { ai: [] })).rejects.toThrow(/empty/);
      await expect(listMerges(store, { ai: ["assisted", "most" as "none"] })).rejects.toThrow(/"most" is not a disclosure level/);
      expect(keys(await listMerges(store, { exceptions: true }))).toEqual(["acme/pay#2"]);
      expect(keys(await listMerges(store, { exceptions: false }))).toEqual(["acme/pay#3", "acme/pay#1"]);
    });
  });

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

  describe("recordMergesBulk", () => {
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        mergeInput({ prNumber: from + i, mergedAt: `2026-01-01T00:${String(i % 60).padStart(2, "0")}:00Z` }),
      );

    test("appends in input order on one chain, with the projections of recordMerge", async () => {
      const { store } = await newStore();
      expect(await store.recordMerge(mergeInput({ prNumber: 1000 }), "d-1")).toEqual({ inserted: true, seq: 1 });
      const inputs = batch(1, 120);
      const results = await store.recordMergesBulk(inputs);
      expect(results).toEqual(inputs.map((_, i) => ({ inserted: true, seq: i + 2 })));
      expect(await store.recordMerge(mergeInput({ prNumber: 2000 }), "d-2")).toEqual({ inserted: true, seq: 122 });
      expect(await store.verify()).toMatchObject({ ok: true, entries: 122 });
      const head = await store.getMerge("acme/pay", 7);
      expect(head).toStrictEqual({ ...inputs[6], seq: 8, entryHash: head!.entryHash, recordedAt: FIXED_NOW.toISOString() });
      expect((await store.findMergeBySha(inputs[6]!.commitShas[0]!))?.prNumber).toBe(7);
      expect(await listMerges(store, { path: "src/payments/refund.ts", limit: 1000 })).toHaveLength(122);
      expect(keys(await listMerges(store, { exceptions: true, limit: 3 }))).toHaveLength(3);
    });

    test("already recorded merges and repeats inside the batch are skipped without consuming a seq", async () => {
      const { store } = await newStore();
      await store.recordMerge(mergeInput({ prNumber: 2 }), null);
      const results = await store.recordMergesBulk([
        mergeInput({ prNumber: 1 }),
        mergeInput({ prNumber: 2 }),
        mergeInput({ prNumber: 3 }),
        mergeInput({ prNumber: 1, repo: "ACME/pay", title: "again" }),
      ]);
      expect(results).toEqual([
        { inserted: true, seq: 2 },
        { inserted: false, seq: null },
        { inserted: true, seq: 3 },
        { inserted: false, seq: null },
      ]);
      expect(await store.recordMergesBulk([])).toEqual([]);
      expect(await store.verify()).toMatchObject({ ok: true, entries: 3 });
    });

    test("one invalid input refuses the whole batch, naming it", async () => {
      const { store } = await newStore();
      await expect(store.recordMergesBulk([mergeInput({ prNumber: 1 }), mergeInput({ prNumber: 2, headSha: "zz" })])).rejects.toThrow(
        /acme\/pay#2: headSha "zz"/,
      );
      expect(await store.head()).toBeNull();
    });

    test("a large batch (more rows than one statement takes) verifies", async () => {
      const { store } = await newStore();
      const many = Array.from({ length: 700 }, (_, i) =>
        mergeInput({
          prNumber: i + 1,
          paths: Array.from({ length: 10 }, (_, j) => ({ path: `src/m${i}/f${j}.ts`, previousPath: null, status: "added" })),
        }),
      );
      const results = await store.recordMergesBulk(many);
      expect(results.every((r) => r.inserted)).toBe(true);
      expect(await store.verify()).toMatchObject({ ok: true, entries: 700 });
      expect(keys(await listMerges(store, { path: "src/m699/**" }))).toEqual(["acme/pay#700"]);
    });
  });

  test("migration 2 projects the exceptions of merges recorded under version 1", async () => {
    const url = await h.freshDatabase();
    const raw = await rawOn(url);
    // A version-1 database holding one merge, written as version 1 did (no merge_exceptions).
    await raw.exec(SCHEMA_MIGRATIONS_TABLE[h.engine]);
    await raw.exec(MIGRATIONS[0]!.sql[h.engine]);
    await raw.run(
      statement(
        h.engine,
        (q) =>
          `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (1, 'init', ` +
          `'x', ${q.param(FIXED_NOW.toISOString())})`,
      ),
    );
    const old = mergeInput({ prNumber: 5 });
    old.exceptions.push({
      boundary: "auth",
      grantedBy: "sec-frank",
      reason: "second",
      sha: sha("other").toUpperCase(),
      commentId: null,
      grantedAt: "2026-03-01T09:00:00Z",
    });
    const plan = mergePlan(h.engine, old, null);
    const recordedAt = FIXED_NOW.toISOString();
    const row = buildChainRow({ v: 1, ...plan.envelope, recordedAt }, null);
    for (const s of insertRows(h.engine, "audit_log", [{ ...row }])) await raw.run(s);
    for (const t of plan.projectionRows!(1, recordedAt)) {
      if (t.table === "merge_exceptions") continue;
      // Version 1 had no merges.github_url (migration 4).
      for (const s of insertRows(
        h.engine,
        t.table,
        t.rows.map(({ github_url: _u, ...rest }) => rest),
      ))
        await raw.run(s);
    }

    const { store } = await newStore(url);
    expect(await store.verify()).toMatchObject({ ok: true, entries: 1 });
    expect(keys(await listMerges(store, { exceptions: true }))).toEqual(["acme/pay#5"]);
    expect((await store.report({}, [])).total.exceptions).toBe(2);
    const projected = await raw.rows<{ ordinal: number; boundary: string; granted_sha: string; comment_id: number | null }>(
      "SELECT ordinal, boundary, granted_sha, comment_id FROM merge_exceptions ORDER BY ordinal",
    );
    expect(
      projected.map((p) => ({ ...p, ordinal: Number(p.ordinal), comment_id: p.comment_id === null ? null : Number(p.comment_id) })),
    ).toEqual([
      { ordinal: 0, boundary: "billing", granted_sha: sha("acme/pay#5 head"), comment_id: 9_000_000_000 },
      { ordinal: 1, boundary: "auth", granted_sha: sha("other"), comment_id: null },
    ]);
    // A merge recorded after the migration projects the same way.
    await store.recordMerge(mergeInput({ prNumber: 6 }), null);
    expect(await raw.rows("SELECT merge_id FROM merge_exceptions")).toHaveLength(3);
  });

  test(
    "migration 4 keeps each merge's GitHub host: older records verify unchanged and fall back; " + "new ones name their host everywhere",
    async () => {
      const url = await h.freshDatabase();
      const raw = await rawOn(url);
      // A version-3 database holding one merge, written as version 3 did (no github_url column, no field in the payload).
      await raw.exec(SCHEMA_MIGRATIONS_TABLE[h.engine]);
      for (const m of MIGRATIONS.slice(0, 3)) {
        await raw.exec(m.sql[h.engine]);
        await raw.run(
          statement(
            h.engine,
            (q) =>
              `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (${m.version}, ${q.param(m.name)}, 'x', ` +
              `${q.param(FIXED_NOW.toISOString())})`,
          ),
        );
      }
      const plan = mergePlan(h.engine, mergeInput({ prNumber: 5 }), null);
      const recordedAt = FIXED_NOW.toISOString();
      for (const s of insertRows(h.engine, "audit_log", [{ ...buildChainRow({ v: 1, ...plan.envelope, recordedAt }, null) }]))
        await raw.run(s);
      for (const t of plan.projectionRows!(1, recordedAt)) {
        const rows = t.rows.map(({ github_url: _u, ...rest }) => rest);
        for (const s of insertRows(h.engine, t.table, rows)) await raw.run(s);
      }

      const { store } = await newStore(url);
      await store.recordMerge(mergeInput({ prNumber: 6, githubUrl: "https://ghe.example.com" }), null);
      expect(await store.verify()).toMatchObject({ ok: true, entries: 2 });
      const [newer, older] = await listMerges(store, {});
      expect([newer!.githubUrl, older!.githubUrl]).toEqual(["https://ghe.example.com", undefined]);
      expect(
        (await raw.rows<{ github_url: string | null }>("SELECT github_url FROM merges ORDER BY " + "id")).map((r) => r.github_url),
      ).toEqual([null, "https://ghe.example.com"]);
      const recorder = { id: "test", version: "0" };
      expect(mergeReviewStatement(newer!, recorder)!.subject[0]!.name).toBe(
        `git+https://ghe.example.com/acme/pay@${sha("acme/pay#6 merge")}`,
      );
      expect(mergeReviewStatement(older!, recorder, "https://ghe.example.com")!.subject[0]!.name).toBe(
        `git+https://ghe.example.com/acme/pay@${sha("acme/pay#5 merge")}`,
      );
      expect(mergeReviewStatement(older!, recorder)!.subject[0]!.name).toBe(`git+https://github.com/acme/pay@${sha("acme/pay#5 merge")}`);
      expect(buildChangeEvent(newer!, { routingKey: null, webHost: "github.com" }).links[0]!.href).toBe(
        "https://ghe.example.com/acme/pay/pull/6",
      );
      await expect(store.recordMerge(mergeInput({ prNumber: 7, githubUrl: "ghe.example.com/path" }), null)).rejects.toThrow(
        /githubUrl "ghe.example.com\/path" must be GitHub's web origin/,
      );
    },
  );
});
