/**
 * Disclosure steps 2–3: the PR body read as lines (HTML comments kept aside for agent markers,
 * code and blockquotes never answer), then the AI section's single checked box, answer lines
 * (`AI-Assisted: …`), free text, trailers on their own line, and body evidence.
 */
import { CHECKBOX, HEADING, LIST_ITEM, visibleLines } from "../markdown-lines.js";
import type { Context } from "./context.js";
import { addProseAnswers } from "./prose-answers.js";
import { readBlock, readProse, type ProseLine } from "./prose.js";
import { capped, clip, firstWord, isUnchosenList, levelOfBoxText, levelOfWord, toolsOf, TITLE_MAX, union } from "./text.js";
import { readTrailer, scanComment, scanPhrases, TRAILER_LINE } from "./trailers.js";

/** Deeper nesting of AI sections is not a template anyone writes; the cap bounds the work per line. */
export const SECTION_DEPTH_MAX = 32;
export const SECTION_PROSE_MAX = 20_000;
/** Boxes this many lines apart belong to one group of choices. */
const BOX_GROUP_SPAN = 4;
/** Templates hold a handful of boxes; reading at most this many as sentences bounds the work. */
const BOXES_READ_MAX = 100;

export interface Section {
  kind: "heading" | "summary" | "list";
  /** Heading level, or the parent list item's indent. */
  level: number;
  /** Open `<details>` elements around a summary section. */
  details: number;
  checked: { text: string; line: number }[];
  /** Some box (checked or not) names a level: the section offers a disclosure choice. */
  offersChoice: boolean;
  prose: string[];
  proseChars: number;
}

export const ANSWER_LINE = new RegExp(
  "^[ \\t]*(?:[-*+][ \\t]+)?(?:\\*\\*|__)?(ai[ \\t-]*assist(?:ed|ance)?|ai[ \\t-]*(?:usage[ \\t-]*|" +
    "use[ \\t-]*)?disclosure|ai[ \\t-]*usage|ai[ \\t-]*used?|ki[ \\t-]*unterst(?:ü|ue)tzung|" +
    "uso[ \\t]+de[ \\t]+(?:la[ \\t]+)?ia|utilisation[ \\t]+de[ \\t]+l['’][ \\t]*ia|ai[ \\t]*使用|" +
    "ai[ \\t]*사용)(?:\\*\\*|__)?[ \\t]*[:：][ \\t]*(.*)$",
  "iu",
);
export const TOOLS_LINE = /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?ai[ \t-]*tools?(?:[ \t]+used)?(?:\*\*|__)?[ \t]*[:：][ \t]*(.*)$/iu;
export const SPONSOR_LINE = new RegExp(
  "^[ \\t]*(?:[-*+][ \\t]+)?(?:\\*\\*|__)?sponsor(?:\\*\\*|__)?[ \\t]*[:：][ \\t]*(?:\\*\\*|" + "__)?@([A-Za-z0-9][A-Za-z0-9-]{0,38})",
  "i",
);

export function readBody(body: string, ctx: Context): void {
  const lines = visibleLines(body, (comment) => scanComment(comment, ctx));
  const stack: Section[] = [];
  const sections: Section[] = [];
  const proseLines: ProseLine[] = [];
  const boxes: { text: string; line: number; section: Section | null; ticked: boolean }[] = [];
  const lineProblems = new Map<number, string>();

  for (const [index, line] of lines.entries()) {
    ctx.currentLine = index;
    const { text } = line;
    const blank = text.trim() === "";
    if (line.kind === "code") continue;
    if (line.kind === "quote") {
      endListSections(stack, line.indent);
      // A GitHub alert (`> [!NOTE]`) is the author's own callout: its prose is read, nothing else.
      if (line.alert) proseLines.push({ text: line.alert, line: index });
      continue;
    }
    if (blank) continue;

    // Section bookkeeping: which AI section (if any) this line belongs to.
    const heading = HEADING.exec(text);
    const headingLevel = heading?.[1]?.length ?? 0;
    if (headingLevel > 0) truncateAt(stack, (s) => (s.kind === "heading" && s.level >= headingLevel) || s.kind === "list");
    else endListSections(stack, line.indent);
    const lower = capped(text).toLowerCase();
    if (lower.includes("details")) updateDetails(stack, lower);

    const box = CHECKBOX.exec(text);
    let startsSection: Section | null = null;
    if (headingLevel > 0) {
      const title = stripHeading(text);
      if (namesAiSection(title)) startsSection = newSection("heading", headingLevel);
    } else if (lower.includes("<summary")) {
      const title = summaryText(text);
      if (title !== null && namesAiSection(title)) startsSection = newSection("summary", 0);
    } else if (!box) {
      const item = LIST_ITEM.exec(text);
      if (item && namesAiSection(item[1] ?? "")) startsSection = newSection("list", line.indent);
    }

    const top = stack[stack.length - 1];
    const ticked = box !== null && (box[1] === "x" || box[1] === "X");
    if (box) boxes.push({ text: (box[2] ?? "").trim(), line: index, section: top ?? null, ticked });
    if (box && top) {
      const boxText = (box[2] ?? "").trim();
      if (ticked) top.checked.push({ text: boxText, line: index });
      if (!top.offersChoice && levelOfBoxText(boxText) !== null) top.offersChoice = true;
    } else if (top && !startsSection && top.proseChars < SECTION_PROSE_MAX) {
      top.prose.push(text);
      top.proseChars += text.length;
    }
    if (startsSection && stack.length < SECTION_DEPTH_MAX) {
      stack.push(startsSection);
      sections.push(startsSection);
    }

    // Lines that answer or show evidence on their own. Checkboxes only count inside a section.
    if (box) continue;
    const read = readBodyLine(text, ctx);
    if (read === true) continue;
    if (typeof read === "string") lineProblems.set(index, read);
    proseLines.push({ text, line: index });
  }

  for (const section of sections) readSection(section, ctx);
  const isBlank = (i: number): boolean => {
    const l = lines[i];
    if (l?.alert !== undefined) return l.alert.trim() === "";
    return l?.kind !== "text" || l.text.trim() === "";
  };
  const findings = readProse(proseLines, isBlank, ctx);
  // A ticked box that is not a level choice reads as a sentence: in an AI section ("[x] I wrote this
  // code myself"), or beside other boxes about AI ("[x] AI was not used" / "[ ] AI was used for …").
  // A lone checklist item elsewhere is not a disclosure.
  let boxesRead = 0;
  for (const [i, box] of boxes.entries()) {
    if (!box.ticked || box.section?.offersChoice) continue;
    if (++boxesRead > BOXES_READ_MAX) break;
    // Boxes are in line order, one per line: the neighbours within the span are a few entries away.
    const near = boxes.slice(Math.max(0, i - BOX_GROUP_SPAN), i + BOX_GROUP_SPAN + 1);
    const aboutAi = (b: (typeof boxes)[number]): boolean =>
      b !== box && Math.abs(b.line - box.line) <= BOX_GROUP_SPAN && AI_WORD.test(capped(b.text).toLowerCase());
    const group = box.section !== null || near.some(aboutAi);
    if (!group) continue;
    const finding = readBlock({ text: box.text, line: box.line, ai: box.section !== null }, ctx);
    if (finding) findings.push(finding);
  }
  addProseAnswers(findings, ctx, "body", undefined);
  for (const [line, problem] of lineProblems) if (!findings.some((f) => f.line === line)) ctx.problem(problem);
  // Report body answers in the order they appear.
  ctx.answers.sort((a, b) => (ctx.answerLine.get(a) ?? 0) - (ctx.answerLine.get(b) ?? 0));
  const listed = [...ctx.listedTools];
  for (const answer of ctx.answers) {
    if (answer.where === "body" && answer.level !== "none") answer.tools = [...new Set([...answer.tools, ...listed])].sort();
  }
}

export function newSection(kind: Section["kind"], level: number): Section {
  return { kind, level, details: kind === "summary" ? 1 : 0, checked: [], offersChoice: false, prose: [], proseChars: 0 };
}

/** Removes the lowest section that `ends` and everything nested above it. */
export function truncateAt(stack: Section[], ends: (s: Section) => boolean): void {
  const i = stack.findIndex(ends);
  if (i >= 0) stack.length = i;
}

/** A non-blank line at or left of a parent list item's indent ends that item. */
export function endListSections(stack: Section[], indent: number): void {
  truncateAt(stack, (s) => s.kind === "list" && indent <= s.level);
}

export function updateDetails(stack: Section[], lower: string): void {
  const opens = countOf(lower, "<details");
  const closes = countOf(lower, "</details");
  if (opens === 0 && closes === 0) return;
  for (const s of stack) if (s.kind === "summary") s.details += opens - closes;
  truncateAt(stack, (s) => s.kind === "summary" && s.details <= 0);
}

export function countOf(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

export function stripHeading(text: string): string {
  let t = text
    .slice(0, TITLE_MAX)
    .trim()
    .replace(/^#{1,6}/, "");
  t = t.replace(/[ \t]#+[ \t]*$/, "");
  return t.trim();
}

export function summaryText(text: string): string | null {
  const lower = text.toLowerCase();
  const open = lower.indexOf("<summary");
  if (open < 0) return null;
  const gt = lower.indexOf(">", open);
  if (gt < 0) return null;
  const close = lower.indexOf("</summary", gt);
  const inner = text.slice(gt + 1, close < 0 ? Math.min(text.length, gt + 1 + TITLE_MAX) : close).slice(0, TITLE_MAX);
  return inner.replace(/<[^<>]{0,200}>/g, " ").trim();
}

export const AI_WORD =
  /(?:^|[^\p{L}\p{N}])(?:ai|a\.i\.|genai|gen-ai|llms?|ki|ia|artificial intelligence)(?:$|[^\p{L}\p{N}])|ai使用|ai 사용/u;
export const AI_PURPOSE = new RegExp(
  "assist|disclos|usage|\\buse\\b|\\bused\\b|\\busing\\b|generat|\\btools?\\b|tooling|involvement|\\bhelp|" +
    "unterstützung|nutzung|\\buso\\b|utilisation|使用|사용|declar",
  "u",
);

/**
 * A heading, `<summary>` or parent list item names an AI section when it names AI and its use
 * or disclosure. "Checklist" headings (Apache Fory's multi-box "AI Contribution Checklist") are
 * review checklists, not a single choice.
 */
export function namesAiSection(title: string): boolean {
  const t = title.slice(0, TITLE_MAX).toLowerCase().replace(/[*_`]/g, "");
  if (!AI_WORD.test(t)) return false;
  if (t.includes("checklist")) return false;
  return t.includes("generative ai") || AI_PURPOSE.test(t);
}

export function readSection(section: Section, ctx: Context): void {
  // A feature heading such as "AI usage metrics" with a task list is not a disclosure choice.
  if (!section.offersChoice) return;
  if (section.checked.length >= 2) {
    ctx.invalidSection = true;
    ctx.problem(`${section.checked.length} boxes are checked in the AI disclosure section; check exactly one`);
    return;
  }
  const box = section.checked[0];
  if (box === undefined) return;
  const text = box.text;
  const level = levelOfBoxText(text);
  if (!level) {
    ctx.problem(
      `The checked box in the AI disclosure section ("${clip(text, 80)}") does not name a level; check None, Assisted, Generated or Agent`,
    );
    return;
  }
  const tools = level === "none" ? [] : union(toolsOf(text, ctx, true), ...section.prose.map((p) => toolsOf(p, ctx, true)));
  ctx.addAnswer({ level, source: "section", where: "body", tools, text: clip(text) }, box.line);
}

/**
 * One visible, non-checkbox body line: answer lines, trailers, signatures, sponsor. Returns true
 * when the line is read, a problem when it looks like an answer but is not one (prose may still
 * read it), false when it is left to the prose reader.
 */
export function readBodyLine(text: string, ctx: Context): boolean | string {
  if (ctx.sponsor === null && /sponsor/i.test(text.slice(0, 100))) {
    const m = SPONSOR_LINE.exec(text);
    if (m?.[1]) ctx.sponsor = m[1];
  }

  const tools = TOOLS_LINE.exec(text);
  if (tools) {
    for (const t of toolsOf(tools[1] ?? "", ctx)) ctx.listedTools.add(t);
    return true;
  }

  const answer = ANSWER_LINE.exec(text);
  if (answer) {
    // `**AI disclosure:** This PR was written primarily by Claude Code.` is left to the prose reader.
    const value = answer[2] ?? "";
    if (value.trim() === "" || /^[*_`\s]*$/.test(value)) return false; // a label whose answer may follow
    if (isUnchosenList(value.trim())) {
      ctx.problem(`"${clip(text.trim(), 80)}" lists several choices; keep exactly one`);
      return true;
    }
    return readAnswerValue(text, value, ctx) ?? true;
  }

  const trailer = TRAILER_LINE.exec(text);
  if (trailer) {
    const key = (trailer[1] ?? "").toLowerCase();
    const value = (trailer[2] ?? "").trim();
    if (readTrailer(key, value, text, ctx, "body", undefined)) return true;
  }

  const lower = capped(text).toLowerCase();
  if (scanPhrases(lower, text, ctx, "body", undefined)) return true;
  return false;
}

/** Reads an answer line's value; returns a problem when the value is not an answer. */
export function readAnswerValue(line: string, rawValue: string, ctx: Context): string | null {
  const value = rawValue.trim();
  if (value === "" || /^[*_`\s]*$/.test(value)) return null; // an unfilled template line
  const word = firstWord(value);
  const level = levelOfWord(word);
  if (!level) return `"${clip(line.trim(), 80)}" is not a recognised answer; write none, assisted, generated or agent`;
  const rest = value.slice(value.toLowerCase().indexOf(word) + word.length);
  ctx.addAnswer({ level, source: "line", where: "body", tools: level === "none" ? [] : toolsOf(rest, ctx, true), text: clip(line.trim()) });
  return null;
}
