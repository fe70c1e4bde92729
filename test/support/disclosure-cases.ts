/**
 * The table-driven cases of parseDisclosure (test/unit/disclosure-*.test.ts): the case shape, the
 * helpers the cases are written with, and `describeCases`, which checks each case and the
 * invariants that hold on every result.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  parseDisclosure,
  type DisclosureAnswer,
  type DisclosureConfigInput,
  type DisclosureEvidence,
  type DisclosureResult,
} from "../../src/policy/disclosure.js";
import { DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import type { Actor, CommitInfo, DisclosureLevel } from "../../src/policy/snapshot.js";

export const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/pr-bodies/${name}`, import.meta.url)), "utf8");

export const HUMAN: Actor = { login: "alice", type: "User" };
export const bot = (login: string): Actor => ({ login, type: "Bot" });

export function commit(message: string, extra: Partial<CommitInfo> = {}): CommitInfo {
  return {
    sha: "3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345",
    message,
    authorLogin: "alice",
    authorEmail: "alice@example.com",
    authorName: "Alice Example",
    ...extra,
  };
}

/** The untouched template with one box ticked (the box whose label starts with `label`). */
export function ticked(label: "None" | "Assisted" | "Generated" | "Agent", template = DISCLOSURE_TEMPLATE): string {
  return template.replace(`- [ ] **${label}**`, `- [x] **${label}**`);
}

export interface Expect {
  level: DisclosureLevel;
  declared?: DisclosureResult["declared"];
  tools?: string[];
  contradiction?: boolean;
  agent?: string | null;
  sponsor?: string | null;
  /** Every pattern must match some problem; `[]` means no problems at all. */
  problems?: RegExp[];
  /** Answer sources/levels, in order. */
  answers?: Pick<DisclosureAnswer, "source" | "level">[];
  /** Evidence that must be present (partial match). */
  evidence?: Partial<DisclosureEvidence>[];
  /** No evidence at all. */
  noEvidence?: boolean;
}

export interface Case {
  name: string;
  body: string | null;
  commits?: CommitInfo[];
  author?: Actor;
  config?: DisclosureConfigInput;
  expect: Expect;
}

export const CLAUDE_COMMIT = `Retry invoice fetches with jittered backoff

Replaces the hand-rolled loop with p-retry and caps retries at 5.

🤖 Generated with [Claude Code](https://claude.com/claude-code)

Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>`;

/** `describe("parseDisclosure")` with one test per case, named after it. */
export function describeCases(cases: Case[]): void {
  describe("parseDisclosure", () => {
    test.each(cases)("$name", ({ body, commits, author, config, expect: e }) => {
      const result = parseDisclosure({ body, commits: commits ?? [], author: author ?? HUMAN }, config);
      expect(result.level).toBe(e.level);
      if (e.declared !== undefined) expect(result.declared).toBe(e.declared);
      if (e.tools !== undefined) expect(result.tools).toEqual(e.tools);
      if (e.contradiction !== undefined) expect(result.contradiction).toBe(e.contradiction);
      if (e.agent !== undefined) expect(result.agent).toBe(e.agent);
      if (e.sponsor !== undefined) expect(result.sponsor).toBe(e.sponsor);
      if (e.problems !== undefined) {
        if (e.problems.length === 0) expect(result.problems).toEqual([]);
        for (const p of e.problems) expect(result.problems.some((text) => p.test(text))).toBe(true);
      }
      if (e.answers !== undefined) expect(result.answers.map((a) => ({ source: a.source, level: a.level }))).toEqual(e.answers);
      if (e.noEvidence) expect(result.evidence).toEqual([]);
      for (const want of e.evidence ?? []) expect(result.evidence).toContainEqual(expect.objectContaining(want));
      // Invariants on every case.
      expect([...result.tools].sort()).toEqual(result.tools);
      for (const a of result.answers) expect([...a.tools].sort()).toEqual(a.tools);
    });
  });
}
