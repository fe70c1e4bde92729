/**
 * Accessibility checks run inside the page, where Chromium computes the styles: labelled form
 * controls, tables with captions and scoped headers, charts with a text alternative, one h1, and
 * WCAG AA text contrast (4.5:1, 3:1 for large text) on every visible text node, SVG text included.
 * The in-page code is plain JavaScript source: the project compiles without the DOM library.
 */
import type { Page } from "playwright-core";

const AUDIT = `(() => {
  const problems = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ' "' + (el.textContent || "").trim().slice(0, 40) + '"';

  if (document.documentElement.lang !== "en") problems.push("html has no lang");
  if (!document.title.trim()) problems.push("page has no title");
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push("expected one h1, found " + h1s);
  if (!document.querySelector("main")) problems.push("no main landmark");

  for (const el of document.querySelectorAll("input:not([type=hidden]):not([hidden]), select, textarea")) {
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
      problems.push("unlabelled control " + el.name);
    }
    for (const id of (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(el.name + ": aria-describedby points at missing #" + id);
    }
  }
  for (const table of document.querySelectorAll("table")) {
    if (!(table.caption && table.caption.textContent.trim())) problems.push("table without caption near " + describe(table.parentElement));
    for (const th of table.querySelectorAll("th")) if (!th.getAttribute("scope")) problems.push("th without scope: " + describe(th));
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.getAttribute("role") === "img") {
      const ids = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
      const figure = svg.closest("figure");
      const described = ids.length >= 2 && ids.every((id) => document.getElementById(id) && document.getElementById(id).textContent.trim());
      if (!described) problems.push("chart without title and description: " + (figure && figure.id));
      if (!(figure && figure.querySelector("table"))) problems.push("chart without a data table: " + (figure && figure.id));
    } else if (svg.getAttribute("aria-hidden") !== "true") {
      problems.push("an svg that is neither role=img nor aria-hidden");
    }
  }

  const parse = (css) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(css);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const luminance = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x, y) => {
    const a = luminance(x), b = luminance(y);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  let checked = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("title, option, style, script")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right < 0 || rect.bottom < 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const fg = parse(el instanceof SVGElement ? style.fill : style.color);
    if (!fg) continue;
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    const contrast = ratio(fg, background(el));
    checked += 1;
    if (contrast < (large ? 3 : 4.5)) problems.push("contrast " + contrast.toFixed(2) + ":1 for " + describe(el));
  }
  if (checked === 0) problems.push("no visible text was checked");
  return problems;
})()`;

export async function auditPage(page: Page): Promise<string[]> {
  return (await page.evaluate(AUDIT)) as string[];
}

export interface FocusedElement {
  tag: string;
  name: string;
  text: string;
  /** A focus ring of 2px or more is drawn. */
  outline: boolean;
}

const FOCUSED = `(() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    name: el.getAttribute("name") || el.id || "",
    text: (el.textContent || "").trim().slice(0, 60),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
})()`;

export async function focusedElement(page: Page): Promise<FocusedElement> {
  return (await page.evaluate(FOCUSED)) as FocusedElement;
}
