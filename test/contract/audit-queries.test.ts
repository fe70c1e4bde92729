/**
 * The query side of the AuditStore contract: pages, streaming and the filters added with the report,
 * run against every engine of audit-harness.ts. Expected numbers are exact: both engines must give
 * the same answers. The report is in audit-report.test.ts, bulk appends and migration 2 in
 * audit-bulk.test.ts.
 */
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { decodeCursor, encodeCursor, listMergesStatement, normalizeMergeFilter } from "../../src/audit/merge-query.js";
import { collect, harnesses, keys, mergeInput, sha, useEngine } from "./audit-harness.js";
import { listMerges } from "../support/list-merges.js";

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
});
