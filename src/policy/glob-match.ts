/**
 * Path matching whose cost is linear in path length × pattern size, whatever the pattern.
 *
 * JavaScript's RegExp backtracks: `**\/*e*e*e*e*e*e*e*e*e*e*q` (a dashboard path filter) against
 * a long stored path, or the CODEOWNERS line `**\/a/**\/a/**\/a/**\/b` against `a/` × 800 (a PR's
 * file), takes seconds to minutes and blocks the event loop for every webhook. Here a pattern is
 * compiled to a Thompson NFA and run over the path one code point at a time, keeping the set of
 * live states: no backtracking, so at most (path code points) × (NFA states) steps; the sets met
 * are cached as DFA states, so common paths cost a map lookup per code point.
 *
 * Two front ends build the same automaton:
 * - `compileRegexSubset`: the anchored regular expressions src/policy/codeowners.ts writes for
 *   GitHub's CODEOWNERS dialect (literals, `.`, `[^/]`, `(?:…)`, `*`, `+`, `?`);
 * - `compileGlob`: picomatch's glob dialect with `dot: true` (`*`, `**`, `?`, `[…]`, `{a,b}`,
 *   escapes), as the config's boundaries and the audit path filter use it. Extglobs, regex groups,
 *   negation and picomatch's quirkier corners (`[!a]`, `{1..3}`) are refused (UnsupportedGlobError).
 */

type CharTest = (cp: number) => boolean;

/** A regular expression over code points: what both front ends produce. */
type Node =
  | { kind: "char"; test: CharTest }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "star"; node: Node }
  | { kind: "opt"; node: Node };

export type PathMatcher = (path: string) => boolean;

export class UnsupportedGlobError extends Error {
  constructor(
    readonly glob: string,
    reason: string,
  ) {
    super(`glob "${glob}" ${reason}: use *, **, ?, [abc], [a-z], [^abc] and {a,b}`);
    this.name = "UnsupportedGlobError";
  }
}

const SLASH = 0x2f;
const anyChar: CharTest = () => true;
const notSlash: CharTest = (cp) => cp !== SLASH;
const char = (test: CharTest): Node => ({ kind: "char", test });
const literal = (cp: number): Node => char((c) => c === cp);
const seq = (...items: Node[]): Node => ({ kind: "seq", items });
const star = (node: Node): Node => ({ kind: "star", node });
const opt = (node: Node): Node => ({ kind: "opt", node });

// ---- the automaton --------------------------------------------------------------------------------

/** Thompson NFA: state i either consumes one code point (`tests[i]`, then `next[i]`) or branches (`eps[i]`). */
class Automaton {
  readonly tests: (CharTest | null)[] = [null];
  readonly next: number[] = [-1];
  readonly eps: number[][] = [[]];
  /** State 0 accepts. */
  readonly start: number;
  private readonly mark: Int32Array;
  private generation = 0;

  constructor(root: Node) {
    this.start = this.build(root, 0);
    this.mark = new Int32Array(this.tests.length).fill(-1);
  }

  private add(test: CharTest | null, next: number, eps: number[]): number {
    this.tests.push(test);
    this.next.push(next);
    this.eps.push(eps);
    return this.tests.length - 1;
  }

  /** The states that match `node` and then continue at `next` (built back to front). */
  private build(node: Node, next: number): number {
    switch (node.kind) {
      case "char":
        return this.add(node.test, next, []);
      case "seq": {
        let at = next;
        for (let i = node.items.length - 1; i >= 0; i--) at = this.build(node.items[i]!, at);
        return at;
      }
      case "alt":
        return this.add(
          null,
          -1,
          node.options.map((o) => this.build(o, next)),
        );
      case "opt":
        return this.add(null, -1, [this.build(node.node, next), next]);
      case "star": {
        const loop = this.add(null, -1, []);
        this.eps[loop] = [this.build(node.node, loop), next];
        return loop;
      }
    }
  }

  /** Adds `state` and every state reachable from it without consuming input. */
  private close(state: number, into: number[]): void {
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (this.mark[s] === this.generation) continue;
      this.mark[s] = this.generation;
      if (this.tests[s] !== null || s === 0) into.push(s);
      else for (let i = this.eps[s]!.length - 1; i >= 0; i--) stack.push(this.eps[s]![i]!);
    }
  }

  /**
   * The NFA's state sets met so far, as DFA states with their transitions by code point (built
   * lazily, as RE2 does): repeated paths cost one map lookup per code point. Bounded: past
   * MAX_DFA_STATES new sets are used without being kept.
   */
  private readonly dfa = new Map<string, DfaState>();
  private startState: DfaState | null = null;

  private dfaState(states: number[]): DfaState {
    states.sort((a, b) => a - b);
    const key = states.join(",");
    const known = this.dfa.get(key);
    if (known) return known;
    const state: DfaState = { states, accepts: states[0] === 0, next: new Map() };
    if (this.dfa.size < MAX_DFA_STATES) this.dfa.set(key, state);
    return state;
  }

  private step(from: DfaState, cp: number): DfaState {
    const following: number[] = [];
    this.generation++;
    for (const s of from.states) {
      const test = this.tests[s];
      if (test?.(cp)) this.close(this.next[s]!, following);
    }
    return this.dfaState(following);
  }

  matches(input: string): boolean {
    if (this.startState === null) {
      const initial: number[] = [];
      this.generation++;
      this.close(this.start, initial);
      this.startState = this.dfaState(initial);
    }
    let current = this.startState;
    for (let i = 0; i < input.length; i++) {
      const cp = input.codePointAt(i)!;
      if (cp > 0xffff) i++;
      let next = current.next.get(cp);
      if (next === undefined) {
        next = this.step(current, cp);
        if (current.next.size < MAX_TRANSITIONS) current.next.set(cp, next);
      }
      if (next.states.length === 0) return false;
      current = next;
    }
    return current.accepts;
  }
}

interface DfaState {
  /** NFA states, ascending (state 0, accepting, first when present). */
  states: number[];
  accepts: boolean;
  next: Map<number, DfaState>;
}

const MAX_DFA_STATES = 2000;
const MAX_TRANSITIONS = 256;

function matcherOf(root: Node): PathMatcher {
  const automaton = new Automaton(root);
  return (path) => automaton.matches(path);
}

// ---- CODEOWNERS: the regular-expression subset codeowners.ts writes ----------------------------------

/**
 * `^…$` with literal characters (escaped or not), `.` (any code point, as with the `s` flag),
 * `[^/]`, non-capturing groups and the quantifiers `*`, `+`, `?`. Anything else throws: the
 * caller writes these sources itself, so that is a bug, not input.
 */
export function compileRegexSubset(source: string): PathMatcher {
  if (!source.startsWith("^") || !source.endsWith("$")) throw new Error(`not an anchored pattern: ${source}`);
  const body = source.slice(1, -1);
  let i = 0;
  const parseSeq = (): Node => {
    const items: Node[] = [];
    while (i < body.length && body[i] !== ")") {
      let atom: Node;
      const c = body[i]!;
      if (c === "\\") {
        atom = literal(body.codePointAt(i + 1)!);
        i += 1 + String.fromCodePoint(body.codePointAt(i + 1)!).length;
      } else if (c === ".") {
        atom = char(anyChar);
        i++;
      } else if (body.startsWith("[^/]", i)) {
        atom = char(notSlash);
        i += 4;
      } else if (body.startsWith("(?:", i)) {
        i += 3;
        atom = parseSeq();
        if (body[i] !== ")") throw new Error(`unclosed group in ${source}`);
        i++;
      } else if ("()[]{}|*+?^$".includes(c)) {
        throw new Error(`unsupported "${c}" at ${i} in ${source}`);
      } else {
        const cp = body.codePointAt(i)!;
        atom = literal(cp);
        i += String.fromCodePoint(cp).length;
      }
      const q = body[i];
      if (q === "*") atom = star(atom);
      else if (q === "+") atom = seq(atom, star(atom));
      else if (q === "?") atom = opt(atom);
      if (q === "*" || q === "+" || q === "?") i++;
      items.push(atom);
    }
    return seq(...items);
  };
  const root = parseSeq();
  if (i !== body.length) throw new Error(`unbalanced ")" in ${source}`);
  return matcherOf(root);
}

// ---- picomatch's glob dialect (dot: true) ----------------------------------------------------------

const MAX_BRACE_EXPANSIONS = 256;
const MAX_GLOB_LENGTH = 1000;

/**
 * A matcher for `glob` that agrees with `picomatch(glob, { dot: true })` on paths without `.` or
 * `..` segments (GitHub's paths never have them), or UnsupportedGlobError.
 */
export function compileGlob(glob: string): PathMatcher {
  return matcherOf(globTree(glob));
}

/**
 * One matcher for any of `globs` (one pass over the path whatever their number); the globs it
 * cannot take are left out and returned, for the caller to refuse or to treat as matching nothing.
 */
export function compileGlobs(globs: readonly string[]): { matches: PathMatcher; unsupported: UnsupportedGlobError[] } {
  const options: Node[] = [];
  const unsupported: UnsupportedGlobError[] = [];
  for (const glob of globs) {
    try {
      options.push(globTree(glob));
    } catch (error) {
      if (!(error instanceof UnsupportedGlobError)) throw error;
      unsupported.push(error);
    }
  }
  return { matches: options.length === 0 ? () => false : matcherOf({ kind: "alt", options }), unsupported };
}

/** Why `glob` cannot be matched here, or null when it can. */
export function globProblem(glob: string): string | null {
  try {
    globTree(glob);
    return null;
  } catch (error) {
    if (error instanceof UnsupportedGlobError) return error.message;
    throw error;
  }
}

function globTree(glob: string): Node {
  if (glob.length > MAX_GLOB_LENGTH) {
    throw new UnsupportedGlobError(glob.slice(0, 40) + "…", `is longer than ${MAX_GLOB_LENGTH} characters`);
  }
  if (glob.startsWith("!")) throw new UnsupportedGlobError(glob, "is negated (a leading !)");
  if (/(^|[^\\])[@!+*?]\(/.test(glob)) throw new UnsupportedGlobError(glob, "uses an extglob such as @(…) or +(…)");
  return { kind: "alt", options: expandBraces(glob).map((g) => globNode(glob, g)) };
}

/** `{a,b}` (nested too) expanded into brace-free globs; `\` escapes are kept for the next step. */
function expandBraces(glob: string): string[] {
  let open = -1;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "{") {
      open = i;
      break;
    } else if (c === "}") throw new UnsupportedGlobError(glob, 'has a "}" without its "{" (escape it as \\})');
  }
  if (open === -1) return [glob];
  // The matching close brace and the top-level commas of this group.
  const commas: number[] = [];
  let depth = 0;
  let close = -1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      close = i;
      break;
    } else if (c === "," && depth === 1) commas.push(i);
  }
  if (close === -1) throw new UnsupportedGlobError(glob, 'has a "{" without its "}"');
  if (commas.length === 0) throw new UnsupportedGlobError(glob, "has a {…} without a comma (ranges such as {1..3} are not supported)");
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const variant = glob.slice(0, open) + glob.slice(bounds[k]! + 1, bounds[k + 1]) + glob.slice(close + 1);
    for (const expanded of expandBraces(variant)) {
      out.push(expanded);
      if (out.length > MAX_BRACE_EXPANSIONS) {
        throw new UnsupportedGlobError(glob, `expands to more than ${MAX_BRACE_EXPANSIONS} alternatives`);
      }
    }
  }
  return out;
}

/** One brace-free glob: `/`-separated segments, `**` segments spanning directories. */
function globNode(original: string, glob: string): Node {
  const segments = splitSegments(original, glob);
  // `**/**` is one `**`.
  const segs = segments.filter((s, k) => !(s === "**" && segments[k - 1] === "**"));
  const n = segs.length;
  const anything = star(char(anyChar));
  const items: Node[] = [];
  for (let k = 0; k < n; k++) {
    const seg = segs[k]!;
    if (seg === "**") {
      if (n === 1) items.push(anything);
      // Leading `**/`: any directories, or none.
      else if (k === 0) items.push(opt(seq(anything, literal(SLASH))));
      // Trailing `/**`: the directory itself, or anything under it; picomatch drops "itself"
      // when that directory's name ends with a `*` (`src/*/**` and `src/a*/**` do not match
      // `src/a`, `src/*b/**` matches `src/b`).
      else if (k === n - 1) items.push(endsWithStar(segs[k - 1]!) ? seq(literal(SLASH), anything) : opt(seq(literal(SLASH), anything)));
      // Middle `/**/`: one slash, or directories between two.
      else items.push(literal(SLASH), opt(seq(anything, literal(SLASH))));
      continue;
    }
    if (k > 0 && segs[k - 1] !== "**") items.push(literal(SLASH));
    items.push(segmentNode(original, seg));
  }
  return seq(...items);
}

/** A segment whose last character is an unescaped `*`. */
function endsWithStar(seg: string): boolean {
  let last = false;
  for (let i = 0; i < seg.length; i++) {
    last = seg[i] === "*";
    if (seg[i] === "\\") i++;
  }
  return last;
}

function splitSegments(original: string, glob: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inClass = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/") {
      if (inClass) throw new UnsupportedGlobError(original, 'has a "/" inside [...]');
      out.push(glob.slice(start, i));
      start = i + 1;
    } else if (c === "(" || c === ")" || c === "|") {
      throw new UnsupportedGlobError(original, `uses "${c}" (regex groups are not supported; escape it as \\${c})`);
    }
  }
  out.push(glob.slice(start));
  return out;
}

/** A segment: literals, `?`, `*` (a lone `*` is a whole, non-empty name) and `[...]` classes. */
function segmentNode(original: string, seg: string): Node {
  if (/^\*+$/.test(seg)) return seq(char(notSlash), star(char(notSlash)));
  const items: Node[] = [];
  for (let i = 0; i < seg.length; ) {
    const c = seg[i]!;
    if (c === "\\") {
      if (i + 1 >= seg.length) throw new UnsupportedGlobError(original, 'ends with an unfinished "\\" escape');
      const cp = seg.codePointAt(i + 1)!;
      items.push(literal(cp));
      i += 1 + String.fromCodePoint(cp).length;
    } else if (c === "*") {
      const from = i;
      while (seg[i] === "*") i++;
      // picomatch's `a**`, `**b` and `**.ts` disagree with each other on crossing "/".
      if (i - from > 1) {
        throw new UnsupportedGlobError(
          original,
          "has ** inside a name: ** must be a whole path segment (`src/**/x.ts`), * matches within a name",
        );
      }
      items.push(star(char(notSlash)));
    } else if (c === "?") {
      items.push(char(notSlash));
      i++;
    } else if (c === "[") {
      const parsed = bracketClass(original, seg, i);
      items.push(char(parsed.test));
      i = parsed.end;
    } else if (c === "]") {
      throw new UnsupportedGlobError(original, 'has a "]" without its "[" (escape it as \\])');
    } else {
      const cp = seg.codePointAt(i)!;
      items.push(literal(cp));
      i += String.fromCodePoint(cp).length;
    }
  }
  return seq(...items);
}

/** `[abc]`, `[a-z]`, `[^a]` starting at `at`: the test and the index after `]`. */
function bracketClass(original: string, seg: string, at: number): { test: CharTest; end: number } {
  let i = at + 1;
  // picomatch reads `[!a]` as "the text [!a], or ! or a", not as a negation: refuse it.
  if (seg[i] === "!") throw new UnsupportedGlobError(original, "uses [!...]: write [^...] for a negated class");
  const negated = seg[i] === "^";
  if (negated) i++;
  const ranges: [number, number][] = [];
  const readChar = (): number => {
    if (seg[i] === "\\") i++;
    if (i >= seg.length) throw new UnsupportedGlobError(original, 'has a "[" without its "]"');
    const cp = seg.codePointAt(i)!;
    i += String.fromCodePoint(cp).length;
    return cp;
  };
  while (i < seg.length && (seg[i] !== "]" || ranges.length === 0)) {
    if (seg.startsWith("[:", i)) throw new UnsupportedGlobError(original, "uses a POSIX class such as [[:alpha:]]");
    const from = readChar();
    let to = from;
    if (seg[i] === "-" && i + 1 < seg.length && seg[i + 1] !== "]") {
      i++;
      to = readChar();
    }
    if (to < from) throw new UnsupportedGlobError(original, `has a reversed range in [...]`);
    ranges.push([from, to]);
  }
  if (seg[i] !== "]") throw new UnsupportedGlobError(original, 'has a "[" without its "]"');
  const inSet = (cp: number) => ranges.some(([a, b]) => cp >= a && cp <= b);
  // A negated class never matches "/", as in picomatch.
  return { test: negated ? (cp) => cp !== SLASH && !inSet(cp) : inSet, end: i + 1 };
}
