/**
 * How much a tool did, read clause by clause. A sentence such as "Claude ran the check and did the
 * changes, I reviewed it" mixes the tool's work with the author's: only the clauses whose subject
 * (or instrument) is the tool tell the level, so "I reviewed it" does not turn the tool's changes
 * into mere review. In a tool clause a generation verb used as a verb ("implemented", "did the
 * changes", "to … fix it") on the change itself is `generated`; explaining, searching, reviewing,
 * suggesting, or writing only tests, comments or messages is `assisted`; "with the help of",
 * "with AI assistance" and partial quantities ("some of the tests") keep it `assisted`.
 *
 * The sentence is already lower-cased with every tool, model or AI mention replaced by `aitool`.
 * Work is linear: the sentence is capped by the caller and every pattern has bounded gaps.
 */
import type { AiLevel } from "../snapshot.js";

export interface UseReading {
  level: AiLevel;
  /** AI use is reported but no clause tells how much. */
  unclear: boolean;
}

type Subject = "tool" | "human" | "other";

/** Where one clause ends: punctuation, a dash, and the conjunctions that start a new subject. */
const CLAUSE_BREAK = new RegExp(
  "\\s*[,;:()]\\s*|\\s+[-–—]+\\s+|\\s+(?=(?:but|then|while|whereas|although|though|after|before|since|" +
    "because|except|unless|so that)\\s)|\\s+and\\s+(?=(?:i|we|i've|i'm|i'd|my|myself)\\s)",
);

/** Verbs that, with the tool as subject or instrument, say it produced the change. */
const GEN_WORDS = new Set([
  "wrote",
  "write",
  "writes",
  "written",
  "writing",
  "generated",
  "generate",
  "generates",
  "generating",
  "implemented",
  "implement",
  "implements",
  "implementing",
  "authored",
  "created",
  "create",
  "creates",
  "produced",
  "produce",
  "produces",
  "coded",
  "built",
  "developed",
  "develop",
  "drafted",
  "drafting",
  "made",
  "did",
  "done",
  "changed",
  "rewrote",
  "rewritten",
  "rewrite",
  "ported",
  "translated",
  "translate",
  "converted",
  "convert",
  "refactored",
  "refactor",
  "fixed",
  "copied",
  "driven",
  "drove",
  "handled",
  "vibecoded",
  "vibe-coded",
  "one-shotted",
  "filled",
]);
/** Also nouns ("the fix", "a draft"): verbs only right after these words. */
const NOUN_VERBS = new Set(["fix", "change", "draft", "port", "build", "copy", "do", "make"]);
const BEFORE_VERB = new Set(["to", "and", "or", "then", "also", "aitool", "it", "they", "would", "could", "can", "will", "let", "please"]);
const DETERMINERS = new Set([
  "the",
  "a",
  "an",
  "this",
  "that",
  "these",
  "those",
  "its",
  "my",
  "our",
  "your",
  "their",
  "initial",
  "first",
  "final",
]);
const HELPERS = new Set(["help", "helped", "helps", "helping", "assist", "assisted", "assisting", "aid", "aided"]);
/** A finite past verb has its own subject ("helped me find it and fixed it"). */
const FINITE_PAST = /^(?:\w+ed|wrote|did|made|built|drove|rewrote)$/;
const NEGATION = /\b(?:not|no|never|nor|without|none)\b|n't\b/;

/** Words that say the tool only helped: explanation, search, review, completion, finding. */
export const ASSIST_CUE = new RegExp(
  "\\b(?:help|helped|helps|helping|helpful|assist|assisted|assisting|assistance|aid|aided|support|" +
    "guidance|suggest\\w*|review\\w*|explain\\w*|explanations?|understand\\w*|search\\w*|research\\w*|" +
    "investigat\\w*|explor\\w*|debug\\w*|brainstorm\\w*|proofread\\w*|auto-?complet\\w*|completions?|" +
    "tab[- ]complet\\w*|found|find|finding|spotted|spot|identif\\w*|caught|reported|pointed out|" +
    "analy[sz]\\w*|questions?|rubber[- ]duck\\w*|consult\\w*|figur\\w* out|feedback|inspect\\w*|" +
    "validat\\w*|judg\\w*|diagnos\\w*|trac\\w*|locat\\w*|navigat\\w*|only for|just for|minor|small|" +
    "parts of|some of|a bit|a little|partially|partly|in part|sanity|polish\\w*|clean\\w* up|tweak\\w*|" +
    "lookups?|advice|second opinion|pointers|hints?)\\b",
);
/** What a clause is about when it is not the change itself. */
export const MINOR_SCOPE = new RegExp(
  "\\b(?:descriptions?|comments?|commit messages?|commits? message|messages?|pr text|pr body|" +
    "titles?|summary|docs|documentation|readme|changelog|translations?|tests?|testing|test cases?|" +
    "unit tests|research\\w*|review\\w*|explor\\w*|investigat\\w*|debug\\w*|questions?|typos?|formatting|" +
    "boilerplate|naming|wording|prose|english|grammar|spelling|benchmarks?|scripts?|setup|setting up|" +
    "profiling)\\b",
);
/** The change itself, or most of it. */
export const MAJOR_SCOPE = new RegExp(
  "\\b(?:most|majority|bulk|all(?: of)? (?:the |it|this)|entire|entirely|whole|everything|" +
    "the (?:fix|code|change|changes|implementation|patch|pr|commits?|work|logic)|this (?:pr|change|" +
    "patch|commit|fix)|implement\\w*|initial (?:fix|version|implementation)|first (?:pass|draft|" +
    "version))\\b",
);
/** The change itself named as an object ("test and fix produced by …", "write the code"). */
const MAJOR_OBJECT = /\b(?:fix|fixes|code|implementation|patch|change|changes|logic|feature|pr|work|everything|first pass)\b/;
/** A share of the work, not most of it. */
const PARTIAL = /\b(?:some|a few|a bit|bits|a little|small|minor|partially|partly|in part|occasional\w*|tiny)\b/;
/** Most or all of the work. */
const WHOLE = /\b(?:most|mostly|majority|bulk|all|entire\w*|whole|everything|fully|primarily)\b/;
/** The tool as the author's helper, not the writer: "with AI assistance", "with the help of Claude". */
const ASSIST_INSTRUMENT = new RegExp(
  "\\b(?:with|using|via|through)(?: [\\w'-]+){0,2}? aitool(?:'s)?(?: [\\w'-]+){0,2}? (?:assistance|" +
    "help|support|suggestions?|auto-?complet\\w*|completions?)\\b|\\b(?:help|assistance|support|aid|" +
    "guidance|input) (?:of|from) (?:an? |the |some )?aitool|\\bassisted by\\b",
);

/** The author did this part: "I reviewed it", "written by me", "done by hand". */
const HUMAN_SUBJECT = /^(?:i|we|i've|i'm|i'd|we've|me|myself|the author)\b/;
const HUMAN_MARK = new RegExp(
  "\\b(?:by me|by myself|myself|by hand|manually|by a human|by the author|human[- ]written|" +
    "hand[- ]?written|human[- ]language|mostly human)\\b",
);
/** The tool is the instrument of the author's work: "I used X to …", "had X fix it". */
const TOOL_INSTRUMENT = new RegExp(
  "\\b(?:used?|using|asked|prompted|had|let|got|leveraged|leaned on|relied on|instructed|told|" +
    "tasked|employed|utilized|ran|tried|enlisted|paired with|worked with|" +
    "collaborated with)(?: [\\w'-]+){0,3}? aitool\\b",
);
/** The tool is the agent of a passive verb or the instrument: "written by X", "produced with X", "X was used to …". */
const TOOL_PASSIVE = new RegExp(
  "\\b(?:by|with|using|via|through|alongside|from|in)(?: (?:an?|the|some|" +
    "my))?(?: [\\w'+&-]+){0,4}? aitool\\b|\\baitool (?:was|were|has been|have been|is|got|" +
    "being) (?:\\w+ )?(?:used|utilized|leveraged|employed|consulted|involved|asked)",
);
/** "AI-generated", "Claude-assisted": the tool named in a compound adjective. */
const TOOL_COMPOUND = /\baitool[- ](?:assisted|generated|written|authored|aided|produced|created|helped|coded|made|driven)\b/;
/** A sentence without a subject in an AI paragraph is about the AI only when it says what was done with it. */
const USE_WORD = new RegExp(
  "\\b(?:used|using|assisted|assisting|helped|helping|generated|written|wrote|implemented|drafted|" +
    "produced|driven|developed|created|judge|suggested|explained)\\b",
);
const CONJUNCTION = /^(?:(?:and|or|but|so|also|then|finally|just|only|and then|and also)\s+)+/;

function firstWordOf(text: string): string {
  return /^[\w'-]+/.exec(text)?.[0] ?? "";
}

/** A clause that goes on the previous one's subject: it starts with a verb or "to". */
function continues(clause: string): boolean {
  const w = firstWordOf(clause);
  if (w === "to" || GEN_WORDS.has(w) || NOUN_VERBS.has(w) || BASE_VERBS.has(w) || HELPERS.has(w)) return true;
  return /(?:ed|ing)$/.test(w) || ASSIST_CUE.test(w);
}

/** Verbs that start a clause going on the previous subject ("…, make a plan and write the draft"). */
const BASE_VERBS = new Set([
  "run",
  "ran",
  "add",
  "find",
  "explain",
  "understand",
  "plan",
  "test",
  "check",
  "review",
  "investigate",
  "debug",
]);

function subjectOf(clause: string, previous: Subject, ai: boolean, first: boolean): { subject: Subject; work: string } {
  const afterTool = (): string => clause.slice(clause.indexOf("aitool") + "aitool".length);
  if (clause.includes("aitool")) {
    if (/^aitool\b/.test(clause)) return { subject: "tool", work: afterTool() };
    const instrument = TOOL_INSTRUMENT.exec(clause);
    if (instrument) return { subject: "tool", work: clause.slice(instrument.index + instrument[0].length) };
    // "I did some rubber ducking with Claude": the author's verb; only what follows the tool is its work,
    // unless the author's verb made the change itself with the tool ("I made the patch with Codex").
    if (HUMAN_SUBJECT.test(clause)) {
      const before = clause.slice(0, clause.indexOf("aitool"));
      return { subject: "tool", work: generates(before) && MAJOR_OBJECT.test(before) ? clause : afterTool() };
    }
    if (TOOL_PASSIVE.test(clause) || TOOL_COMPOUND.test(clause)) return { subject: "tool", work: clause.replace(/aitool-/g, "aitool ") };
  }
  if (HUMAN_SUBJECT.test(clause) || HUMAN_MARK.test(clause)) return { subject: "human", work: "" };
  if (/^(?:it|they|them|it's)\b/.test(clause)) return { subject: previous === "tool" || (first && ai) ? "tool" : previous, work: clause };
  if (/^(?:while|when|as) \w+ing\b/.test(clause)) return { subject: "human", work: "" };
  if (continues(clause)) {
    // In an AI paragraph a sentence without a subject is about the AI ("Only used as a judge").
    if (first) return { subject: ai && USE_WORD.test(clause) ? "tool" : "other", work: clause };
    return { subject: previous, work: clause };
  }
  return { subject: "other", work: "" };
}

/** Generation verbs used as verbs in `work`, not negated and not governed by "help". */
function generates(work: string): boolean {
  const words = work.split(/[^\w'-]+/).filter((w) => w !== "");
  let negated = false;
  let helped = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    if (NEGATION.test(w) || w === "means") negated = true;
    const verb = GEN_WORDS.has(w) || (NOUN_VERBS.has(w) && BEFORE_VERB.has(words[i - 1] ?? ""));
    if (HELPERS.has(w)) helped = true;
    if (!verb || negated) continue;
    // "assist with exploration and drafting the change": the drafting is helped, not done by the tool.
    if (helped && !FINITE_PAST.test(w)) continue;
    const prev = words[i - 1] ?? "";
    if (DETERMINERS.has(prev)) continue;
    // "help write", "helped to write", "helped me write": the tool helped the author write.
    const governed = HELPERS.has(prev) || ((prev === "to" || prev === "me" || prev === "us") && HELPERS.has(words[i - 2] ?? ""));
    if (governed) continue;
    return true;
  }
  return false;
}

const RANK: Record<AiLevel, number> = { none: 0, assisted: 1, generated: 2, agent: 3 };

/**
 * The level of a sentence that reports AI use, or null when no clause has the tool as subject
 * or instrument. `ai`: the sentence answers an AI heading, label or question; `negated`: the
 * clause says AI was not used (it reports no use).
 */
export function levelOfUse(marked: string, ai: boolean, negated: (clause: string) => boolean): UseReading | null {
  const s = marked
    .replace(/\([^()]{0,200}\)/g, (m) => (m.includes("aitool") ? m : " "))
    .replace(ai ? /\b(had|have|has|let|asked|got|made|told|used) (?:it|them)\b/g : /$^/, "$1 aitool")
    .replace(/aitool \((?:(?:via|in|through|using|with|on|and) )?aitool[^()]{0,40}\)/g, "aitool")
    .replace(/aitool(?: ?[+&/]| and| or| in| via| with)? aitool/g, "aitool")
    .replace(/aitool(?: ?[+&/]| and| or| in| via| with)? aitool/g, "aitool");
  let best: UseReading | null = null;
  let previous: Subject = "other";
  let first = true;
  for (const part of s.split(CLAUSE_BREAK)) {
    const clause = part.trim().replace(CONJUNCTION, "");
    if (!clause) continue;
    const { subject, work } = subjectOf(clause, previous, ai, first);
    first = false;
    previous = subject;
    if (subject !== "tool" || negated(clause)) continue;
    const reading = clauseLevel(clause, work);
    const better = !best || RANK[reading.level] > RANK[best.level] || (reading.level === best.level && best.unclear && !reading.unclear);
    if (better) best = reading;
  }
  return best;
}

function clauseLevel(clause: string, work: string): UseReading {
  const minor = MINOR_SCOPE.test(clause);
  const majorObject = MAJOR_OBJECT.test(work);
  if (generates(work)) {
    if (ASSIST_INSTRUMENT.test(clause)) return { level: "assisted", unclear: false };
    if (PARTIAL.test(clause) && !WHOLE.test(clause)) return { level: "assisted", unclear: false };
    if (minor && !majorObject) return { level: "assisted", unclear: false };
    return { level: "generated", unclear: false };
  }
  if (ASSIST_CUE.test(clause) || minor || ASSIST_INSTRUMENT.test(clause)) return { level: "assisted", unclear: false };
  return { level: "assisted", unclear: true };
}

const AUTOCOMPLETE = new RegExp(
  "\\b(?:auto-?complet\\w*|(?:code |inline |tab[- ])?completions?|tab[- ]complet\\w*|" +
    "inline suggestions?|(?:code )?suggestions? (?:in|from) (?:the |my )?(?:editor|ide))\\b",
  "g",
);
/** Any other use named beside autocomplete ("autocomplete and the tests") makes it more than autocomplete. */
const OTHER_USE = new RegExp(
  "\\b(?:wr[io]te|written|writing|generat\\w*|implement\\w*|draft\\w*|tests?|review\\w*|explain\\w*|" +
    "debug\\w*|search\\w*|research\\w*|investigat\\w*|refactor\\w*|chat\\w*|agent\\w*|document\\w*|comments?|" +
    "messages?|descriptions?|fix\\w*|found|spotted|most|all)\\b",
);

/** The answer says AI was used for autocomplete and for nothing else. */
export function onlyAutocomplete(text: string): boolean {
  const t = text.slice(0, 400).toLowerCase();
  AUTOCOMPLETE.lastIndex = 0;
  if (!AUTOCOMPLETE.test(t)) return false;
  return !OTHER_USE.test(t.replace(AUTOCOMPLETE, " "));
}
