/**
 * The dashboard's only way to build markup: `html` is a tagged template that escapes every
 * interpolated value unless it is already `SafeHtml`. PR titles, review notes, paths, logins and
 * tool names all come from pull requests anyone can open, so nothing reaches a page unescaped.
 *
 *   html`<td>${merge.title}</td>`        → the title as text, whatever it contains
 *   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`   → arrays are joined
 *
 * Attributes must be written double-quoted (`href="${url}"`); escaping `"` and `'` keeps a
 * value inside its attribute. Escaping does not make a URL safe to follow: the dashboard only
 * puts its own paths (built with `encodeURIComponent`) and fixed-origin links in `href`.
 */

/** Markup that is already safe: produced by `html`, or a trusted constant passed to `trustedHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text → HTML text or attribute value (double- or single-quoted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Values a template may interpolate: nested arrays are flattened; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false || value === true) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** A constant written in this codebase (the stylesheet), never data. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins fragments with a separator that is itself escaped. */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = ""): SafeHtml {
  return new SafeHtml(parts.map(render).join(render(separator)));
}
