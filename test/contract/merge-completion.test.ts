/**
 * Incomplete merge records and their completion, on every engine of audit-harness.ts: an
 * incomplete record reads back as such (flag, missing facts, no verdict), queries and reports tell
 * it apart, completion is a new chain entry after which every query shows the completed record,
 * the merges table still refuses any other UPDATE, and the recovery sweep's state round-trips.
 */
import { AuditNotFoundError } from "../../src/audit/audit-not-found-error.js";
import { INCOMPLETE_MERGE_MISSING, type MergeRecordInput } from "../../src/audit/audit-store.js";
import { harnesses, mergeInput, sha, useEngine } from "./audit-harness.js";
import { listMerges } from "../support/list-merges.js";

/** What the webhook payload alone gives: no reviews, files, owners or verdict. */
const incompleteInput = (overrides: Partial<MergeRecordInput> = {}): MergeRecordInput =>
  mergeInput({
    reviewers: [],
    owningTeam: null,
    teams: [],
    paths: [],
    boundaries: [],
    checkConclusion: null,
    bypassed: false,
    commitShas: [],
    configHash: null,
    incomplete: true,
    missing: [...INCOMPLETE_MERGE_MISSING],
    ...overrides,
  });

describe.each(harnesses)("AuditStore merge completion: $engine", (h) => {
  const { newStore, rawOn } = useEngine(h);

  test("an incomplete record reads back flagged, with what it lacks; queries and the report tell it apart", async () => {
    const { store } = await newStore();
    await store.recordMerge(incompleteInput(), "delivery-1");
    await store.recordMerge(mergeInput({ prNumber: 43 }), "delivery-2");
    const got = await store.getMerge("acme/pay", 42);
    expect(got).toMatchObject({
      incomplete: true,
      missing: ["reviews", "notes", "files", "owners", "verdict"],
      reviewers: [],
      checkConclusion: null,
    });
    expect((await listMerges(store, { incomplete: true })).map((m) => m.prNumber)).toEqual([42]);
    expect((await listMerges(store, { incomplete: false })).map((m) => m.prNumber)).toEqual([43]);
    expect((await store.report({}, [])).total).toMatchObject({ merges: 2, incomplete: 1, bypassed: 0 });
    expect((await store.listIncompleteMerges()).map((m) => m.prNumber)).toEqual([42]);
  });

  test("an incomplete record must name what it lacks", async () => {
    const { store } = await newStore();
    await expect(store.recordMerge(incompleteInput({ missing: [] }), null)).rejects.toThrow(/must name what it is missing/);
  });

  test("completion is a new chain entry; every query then shows the completed record; a second completion is a no-op", async () => {
    const { store } = await newStore();
    const first = await store.recordMerge(incompleteInput(), "delivery-1");
    const completed = mergeInput({ bypassed: true, checkConclusion: "failure", source: "backfill" });
    const res = await store.completeMerge(completed);
    expect(res).toEqual({ inserted: true, seq: first.seq! + 1 });
    const got = (await store.getMerge("acme/pay", 42))!;
    expect(got.incomplete).toBeUndefined();
    expect(got).toMatchObject({ seq: res.seq, completes: first.seq, bypassed: true, owningTeam: "@acme/payments", source: "webhook" });
    expect(got.reviewers).toHaveLength(2);
    expect(await store.listIncompleteMerges()).toEqual([]);
    expect((await listMerges(store, { path: "src/payments/**" })).map((m) => m.prNumber)).toEqual([42]);
    expect((await listMerges(store, { team: "@acme/payments", bypassed: true })).map((m) => m.prNumber)).toEqual([42]);
    expect((await store.findMergeBySha(sha("acme/pay#42 c1")))?.prNumber).toBe(42);
    expect((await store.report({}, [])).total).toMatchObject({ merges: 1, incomplete: 0, bypassed: 1 });
    const exported: string[] = [];
    for await (const line of store.iterateMerges({}, { as: "json" })) exported.push(line);
    expect(JSON.parse(exported[0]!)).toEqual(JSON.parse(JSON.stringify(got)));
    expect(await store.completeMerge(completed)).toEqual({ inserted: false, seq: null });
    expect(await store.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  test("completing a complete or unrecorded merge", async () => {
    const { store } = await newStore();
    await store.recordMerge(mergeInput(), null);
    expect(await store.completeMerge(mergeInput())).toEqual({ inserted: false, seq: null });
    await expect(store.completeMerge(mergeInput({ prNumber: 99 }))).rejects.toBeInstanceOf(AuditNotFoundError);
    await expect(store.completeMerge(mergeInput({ prNumber: 99 }))).rejects.toThrow(/no merge recorded for acme\/pay#99/);
  });

  test("the merges table still refuses edits other than completion", async () => {
    const { store, url } = await newStore();
    await store.recordMerge(incompleteInput(), null);
    await store.recordMerge(mergeInput({ prNumber: 43 }), null);
    const raw = await rawOn(url);
    await expect(raw.exec("UPDATE merges SET bypassed = TRUE WHERE pr_number = 43")).rejects.toThrow(/append-only/);
    await expect(raw.exec("UPDATE merges SET title = 'x' WHERE pr_number = 42")).rejects.toThrow(/append-only/);
    await expect(raw.exec("UPDATE merges SET incomplete = FALSE, pr_number = 44 WHERE pr_number = 42")).rejects.toThrow(/append-only/);
    await expect(raw.exec("DELETE FROM merges WHERE pr_number = 42")).rejects.toThrow(/append-only/);
  });

  test("the recovery sweep's state round-trips and is replaced", async () => {
    const { store } = await newStore();
    expect(await store.readReconcileState()).toBeNull();
    await store.writeReconcileState({ lastSweepStartedAt: "2026-04-01T12:00:00.000Z", redelivered: ["a"] });
    await store.writeReconcileState({ lastSweepStartedAt: "2026-04-01T12:05:00.000Z", redelivered: ["a", "b"], lastDeliveryId: 12 });
    expect(await store.readReconcileState()).toEqual({
      lastSweepStartedAt: "2026-04-01T12:05:00.000Z",
      redelivered: ["a", "b"],
      lastDeliveryId: 12,
    });
  });
});
