/**
 * A line of pull-request markdown as recorded in a disclosure finding (`- [x] **Generated**: …`,
 * `` `AI-Assisted: none` ``) shown as the text it renders to, without literal asterisks or list
 * markers. Conservative: emphasis is removed only where it starts after a space or punctuation
 * and ends before one, as markdown reads it (`window.__x` stays as written). The dashboard escapes
 * the result like any other text.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/^\s{0,3}(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/gm, "")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/(^|[\s([{"'])(\*\*|\*)(?=\S)([^*\n]*?\S)\2(?=$|[\s.,;:!?)\]}"'])/gm, "$1$3")
    .replace(/(^|[\s([{"'])`([^`\n]+)`/gm, "$1$2");
}
