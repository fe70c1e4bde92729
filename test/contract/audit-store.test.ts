/**
 * One AuditStore contract, run against every engine: SQLite always, PostgreSQL when a server is
 * available (COUNTERSIGN_TEST_POSTGRES_URL, or a throwaway server from local binaries; see
 * test/support/postgres.ts). Each test gets its own empty database.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { computeEntryHash, sha256Hex } from "../../src/audit/hash-chain.js";
import { MIGRATIONS } from "../../src/audit/migrations/index.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { transpileForChild } from "../support/transpile-for-child.js";
import { evaluationInput, exceptionInput, FIXED_NOW, harnesses, mergeInput, sha, type RawConnection } from "./audit-harness.js";
import { listMerges } from "../support/list-merges.js";

// ---- the contract -----------------------------------------------------------------------------

describe.each(harnesses)("AuditStore contract: $engine", (h) => {
  const open: AuditStore[] = [];
  const raws: RawConnection[] = [];
  const suiteStart = Date.now();

  beforeAll(() => h.setup(), 120_000);
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
    await h.teardown();
    console.info(`audit-store contract (${h.engine}): ${Date.now() - suiteStart} ms including setup`);
  }, 60_000);
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
  });

  const newStore = async (url?: string, now: () => Date = () => FIXED_NOW) => {
    const dbUrl = url ?? (await h.freshDatabase());
    const store = await openAuditStore(dbUrl, { now });
    open.push(store);
    return { store, url: dbUrl };
  };
  const rawOn = async (url: string) => {
    const r = await h.raw(url);
    raws.push(r);
    return r;
  };
  const recordEvaluations = async (store: AuditStore, n: number) => {
    for (let i = 1; i <= n; i++) {
      expect((await store.recordEvaluation(evaluationInput({ prNumber: i, title: `evaluation ${i}` }), `delivery-${i}`)).seq).toBe(i);
    }
  };

  test("engine is reported", async () => {
    const { store } = await newStore();
    expect(store.engine).toBe(h.engine);
  });

  describe("migrations", () => {
    test("open migrates; migrating again is a no-op", async () => {
      const { store, url } = await newStore(h.wholeDatabase ? await h.wholeDatabase() : undefined);
      await store.migrate();
      await store.migrate();
      const raw = await rawOn(url);
      const versions = await raw.rows<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await store.verify()).toEqual({ ok: true, entries: 0, headHash: null });
      expect(await store.head()).toBeNull();
    });

    test("two stores migrating the same empty database at once apply each version once", async () => {
      const url = await (h.wholeDatabase ?? h.freshDatabase)();
      const a = h.unmigrated(url);
      const b = h.unmigrated(url);
      open.push(a, b);
      await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
      const raw = await rawOn(url);
      const versions = await raw.rows<{ version: number }>("SELECT version FROM schema_migrations");
      expect(versions).toHaveLength(MIGRATIONS.length);
      expect((await b.recordEvaluation(evaluationInput(), "d1")).inserted).toBe(true);
    });

    test("a database migrated by a newer Countersign is refused, not written", async () => {
      const { store, url } = await newStore();
      const raw = await rawOn(url);
      await raw.exec(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', '2030-01-01T00:00:00Z')",
      );
      await expect(store.migrate()).rejects.toThrow(
        new RegExp(`audit schema version 999, but this Countersign knows versions up to ${Math.max(...MIGRATIONS.map((m) => m.version))}`),
      );
    });
  });

  describe("merges", () => {
    test("a recorded merge reads back with every field intact", async () => {
      const { store } = await newStore();
      const input = mergeInput({ agent: "claude[bot]", sponsor: "dev-alice", aiLevel: "agent" });
      const result = await store.recordMerge(input, "delivery-merge-1");
      expect(result).toEqual({ inserted: true, seq: 1 });
      const head = await store.head();
      const expected = { ...input, seq: 1, entryHash: head!.entryHash, recordedAt: FIXED_NOW.toISOString() };
      expect(await store.getMerge("acme/pay", 42)).toStrictEqual(expected);
      expect(await store.getMerge("ACME/Pay", 42)).toStrictEqual(expected);
      expect(await store.findMergeBySha(input.mergeCommitSha!)).toStrictEqual(expected);
      expect(await listMerges(store, {})).toStrictEqual([expected]);
      expect(await store.getMerge("acme/pay", 43)).toBeNull();
    });

    test("a merge is recorded once per repo + PR, whatever the delivery", async () => {
      const { store, url } = await newStore();
      expect(await store.recordMerge(mergeInput(), "delivery-a")).toEqual({ inserted: true, seq: 1 });
      expect(await store.recordMerge(mergeInput(), "delivery-a")).toEqual({ inserted: false, seq: null });
      expect(await store.recordMerge(mergeInput({ source: "backfill", title: "other" }), null)).toEqual({ inserted: false, seq: null });
      expect(await store.recordMerge(mergeInput({ repo: "Acme/Pay" }), "delivery-b")).toEqual({ inserted: false, seq: null });
      const raw = await rawOn(url);
      expect(await raw.rows("SELECT seq FROM audit_log")).toHaveLength(1);
      expect(await raw.rows("SELECT id FROM merges")).toHaveLength(1);
      // The no-op consumed no seq: the next entry is 2.
      expect(await store.recordEvaluation(evaluationInput(), "delivery-c")).toEqual({ inserted: true, seq: 2 });
      expect((await store.verify()).ok).toBe(true);
    });

    test("invalid merge input is refused with the field named", async () => {
      const { store } = await newStore();
      await expect(store.recordMerge(mergeInput({ mergedAt: "yesterday" }), null)).rejects.toThrow(/mergedAt/);
      await expect(store.recordMerge(mergeInput({ headSha: "not-a-sha" }), null)).rejects.toThrow(AuditInputError);
      await expect(store.recordMerge(mergeInput({ repo: "no-slash" }), null)).rejects.toThrow(/owner\/name/);
      expect(await store.head()).toBeNull();
    });
  });

  describe("evaluations and exceptions", () => {
    test("the same delivery records one evaluation; another delivery records another", async () => {
      const { store } = await newStore();
      expect(await store.recordEvaluation(evaluationInput(), "d-1")).toEqual({ inserted: true, seq: 1 });
      expect(await store.recordEvaluation(evaluationInput(), "d-1")).toEqual({ inserted: false, seq: null });
      expect(await store.recordEvaluation(evaluationInput(), "d-2")).toEqual({ inserted: true, seq: 2 });
      // One delivery may evaluate several PRs (check_suite): each is recorded.
      expect(await store.recordEvaluation(evaluationInput({ prNumber: 8 }), "d-1")).toEqual({ inserted: true, seq: 3 });
      // Without a delivery id (CLI) there is nothing to deduplicate on.
      expect((await store.recordEvaluation(evaluationInput(), null)).inserted).toBe(true);
      expect((await store.recordEvaluation(evaluationInput(), null)).inserted).toBe(true);
      expect(await store.verify()).toMatchObject({ ok: true, entries: 5 });
    });

    test("exceptions are listed per PR in order, once per delivery", async () => {
      const { store } = await newStore();
      await store.recordException(exceptionInput(), "x-1");
      expect(await store.recordException(exceptionInput(), "x-1")).toEqual({ inserted: false, seq: null });
      await store.recordException(exceptionInput({ action: "revoke", reason: "no longer needed", commentId: null }), "x-2");
      await store.recordException(exceptionInput({ prNumber: 43 }), "x-3");
      const listed = await store.listExceptions("acme/pay", 42);
      expect(listed).toStrictEqual([
        { ...exceptionInput(), grantedAt: FIXED_NOW.toISOString(), seq: 1 },
        {
          ...exceptionInput({ action: "revoke", reason: "no longer needed", commentId: null }),
          grantedAt: FIXED_NOW.toISOString(),
          seq: 2,
        },
      ]);
      expect(await store.listExceptions("acme/pay", 44)).toEqual([]);
    });
  });

  describe("evaluated heads", () => {
    test("each evaluation's head and recorded_at per PR, in recording order; merge groups and other PRs left out", async () => {
      let tick = 0;
      const { store } = await newStore(undefined, () => new Date(FIXED_NOW.getTime() + 1500 * tick++));
      expect(await store.evaluatedHeads("acme/pay", 7)).toEqual([]);
      await store.recordEvaluation(evaluationInput({ headSha: sha("h1") }), "e-1");
      await store.recordEvaluation(evaluationInput({ headSha: sha("other PR"), prNumber: 8 }), "e-2");
      await store.recordEvaluation(evaluationInput({ headSha: sha("queue"), event: "merge_group.checks_requested" }), "e-3");
      await store.recordEvaluation(evaluationInput({ headSha: sha("h2").toUpperCase(), event: "pull_request.synchronize" }), "e-4");
      await store.recordException(exceptionInput({ prNumber: 7, sha: sha("h2") }), "e-5");
      await store.recordEvaluation(evaluationInput({ headSha: sha("h2"), event: "issue_comment.created" }), null);
      const at = (n: number) => new Date(FIXED_NOW.getTime() + 1500 * n).toISOString();
      expect(await store.evaluatedHeads("ACME/Pay", 7)).toEqual([
        { headSha: sha("h1"), recordedAt: at(0) },
        { headSha: sha("h2"), recordedAt: at(3) },
        { headSha: sha("h2"), recordedAt: at(5) },
      ]);
      expect(await store.evaluatedHeads("acme/pay", 8)).toEqual([{ headSha: sha("other PR"), recordedAt: at(1) }]);
    });
  });

  describe("hash chain", () => {
    test("verify passes; head is the last entry; entries link by hash", async () => {
      const { store, url } = await newStore();
      await store.recordMerge(mergeInput(), "m-1");
      await store.recordEvaluation(evaluationInput(), "e-1");
      await store.recordException(exceptionInput(), "x-1");
      const raw = await rawOn(url);
      const rows = await raw.rows<{ seq: number; prev_hash: string; entry_hash: string; payload: string; payload_sha256: string }>(
        "SELECT seq, prev_hash, entry_hash, payload, payload_sha256 FROM audit_log ORDER BY seq",
      );
      expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
      expect(rows[0]!.prev_hash).toBe("0".repeat(64));
      for (const [i, r] of rows.entries()) {
        expect(r.payload_sha256).toBe(sha256Hex(r.payload));
        expect(r.entry_hash).toBe(computeEntryHash(i + 1, r.prev_hash, r.payload_sha256));
        if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.entry_hash);
      }
      expect(await store.head()).toEqual({ seq: 3, entryHash: rows[2]!.entry_hash });
      expect(await store.verify()).toEqual({ ok: true, entries: 3, headHash: rows[2]!.entry_hash });
    });

    test("UPDATE and DELETE on audit_log and the projections are rejected", async () => {
      const { store, url } = await newStore();
      await store.recordMerge(mergeInput(), "m-1");
      const raw = await rawOn(url);
      await expect(raw.exec("UPDATE audit_log SET payload = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(raw.exec("DELETE FROM audit_log WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(raw.exec("UPDATE merges SET bypassed = TRUE")).rejects.toThrow(/append-only/);
      await expect(raw.exec("DELETE FROM merge_reviews")).rejects.toThrow(/append-only/);
      await expect(raw.exec("DELETE FROM merge_paths")).rejects.toThrow(/append-only/);
      if (h.engine === "postgres") await expect(raw.exec("TRUNCATE audit_log CASCADE")).rejects.toThrow(/append-only/);
      expect((await store.verify()).ok).toBe(true);
    });

    describe("tampering is found at the first broken link", () => {
      const tampered = async (sql: (raw: RawConnection) => Promise<string>) => {
        const { store, url } = await newStore();
        await recordEvaluations(store, 8);
        const raw = await rawOn(url);
        await raw.exec(h.disableGuard);
        await raw.exec(await sql(raw));
        return store.verify();
      };
      const payloadOf = async (raw: RawConnection, seq: number) =>
        (await raw.rows<{ payload: string }>(`SELECT payload FROM audit_log WHERE seq = ${seq}`))[0]!.payload;

      test("a modified payload", async () => {
        const result = await tampered(async () => `UPDATE audit_log SET payload = REPLACE(payload, 'failure', 'success') WHERE seq = 3`);
        expect(result).toMatchObject({ ok: false, entries: 2, brokenAt: { seq: 3, reason: "payload_sha256 mismatch (payload modified)" } });
      });

      test("a modified payload with its payload hash recomputed", async () => {
        const result = await tampered(async (raw) => {
          const forged = (await payloadOf(raw, 3)).replace("failure", "success");
          return `UPDATE audit_log SET payload = '${forged}', payload_sha256 = '${sha256Hex(forged)}' WHERE seq = 3`;
        });
        expect(result.brokenAt).toEqual({ seq: 3, reason: "entry_hash mismatch (row modified)" });
      });

      test("a row rewritten with all its hashes recomputed breaks the next link", async () => {
        const result = await tampered(async (raw) => {
          const forged = (await payloadOf(raw, 3)).replace("failure", "success");
          const prev = (await raw.rows<{ prev_hash: string }>("SELECT prev_hash FROM audit_log WHERE seq = 3"))[0]!.prev_hash;
          const entry = computeEntryHash(3, prev, sha256Hex(forged));
          return (
            `UPDATE audit_log SET payload = '${forged}', payload_sha256 = '${sha256Hex(forged)}', ` +
            `entry_hash = '${entry}' WHERE seq = 3`
          );
        });
        expect(result.brokenAt).toEqual({ seq: 4, reason: "prev_hash does not match entry 3 (rows reordered or removed)" });
      });

      test("a column edited outside the payload", async () => {
        const result = await tampered(async () => "UPDATE audit_log SET subject = 'acme/other#1' WHERE seq = 5");
        expect(result.brokenAt).toEqual({ seq: 5, reason: "column subject does not match the hashed payload (row modified)" });
      });

      test("a deleted row", async () => {
        const result = await tampered(async () => "DELETE FROM audit_log WHERE seq = 4");
        expect(result).toMatchObject({ ok: false, entries: 3, brokenAt: { seq: 4, reason: "seq gap: 4 missing (row deleted)" } });
      });

      test("several deleted rows", async () => {
        const result = await tampered(async () => "DELETE FROM audit_log WHERE seq BETWEEN 4 AND 6");
        expect(result.brokenAt).toEqual({ seq: 4, reason: "seq gap: 4-6 missing (rows deleted)" });
      });

      test("reordered rows", async () => {
        const result = await tampered(
          async () =>
            "UPDATE audit_log SET seq = -5 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6; " +
            "UPDATE audit_log SET seq = 6 WHERE seq = -5",
        );
        expect(result.brokenAt).toEqual({ seq: 5, reason: "prev_hash does not match entry 4 (rows reordered or removed)" });
      });

      test("a deleted first row", async () => {
        const result = await tampered(async () => "DELETE FROM audit_log WHERE seq = 1");
        expect(result.brokenAt).toEqual({ seq: 1, reason: "seq gap: 1 missing (row deleted)" });
      });
    });

    test("a truncated tail passes plain verify but fails against a checkpoint", async () => {
      const { store, url } = await newStore();
      await recordEvaluations(store, 6);
      const head = (await store.head())!;
      expect(await store.verify({ checkpoint: head.entryHash })).toMatchObject({ ok: true, entries: 6 });
      expect(await store.verify({ checkpoint: `${head.seq}:${head.entryHash}` })).toMatchObject({ ok: true });
      const earlier = (await rawOn(url)).rows<{ entry_hash: string }>("SELECT entry_hash FROM audit_log WHERE seq = 3");
      expect(await store.verify({ checkpoint: (await earlier)[0]!.entry_hash })).toMatchObject({ ok: true, entries: 6 });

      const raw = await rawOn(url);
      await raw.exec(h.disableGuard);
      await raw.exec("DELETE FROM audit_log WHERE seq >= 5");
      // Without an external checkpoint a truncated tail is undetectable: that is why checkpoints exist.
      expect(await store.verify()).toMatchObject({ ok: true, entries: 4 });
      const bare = await store.verify({ checkpoint: head.entryHash });
      expect(bare.ok).toBe(false);
      expect(bare.brokenAt!.reason).toMatch(/not in the chain .*tail truncated or chain rewritten/);
      expect(await store.verify({ checkpoint: `6:${head.entryHash}` })).toMatchObject({
        ok: false,
        brokenAt: { seq: 5, reason: expect.stringMatching(/checkpoint entry 6 .* is missing: the chain ends at 4 \(tail truncated\)/) },
      });
      await expect(store.verify({ checkpoint: "not-a-hash" })).rejects.toThrow(AuditInputError);
    });

    test("a rewritten chain fails against a checkpoint", async () => {
      const { store, url } = await newStore();
      await recordEvaluations(store, 3);
      const head = (await store.head())!;
      const raw = await rawOn(url);
      await raw.exec(h.disableGuard);
      await raw.exec("DELETE FROM audit_log");
      // The rewritten chain is internally consistent, so only the checkpoint can tell.
      const forger = await openAuditStore(url, { now: () => new Date("2026-04-02T00:00:00Z") });
      open.push(forger);
      for (let i = 1; i <= 3; i++) await forger.recordEvaluation(evaluationInput({ prNumber: i, conclusion: "success" }), `forged-${i}`);
      expect((await store.verify()).ok).toBe(true);
      expect(await store.verify({ checkpoint: `3:${head.entryHash}` })).toMatchObject({
        ok: false,
        brokenAt: { seq: 3, reason: expect.stringMatching(/chain rewritten/) },
      });
    });
  });

  describe("concurrent writers", () => {
    test("50 concurrent evaluations from two stores (two connections) form one contiguous chain", async () => {
      const { store: a, url } = await newStore(undefined, () => new Date());
      const { store: b } = await newStore(url, () => new Date());
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).recordEvaluation(evaluationInput({ prNumber: i + 1, title: `parallel ${i}` }), `parallel-${i}`),
        ),
      );
      expect(results.every((r) => r.inserted)).toBe(true);
      expect(results.map((r) => r.seq).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await a.verify()).toMatchObject({ ok: true, entries: 50 });
      // Redeliveries racing each other still record once.
      const again = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).recordEvaluation(evaluationInput({ prNumber: 1 }), "parallel-0")),
      );
      expect(again.every((r) => !r.inserted)).toBe(true);
      expect(await b.verify()).toMatchObject({ ok: true, entries: 50 });
    });

    test("two processes migrating and appending at once form one contiguous chain", async () => {
      const child = transpileForChild(
        fileURLToPath(new URL("../support/audit-writer-process.ts", import.meta.url)),
        fileURLToPath(new URL("../../", import.meta.url)),
      );
      const procs: ChildProcess[] = [];
      try {
        const url = await h.freshDatabase();
        const spawn = (label: string) => {
          const proc = fork(child.entry, [url, label, "25"], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
          procs.push(proc);
          const messages: Record<string, unknown>[] = [];
          const ready = new Promise<void>((resolveReady, reject) => {
            proc.on("message", (m: Record<string, unknown>) => {
              messages.push(m);
              if (m.ready) resolveReady();
              if (m.error) reject(new Error(`writer ${label}: ${String(m.error)}`));
            });
            proc.on("exit", (code) => reject(new Error(`writer ${label} exited with ${code} before it was ready`)));
          });
          const done = new Promise<number[]>((resolveDone, reject) => {
            proc.on("exit", (code) => {
              const result = messages.find((m) => m.seqs || m.error);
              if (result?.seqs) resolveDone(result.seqs as number[]);
              else reject(new Error(`writer ${label} exited with ${code}: ${String(result?.error ?? "no result")}`));
            });
          });
          return { proc, ready, done };
        };
        const writers = [spawn("one"), spawn("two")];
        await Promise.all(writers.map((w) => w.ready));
        for (const w of writers) w.proc.send("go");
        const seqs = (await Promise.all(writers.map((w) => w.done))).flat();
        expect(seqs.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const { store } = await newStore(url);
        expect(await store.verify()).toMatchObject({ ok: true, entries: 50 });
        const raw = await rawOn(url);
        expect(await raw.rows("SELECT version FROM schema_migrations")).toHaveLength(MIGRATIONS.length);
      } finally {
        // A writer that failed leaves the other waiting for "go" with its IPC channel open.
        for (const proc of procs) if (proc.exitCode === null && proc.signalCode === null) proc.kill();
        child.remove();
      }
    }, 60_000);
  });
});
