/**
 * Incidents in the AuditStore contract, run against every engine of audit-harness.ts: records and
 * links are chain entries (verify covers them, including their projection rows), opens are
 * idempotent per external id, the newest link is the current relation, and the trends of
 * `audit report --incidents` give the same exact numbers on both engines.
 */
import { AuditConflictError } from "../../src/audit/audit-conflict-error.js";
import { AuditInputError } from "../../src/audit/audit-input-error.js";
import { AuditNotFoundError } from "../../src/audit/audit-not-found-error.js";
import { INCIDENT_CATEGORIES, type AuditStore, type IncidentInput, type MergeRecordInput } from "../../src/audit/audit-store.js";
import { sha256Hex } from "../../src/audit/hash-chain.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { FIXED_NOW, harnesses, mergeInput, type RawConnection } from "./audit-harness.js";

const incident = (overrides: Partial<IncidentInput> = {}): IncidentInput => ({
  externalId: "INC-2041",
  title: "Refunds paid twice",
  url: "https://incidents.acme.example/INC-2041",
  severity: 1,
  category: "hallucination-in-production-code",
  startedAt: "2026-03-01T15:30:00+01:00",
  source: "cli",
  ...overrides,
});

describe.each(harnesses)("AuditStore incidents: $engine", (h) => {
  const { newStore, rawOn } = useEngineOnce(h);

  /** SQL that lifts the append-only guard of a projection table (a superuser can). */
  const unguard = (table: string) =>
    h.engine === "sqlite"
      ? `DROP TRIGGER ${table}_no_update; DROP TRIGGER ${table}_no_delete;`
      : `ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`;

  describe("records", () => {
    test("an incident reads back normalised, as one chain entry", async () => {
      const { store } = await newStore();
      await store.recordMerge(mergeInput(), null);
      expect(await store.recordIncident(incident())).toEqual({ inserted: true, seq: 2 });
      const head = (await store.head())!;
      expect(await store.getIncident("INC-2041")).toEqual({
        externalId: "INC-2041",
        title: "Refunds paid twice",
        url: "https://incidents.acme.example/INC-2041",
        severity: 1,
        category: "hallucination-in-production-code",
        startedAt: "2026-03-01T14:30:00.000Z",
        source: "cli",
        recordedAt: FIXED_NOW.toISOString(),
        seq: 2,
        entryHash: head.entryHash,
        links: [],
      });
      expect(await store.getIncident("INC-9")).toBeNull();
      expect(await store.verify()).toEqual({ ok: true, entries: 2, headHash: head.entryHash });
    });

    test("only the id is required; absent fields are null", async () => {
      const { store } = await newStore();
      await store.recordIncident({ externalId: "PD:Q1W2E3", source: "api" });
      expect(await store.getIncident("PD:Q1W2E3")).toMatchObject({
        title: null,
        url: null,
        severity: null,
        category: null,
        startedAt: null,
        source: "api",
      });
    });

    test("opening again with the same fields is a no-op; with different fields it is refused and the first record stands", async () => {
      const { store } = await newStore();
      expect((await store.recordIncident(incident())).inserted).toBe(true);
      // The same instant in another offset, from another source: still the same record.
      expect(await store.recordIncident(incident({ startedAt: "2026-03-01T14:30:00Z", source: "api" }))).toEqual({
        inserted: false,
        seq: null,
      });
      const conflict = store.recordIncident(incident({ severity: 2, title: "Refunds paid twice (partial)" }));
      await expect(conflict).rejects.toThrow(AuditConflictError);
      await expect(conflict).rejects.toThrow(
        new RegExp(
          /incident INC-2041 is already recorded \(seq 1, .*\) with different fields: title "Refunds paid /.source +
            /twice" \(given "Refunds paid twice \(partial\)"\), severity 1 \(given 2\)\. .*first one stands/.source,
        ),
      );
      // Leaving a recorded field out is a difference too: the record would not be the same.
      await expect(store.recordIncident(incident({ url: undefined }))).rejects.toThrow(
        /url "https:\/\/incidents.acme.example\/INC-2041" \(given null\)/,
      );
      expect(await store.getIncident("INC-2041")).toMatchObject({ severity: 1, title: "Refunds paid twice" });
      expect((await store.verify()).entries).toBe(1);
    });

    test("concurrent opens of one id record it once", async () => {
      const { store } = await newStore();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.recordIncident(incident())));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect((await store.verify()).entries).toBe(1);
    });

    test.each([
      [
        { category: "prompt-injection" },
        "category",
        new RegExp(
          /category "prompt-injection": expected one of data-exfiltration, /.source +
            /hallucination-in-production-code, agent-overreach, credential-exposure, shadow-ai, not-ai/.source,
        ),
      ],
      [{ severity: 4 }, "severity", /severity 4: expected 1, 2 or 3/],
      [{ url: "javascript:alert(1)" }, "url", /expected an http or https URL/],
      [{ startedAt: "yesterday" }, "startedAt", /startedAt "yesterday": expected an ISO-8601 time/],
      [{ title: "   " }, "title", /title " {3}": is empty: leave it out instead/],
      [{ externalId: "acme/pay#1" }, "externalId", /recordIncident "acme\/pay#1": externalId "acme\/pay#1": expected an incident id/],
      [{ externalId: "" }, "externalId", /expected an incident id/],
      [{ owner: "sec" } as Partial<IncidentInput>, "owner", /owner: unknown field/],
      [{ source: "email" } as unknown as Partial<IncidentInput>, "source", /source "email" is not one of webhook, backfill, cli, api/],
    ])("%j is refused with the field and the accepted values", async (patch, field, message) => {
      const { store } = await newStore();
      const attempt = store.recordIncident(incident(patch as Partial<IncidentInput>));
      await expect(attempt).rejects.toThrow(AuditInputError);
      await expect(attempt).rejects.toMatchObject({ field, message: expect.stringMatching(message) });
      expect((await store.verify()).entries).toBe(0);
    });

    test("the categories are exactly the product's", () => {
      expect(INCIDENT_CATEGORIES).toEqual([
        "data-exfiltration",
        "hallucination-in-production-code",
        "agent-overreach",
        "credential-exposure",
        "shadow-ai",
        "not-ai",
      ]);
    });
  });

  describe("links", () => {
    let store: AuditStore;
    let url: string;
    beforeEach(async () => {
      ({ store, url } = await newStore());
      await store.recordMerge(mergeInput({ repo: "Acme/Pay", prNumber: 42 }), null);
      await store.recordMerge(mergeInput({ repo: "acme/pay", prNumber: 43, mergedAt: "2026-03-01T12:00:00Z" }), null);
      await store.recordIncident(incident());
    });

    test("the newest link of a merge is its current relation: dismissed supersedes suspect", async () => {
      expect(
        await store.linkIncident({
          externalId: "INC-2041",
          repo: "ACME/pay",
          prNumber: 42,
          relation: "suspect",
          note: "touched refunds",
          linkedBy: "sre-sam",
        }),
      ).toEqual({ inserted: true, seq: 4 });
      expect((await store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 43, relation: "caused" })).seq).toBe(5);
      expect(
        (
          await store.linkIncident({
            externalId: "INC-2041",
            repo: "acme/pay",
            prNumber: 42,
            relation: "dismissed",
            note: "ruled out by bisect",
          })
        ).seq,
      ).toBe(6);

      const record = (await store.getIncident("INC-2041"))!;
      expect(record.links).toEqual([
        expect.objectContaining({
          repo: "acme/pay",
          prNumber: 42,
          relation: "suspect",
          note: "touched refunds",
          linkedBy: "sre-sam",
          seq: 4,
          current: false,
        }),
        expect.objectContaining({
          repo: "acme/pay",
          prNumber: 43,
          relation: "caused",
          note: null,
          linkedBy: null,
          seq: 5,
          current: true,
          mergedAt: "2026-03-01T12:00:00.000Z",
        }),
        expect.objectContaining({
          repo: "acme/pay",
          prNumber: 42,
          relation: "dismissed",
          note: "ruled out by bisect",
          seq: 6,
          current: true,
          linkedAt: FIXED_NOW.toISOString(),
        }),
      ]);
      expect(record.links[1]!.mergeCommitSha).toMatch(/^[0-9a-f]{40}$/);

      expect(await store.incidentsForMerge("acme/pay", 42)).toEqual([
        expect.objectContaining({
          relation: "dismissed",
          note: "ruled out by bisect",
          seq: 6,
          incident: expect.objectContaining({ externalId: "INC-2041", severity: 1 }),
        }),
      ]);
      expect((await store.incidentsForMerge("Acme/Pay", 43)).map((l) => l.relation)).toEqual(["caused"]);
      expect(await store.incidentsForMerge("acme/pay", 1)).toEqual([]);

      // A later suspect link reinstates it.
      await store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "suspect", note: "new evidence" });
      expect((await store.incidentsForMerge("acme/pay", 42))[0]!.relation).toBe("suspect");
      expect(await store.verify()).toMatchObject({ ok: true, entries: 7 });
    });

    test("repeating the current relation with the same note is a no-op", async () => {
      const link = { externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "suspect" as const, note: "touched refunds" };
      expect((await store.linkIncident(link)).inserted).toBe(true);
      expect(await store.linkIncident({ ...link, linkedBy: "someone-else" })).toEqual({ inserted: false, seq: null });
      expect((await store.linkIncident({ ...link, note: "touched refunds and retries" })).inserted).toBe(true);
      expect((await store.getIncident("INC-2041"))!.links).toHaveLength(2);
    });

    test("an unknown incident or merge is not found; a bad relation is refused", async () => {
      await expect(store.linkIncident({ externalId: "INC-1", repo: "acme/pay", prNumber: 42, relation: "caused" })).rejects.toThrow(
        AuditNotFoundError,
      );
      await expect(store.linkIncident({ externalId: "INC-1", repo: "acme/pay", prNumber: 42, relation: "caused" })).rejects.toMatchObject({
        field: "externalId",
        message: expect.stringMatching(/no incident INC-1 is recorded: open it first/),
      });
      await expect(
        store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 999, relation: "caused" }),
      ).rejects.toMatchObject({
        name: "AuditNotFoundError",
        field: "merge",
        message: expect.stringMatching(/no merge recorded for acme\/pay#999/),
      });
      await expect(
        store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "blamed" as never }),
      ).rejects.toMatchObject({
        field: "relation",
        message: expect.stringMatching(/relation "blamed": expected one of caused, fixed, suspect, dismissed/),
      });
      await expect(store.linkIncident({ externalId: "INC-2041", repo: "acme", prNumber: 42, relation: "caused" })).rejects.toMatchObject({
        field: "repo",
      });
      expect((await store.verify()).entries).toBe(3);
    });

    test("the projections are insert-only", async () => {
      await store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "caused" });
      const raw = await rawOn(url);
      await expect(raw.exec("UPDATE incidents SET severity = 3")).rejects.toThrow(/append-only/);
      await expect(raw.exec("DELETE FROM incident_links")).rejects.toThrow(/append-only/);
    });
  });

  describe("verify covers incidents", () => {
    const recorded = async () => {
      const { store, url } = await newStore();
      await store.recordMerge(mergeInput(), null);
      await store.recordIncident(incident());
      await store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "suspect" });
      await store.linkIncident({ externalId: "INC-2041", repo: "acme/pay", prNumber: 42, relation: "dismissed", note: "not it" });
      await store.recordEvaluation(
        {
          repo: "acme/pay",
          prNumber: 50,
          headSha: "a".repeat(40),
          event: "pull_request.opened",
          conclusion: "success",
          title: "ok",
          gates: [],
          aiLevel: null,
          aiTools: [],
        },
        "d-50",
      );
      expect(await store.verify()).toMatchObject({ ok: true, entries: 5 });
      const raw = await rawOn(url);
      return { store, raw };
    };

    test("an edited incident entry breaks the chain at that entry", async () => {
      const { store, raw } = await recorded();
      await raw.exec(h.disableGuard);
      await raw.exec(`UPDATE audit_log SET payload = REPLACE(payload, '"severity":1', '"severity":3') WHERE seq = 2`);
      expect(await store.verify()).toMatchObject({
        ok: false,
        entries: 1,
        brokenAt: { seq: 2, reason: "payload_sha256 mismatch (payload modified)" },
      });
    });

    test("an edited link entry, hashes recomputed, breaks the next link", async () => {
      const { store, raw } = await recorded();
      await raw.exec(h.disableGuard);
      const [row] = await raw.rows<{ payload: string }>("SELECT payload FROM audit_log WHERE seq = 4");
      const forged = row!.payload.replace('"relation":"dismissed"', '"relation":"fixed"');
      await raw.exec(`UPDATE audit_log SET payload = '${forged}', payload_sha256 = '${sha256Hex(forged)}' WHERE seq = 4`);
      expect((await store.verify()).brokenAt).toEqual({ seq: 4, reason: "entry_hash mismatch (row modified)" });
    });

    test("an edited incidents row is found against its hashed entry", async () => {
      const { store, raw } = await recorded();
      await raw.exec(unguard("incidents"));
      await raw.exec("UPDATE incidents SET category = 'not-ai' WHERE external_id = 'INC-2041'");
      expect(await store.verify()).toMatchObject({
        ok: false,
        entries: 5,
        brokenAt: { seq: 2, reason: "incidents row 2: column category does not match the hashed entry (projection modified)" },
      });
    });

    test("an edited or deleted link row is found", async () => {
      const { store, raw } = await recorded();
      await raw.exec(unguard("incident_links"));
      await raw.exec("UPDATE incident_links SET relation = 'caused' WHERE id = 4");
      expect((await store.verify()).brokenAt).toEqual({
        seq: 4,
        reason: "incident_links row 4: column relation does not match the hashed entry (projection modified)",
      });
      await raw.exec("UPDATE incident_links SET relation = 'dismissed' WHERE id = 4");
      expect((await store.verify()).ok).toBe(true);
      await raw.exec("DELETE FROM incident_links WHERE id = 4");
      expect((await store.verify()).brokenAt).toEqual({ seq: 4, reason: "entry 4 has no incident_links row (projection row deleted)" });
    });

    test("a link row moved to another merge is found", async () => {
      const { store, raw } = await recorded();
      await store.recordMerge(mergeInput({ prNumber: 77 }), null);
      await raw.exec(unguard("incident_links"));
      await raw.exec("UPDATE incident_links SET merge_id = 6 WHERE id = 3");
      expect((await store.verify()).brokenAt).toEqual({
        seq: 3,
        reason: "incident_links row 3: column merge_id does not match the hashed entry (projection modified)",
      });
    });
  });

  describe("listIncidents", () => {
    let store: AuditStore;
    beforeAll(async () => {
      ({ store } = await newStore(undefined, { keep: true }));
      await store.recordMerge(mergeInput({ repo: "acme/web", prNumber: 1 }), null);
      await store.recordIncident(
        incident({ externalId: "INC-1", category: "agent-overreach", severity: 2, startedAt: "2026-01-05T00:00:00Z" }),
      );
      await store.recordIncident(incident({ externalId: "INC-2", category: "shadow-ai", severity: 1, startedAt: "2026-02-05T00:00:00Z" }));
      await store.recordIncident(incident({ externalId: "INC-3", category: "agent-overreach", severity: 1, startedAt: null }));
      await store.linkIncident({ externalId: "INC-1", repo: "acme/web", prNumber: 1, relation: "dismissed" });
    });

    test.each([
      [{}, ["INC-3", "INC-2", "INC-1"]],
      [{ category: "agent-overreach" as const }, ["INC-3", "INC-1"]],
      [{ severity: 1 as const }, ["INC-3", "INC-2"]],
      [{ since: "2026-02-01" }, ["INC-3", "INC-2"]],
      [{ until: "2026-02-05" }, ["INC-2", "INC-1"]],
      [{ repo: "ACME/web" }, ["INC-1"]],
      [{ repos: ["acme/infra", "ACME/Web"] }, ["INC-1"]],
      [{ repos: ["acme/infra"] }, []],
      [{ repos: [] }, []],
      [{ limit: 1 }, ["INC-3"]],
    ])("%j", async (filter, expected) => {
      expect((await store.listIncidents(filter)).map((i) => i.externalId)).toEqual(expected);
    });

    test("records carry their links; bad filters are refused", async () => {
      expect((await store.listIncidents({ repo: "acme/web" }))[0]!.links).toEqual([
        expect.objectContaining({ relation: "dismissed", current: true }),
      ]);
      await expect(store.listIncidents({ category: "oops" as never })).rejects.toThrow(/category "oops" is not one of data-exfiltration/);
      await expect(store.listIncidents({ severity: 5 as never })).rejects.toThrow(AuditInputError);
      await expect(store.listIncidents({ since: "soon" })).rejects.toThrow(/since "soon" is not an ISO-8601/);
      await expect(store.getIncident("has space")).rejects.toThrow(AuditInputError);
      await expect(store.listIncidents({ repos: ["not a repo"] })).rejects.toThrow(/repos: "not a repo" is not of the form owner\/name/);
    });
  });

  describe("incidentTrends", () => {
    let store: AuditStore;
    const merge = (prNumber: number, repo: string, aiLevel: MergeRecordInput["aiLevel"], owningTeam: string | null, mergedAt: string) =>
      mergeInput({
        repo,
        prNumber,
        aiLevel,
        owningTeam,
        teams: owningTeam ? [{ team: owningTeam, files: 1 }] : [],
        mergedAt,
        exceptions: [],
      });

    beforeAll(async () => {
      ({ store } = await newStore(undefined, { keep: true }));
      for (const m of [
        merge(1, "acme/pay", "assisted", "@acme/payments", "2026-01-10T10:00:00Z"),
        merge(2, "acme/pay", "none", "@Acme/Payments", "2026-01-20T10:00:00Z"),
        merge(3, "acme/web", "agent", "@acme/web", "2026-02-01T00:00:00Z"),
        merge(4, "acme/web", "generated", "@acme/web", "2026-02-15T12:00:00Z"),
        merge(5, "acme/web", "agent", null, "2026-03-01T00:00:00Z"),
        merge(6, "acme/pay", "none", "@acme/payments", "2026-03-05T00:00:00Z"),
        merge(7, "acme/web", "generated", "@acme/web", "2026-03-10T00:00:00Z"),
        merge(8, "acme/web", "assisted", "@acme/web", "2026-03-12T00:00:00Z"),
      ]) {
        await store.recordMerge(m, null);
      }
      const open = (externalId: string, category: IncidentInput["category"], startedAt: string | null) =>
        store.recordIncident({ externalId, category, startedAt, severity: 2, source: "cli" });
      await open("INC-1", "credential-exposure", "2026-01-10T20:00:00Z");
      await open("INC-2", "agent-overreach", "2026-02-02T00:00:00Z");
      await open("INC-3", "agent-overreach", "2026-02-20T12:00:00Z");
      await open("INC-4", "not-ai", null); // recorded at FIXED_NOW: month 2026-04
      await open("INC-5", "hallucination-in-production-code", "2026-02-28T00:00:00Z");
      await open("INC-6", null, "2026-01-15T00:00:00Z");
      const link = (externalId: string, repo: string, prNumber: number, relation: "caused" | "fixed" | "suspect" | "dismissed") =>
        store.linkIncident({ externalId, repo, prNumber, relation });
      await link("INC-1", "acme/pay", 1, "caused"); // +10 h
      await link("INC-2", "acme/web", 3, "suspect"); // +24 h
      await link("INC-2", "acme/web", 4, "suspect");
      await link("INC-2", "acme/web", 4, "dismissed"); // no longer counted
      await link("INC-3", "acme/web", 4, "caused"); // +120 h
      await link("INC-3", "acme/web", 3, "fixed"); // a fix is not a cause
      await link("INC-4", "acme/pay", 2, "caused"); // no start time: linked, but no duration
      await link("INC-5", "acme/web", 5, "suspect"); // started 24 h before the merge
      await link("INC-1", "acme/web", 8, "suspect");
      await link("INC-1", "acme/web", 8, "dismissed");
    });

    test("by category and month, linked shares by AI level and team, and merge-to-incident hours", async () => {
      const trends = await store.incidentTrends({});
      expect(trends.byCategoryMonth).toEqual([
        { month: "2026-01", category: "credential-exposure", incidents: 1 },
        { month: "2026-01", category: null, incidents: 1 },
        { month: "2026-02", category: "agent-overreach", incidents: 2 },
        { month: "2026-02", category: "hallucination-in-production-code", incidents: 1 },
        { month: "2026-04", category: "not-ai", incidents: 1 },
      ]);
      expect(trends.linkedByAi).toEqual([
        { key: "agent", merges: 2, linked: 2, share: 1 },
        { key: "assisted", merges: 2, linked: 1, share: 0.5 },
        { key: "generated", merges: 2, linked: 1, share: 0.5 },
        { key: "none", merges: 2, linked: 1, share: 0.5 },
      ]);
      expect(trends.linkedByTeam).toEqual([
        { key: "@acme/payments", merges: 3, linked: 2, share: 0.6667 },
        { key: "@acme/web", merges: 4, linked: 2, share: 0.5 },
        { key: null, merges: 1, linked: 1, share: 1 },
      ]);
      expect(trends.mergeToStart).toEqual({ links: 3, medianHours: 24, p90Hours: 120, maxHours: 120, startedBeforeMerge: 1 });
      expect(trends.definitions.mergeToStart).toMatch(/nearest rank/);
    });

    test("the merge filters narrow the shares and the hours; since/until narrow the incidents", async () => {
      const web = await store.incidentTrends({ repo: "acme/web" });
      expect(web.linkedByAi.map((r) => [r.key, r.merges, r.linked])).toEqual([
        ["agent", 2, 2],
        ["assisted", 1, 0],
        ["generated", 2, 1],
      ]);
      expect(web.mergeToStart).toEqual({ links: 2, medianHours: 72, p90Hours: 120, maxHours: 120, startedBeforeMerge: 1 });
      expect(web.byCategoryMonth).toHaveLength(5);
      const recent = await store.incidentTrends({ since: "2026-02-01", until: "2026-02-28" });
      expect(recent.byCategoryMonth).toEqual([
        { month: "2026-02", category: "agent-overreach", incidents: 2 },
        { month: "2026-02", category: "hallucination-in-production-code", incidents: 1 },
      ]);
      expect(recent.linkedByTeam.map((r) => [r.key, r.merges, r.linked])).toEqual([["@acme/web", 2, 2]]);
      expect(recent.mergeToStart).toMatchObject({ links: 2, medianHours: 72, maxHours: 120, startedBeforeMerge: 0 });
      await expect(store.incidentTrends({ path: "src/**" } as never)).rejects.toThrow(/do not take a path filter/);
    });

    test("an empty trail gives empty trends", async () => {
      const { store: empty } = await newStore();
      expect(await empty.incidentTrends({})).toMatchObject({
        byCategoryMonth: [],
        linkedByAi: [],
        linkedByTeam: [],
        mergeToStart: { links: 0, medianHours: null, p90Hours: null, maxHours: null, startedBeforeMerge: 0 },
      });
    });
  });
});

/** useEngine (audit-harness.ts), plus stores that outlive one test: opened in a beforeAll, closed after the suite. */
function useEngineOnce(h: (typeof harnesses)[number]) {
  const perTest: AuditStore[] = [];
  const perSuite: AuditStore[] = [];
  const raws: RawConnection[] = [];
  beforeAll(() => h.setup(), 120_000);
  afterAll(async () => {
    for (const s of [...perTest.splice(0), ...perSuite.splice(0)]) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
    await h.teardown();
  }, 60_000);
  afterEach(async () => {
    for (const s of perTest.splice(0)) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
  });
  return {
    async newStore(url?: string, options: { keep?: boolean } = {}) {
      const dbUrl = url ?? (await h.freshDatabase());
      const store = await openAuditStore(dbUrl, { now: () => FIXED_NOW });
      (options.keep ? perSuite : perTest).push(store);
      return { store, url: dbUrl };
    },
    async rawOn(url: string) {
      const r = await h.raw(url);
      raws.push(r);
      return r;
    },
  };
}
