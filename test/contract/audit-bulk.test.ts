/**
 * The AuditStore contract's bulk appends (recordMergesBulk) and migrations 2 (exceptions projected from
 * version-1 merges) and 4 (each merge's GitHub host), run against every engine of audit-harness.ts.
 */
import { mergeReviewStatement } from "../../src/audit/in-toto-statement.js";
import { buildChangeEvent } from "../../src/notify/change-events.js";
import { mergePlan } from "../../src/audit/audit-write-plans.js";
import { buildChainRow } from "../../src/audit/hash-chain.js";
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from "../../src/audit/migrations/index.js";
import { insertRows, statement } from "../../src/audit/sql-builder.js";
import { FIXED_NOW, harnesses, keys, mergeInput, sha, useEngine } from "./audit-harness.js";
import { listMerges } from "../support/list-merges.js";

describe.each(harnesses)("AuditStore queries: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

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
