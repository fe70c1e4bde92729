/**
 * `/countersign …` commands in PR comments. Only a line that starts with `/countersign` is a
 * command (quoted, fenced or commented-out text is not), so discussing the syntax never grants.
 */
import { proseLines } from "./markdown-lines.js";

/** Exceptions must say why: a reason shorter than this is refused. */
export const MIN_EXCEPTION_REASON = 20;

export type Command =
  | { kind: "exception"; boundary: string; reason: string }
  | { kind: "revoke"; boundary: string }
  | { kind: "help" }
  | { kind: "invalid"; text: string; problem: string };

export function parseCommands(body: string | null | undefined): Command[] {
  const out: Command[] = [];
  for (const line of proseLines(body ?? "")) {
    const m = /^\s*\/countersign(?:\s+(.*))?$/i.exec(line);
    if (!m) continue;
    const rest = (m[1] ?? "").trim();
    const exc = /^exception\s+([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:\s*(.*)$/i.exec(rest);
    if (exc) {
      const reason = exc[2]!.trim();
      if (reason.length < MIN_EXCEPTION_REASON) {
        out.push({ kind: "invalid", text: line.trim(), problem: `the reason must be at least ${MIN_EXCEPTION_REASON} characters (it is the audit record of why)` });
      } else out.push({ kind: "exception", boundary: exc[1]!, reason });
      continue;
    }
    if (/^exception\b/i.test(rest)) {
      out.push({ kind: "invalid", text: line.trim(), problem: "write `/countersign exception <boundary>: <reason>`" });
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

export const COMMAND_HELP = [
  "Countersign commands (one per line, at the start of a comment line):",
  "- `/countersign exception <boundary>: <reason>` — an approver of that boundary lets this head commit through (reason: at least 20 characters). New commits void it.",
  "- `/countersign revoke <boundary>` — an approver withdraws the exception.",
  "- `/countersign help` — this message.",
].join("\n");
