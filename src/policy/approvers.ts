/**
 * Who may approve a boundary or grant (and revoke) its exceptions: the one rule the boundary gate
 * and the `/countersign exception|revoke` commands share. Approvers are `@user` or `@org/team`;
 * a team's members are read by the GitHub layer (one list per team) and passed in.
 */
import type { Config } from "./config.js";

/** Team members keyed `@org/team` (lowercase), as `github/teams.ts` reads them. */
export type TeamMembers = Record<string, string[]>;

/** The approvers of a boundary by name (`agent-scope` included); null when there is no such boundary. */
export function approversOf(config: Config, boundary: string): string[] | null {
  if (boundary === "agent-scope") return config.agents.approvers;
  return config.boundaries.find((b) => b.name === boundary)?.approvers ?? null;
}

/** The team approvers among `approvers`, lowercased: the teams whose members must be read. */
export function approverTeams(approvers: readonly string[]): string[] {
  return approvers.filter((a) => a.includes("/")).map((a) => a.toLowerCase());
}

/** A user approver by login (case-insensitive), or a member of an approver team. */
export function isApprover(login: string, approvers: readonly string[], teamMembers: TeamMembers): boolean {
  const lower = login.toLowerCase();
  return approvers.some((a) => {
    if (!a.includes("/")) return a.slice(1).toLowerCase() === lower;
    return (teamMembers[a.toLowerCase()] ?? teamMembers[a] ?? []).some((m) => m.toLowerCase() === lower);
  });
}
