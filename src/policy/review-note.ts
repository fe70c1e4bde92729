/**
 * The understanding note: what an approving reviewer writes to show they understood the change.
 *
 * ```
 * - [x] I can explain what this change does and why
 * - [x] I checked its failure modes and how to roll it back
 * Verified: ran the migration against a staging snapshot and read every hunk in src/billing
 * ```
 * Every configured checklist item must be ticked, and the `Verified:` statement must be at least
 * `min_note_length` characters of real content (not "LGTM" nor the template's placeholder).
 */
import { proseLines } from "./markdown-lines.js";

export interface NoteRequirements {
  checklist: string[];
  min_note_length: number;
}

export interface UnderstandingNote {
  ok: boolean;
  /** Configured items found ticked. */
  checked: string[];
  /** Configured items not ticked (or absent). */
  missing: string[];
  /** The `Verified:` statement, when present. */
  verified: string | null;
  /** Why the note does not count, one reason per problem. */
  problems: string[];
}

/** Words that say "I approve" without saying what was checked. */
const FILLER_WORDS = new Set([
  "lgtm",
  "looks",
  "look",
  "good",
  "great",
  "fine",
  "to",
  "me",
  "ok",
  "okay",
  "ship",
  "it",
  "approved",
  "approve",
  "tested",
  "verified",
  "checked",
  "reviewed",
  "all",
  "done",
  "yes",
  "sure",
  "thanks",
  "thank",
  "you",
  "nice",
  "work",
  "n/a",
  "na",
  "none",
  "nothing",
  "+1",
  "👍",
  "✅",
  "the",
  "code",
  "change",
  "changes",
  "this",
  "pr",
  "and",
  "is",
  "a",
  "it's",
  "works",
  "everything",
  "seems",
  "seem",
  "correct",
  "i",
  "have",
  "has",
  "been",
  "lgtm!",
  "as",
  "well",
]);

const VERIFIED_RE = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?verified(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(.*)$/i;
const TASK_RE = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*)$/;

/** Reads the understanding note from an approving review's body. Never throws. */
export function parseUnderstandingNote(body: string | null | undefined, req: NoteRequirements): UnderstandingNote {
  const lines = proseLines(body ?? "");
  const ticked: string[] = [];
  let verified: string | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const task = TASK_RE.exec(line);
    if (task) {
      if (task[1] !== " ") ticked.push(normalize(task[2]!));
      continue;
    }
    const v: RegExpExecArray | null = verified === null ? VERIFIED_RE.exec(line) : null;
    if (v) {
      // The statement runs on until a blank line, a task item or a heading.
      const parts: string[] = [v[1]!];
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (next.trim() === "" || TASK_RE.test(next) || /^\s*#/.test(next)) break;
        parts.push(next.trim());
        i = j;
      }
      verified = parts.join(" ").replace(/\s+/g, " ").trim();
    }
  }

  const checked: string[] = [];
  const missing: string[] = [];
  for (const item of req.checklist) {
    const want = normalize(item);
    if (ticked.some((t) => t === want || t.startsWith(want))) checked.push(item);
    else missing.push(item);
  }

  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(`checklist item${missing.length > 1 ? "s" : ""} not ticked: ${missing.map((m) => `"${m}"`).join(", ")}`);
  }
  if (verified === null) {
    problems.push("no `Verified:` statement");
  } else {
    const content = stripPlaceholders(verified);
    if (isFiller(content)) {
      problems.push(`the \`Verified:\` statement "${truncate(verified, 60)}" says nothing about what was checked`);
    } else if (content.length < req.min_note_length) {
      problems.push(
        `the \`Verified:\` statement is ${content.length} characters; at least ${req.min_note_length} are needed to say what was ` +
          `run, read or asked`,
      );
    }
  }
  return { ok: problems.length === 0, checked, missing, verified, problems };
}

/** Template placeholders (`<what you ran…>`) and HTML comments are not content. */
function stripPlaceholders(text: string): string {
  return text
    .replace(/<[^<>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function isFiller(text: string): boolean {
  const words = text
    .toLowerCase()
    .split(/[\s,.;:!?()"'`*_-]+/u)
    .filter((w) => w.length > 0);
  if (words.length === 0) return true;
  const meaningful = words.filter((w) => !FILLER_WORDS.has(w));
  // A statement of only filler words, or one distinct word repeated, carries no information.
  return meaningful.length === 0 || new Set(words).size < 3;
}

function normalize(text: string): string {
  return text
    .replace(/[*_`~]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!;:,]+$/, "")
    .toLowerCase();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The note a reviewer pastes, built from the configured checklist. */
export function noteTemplate(req: NoteRequirements): string {
  const items = req.checklist.map((item) => `- [x] ${item}`);
  return [...items, `Verified: <what you ran, read or asked, at least ${req.min_note_length} characters>`].join("\n");
}

/**
 * Why a review body is not (or may not be) its reviewer's own words, or null when it is. Anyone with
 * write access can edit another's review, so a note edited by someone else is theirs, not the
 * reviewer's; an edit GitHub cannot attribute (a deleted account) is treated the same way.
 */
export function noteEditedByOther(review: {
  user: { login: string } | null;
  lastEditedAt?: string | null;
  editedBy?: string | null;
}): string | null {
  if (!review.lastEditedAt && !review.editedBy) return null;
  const when = review.lastEditedAt ? ` (${review.lastEditedAt})` : "";
  const resubmit = "a note counts only in the reviewer's own words: the reviewer can submit a new review";
  if (!review.editedBy) return `approved with a note that was edited${when} by an account GitHub does not name; ${resubmit}`;
  if (review.user && review.editedBy.toLowerCase() === review.user.login.toLowerCase()) return null;
  return `approved with a note edited by @${review.editedBy}${when}; ${resubmit}`;
}
