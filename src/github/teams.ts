/** Team membership, read one way everywhere: the members list of each team (paginated). */
import type { TeamMembers } from "../policy/approvers.js";
import type { GitHub } from "./github.js";

/** Members of each `@org/team` in `teams` (lowercase keys), read in parallel; no call for none. */
export async function readTeamMembers(github: GitHub, teams: Iterable<string>): Promise<TeamMembers> {
  const out: TeamMembers = {};
  await Promise.all(
    [...new Set([...teams].map((t) => t.toLowerCase()))].map(async (team) => {
      const [org, slug] = team.slice(1).split("/") as [string, string];
      out[team] = await github.paginate(github.rest.teams.listMembersInOrg, { org, team_slug: slug, per_page: 100 }, (res) =>
        res.data.map((m) => m.login),
      );
    }),
  );
  return out;
}
