/** Markdown in disclosure findings is shown as text: no literal `**Generated**` on a merge's page. */
import { plainText } from "../../src/dashboard/plain-text.js";

test.each([
  ["**Generated**", "Generated"],
  ["- [x] **Assisted**: I wrote this; AI helped", "Assisted: I wrote this; AI helped"],
  ["`AI-Assisted: none`", "AI-Assisted: none"],
  ["### AI usage", "AI usage"],
  ["made with *Cursor*.", "made with Cursor."],
  ["window.__xss=3 and a*b*c and 2 * 3 * 4", "window.__xss=3 and a*b*c and 2 * 3 * 4"],
  ["Co-authored-by: Claude <noreply@anthropic.com>", "Co-authored-by: Claude <noreply@anthropic.com>"],
])("%s → %s", (input, expected) => {
  expect(plainText(input)).toBe(expected);
});

describe("the incidents page's trend chart", () => {
  test("one group of bars per month from the first to the last (empty months included), one series per category", async () => {
    const { incidentTrendChart } = await import("../../src/dashboard/incidents-page.js");
    const incident = (externalId: string, startedAt: string | null, category: string | null, recordedAt = "2026-09-30T00:00:00Z") =>
      ({ externalId, startedAt, category, recordedAt, links: [] }) as unknown as Parameters<typeof incidentTrendChart>[0][number];
    const chart = String(
      incidentTrendChart(
        [
          incident("A", "2026-06-03T10:00:00Z", "agent-overreach"),
          incident("B", "2026-06-20T10:00:00Z", "agent-overreach"),
          incident("C", "2026-08-01T10:00:00Z", "shadow-ai"),
          incident("D", null, null),
        ],
        false,
      ),
    );
    expect(chart).toContain('id="chart-incidents"');
    expect(chart).toContain("4 incidents from Jun 2026 to Sep 2026, by the month they started. Most frequent: agent-overreach (2).");
    for (const label of ["Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026"]) expect(chart).toContain(`>${label}</text>`);
    expect(chart).toContain("<title>Jun 2026: 2 agent-overreach</title>");
    expect(chart).toContain("<title>Sep 2026: 1 not classified</title>");
  });
});
