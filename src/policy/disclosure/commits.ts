/** Disclosure steps 1 and 4: the PR author, and each commit's author, trailer block and markers. */
import { AGENT_MARKERS, TOOL_SIGNATURES } from "../ai-identities.js";
import { ALERT_MARKER } from "../markdown-lines.js";
import type { Actor, CommitInfo } from "../snapshot.js";
import type { Context } from "./context.js";
import { capped, clip } from "./text.js";
import { addProseAnswers } from "./prose-answers.js";
import { readProse, type ProseLine } from "./prose.js";
import { readTrailer, scanPhrases, TRAILER_LINE } from "./trailers.js";

export function readPrAuthor(author: Actor | null, ctx: Context): void {
  if (!author) return;
  const identity = ctx.identityByLogin(author.login);
  if (!identity) return;
  ctx.addEvidence(
    { tool: identity.tool, level: identity.asAuthor, kind: "pr-author", where: "pr", detail: `PR opened by ${author.login}` },
    identity.asAuthor === "agent" ? author.login : null,
  );
}

export function readCommit(commit: CommitInfo, ctx: Context): void {
  const sha = typeof commit.sha === "string" && commit.sha ? commit.sha : undefined;
  const shaField = sha ? { sha } : {};
  const message = typeof commit.message === "string" ? commit.message : "";
  const email = typeof commit.authorEmail === "string" ? commit.authorEmail : null;
  const login = typeof commit.authorLogin === "string" ? commit.authorLogin : null;
  const name = typeof commit.authorName === "string" ? commit.authorName : null;

  // The author: exact email first, so Copilot's suggestion, CLI and agent ids stay distinct.
  const identity = ctx.identityByEmail(email) ?? ctx.identityByLogin(login);
  if (identity) {
    const who = `${name ?? login ?? "author"}${email ? ` <${email}>` : ""}`;
    const agentLogin = identity.asAuthor === "agent" ? (login ?? identity.login ?? email) : null;
    const detail = clip(`author ${who}`);
    ctx.addEvidence({ tool: identity.tool, level: identity.asAuthor, kind: "author", where: "commit", ...shaField, detail }, agentLogin);
  }
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "author-name-suffix" && name && name.toLowerCase().endsWith(sig.text)) {
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "author", where: "commit", ...shaField, detail: clip(`author ${name}`) });
    }
  }

  const lines = message.split(/\r\n|\r|\n/);
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return;
  const subject = (lines[first] ?? "").trim().toLowerCase();
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "subject-prefix" && subject.startsWith(sig.text)) {
      const detail = clip(lines[first] ?? "");
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "signature", where: "commit", ...shaField, detail });
    }
  }

  // Git trailers live only in the last paragraph, and never in the subject's paragraph.
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? "").trim() === "") end--;
  let start = end;
  while (start > 0 && (lines[start - 1] ?? "").trim() !== "") start--;
  const trailerStart = start > first ? start : end;

  const prose: ProseLine[] = [];
  let fenced = false;
  let alert = false;
  for (let i = first; i < end; i++) {
    const line = lines[i] ?? "";
    if (i >= trailerStart) {
      const m = TRAILER_LINE.exec(line);
      if (m && readTrailer((m[1] ?? "").toLowerCase(), (m[2] ?? "").trim(), line, ctx, "commit", sha)) continue;
    }
    const lower = capped(line).toLowerCase();
    const signed = scanPhrases(lower, line, ctx, "commit", sha);
    const quoted = /^\s*>/.test(line);
    // A GitHub alert (`> [!NOTE]`) carried over from the PR description is the author's own text.
    if (ALERT_MARKER.test(line)) alert = true;
    else if (!quoted) alert = false;
    else if (alert && !fenced && !signed) prose.push({ text: line.replace(/^[ \t]*(?:>[ \t]?)+/, ""), line: i });
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    else if (!signed && !fenced && !quoted && line.trim() !== "") prose.push({ text: line, line: i });
    // Squash merges of Copilot agent PRs carry the body's `<!-- START COPILOT … -->` markers.
    for (const marker of AGENT_MARKERS) {
      if (marker.kind === "comment" && lower.includes(`<!-- ${marker.text}`)) {
        ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where: "commit", ...shaField, detail: clip(line.trim()) });
      }
    }
  }
  // A squash merge carries the PR description: its prose answers like the body's.
  const blank = (i: number): boolean => /^[\s>]*$/.test(lines[i] ?? "");
  addProseAnswers(readProse(prose, blank, ctx), ctx, "commit", sha);
}
