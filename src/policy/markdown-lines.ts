/**
 * Markdown as a reader sees it, line by line: HTML comments removed (their text handed to a
 * callback), fenced and indented code and blockquotes marked, so that a checkbox, trailer or
 * command quoted in code, a quote or a comment never counts as the author's own words.
 * Linear in the input; used by the disclosure, understanding-note, command and incident parsers.
 */

export type LineKind = "text" | "code" | "quote";

export interface BodyLine {
  text: string;
  kind: LineKind;
  indent: number;
  /**
   * A quote line inside a GitHub alert (`> [!NOTE]`, `> [!WARNING]` …): the author's own
   * callout, not a quotation. `alert` is the line without its `>` markers ("" for the marker line).
   */
  alert?: string;
}

/** The first line of a GitHub alert block. */
export const ALERT_MARKER = /^[ \t]*(?:>[ \t]?)+\[!(?:note|tip|important|warning|caution)\][ \t]*$/i;

/**
 * Splits the body into lines with HTML comments removed. A comment never leaves a line behind,
 * so adding comments cannot change how the rest parses. Fenced code is kept verbatim (a
 * `<!--` inside code is text). Comment contents go to `onComment` for agent markers.
 */
export function visibleLines(body: string, onComment: (text: string) => void): BodyLine[] {
  const raw = body.split(/\r\n|\r|\n/);
  const out: BodyLine[] = [];
  let fence: { ch: string; len: number } | null = null;
  let inComment = false;
  let pending = "";

  for (const line of raw) {
    if (fence) {
      out.push({ text: line, kind: "code", indent: indentOf(line) });
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    let pos = 0;
    const kept: string[] = [];
    let hadComment = false;
    if (inComment) {
      const end = line.indexOf("-->");
      if (end < 0) {
        onComment(line);
        continue;
      }
      onComment(line.slice(0, end));
      inComment = false;
      hadComment = true;
      kept.push(pending);
      pos = end + 3;
    } else {
      const opened = opensFence(line);
      if (opened) {
        fence = opened;
        out.push({ text: line, kind: "code", indent: indentOf(line) });
        continue;
      }
    }
    for (;;) {
      const start = line.indexOf("<!--", pos);
      if (start < 0) {
        kept.push(line.slice(pos));
        break;
      }
      kept.push(line.slice(pos, start));
      hadComment = true;
      // CommonMark: `<!-->` and `<!--->` are complete comments.
      const end = line.indexOf("-->", start + 2);
      if (end < 0) {
        onComment(line.slice(start + 4));
        inComment = true;
        break;
      }
      onComment(line.slice(start + 4, end));
      pos = end + 3;
    }
    const text = kept.join("");
    if (inComment) {
      pending = text;
      continue;
    }
    if (hadComment && text.trim() === "") continue;
    out.push({ text, kind: "text", indent: indentOf(text) });
  }
  markIndentedCodeAndQuotes(out);
  return out;
}

function opensFence(line: string): { ch: string; len: number } | null {
  const m = /^[ \t]*(`{3,}|~{3,})(.*)$/.exec(line);
  if (!m?.[1]) return null;
  const ch = m[1][0] ?? "`";
  if (ch === "`" && (m[2] ?? "").includes("`")) return null;
  return { ch, len: m[1].length };
}

function closesFence(line: string, fence: { ch: string; len: number }): boolean {
  const m = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
  return !!m && !!m[1] && m[1][0] === fence.ch && m[1].length >= fence.len;
}

export function indentOf(line: string): number {
  let col = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " ") col++;
    else if (c === "\t") col += 4 - (col % 4);
    else break;
  }
  return col;
}

export const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
export const CHECKBOX = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?:[ \t]+(.*))?$/;
export const HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;

/**
 * Indented code: four columns in, after a blank line, outside a list (inside a list that
 * indentation nests items instead). Blockquotes: lines starting with `>`.
 */
function markIndentedCodeAndQuotes(lines: BodyLine[]): void {
  let inList = false;
  let prevBlank = true;
  let inCode = false;
  let inAlert = false;
  for (const line of lines) {
    if (line.kind !== "code" && line.text.trim() === "") inAlert = false;
    if (line.kind === "code") {
      prevBlank = false;
      inCode = false;
      continue;
    }
    if (line.text.trim() === "") {
      prevBlank = true;
      continue;
    }
    if (inCode && line.indent >= 4) {
      line.kind = "code";
      continue;
    }
    inCode = false;
    if (line.indent >= 4 && !inList && prevBlank) {
      line.kind = "code";
      inCode = true;
      prevBlank = false;
      continue;
    }
    if (/^[ \t]*>/.test(line.text)) {
      line.kind = "quote";
      if (ALERT_MARKER.test(line.text)) {
        inAlert = true;
        line.alert = "";
      } else if (inAlert) line.alert = line.text.replace(/^[ \t]*(?:>[ \t]?)+/, "");
    } else inAlert = false;
    if (LIST_ITEM.test(line.text)) inList = true;
    else if (line.indent === 0 && (prevBlank || HEADING.test(line.text))) inList = false;
    prevBlank = false;
  }
}

/** The text lines of `markdown` outside comments, code and blockquotes. */
export function proseLines(markdown: string): string[] {
  return visibleLines(markdown, () => {})
    .filter((l) => l.kind === "text")
    .map((l) => l.text);
}
