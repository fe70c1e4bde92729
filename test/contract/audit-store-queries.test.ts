/**
 * The AuditStore contract's merge queries (filters, paths, reverts, pages), run against every engine
 * of audit-harness.ts; the rest of the contract is in audit-store.test.ts.
 */
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { listMergesStatement, normalizeMergeFilter, pathCandidates } from "../../src/audit/merge-query.js";
import { FIXED_NOW, harnesses, mergeInput, sha, useEngine } from "./audit-harness.js";
import { ASSISTED_FIELDS, BYPASSED_FIELDS } from "../support/five-merge-trail.js";
import { listMerges } from "../support/list-merges.js";

describe.each(harnesses)("AuditStore contract: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

  describe("queries", () => {
    let store: AuditStore;
    const A = mergeInput({
      ...ASSISTED_FIELDS,
      teams: [{ team: "@acme/payments", files: 1 }],
      paths: [{ path: "src/payments/charge.ts", previousPath: null, status: "modified" }],
    });
    const B = mergeInput({
      ...BYPASSED_FIELDS,
      teams: [{ team: "@acme/legacy", files: 2 }],
      paths: [
        { path: "src/payments-old/x", previousPath: null, status: "modified" },
        { path: "db/migrations/0001.sql", previousPath: null, status: "added" },
      ],
    });
    const C = mergeInput({
      repo: "acme/web",
      prNumber: 3,
      mergedAt: "2026-03-10T10:00:00.000Z",
      aiLevel: "agent",
      agent: "claude[bot]",
      sponsor: "dev-alice",
      owningTeam: "@acme/web",
      teams: [
        { team: "@acme/web", files: 1 },
        { team: "@Acme/Payments", files: 1 },
      ],
      paths: [{ path: "web/legacy.ts", previousPath: "src/payments/legacy.ts", status: "renamed" }],
    });
    const D = mergeInput({
      repo: "acme/web",
      prNumber: 4,
      mergedAt: "2026-03-20T23:30:00+00:00",
      aiLevel: "generated",
      owningTeam: null,
      teams: [],
      paths: [
        { path: "schema.sql", previousPath: null, status: "modified" },
        { path: ".github/workflows/ci.yml", previousPath: null, status: "modified" },
      ],
    });
    const revertOfD = mergeInput({
      repo: "acme/web",
      prNumber: 5,
      mergedAt: "2026-03-25T10:00:00Z",
      aiLevel: "none",
      title: 'Revert "schema"',
      owningTeam: "@acme/web",
      teams: [{ team: "@acme/web", files: 1 }],
      paths: [{ path: "schema.sql", previousPath: null, status: "modified" }],
    });
    const numbers = (ms: { repo: string; prNumber: number }[]) => ms.map((m) => `${m.repo}#${m.prNumber}`);

    beforeEach(async () => {
      ({ store } = await newStore());
      for (const [i, m] of [A, B, C, D, revertOfD].entries()) await store.recordMerge(m, `merge-${i}`);
      await store.recordRevert(
        { repo: "acme/web", prNumber: 5, revertedRepo: "acme/web", revertedPrNumber: 4, revertedSha: null, method: "body" },
        "revert-1",
      );
    });

    test("no filter: every merge, newest merged_at first", async () => {
      expect(numbers(await listMerges(store, {}))).toEqual(["acme/web#5", "acme/web#4", "acme/web#3", "acme/pay#2", "acme/pay#1"]);
    });

    test("repo", async () => {
      expect(numbers(await listMerges(store, { repo: "acme/pay" }))).toEqual(["acme/pay#2", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { repo: "ACME/web" }))).toEqual(["acme/web#5", "acme/web#4", "acme/web#3"]);
      await expect(listMerges(store, { repo: "acme" })).rejects.toThrow(AuditInputError);
    });

    test("path glob: src/payments/** matches the directory (and rename sources), not src/payments-old", async () => {
      expect(numbers(await listMerges(store, { path: "src/payments/**" }))).toEqual(["acme/web#3", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { path: "src/payments-old/**" }))).toEqual(["acme/pay#2"]);
      expect(numbers(await listMerges(store, { path: "**/*.sql" }))).toEqual(["acme/web#5", "acme/web#4", "acme/pay#2"]);
      expect(numbers(await listMerges(store, { path: "*.sql" }))).toEqual(["acme/web#5", "acme/web#4"]);
      expect(numbers(await listMerges(store, { path: ".github/**" }))).toEqual(["acme/web#4"]);
      expect(numbers(await listMerges(store, { path: "src/payments/charge.ts" }))).toEqual(["acme/pay#1"]);
      expect(await listMerges(store, { path: "src/pay" })).toEqual([]);
      expect(numbers(await listMerges(store, { path: "src/pay*/**" }))).toEqual(["acme/web#3", "acme/pay#2", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { path: "src/payments/**", repo: "acme/pay" }))).toEqual(["acme/pay#1"]);
    });

    test("since / until on merged_at (a bare date covers its whole day)", async () => {
      expect(numbers(await listMerges(store, { since: "2026-03-10T10:00:00Z" }))).toEqual(["acme/web#5", "acme/web#4", "acme/web#3"]);
      expect(numbers(await listMerges(store, { since: "2026-03-10T10:00:00.001Z" }))).toEqual(["acme/web#5", "acme/web#4"]);
      expect(numbers(await listMerges(store, { until: "2026-02-10T10:00:00Z" }))).toEqual(["acme/pay#2", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { until: "2026-03-20" }))).toEqual(["acme/web#4", "acme/web#3", "acme/pay#2", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { since: "2026-02-01", until: "2026-03-19" }))).toEqual(["acme/web#3", "acme/pay#2"]);
      await expect(listMerges(store, { since: "last tuesday" })).rejects.toThrow(/since/);
    });

    test("ai level", async () => {
      expect(numbers(await listMerges(store, { ai: "agent" }))).toEqual(["acme/web#3"]);
      expect(numbers(await listMerges(store, { ai: "none" }))).toEqual(["acme/web#5", "acme/pay#2"]);
      expect(await listMerges(store, { ai: "undisclosed" })).toEqual([]);
    });

    test("team: any of the merge's teams, with or without @, any case", async () => {
      expect(numbers(await listMerges(store, { team: "@acme/payments" }))).toEqual(["acme/web#3", "acme/pay#1"]);
      expect(numbers(await listMerges(store, { team: "acme/LEGACY" }))).toEqual(["acme/pay#2"]);
      expect(await listMerges(store, { team: "@acme/nobody" })).toEqual([]);
    });

    test("bypassed", async () => {
      expect(numbers(await listMerges(store, { bypassed: true }))).toEqual(["acme/pay#2"]);
      expect(numbers(await listMerges(store, { bypassed: false }))).toHaveLength(4);
    });

    test("reverted, and the reverted merge carries revertedBy", async () => {
      const [d] = await listMerges(store, { reverted: true });
      expect(numbers([d!])).toEqual(["acme/web#4"]);
      expect(d!.revertedBy).toEqual([
        { repo: "acme/web", prNumber: 5, method: "body", revertedSha: null, detectedAt: FIXED_NOW.toISOString(), seq: 6 },
      ]);
      expect(numbers(await listMerges(store, { reverted: false }))).toEqual(["acme/web#5", "acme/web#3", "acme/pay#2", "acme/pay#1"]);
      // A revert by commit SHA (`This reverts commit <abbrev>.`), recorded once.
      const revert = {
        repo: "acme/pay",
        prNumber: 9,
        revertedRepo: "acme/pay",
        revertedPrNumber: null,
        revertedSha: A.mergeCommitSha!.slice(0, 9),
        method: "commit_msg",
      } as const;
      expect((await store.recordRevert(revert, "revert-2")).inserted).toBe(true);
      expect((await store.recordRevert(revert, "revert-3")).inserted).toBe(false);
      expect(numbers(await listMerges(store, { reverted: true }))).toEqual(["acme/web#4", "acme/pay#1"]);
      expect((await store.getMerge("acme/pay", 1))!.revertedBy).toEqual([
        {
          repo: "acme/pay",
          prNumber: 9,
          method: "commit_msg",
          revertedSha: A.mergeCommitSha!.slice(0, 9),
          detectedAt: FIXED_NOW.toISOString(),
          seq: 7,
        },
      ]);
      expect((await store.getMerge("acme/pay", 2))!.revertedBy).toBeUndefined();
      expect((await store.verify()).ok).toBe(true);
    });

    test("a revert recorded before the merge it reverts still links to it", async () => {
      const { store: s } = await newStore();
      await s.recordRevert(
        {
          repo: "acme/x",
          prNumber: 2,
          revertedRepo: "acme/x",
          revertedPrNumber: null,
          revertedSha: sha("acme/x#1 merge"),
          method: "commit_msg",
        },
        null,
      );
      await s.recordMerge(mergeInput({ repo: "acme/x", prNumber: 1 }), null);
      expect(numbers(await listMerges(s, { reverted: true }))).toEqual(["acme/x#1"]);
    });

    test("sha: full merge commit, 7-char prefix, head, any PR commit; too short is refused", async () => {
      expect(numbers(await listMerges(store, { sha: C.mergeCommitSha! }))).toEqual(["acme/web#3"]);
      expect(numbers(await listMerges(store, { sha: C.mergeCommitSha!.slice(0, 7).toUpperCase() }))).toEqual(["acme/web#3"]);
      expect(numbers(await listMerges(store, { sha: C.commitShas[0]! }))).toEqual(["acme/web#3"]);
      expect((await store.findMergeBySha(B.commitShas[1]!.slice(0, 10)))?.prNumber).toBe(2);
      expect((await store.findMergeBySha(D.headSha))?.prNumber).toBe(4);
      expect(await store.findMergeBySha("0000000")).toBeNull();
      await expect(listMerges(store, { sha: "abc12" })).rejects.toThrow(/at least 7/);
      await expect(store.findMergeBySha("abc12")).rejects.toThrow(AuditInputError);
      await expect(store.findMergeBySha("xyz1234")).rejects.toThrow(/hex/);
    });

    test("findMergeBySha prefers the merge commit, and refuses an ambiguous prefix", async () => {
      const { store: s } = await newStore();
      const shared = `abcdef1${"0".repeat(33)}`;
      await s.recordMerge(mergeInput({ prNumber: 1, commitShas: [shared] }), null); // a PR commit of #1…
      await s.recordMerge(mergeInput({ prNumber: 2, mergeCommitSha: shared }), null); // …landed as #2's merge commit
      expect((await s.findMergeBySha(shared))?.prNumber).toBe(2);
      expect(numbers(await listMerges(s, { sha: shared }))).toEqual(["acme/pay#2", "acme/pay#1"]);
      await s.recordMerge(mergeInput({ prNumber: 3, commitShas: [`abcdef1${"f".repeat(33)}`] }), null);
      await expect(s.findMergeBySha("abcdef1")).rejects.toThrow(/ambiguous/);
    });

    test("path and SHA prefixes are index range scans (no LIKE, no full scan)", async () => {
      const { url } = await newStore();
      const raw = await rawOn(url);
      const paths = await raw.explain(pathCandidates(h.engine, normalizeMergeFilter({ path: "src/payments/**" }).path!.range));
      const range = (index: string, column: string) =>
        h.engine === "sqlite"
          ? new RegExp(`INDEX ${index} \\(${column}>\\? AND ${column}<\\?\\)`)
          : new RegExp(`Scan (?:on|using) ${index}\\b[^\\n]*\\n\\s+Index Cond: \\(\\(${column} >= `);
      expect(paths).toMatch(range("merge_paths_path", "path"));
      expect(paths).toMatch(range("merge_paths_previous", "previous_path"));
      const bySha = await raw.explain(listMergesStatement(h.engine, normalizeMergeFilter({ sha: "abcdef1" }), null));
      expect(bySha).toMatch(range(h.engine === "sqlite" ? "sqlite_autoindex_merge_commits_1" : "merge_commits_pkey", "sha"));
      const byTeam = await raw.explain(listMergesStatement(h.engine, normalizeMergeFilter({ team: "@acme/web" }), null));
      expect(byTeam).toMatch(/merge_teams_team/);
    });

    test("combined filters and limit", async () => {
      const filter = { repo: "acme/web", ai: "generated", path: "**/*.sql", since: "2026-03-01" } as const;
      expect(numbers(await listMerges(store, filter))).toEqual(["acme/web#4"]);
      expect(numbers(await listMerges(store, { limit: 2 }))).toEqual(["acme/web#5", "acme/web#4"]);
      await expect(listMerges(store, { limit: 0 })).rejects.toThrow(/limit/);
      expect(await listMerges(store, { limit: 5000 })).toHaveLength(5); // clamped to 1000
    });
  });
});
