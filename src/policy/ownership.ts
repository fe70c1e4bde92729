/**
 * Who owns a pull request's changes: the owners of every changed file under GitHub's CODEOWNERS
 * semantics, the teams among them, and the PR's owning team. Pure: the parsed CODEOWNERS and the
 * changed-file list come in as data.
 */
import { isTeamOwner, type Codeowners } from "./codeowners.js";

/** One changed file and who owns it. */
export interface FileOwnership {
  /** Path after the change; ownership is always resolved on this (the new path for renames). */
  path: string;
  /** For renames, the old path; otherwise null. */
  previousPath: string | null;
  /** Owners from the last matching CODEOWNERS rule (empty when none matches or the rule unsets ownership). */
  owners: string[];
  /** Line of that rule, or null when no rule matches. */
  line: number | null;
  /** The file's first `@org/team` owner, or the fallback team for an unowned file; null otherwise. */
  team: string | null;
}

/** A team owning some of the changed files. */
export interface TeamOwnership {
  /** `@org/team` as first written in CODEOWNERS (teams compare case-insensitively, like GitHub's). */
  team: string;
  /** Changed files this team owns (a file owned by two teams counts for both). */
  files: number;
  /**
   * Lowest CODEOWNERS line naming this team among the rules that matched changed files; breaks
   * ties. `Number.MAX_SAFE_INTEGER` for a team that only owns files through `fallbackTeam`, so a
   * team named in CODEOWNERS wins a tie against the fallback.
   */
  firstLine: number;
  /** True when some of `files` were attributed through `fallbackTeam`. */
  fallback: boolean;
}

/** Ownership of a pull request's changed files. */
export interface Ownership {
  files: FileOwnership[];
  /** The team owning the most changed files (ties: the team whose rule comes first); null when no team owns any. */
  owningTeam: string | null;
  /** Every owning team, by files owned (descending), then `firstLine`. */
  teams: TeamOwnership[];
  /** Paths with no owner (with `requireTeam`: no team owner); empty when a fallback team is set. */
  unowned: string[];
}

/** How ownership is judged (`ownership.require_team` and `ownership.fallback_team` in the config). */
export interface OwnershipOptions {
  /** User and email owners alone don't make a file owned. */
  requireTeam: boolean;
  /** Team credited with files that would otherwise be unowned, e.g. `@acme/platform`. */
  fallbackTeam: string | null;
}

/**
 * Resolves the owners of every changed file and the PR's owning team.
 * `codeowners` null means the base branch has no (loadable) CODEOWNERS: every file is unowned,
 * or owned by the fallback team.
 */
export function resolveOwnership(
  codeowners: Codeowners | null,
  files: { path: string; previousPath?: string | null }[],
  options: OwnershipOptions,
): Ownership {
  const teams = new Map<string, TeamOwnership>();
  const credit = (team: string, line: number, fallback: boolean): void => {
    const key = team.toLowerCase();
    const entry = teams.get(key);
    if (entry === undefined) {
      teams.set(key, { team, files: 1, firstLine: line, fallback });
      return;
    }
    entry.files++;
    entry.fallback ||= fallback;
    if (line < entry.firstLine) {
      entry.firstLine = line;
      entry.team = team;
    }
  };

  const resolved: FileOwnership[] = [];
  const unowned: string[] = [];
  for (const file of files) {
    // GitHub requests owners by the file's new path, so a rename is owned where it lands.
    const match = codeowners === null ? { owners: [], line: null } : codeowners.ownersOf(file.path);
    const fileTeams = match.owners.filter(isTeamOwner);
    const owned = options.requireTeam ? fileTeams.length > 0 : match.owners.length > 0;

    let team: string | null = null;
    if (owned) {
      const seen = new Set<string>();
      for (const t of fileTeams) {
        // The same team spelled twice on one line owns the file once.
        if (seen.has(t.toLowerCase())) continue;
        seen.add(t.toLowerCase());
        credit(t, match.line!, false);
      }
      team = fileTeams[0] ?? null;
    } else if (options.fallbackTeam !== null) {
      credit(options.fallbackTeam, Number.MAX_SAFE_INTEGER, true);
      team = options.fallbackTeam;
    } else {
      unowned.push(file.path);
    }
    resolved.push({ path: file.path, previousPath: file.previousPath ?? null, owners: match.owners, line: match.line, team });
  }

  // The owning team owns the most files; ties go to the team whose rule appears first in CODEOWNERS.
  const ranked = [...teams.values()].sort((a, b) => b.files - a.files || a.firstLine - b.firstLine);
  return { files: resolved, owningTeam: ranked[0]?.team ?? null, teams: ranked, unowned };
}
