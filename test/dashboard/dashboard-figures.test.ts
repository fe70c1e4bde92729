/** The overview's weekly series, counted in one pass, agree with the store's report week by week. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { loadFigures, weekStartOf } from "../../src/dashboard/dashboard-figures.js";
import { SEED_NOW, seedAuditTrail } from "./support/seed-audit.js";

let store: AuditStore;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-figures-"));
  store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`);
  await seedAuditTrail(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("weeks start on Monday, UTC", () => {
  expect(weekStartOf(new Date("2026-11-20T15:00:00Z")).toISOString()).toBe("2026-11-16T00:00:00.000Z");
  expect(weekStartOf(new Date("2026-11-16T00:00:00Z")).toISOString()).toBe("2026-11-16T00:00:00.000Z");
  expect(weekStartOf(new Date("2026-11-22T23:59:59Z")).toISOString()).toBe("2026-11-16T00:00:00.000Z");
});

test.each([{}, { team: "@acme/payments" }, { repo: "acme/infra" }])(
  "each week matches report() for that week (scope %j)",
  async (filter) => {
    const figures = await loadFigures(store, { now: SEED_NOW, filter });
    expect(figures.weeks).toHaveLength(26);
    expect(figures.since).toBe("2026-05-25");
    expect(figures.countedFrom).toBeNull();
    for (const week of figures.weeks) {
      const { total } = await store.report({ ...filter, since: week.weekStart, until: week.weekEnd }, []);
      expect(week).toEqual({
        ...week,
        merges: total.merges,
        aiAssisted: total.aiAssisted,
        bypassed: total.bypassed,
        exceptions: total.exceptions,
      });
      // The report rounds shares to 4 decimals.
      if (total.aiAssistedShare === null) expect(week.aiAssistedShare).toBeNull();
      else expect(week.aiAssistedShare).toBeCloseTo(total.aiAssistedShare, 4);
    }
    expect(figures.weeks.reduce((n, w) => n + w.merges, 0)).toBe(figures.total.merges);
    expect(figures.weeks.some((w) => w.bypassed > 0)).toBe(Object.keys(filter).length === 0 || figures.total.bypassed > 0);
  },
);

test("past the counting cap the oldest weeks are marked incomplete", async () => {
  const figures = await loadFigures(store, { now: SEED_NOW, maxCounted: 20 });
  expect(figures.countedFrom).toMatch(/^2026-1[01]-\d\d$/);
  expect(figures.weeks.reduce((n, w) => n + w.merges, 0)).toBe(20);
});
