/**
 * GitHub's CODEOWNERS semantics, as a pure function of the file's text.
 *
 * Every rule below follows GitHub Docs ("About code owners"), the REST "List CODEOWNERS errors"
 * schema and behaviour observed on GitHub; docs/architecture.md lists where Countersign reads the
 * file. Where GitHub is silent the choice is named in a comment. No I/O: the loader finds and
 * reads the file, this module parses it; patterns are validated and matched in
 * codeowners-pattern.ts.
 */

import { quote, RuleIndex, splitPattern, type CompiledRule } from "./codeowners-pattern.js";

/** Where GitHub looks for CODEOWNERS on the base branch; the first that exists wins. */
export const CODEOWNERS_LOCATIONS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/**
 * GitHub: a CODEOWNERS file "must be under 3 MB"; a larger one is not loaded at all, so nobody is
 * requested. GitHub does not say which megabyte. GitHub is a Rails application, where `3.megabytes`
 * is 3 * 1024 * 1024 bytes, so we take 3 MiB = 3,145,728 bytes: a file of this size or more is
 * ignored.
 */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

/** True when GitHub would ignore a CODEOWNERS file of this many bytes (it must be under 3 MB). */
export function codeownersTooLarge(sizeBytes: number): boolean {
  return sizeBytes >= CODEOWNERS_MAX_BYTES;
}

/** One valid CODEOWNERS line: a pattern and the owners it assigns (none = ownership unset). */
export interface CodeownersRule {
  /** 1-based line number in the file. */
  line: number;
  /** The pattern exactly as written (escapes included), e.g. `/docs/`, `my\ dir/`. */
  pattern: string;
  /** `@user`, `@org/team` or email owners, in file order; empty when the rule unsets ownership. */
  owners: string[];
}

/** A line GitHub would skip, with the reason; the rest of the file still applies. */
export interface CodeownersError {
  /** 1-based; 0 when the whole file is ignored (too large). */
  line: number;
  message: string;
}

/** The owners of one path: those of the last matching rule, and that rule's line. */
export interface CodeownersMatch {
  owners: string[];
  /** Line of the last matching rule; null when no rule matches. */
  line: number | null;
}

/** A parsed CODEOWNERS file. */
export interface Codeowners {
  /** Valid rules in file order. */
  rules: CodeownersRule[];
  /** Skipped lines in file order. */
  errors: CodeownersError[];
  /**
   * Owners of a repository-relative path (`src/app.ts`, no leading slash): the last matching
   * rule wins; `{ owners: [], line }` when that rule has no owners, `{ owners: [], line: null }`
   * when nothing matches.
   */
  ownersOf(path: string): CodeownersMatch;
}

/**
 * Parses CODEOWNERS text with GitHub's semantics. Never throws: lines GitHub rejects (`!`
 * negation, unescaped `[` `]`, `\#…` patterns, `/` alone, owners that are not `@user`,
 * `@org/team` or an email) are skipped and listed in `errors` with their line number. A file of
 * 3 MB or more is ignored whole, as GitHub does: no rules, one error on line 0.
 */
export function parseCodeowners(text: string): Codeowners {
  const size = utf8Length(text);
  if (codeownersTooLarge(size)) {
    const message = `${size} bytes: GitHub ignores CODEOWNERS files of 3 MB or more, so nobody owns anything`;
    return { rules: [], errors: [{ line: 0, message }], ownersOf: () => ({ owners: [], line: null }) };
  }
  const rules: CodeownersRule[] = [];
  const errors: CodeownersError[] = [];
  const compiled: CompiledRule[] = [];
  const index = new RuleIndex();

  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const tokens = tokenizeLine(lines[i]!);
    if (tokens.length === 0) continue;
    const patternToken = tokens[0]!;

    const invalid = splitPattern(patternToken);
    if (invalid !== null) {
      errors.push({ line: lineNo, message: invalid });
      continue;
    }

    const owners: string[] = [];
    let badOwner: string | null = null;
    for (let t = 1; t < tokens.length; t++) {
      const owner = tokens[t]!;
      if (!isOwner(owner)) {
        badOwner = owner;
        break;
      }
      if (!owners.includes(owner)) owners.push(owner);
    }
    // GitHub reports an unparseable owner as "Invalid owner"; per its docs invalid lines are skipped whole.
    if (badOwner !== null) {
      errors.push({
        line: lineNo,
        message:
          `Invalid owner ${quote(badOwner)} for pattern ${quote(patternToken)}: an owner must be ` +
          "@user, @org/team or an email address. The line is skipped.",
      });
      continue;
    }

    // splitPattern's result is still in its scratch state: checking owners does not touch it.
    const position = rules.length;
    rules.push({ line: lineNo, pattern: patternToken, owners });
    compiled.push(index.add(position, patternToken));
  }

  return {
    rules,
    errors,
    ownersOf(path: string): CodeownersMatch {
      const found = index.lastMatch(normalizePath(path), compiled);
      if (found < 0) return { owners: [], line: null };
      const rule = rules[found]!;
      return { owners: rule.owners.slice(), line: rule.line };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Lines and owners

/**
 * Splits one line into the pattern token and owner tokens. Splits on unescaped whitespace
 * (a `\ ` stays in the pattern); a token starting with `#` opens a comment to the end of the line
 * (whole-line comments, and GitHub's inline `*.js @js-owner #comment`). A trailing `\r` (CRLF) is
 * whitespace like any other.
 */
function tokenizeLine(line: string): string[] {
  const tokens: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    // A `#` only opens a comment at the start of a token; inside a pattern (`a#b`) it is literal.
    if (line.charCodeAt(i) === 0x23 /* # */) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) {
      // A backslash escapes the next character, which keeps an escaped space inside the token.
      i += line.charCodeAt(i) === 0x5c /* \ */ && i + 1 < n ? 2 : 1;
    }
    tokens.push(line.slice(start, i));
  }
  return tokens;
}

function isSpace(code: number): boolean {
  // space, \t, \r, \v, \f
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0b || code === 0x0c;
}

const USER_OWNER = /^@[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TEAM_OWNER = /^@[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const EMAIL_OWNER = /^[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+$/;

/** `@user` (EMU logins carry `_shortcode`), `@org/team`, or an email address. */
function isOwner(token: string): boolean {
  return USER_OWNER.test(token) || TEAM_OWNER.test(token) || EMAIL_OWNER.test(token);
}

/** True for an `@org/team` owner token (as opposed to a user or an email). */
export function isTeamOwner(owner: string): boolean {
  return TEAM_OWNER.test(owner);
}

function normalizePath(path: string): string {
  let start = 0;
  while (start < path.length && path.charCodeAt(start) === 0x2f /* / */) start++;
  return start === 0 ? path : path.slice(start);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The UTF-8 encoded length of `text`, without encoding it (lone surrogates count as U+FFFD). */
function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length; // the common case, without a loop
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
