/**
 * Gate 1, disclosure: what the author declares about AI use (answers) against what the PR and
 * its commits show (evidence). Pure: plain data in, a result out; no I/O, no clock.
 *
 * Pipeline (one file per step under ./disclosure/):
 *   1. PR-author evidence (a coding-agent login)                              — commits.ts
 *   2. Read the body as lines: strip HTML comments (kept aside for agent markers only),
 *      mark fenced/indented code and blockquotes, which never hold answers      — body.ts
 *   3. Body answers: the AI section's single checked box, answer lines (`AI-Assisted: …`),
 *      free-text sentences, `Assisted-by:`-style trailers on their own line; body evidence
 *                                                           — body.ts, free-text.ts, trailers.ts
 *   4. Commit answers (trailer block only) and evidence (identities, signatures, markers) — commits.ts
 *   5. Verdict: declared level, raised to `agent` by agent evidence; contradictions; tools — verdict.ts
 *
 * Every regular expression is anchored or free of nested quantifiers, and text that is
 * searched repeatedly is capped, so a 1 MB body is read in linear time.
 */
import { readBody } from "./disclosure/body.js";
import { readCommit, readPrAuthor } from "./disclosure/commits.js";
import { Context, normaliseConfig } from "./disclosure/context.js";
import type { DisclosureConfigInput, DisclosureInput, DisclosureResult } from "./disclosure/types.js";
import { verdict } from "./disclosure/verdict.js";

export type {
  DisclosureAnswer,
  DisclosureConfig,
  DisclosureConfigInput,
  DisclosureEvidence,
  DisclosureInput,
  DisclosureResult,
} from "./disclosure/types.js";

export function parseDisclosure(input: DisclosureInput, config?: DisclosureConfigInput): DisclosureResult {
  const cfg = normaliseConfig(config);
  const ctx = new Context(cfg);

  // 1. The PR author (first, so an agent author is the one `agent` names).
  const author = input?.author && typeof input.author.login === "string" ? input.author : null;
  readPrAuthor(author, ctx);

  // 2–3. The PR body.
  const body = typeof input?.body === "string" ? input.body : "";
  readBody(body, ctx);

  // 4. Commits.
  const commits = Array.isArray(input?.commits) ? input.commits : [];
  for (const commit of commits) {
    if (commit && typeof commit === "object") readCommit(commit, ctx);
  }

  // 5. Verdict.
  return verdict(author, ctx);
}
