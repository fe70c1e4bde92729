/**
 * CODEOWNERS patterns: GitHub's validation of one pattern token, and the compiled, indexed form
 * `parseCodeowners` (codeowners.ts) matches paths with. Pure and synchronous.
 *
 * Matching is built for the webhook hot path (up to 3,000 changed paths against files of
 * thousands of rules): each rule is compiled once, rules are indexed by their literal leading
 * directories, by a literal name they float to, or by a literal extension, so for a given path
 * only a handful of rules are ever tried, from last to first.
 */
import { compileRegexSubset, type PathMatcher } from "./glob-match.js";

/** A token in double quotes, for error messages. */
export function quote(s: string): string {
  return "`" + s + "`";
}

// ---------------------------------------------------------------------------------------------
// Patterns

const SKIPPED = " The line is skipped.";

/**
 * The segments of the last pattern `splitPattern` accepted, as ranges of its token. Parsing a
 * 3 MB file must not allocate per segment, so these are reused scratch arrays, read right after
 * each call (everything here is synchronous).
 */
const segStart: number[] = [];
const segEnd: number[] = [];
const segSpecial: boolean[] = [];
const shape = { first: 0, last: 0, anchored: false, dirOnly: false, escapedSlash: false };

/**
 * Validates a pattern token the way GitHub does and splits it into `/`-separated segments (into
 * the scratch arrays and `shape`). Returns why GitHub rejects the line, or null.
 */
export function splitPattern(token: string): string | null {
  // GitHub: "!" negation is not supported; such lines are reported as invalid.
  if (token.charCodeAt(0) === 0x21 /* ! */) {
    return `Invalid pattern ${quote(token)}: negation with "!" is not supported by GitHub CODEOWNERS.${SKIPPED}`;
  }
  // GitHub: "\#" cannot be used to write a pattern that starts with "#".
  if (token.startsWith("\\#")) {
    return `Invalid pattern ${quote(token)}: GitHub does not support "\\#" escapes, so a pattern cannot ` + `start with "#".${SKIPPED}`;
  }

  const n = token.length;
  let count = 0;
  let start = 0;
  let special = false;
  shape.escapedSlash = false;
  for (let i = 0; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      if (i + 1 >= n) {
        return `Invalid pattern ${quote(token)}: it ends with an unfinished "\\" escape.${SKIPPED}`;
      }
      if (token.charCodeAt(i + 1) === 0x2f /* / */) {
        // An escaped slash still separates segments: no file name contains "/".
        segStart[count] = start;
        segEnd[count] = i;
        segSpecial[count++] = special;
        special = false;
        start = i + 2;
        shape.escapedSlash = true;
      } else {
        special = true;
      }
      i++;
    } else if (c === 0x5b /* [ */ || c === 0x5d /* ] */) {
      // GitHub: character ranges are not supported; both "[" and "]" must be escaped with "\".
      return (
        `Invalid pattern ${quote(token)}: unescaped "${token[i]}" (character ranges are not supported); ` +
        `write "\\[" and "\\]" to match literal brackets.${SKIPPED}`
      );
    } else if (c === 0x2f /* / */) {
      segStart[count] = start;
      segEnd[count] = i;
      segSpecial[count++] = special;
      special = false;
      start = i + 1;
    } else if (c === 0x2a /* * */ || c === 0x3f /* ? */) {
      special = true;
    }
  }
  segStart[count] = start;
  segEnd[count] = n;
  segSpecial[count++] = special;

  let first = 0;
  let last = count - 1;
  shape.anchored = count > 1 && segEnd[0] === segStart[0];
  if (shape.anchored) first++;
  shape.dirOnly = last >= first && segEnd[last] === segStart[last];
  if (shape.dirOnly) last--;
  // GitHub: "/" alone never matches anything (its error suggests "*").
  if (last < first || (last === first && segEnd[first] === segStart[first])) {
    return `Invalid pattern ${quote(token)}: it never matches anything; did you mean \`*\`?${SKIPPED}`;
  }
  shape.first = first;
  shape.last = last;
  return null;
}

/** Segment `k` of the last split: two or more unescaped asterisks and nothing else. */
function isGlobstar(token: string, k: number): boolean {
  if (!segSpecial[k]) return false;
  const end = segEnd[k]!;
  if (end - segStart[k]! < 2) return false;
  for (let i = segStart[k]!; i < end; i++) if (token.charCodeAt(i) !== 0x2a) return false;
  return true;
}

/** All-literal anchored pattern (`/docs/`, `src/app`): `literal` is the path prefix. */
const PREFIX = 0;
/** Floating literal name (`vendor`, `build/`, or `logs` after a leading `**`): a segment equal to `literal`. */
const NAME = 1;
/** Floating `*<literal>` (`*.ts`, `*-lock.json`): a segment ending with `literal`. */
const SUFFIX = 2;
/** Anything else: a matcher built on first use, so parsing a 3 MB file compiles nothing. */
const REGEX = 3;

/** How one rule tests a path; the common shapes of real files avoid RegExps altogether. */
export interface CompiledRule {
  kind: typeof PREFIX | typeof NAME | typeof SUFFIX | typeof REGEX;
  token: string;
  literal: string;
  dirOnly: boolean;
  re: PathMatcher | null;
}

function matchRule(rule: CompiledRule, path: string): boolean {
  if (rule.kind === PREFIX) {
    const prefix = rule.literal;
    if (!path.startsWith(prefix)) return false;
    if (path.length === prefix.length) return !rule.dirOnly;
    return path.charCodeAt(prefix.length) === 0x2f /* / */ && path.length > prefix.length + 1;
  }
  if (rule.kind === NAME || rule.kind === SUFFIX) {
    const literal = rule.literal;
    for (let at = path.indexOf(literal); at >= 0; at = path.indexOf(literal, at + 1)) {
      // A name must start a segment; a suffix may follow anything within its segment.
      if (rule.kind === NAME && at > 0 && path.charCodeAt(at - 1) !== 0x2f) continue;
      const end = at + literal.length;
      if (end === path.length) {
        if (!rule.dirOnly) return true;
      } else if (path.charCodeAt(end) === 0x2f && end + 1 < path.length) {
        return true;
      }
    }
    return false;
  }
  let re = rule.re;
  if (re === null) {
    // Not a RegExp: a backtracking engine takes minutes on `**/a/**/a/**/b` against a crafted
    // path. Any character matches `.` and `?` is one code point, as in GitHub's matcher.
    re = compileRegexSubset(patternRegExp(rule.token));
    rule.re = re;
  }
  return re(path);
}

const STAR = 0;
const QMARK = 1;
/** A segment part: literal text, or `*` / `?`. */
type Part = string | typeof STAR | typeof QMARK;

interface Segment {
  /** `**`: zero or more whole directories. */
  globstar: boolean;
  /** A lone `*`: one whole segment (and, last, GitHub's "not nested files" rule). */
  loneStar: boolean;
  /** Literal runs and wildcards (escapes resolved). */
  parts: Part[];
}

const GLOBSTAR: Segment = { globstar: true, loneStar: false, parts: [] };
const LONE_STAR: Segment = { globstar: false, loneStar: true, parts: [STAR] };

/** One `/`-separated piece of a pattern, escapes resolved. */
function makeSegment(raw: string): Segment {
  // git: a segment of two or more unescaped asterisks is "**"; `a**b` is just `a*b`.
  if (/^\*+$/.test(raw)) return raw.length === 1 ? LONE_STAR : GLOBSTAR;
  const parts: Part[] = [];
  let text = "";
  let runStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      text += raw.slice(runStart, i) + raw[i + 1];
      i++;
      runStart = i + 1;
    } else if (c === 0x2a /* * */ || c === 0x3f /* ? */) {
      text += raw.slice(runStart, i);
      runStart = i + 1;
      if (text !== "") parts.push(text);
      text = "";
      // Consecutive stars inside a segment match like one.
      if (c === 0x3f) parts.push(QMARK);
      else if (parts[parts.length - 1] !== STAR) parts.push(STAR);
    }
  }
  text += raw.slice(runStart);
  if (text !== "") parts.push(text);
  return { globstar: false, loneStar: false, parts };
}

/** The RegExp source for a pattern GitHub accepts (gitignore rules plus GitHub's lone-`*` rule). */
function patternRegExp(token: string): string {
  splitPattern(token);
  const segments: Segment[] = [];
  for (let k = shape.first; k <= shape.last; k++) {
    const seg = makeSegment(token.slice(segStart[k], segEnd[k]));
    // `**/**` is one `**`.
    if (!(seg.globstar && segments[segments.length - 1]?.globstar)) segments.push(seg);
  }
  const dirOnly = shape.dirOnly;
  // gitignore: a slash at the start or in the middle anchors to the root; otherwise the pattern floats.
  if (!shape.anchored && segments.length === 1 && !segments[0]!.globstar) segments.unshift(GLOBSTAR);

  const n = segments.length;
  let re = "^";
  let needSlash = false;
  for (let i = 0; i < n; i++) {
    const seg = segments[i]!;
    if (seg.globstar) {
      if (i === 0 && n === 1) {
        re += ".+";
        needSlash = true;
      } else if (i === 0) {
        // Leading "**/": any depth, including the root.
        re += "(?:.+/)?";
        needSlash = false;
      } else if (i === n - 1 && !dirOnly) {
        // Trailing "/**": everything inside, not the directory itself.
        re += "/.+";
        needSlash = true;
      } else {
        // Middle "/**/": zero or more directories.
        re += "(?:/.+)?";
        needSlash = true;
      }
      continue;
    }
    if (needSlash) re += "/";
    needSlash = true;
    if (seg.loneStar) {
      re += "[^/]+";
      continue;
    }
    for (const part of seg.parts) {
      if (part === STAR) re += "[^/]*";
      else if (part === QMARK) re += "[^/]";
      else re += escapeRegExp(part);
    }
  }

  const last = segments[n - 1]!;
  if (dirOnly) {
    // Trailing "/": directories only, so only paths strictly under a matching directory.
    re += "/.+";
  } else if (last.globstar) {
    // Already covers the contents.
  } else if (last.loneStar) {
    // GitHub: a final lone "*" does not reach nested files (`docs/*` owns `docs/a.md`, not `docs/a/b.md`).
  } else {
    // A pattern names a file, or a directory and everything under it.
    re += "(?:/.+)?";
  }
  return re + "$";
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

// ---------------------------------------------------------------------------------------------
// Index

/**
 * Narrows the rules that can match a path. Every rule lands in exactly one list, keyed by
 * something every path it matches must contain:
 * - anchored rules under their literal leading segments (`/src/ui/*.ts` under `src` → `ui`);
 * - floating rules whose name is literal (`vendor`, `build/`, `logs` after a leading `**`) under
 *   that name, and so are anchored rules with one literal leading segment and a literal one later;
 * - floating rules like `*.test.ts` under the extension of their literal suffix (`.ts`);
 * - the rest (`*`, `/lib*`, `?oo`) in a generic list tried for every path.
 * A path is then checked only against the rules in the lists it can reach, from the last rule
 * of the file down, and the first that matches wins.
 */
export class RuleIndex {
  private readonly root: PrefixNode = { children: null, rules: null };
  private readonly byName = new Map<string, number[]>();
  private readonly byExtension = new Map<string, number[]>();
  private readonly generic: number[] = [];

  /** Indexes the pattern `splitPattern` just accepted and returns its matcher. */
  add(position: number, token: string): CompiledRule {
    const { first, last, anchored, dirOnly } = shape;
    const rule: CompiledRule = { kind: REGEX, token, literal: "", dirOnly, re: null };

    let name = -1;
    if (isGlobstar(token, first)) {
      if (last > first) name = first + 1;
    } else if (!anchored && first === last) {
      name = first;
    } else {
      let literal = first;
      while (literal <= last && !segSpecial[literal]) literal++;
      if (literal - first < 2) {
        // A single top-level directory is shared by many paths; a literal segment further on
        // (`/src/**/api/`, `/apps/*/ui/`) must also appear in any path it matches, and is rarer.
        for (let k = last; k > literal; k--) {
          if (!segSpecial[k] && segEnd[k]! > segStart[k]!) {
            pushTo(this.byName, token.slice(segStart[k], segEnd[k]), position);
            return rule;
          }
        }
      }
      if (literal === first) {
        this.generic.push(position);
        return rule;
      }
      let node = this.root;
      for (let k = first; k < literal; k++) {
        const seg = token.slice(segStart[k], segEnd[k]);
        node.children ??= new Map();
        let child = node.children.get(seg);
        if (child === undefined) {
          child = { children: null, rules: null };
          node.children.set(seg, child);
        }
        node = child;
      }
      if (node.rules === null) node.rules = [position];
      else node.rules.push(position);
      if (literal > last) {
        // An all-literal pattern matches by prefix; escaped slashes were separators, so join.
        rule.kind = PREFIX;
        rule.literal = shape.escapedSlash
          ? Array.from({ length: literal - first }, (_, j) => token.slice(segStart[first + j], segEnd[first + j])).join("/")
          : token.slice(segStart[first], segEnd[last]);
      }
      return rule;
    }

    // (An empty name, from `**//`, would make the `indexOf` scan in matchRule spin: leave it generic.)
    if (name >= 0 && !segSpecial[name] && segEnd[name]! > segStart[name]!) {
      const literal = token.slice(segStart[name], segEnd[name]);
      pushTo(this.byName, literal, position);
      if (name === last) {
        rule.kind = NAME;
        rule.literal = literal;
      }
      return rule;
    }
    const ext = name >= 0 ? literalExtension(token, segStart[name]!, segEnd[name]!) : null;
    if (ext === null) {
      this.generic.push(position);
      return rule;
    }
    pushTo(this.byExtension, ext, position);
    if (name === last) {
      rule.kind = SUFFIX;
      rule.literal = token.slice(segStart[name]! + 1, segEnd[name]);
    }
    return rule;
  }

  /** Position of the last rule matching `path`, or -1. */
  lastMatch(path: string, compiled: CompiledRule[]): number {
    if (path === "") return -1;
    const lists = this.candidates;
    lists.length = 0;
    if (this.generic.length > 0) lists.push(this.generic);
    let node: PrefixNode | undefined = this.root;
    let start = 0;
    while (start <= path.length) {
      let end = path.indexOf("/", start);
      if (end < 0) end = path.length;
      // One string per segment serves every lookup (V8 hashes it once).
      const seg = path.slice(start, end);
      if (node !== undefined) {
        node = node.children?.get(seg);
        if (node?.rules) addCandidates(lists, node.rules);
      }
      addCandidates(lists, this.byName.get(seg));
      const dot = seg.lastIndexOf(".");
      if (dot >= 0) addCandidates(lists, this.byExtension.get(seg.slice(dot)));
      start = end + 1;
    }

    // GitHub: the last matching rule wins. Merge the candidate lists from their ends, so rules are
    // tried in descending file order and the first match is the answer.
    const heads = this.heads;
    for (let i = 0; i < lists.length; i++) heads[i] = lists[i]!.length - 1;
    for (;;) {
      let from = -1;
      let position = -1;
      for (let i = 0; i < lists.length; i++) {
        const h = heads[i]!;
        if (h >= 0 && lists[i]![h]! > position) {
          position = lists[i]![h]!;
          from = i;
        }
      }
      if (from < 0) return -1;
      if (matchRule(compiled[position]!, path)) return position;
      heads[from]!--;
    }
  }

  /** Scratch space for `lastMatch`, reused across calls. */
  private readonly candidates: number[][] = [];
  private readonly heads: number[] = [];
}

/** Anchored rules by their literal leading segments: `src` → `ui` holds `/src/ui/*.ts`. */
interface PrefixNode {
  children: Map<string, PrefixNode> | null;
  rules: number[] | null;
}

function addCandidates(lists: number[][], list: number[] | undefined): void {
  // A name repeated in a path (`a/a/x`) must not put its rules in twice.
  if (list !== undefined && !lists.includes(list)) lists.push(list);
}

function pushTo(map: Map<string, number[]>, key: string, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else list.push(position);
}

/**
 * For a `*<literal>` segment whose literal has a dot (`*.ts`, `*.test.ts`), that literal's last
 * `.suffix`: every segment it matches ends with it. Null for any other segment.
 */
function literalExtension(token: string, start: number, end: number): string | null {
  if (end - start < 2 || token.charCodeAt(start) !== 0x2a /* * */) return null;
  let dot = -1;
  for (let i = start + 1; i < end; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2a || c === 0x3f || c === 0x5c) return null;
    if (c === 0x2e /* . */) dot = i;
  }
  return dot < 0 ? null : token.slice(dot, end);
}
