/**
 * verify() re-derives every queryable row from the hashed entries and reports the first row that
 * differs (table, key, column), on every engine: the queries, the API and the report read the
 * projection tables, so an edit there behind the app's back must not pass as an intact trail.
 */
import { listMerges } from "../support/list-merges.js";
import type { AuditStore, VerifyResult } from "../../src/audit/audit-store.js";
import { harnesses, mergeInput, evaluationInput, exceptionInput, sha, useEngine, type RawConnection } from "./audit-harness.js";

describe.each(harnesses)("verify checks the projections: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

  /** SQL that lifts the append-only guard of a projection table (a superuser can). */
  const unguard = (table: string) =>
    h.engine === "sqlite"
      ? `DROP TRIGGER ${table}_no_update; DROP TRIGGER ${table}_no_delete;`
      : `ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`;

  /**
   * seq 1 acme/pay#1, 2 acme/pay#2 (bypassed, agent), 3 an evaluation, 4 an exception on #2,
   * 5 acme/pay#3, 6 #3 reverts #1 (by PR), 7 #3 reverts #2's merge commit (by abbreviated SHA).
   */
  async function recorded(): Promise<{ store: AuditStore; raw: RawConnection }> {
    const { store, url } = await newStore();
    await store.recordMerge(mergeInput({ prNumber: 1 }), null);
    await store.recordMerge(
      mergeInput({
        prNumber: 2,
        aiLevel: "agent",
        agent: "Copilot",
        sponsor: "lead-bob",
        bypassed: true,
        checkConclusion: "failure",
        exceptions: [],
      }),
      null,
    );
    await store.recordEvaluation(evaluationInput(), "e-1");
    await store.recordException(exceptionInput({ prNumber: 2 }), "x-1");
    await store.recordMerge(
      mergeInput({ prNumber: 3, aiLevel: "none", aiTools: [], boundaries: [], exceptions: [], owningTeam: null, teams: [] }),
      null,
    );
    await store.recordRevert(
      { repo: "acme/pay", prNumber: 3, revertedRepo: "acme/pay", revertedPrNumber: 1, revertedSha: null, method: "body" },
      null,
    );
    await store.recordRevert(
      {
        repo: "acme/pay",
        prNumber: 3,
        revertedRepo: "acme/pay",
        revertedPrNumber: null,
        revertedSha: sha("acme/pay#2 merge").slice(0, 9),
        method: "commit_msg",
      },
      null,
    );
    return { store, raw: await rawOn(url) };
  }

  const broken = (result: VerifyResult) => ({ seq: result.brokenAt?.seq, ...result.brokenAt?.projection });

  test("an intact trail verifies, every table included", async () => {
    const { store } = await recorded();
    expect(await store.verify()).toMatchObject({ ok: true, entries: 7 });
  });

  test(
    "merges.bypassed flipped behind the app's back: the bypass vanishes from the queries, and verify names table, " + "key and column",
    async () => {
      const { store, raw } = await recorded();
      await raw.exec(unguard("merges"));
      await raw.exec(`UPDATE merges SET bypassed = ${h.engine === "sqlite" ? 0 : "FALSE"} WHERE pr_number = 2`);
      expect(await listMerges(store, { bypassed: true })).toEqual([]);
      const result = await store.verify();
      expect(result).toMatchObject({ ok: false, entries: 7 });
      expect(broken(result)).toEqual({ seq: 2, table: "merges", key: "acme/pay#2", column: "bypassed" });
      expect(result.brokenAt!.reason).toBe(
        "merges row acme/pay#2 (seq 2): column bypassed is false, the hashed entry says true (projection modified)",
      );
    },
  );

  test("merges.ai_level rewritten", async () => {
    const { store, raw } = await recorded();
    await raw.exec(unguard("merges"));
    await raw.exec("UPDATE merges SET ai_level = 'none' WHERE pr_number = 1");
    expect(broken(await store.verify())).toEqual({ seq: 1, table: "merges", key: "acme/pay#1", column: "ai_level" });
  });

  test.each([
    [
      "merge_paths",
      "UPDATE merge_paths SET path = 'docs/readme.md' WHERE merge_id = 1 AND path = 'src/payments/refund.ts'",
      { seq: 1, key: "acme/pay#1 path src/payments/refund.ts", column: null },
    ],
    [
      "merge_paths",
      "DELETE FROM merge_paths WHERE merge_id = 5 AND path = 'src/payments/index.ts'",
      { seq: 5, key: "acme/pay#3 path src/payments/index.ts", column: null },
    ],
    [
      "merge_reviews",
      "UPDATE merge_reviews SET counted = NOT counted WHERE merge_id = 1 AND review_id = 17",
      { seq: 1, key: "acme/pay#1 review 17", column: "counted" },
    ],
    [
      "merge_reviews",
      "UPDATE merge_reviews SET verified_note = 'LGTM' WHERE merge_id = 2 AND review_id = 3000000001",
      { seq: 2, key: "acme/pay#2 review 3000000001", column: "verified_note" },
    ],
    [
      "merge_teams",
      "UPDATE merge_teams SET is_primary = NOT is_primary WHERE merge_id = 1",
      { seq: 1, key: "acme/pay#1 team @acme/payments", column: "is_primary" },
    ],
    [
      "merge_boundaries",
      "UPDATE merge_boundaries SET outcome = 'passed' WHERE merge_id = 2",
      { seq: 2, key: "acme/pay#2 boundary billing", column: "outcome" },
    ],
    ["merge_exceptions", "DELETE FROM merge_exceptions WHERE merge_id = 1", { seq: 1, key: "acme/pay#1 exception 0", column: null }],
    [
      "merge_commits",
      `UPDATE merge_commits SET role = 'pr_commit' WHERE merge_id = 2 AND role = 'merge_commit'`,
      { seq: 2, key: `acme/pay#2 commit ${sha("acme/pay#2 merge")}`, column: "role" },
    ],
    [
      "exceptions",
      "UPDATE exceptions SET granted_by = 'dev-alice' WHERE id = 4",
      { seq: 4, key: "acme/pay#2 exception billing", column: "granted_by" },
    ],
    [
      "reverts",
      "UPDATE reverts SET reverted_merge_id = NULL WHERE id = 7",
      { seq: 7, key: `acme/pay#3 reverts acme/pay@${sha("acme/pay#2 merge").slice(0, 9)}`, column: "reverted_merge_id" },
    ],
    ["reverts", "UPDATE reverts SET method = 'title' WHERE id = 6", { seq: 6, key: "acme/pay#3 reverts acme/pay#1", column: "method" }],
  ])("%s: %s", async (table, sql, expected) => {
    const { store, raw } = await recorded();
    await raw.exec(unguard(table));
    await raw.exec(sql);
    expect(broken(await store.verify())).toEqual({ table, ...expected });
  });

  test("a row added for a merge, or a merges row for an entry that is no merge, is found", async () => {
    const { store, raw } = await recorded();
    await raw.exec("INSERT INTO merge_boundaries (merge_id, boundary, action, outcome) VALUES (5, 'auth', 'block', 'exception')");
    expect(broken(await store.verify())).toEqual({ seq: 5, table: "merge_boundaries", key: "acme/pay#3 boundary auth", column: null });
    const { store: other, raw: raw2 } = await recorded();
    const row = (await raw2.rows<Record<string, unknown>>("SELECT * FROM merges WHERE id = 1"))[0]!;
    const values = { ...row, id: 3, audit_seq: 3, pr_number: 99 };
    const columns = Object.keys(values);
    const literal = (v: unknown) =>
      v === null
        ? "NULL"
        : typeof v === "boolean"
          ? v
            ? "TRUE"
            : "FALSE"
          : typeof v === "number"
            ? String(v)
            : `'${String(v).replace(/'/g, "''")}'`;
    await raw2.exec(
      `INSERT INTO merges (${columns.join(", ")}) VALUES (${columns.map((c) => literal(values[c as keyof typeof values])).join(", ")})`,
    );
    const result = await other.verify();
    expect(broken(result)).toEqual({ seq: 3, table: "merges", key: "seq 3", column: null });
    expect(result.brokenAt!.reason).toBe("merges row seq 3: the hashed entry 3 is not a merge (projection row inserted)");
  });
});
