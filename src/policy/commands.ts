/**
 * `/countersign …` commands in PR comments. Only a line that starts with `/countersign` is a
 * command (quoted, fenced or commented-out text is not), so discussing the syntax never grants.
 */
import { proseLines } from "./markdown-lines.js";

/** Exceptions must say why: a reason shorter than this is refused. */
export const MIN_EXCEPTION_REASON = 20;

/** Hex digits of the head SHA shown in commands to copy (a 7-digit prefix is easy to collide with). */
export const SHOWN_SHA_LENGTH = 12;

export type Command =
  /** `sha`: the head commit the approver names (`auth@<sha>`, 7 to 40 hex, lowercase), else null. */
  | { kind: "exception"; boundary: string; sha: string | null; reason: string }
  | { kind: "revoke"; boundary: string }
  | { kind: "help" }
  | { kind: "invalid"; text: string; problem: string };

export function parseCommands(body: string | null | undefined): Command[] {
  const out: Command[] = [];
  for (const line of proseLines(body ?? "")) {
    const m = /^\s*\/countersign(?:\s+(.*))?$/i.exec(line);
    if (!m) continue;
    const rest = (m[1] ?? "").trim();
    const exc = /^exception\s+([A-Za-z0-9][A-Za-z0-9_.-]*)(?:@(\S*?))?\s*:\s*(.*)$/i.exec(rest);
    if (exc) {
      const sha = exc[2];
      const reason = exc[3]!.trim();
      if (sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(sha)) {
        const problem = "after `@` write the head commit's SHA (7 to 40 hex digits), as the check shows it";
        out.push({ kind: "invalid", text: line.trim(), problem });
      } else if (reason.length < MIN_EXCEPTION_REASON) {
        const problem = `the reason must be at least ${MIN_EXCEPTION_REASON} characters (it is the audit record of why)`;
        out.push({ kind: "invalid", text: line.trim(), problem });
      } else out.push({ kind: "exception", boundary: exc[1]!, sha: sha?.toLowerCase() ?? null, reason });
      continue;
    }
    if (/^exception\b/i.test(rest)) {
      out.push({ kind: "invalid", text: line.trim(), problem: "write `/countersign exception <boundary>@<head sha>: <reason>`" });
      continue;
    }
    const rev = /^revoke\s+([A-Za-z0-9][A-Za-z0-9_.-]*)\s*$/i.exec(rest);
    if (rev) {
      out.push({ kind: "revoke", boundary: rev[1]! });
      continue;
    }
    if (rest === "" || /^help\b/i.test(rest)) out.push({ kind: "help" });
    else out.push({ kind: "invalid", text: line.trim(), problem: "unknown command" });
  }
  return out;
}

const REASON_PLACEHOLDER = `<reason, at least ${MIN_EXCEPTION_REASON} characters>`;

/**
 * The exception command bound to `headSha`, to copy: `SHOWN_SHA_LENGTH` digits of it, or all of
 * them with `fullSha` (`reason` defaults to a placeholder).
 */
export function exceptionCommand(boundary: string, headSha: string, reason = REASON_PLACEHOLDER, fullSha = false): string {
  return `/countersign exception ${boundary}@${fullSha ? headSha : headSha.slice(0, SHOWN_SHA_LENGTH)}: ${reason}`;
}

export const COMMAND_HELP = [
  "Countersign commands (one per line, at the start of a comment line):",
  "- `/countersign exception <boundary>@<head sha>: <reason>` — an approver of that boundary lets the head commit they " +
    "reviewed through " +
    "(the SHA as the check shows it; reason: at least 20 characters). New commits void it. " +
    "Without `@<sha>` it binds to the head when the comment was written, if Countersign can tell.",
  "- `/countersign revoke <boundary>` — an approver withdraws the exception.",
  "- `/countersign help` — this message.",
].join("\n");
