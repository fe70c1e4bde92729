/**
 * Inline SVG charts, rendered on the server. Each is a <figure> whose SVG is `role="img"` with a
 * <title> and a <desc> summarising it in words, whose bars carry their exact numbers in <title>
 * (hover), and which is followed by the same numbers as a table (the text alternative for screen
 * readers and for copying). Colours are never the only carrier of meaning: every series is named
 * in a legend and in the table.
 */
import { html, joinHtml, type SafeHtml } from "./html.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Colours with at least 3:1 against white (WCAG 1.4.11, non-text contrast). */
export const CHART_COLORS = { blue: "#0969da", red: "#cf222e", purple: "#6639ba", axis: "#57606a", grid: "#d0d7de" } as const;
/** More series colours, same contrast rule, for charts with many series (categories). */
export const SERIES_COLORS = ["#0969da", "#cf222e", "#6639ba", "#1a7f37", "#9a6700", "#bf3989", "#57606a"] as const;

export interface Series {
  label: string;
  color: string;
  values: readonly (number | null)[];
  /** The bar's tooltip, per category. */
  describe: (index: number) => string;
}

export interface WeeklyChartInput {
  id: string;
  title: string;
  /** One or two sentences: what the chart shows and its headline numbers. */
  summary: string;
  /** Week starts, `YYYY-MM-DD`. */
  weeks: readonly string[];
  series: readonly Series[];
  /** Values are fractions 0..1 shown as percentages. */
  percent?: boolean;
  /** Table columns after the week: header and cell per week. */
  table: { headers: readonly string[]; rows: readonly (readonly (string | number)[])[] };
  /** Other categories than weeks (e.g. months, `YYYY-MM`): their name, axis label and label spacing. */
  axis?: { name: string; label: (key: string) => string; every: number };
}

const W = 720;
const H = 230;
const M = { left: 46, right: 10, top: 14, bottom: 40 };

/** "Jun 1" from `2026-06-01`. */
/** `2026-06` → `Jun 2026`. */
export function monthLabel(month: string): string {
  const [, y, m] = /^(\d{4})-(\d{2})$/.exec(month) ?? [];
  return y && m ? `${MONTHS[Number(m) - 1]} ${y}` : month;
}

export function shortDate(day: string): string {
  const [, , m, d] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) ?? [];
  return m && d ? `${MONTHS[Number(m) - 1]} ${Number(d)}` : day;
}

export function formatPercent(share: number | null, digits = 0): string {
  return share === null ? "—" : `${(share * 100).toFixed(digits)}%`;
}

/** The smallest of 1, 2, 5 × 10^k (at least `floor`) that is ≥ max. */
export function niceMax(max: number, floor = 4): number {
  const target = Math.max(max, floor);
  const exp = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 5, 10]) if (step * exp >= target) return step * exp;
  return 10 * exp;
}

export function weeklyBarChart(input: WeeklyChartInput): SafeHtml {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const all = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yMax = input.percent ? 1 : niceMax(Math.max(0, ...all));
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const slot = plotW / Math.max(1, input.weeks.length);
  const barW = (slot * 0.72) / input.series.length;
  // Whole-number ticks for counts: niceMax gives 5, 10, 20, 50…, split in 5 (or 4 for 2×10^k).
  const steps = input.percent || String(yMax).startsWith("2") ? 4 : 5;
  const ticks = Array.from({ length: steps + 1 }, (_, i) => (i / steps) * yMax);
  const label = (v: number) => (input.percent ? `${Math.round(v * 100)}%` : String(Math.round(v * 100) / 100));

  const grid = ticks.map((t) => {
    const ty = y(t).toFixed(1);
    const line = html`<line x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}" stroke="${CHART_COLORS.grid}" stroke-width="1"/>`;
    return html`${line}
      <text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${label(t)}</text>`;
  });
  const axis = input.axis ?? { name: "Week starting (UTC)", label: shortDate, every: 4 };
  const xLabels = input.weeks.map((week, i) =>
    // Every fourth week, and the last one when it does not crowd the label before it.
    i % axis.every === 0 || (i === input.weeks.length - 1 && i % axis.every >= 2)
      ? html`<text x="${(M.left + slot * i + slot / 2).toFixed(1)}" y="${
          H - M.bottom + 16
        }" text-anchor="middle" class="tick">${axis.label(week)}</text>`
      : null,
  );
  const bars = input.weeks.map((_, i) =>
    input.series.map((s, j) => {
      const v = s.values[i] ?? null;
      if (v === null) return null;
      const x = M.left + slot * i + slot * 0.14 + barW * j;
      const top = y(v);
      // A zero still gets a hairline so "none that week" is visible and has a tooltip.
      const height = Math.max(1, M.top + plotH - top);
      const barY = (M.top + plotH - height).toFixed(1);
      const barH = height.toFixed(1);
      const tip = html`<title>${s.describe(i)}</title>`;
      return html`<rect x="${x.toFixed(1)}" y="${barY}" width="${barW.toFixed(1)}" height="${barH}" fill="${s.color}">${tip}</rect>`;
    }),
  );
  const swatch = (color: string) => {
    const rect = html`<rect width="12" height="12" fill="${color}"/>`;
    return html`<svg class="swatch" width="12" height="12" aria-hidden="true" focusable="false">${rect}</svg>`;
  };
  const legend =
    input.series.length > 1 ? html`<ul class="legend">${input.series.map((s) => html`<li>${swatch(s.color)} ${s.label}</li>`)}</ul>` : null;
  const labelledBy = `${input.id}-t ${input.id}-d`;

  return html`<figure class="chart" id="${input.id}">
  <figcaption><h3>${input.title}</h3><p>${input.summary}</p></figcaption>
  ${legend}
  <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${labelledBy}" focusable="false" preserveAspectRatio="xMidYMid meet">
    <title id="${input.id}-t">${input.title}</title>
    <desc id="${input.id}-d">${input.summary}</desc>
    ${grid}
    <line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="${CHART_COLORS.axis}" stroke-width="1"/>
    ${bars}
    ${xLabels}
    <text x="${M.left + plotW / 2}" y="${H - 6}" text-anchor="middle" class="tick">${axis.name}</text>
  </svg>
  ${dataTable(
    `${input.title}, by ${input.axis ? "month" : "week"}`,
    [input.axis ? "Month" : "Week starting", ...input.table.headers],
    input.weeks.map((w, i) => [w, ...(input.table.rows[i] ?? [])]),
  )}
</figure>`;
}

export interface RateRow {
  label: string;
  numerator: number;
  denominator: number;
  rate: number | null;
}

export interface RateChartInput {
  id: string;
  title: string;
  summary: string;
  rows: readonly RateRow[];
  /** Column headers of the data table: label, numerator, denominator, rate. */
  headers: readonly [string, string, string, string];
  color?: string;
}

/** Horizontal bars, one per group, scaled to the largest rate (at least 10%). */
export function rateChart(input: RateChartInput): SafeHtml {
  const rowH = 30;
  const labelW = 180;
  const valueW = 130;
  const height = Math.max(1, input.rows.length) * rowH + 20;
  const plotW = W - labelW - valueW - M.right;
  const xMax = Math.max(0.1, ...input.rows.map((r) => r.rate ?? 0));
  const scale = niceMax(xMax * 100, 10) / 100;
  const color = input.color ?? CHART_COLORS.red;
  const rows =
    input.rows.length === 0
      ? html`<text x="${labelW}" y="24" class="tick">No merges in this window.</text>`
      : input.rows.map((r, i) => {
          const yTop = 10 + i * rowH;
          const barW = r.rate === null ? 0 : Math.max(1, (r.rate / scale) * plotW);
          const shown = r.label.length > 24 ? `${r.label.slice(0, 23)}…` : r.label;
          const value = r.rate === null ? "no merges" : `${formatPercent(r.rate, 1)} (${r.numerator} of ${r.denominator})`;
          const tip = html`<title>${r.label}: ${value}</title>`;
          return html`<g>
      <text x="${labelW - 8}" y="${yTop + 17}" text-anchor="end" class="label">${shown}<title>${r.label}</title></text>
      <rect x="${labelW}" y="${yTop + 4}" width="${barW.toFixed(1)}" height="${rowH - 10}" fill="${color}">${tip}</rect>
      <text x="${(labelW + barW + 6).toFixed(1)}" y="${yTop + 17}" class="label">${value}</text>
    </g>`;
        });
  return html`<figure class="chart" id="${input.id}">
  <figcaption><h3>${input.title}</h3><p>${input.summary}</p></figcaption>
  <svg viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d" focusable="false">
    <title id="${input.id}-t">${input.title}</title>
    <desc id="${input.id}-d">${input.summary}</desc>
    <line x1="${labelW}" x2="${labelW}" y1="4" y2="${height - 6}" stroke="${CHART_COLORS.axis}" stroke-width="1"/>
    ${rows}
  </svg>
  ${dataTable(
    input.title,
    input.headers,
    input.rows.map((r) => [r.label, r.numerator, r.denominator, formatPercent(r.rate, 1)]),
  )}
</figure>`;
}

function dataTable(caption: string, headers: readonly string[], rows: readonly (readonly (string | number)[])[]): SafeHtml {
  const cell = (c: string | number) => html`<td class="num">${c}</td>`;
  const bodyRows = rows.map(([first, ...rest]) => html`<tr><th scope="row">${first}</th>${joinHtml(rest.map(cell))}</tr>`);
  return html`<details class="data">
    <summary>Show the numbers as a table</summary>
    <table>
      <caption>${caption}</caption>
      <thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${bodyRows}</tbody>
    </table>
  </details>`;
}
