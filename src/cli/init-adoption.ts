/**
 * What `countersign init` reads from an existing repository before it is governed: the default
 * branch (as the clone recorded it, never assumed to be `main`) and how much of that branch
 * CODEOWNERS covers, with the lines or the `ownership.fallback_team` that would make the
 * ownership gate pass for the files nobody owns.
 */
import { CODEOWNERS_LOCATIONS, parseCodeowners } from "../policy/codeowners.js";
import { codeownersCoverage, codeownersLineFor, type CodeownersCoverage } from "../policy/codeowners-coverage.js";
import { loadConfig } from "../policy/config.js";
import { LocalRepository } from "./local-git.js";

export interface Adoption {
  /** `owner/name` from the GitHub remote, when there is one. */
  repo: string | null;
  /** The remote's default branch; null when the clone does not record it. */
  defaultBranch: string | null;
  /** The commit read: `origin/<default branch>`, else `HEAD`. */
  ref: string;
  /** The CODEOWNERS file GitHub would use on `ref`; null when there is none. */
  codeownersPath: string | null;
  coverage: CodeownersCoverage;
  /** `ownership.fallback_team` of the config on `ref`, when set. */
  fallbackTeam: string | null;
}

/** Reads the repository containing `root`; null outside a git repository or before the first commit. */
export function readAdoption(root: string): Adoption | null {
  let git: LocalRepository;
  try {
    git = LocalRepository.open(root);
  } catch {
    return null;
  }
  const defaultBranch = git.remoteDefaultBranch();
  const ref = defaultBranch !== null && git.filesAt(`origin/${defaultBranch}`).length > 0 ? `origin/${defaultBranch}` : "HEAD";
  const files = git.filesAt(ref);
  if (files.length === 0) return null;
  const found = CODEOWNERS_LOCATIONS.map((path) => ({ path, blob: git.readBlob(ref, path) })).find((c) => c.blob !== null);
  const codeowners = found?.blob ? parseCodeowners(found.blob.toString("utf8")) : null;
  const configBlob = git.readBlob(ref, ".github/countersign.yml");
  const config = configBlob ? loadConfig(configBlob.toString("utf8")) : null;
  const github = git.githubRepo();
  return {
    repo: github ? `${github.owner}/${github.name}` : null,
    defaultBranch,
    ref,
    codeownersPath: found?.path ?? null,
    coverage: codeownersCoverage(files, codeowners),
    fallbackTeam: config?.ok ? config.config.ownership.fallback_team : null,
  };
}

const count = (n: number) => n.toLocaleString("en-US");

/** The report `init` prints: plain lines, indented, with the exact text to add. */
export function formatAdoption(a: Adoption): string[] {
  const out: string[] = [];
  const branch =
    a.defaultBranch === null
      ? "default branch: unknown (the clone does not record origin/HEAD; `git remote set-head origin --auto` fixes that), read at HEAD"
      : `default branch: ${a.defaultBranch} (origin/HEAD), read at ${a.ref}`;
  out.push(`${a.repo ?? "repository"}: ${branch}`);
  const { coverage: c } = a;
  const team = `@${a.repo?.split("/")[0] ?? "your-org"}/<team>`;
  const fallback = [`or give every unowned file one team in .github/countersign.yml:`, `    ownership:`, `      fallback_team: "${team}"`];
  if (a.codeownersPath === null) {
    out.push(`CODEOWNERS: none on ${a.ref} (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): all ${count(c.total)} files are unowned.`);
    if (a.fallbackTeam) {
      out.push(`  ownership.fallback_team (${a.fallbackTeam}) owns them, so the ownership gate passes; add CODEOWNERS to route reviews.`);
      return out;
    }
    out.push(
      "  Every pull request would fail the ownership gate. Add .github/CODEOWNERS, for example:",
      `    * ${team}`,
      `  ${fallback[0]}`,
      ...fallback.slice(1),
    );
    return out;
  }
  if (c.unowned === 0) {
    out.push(`CODEOWNERS: ${a.codeownersPath} gives an owner to all ${count(c.total)} files.`);
    return out;
  }
  out.push(
    `CODEOWNERS: ${a.codeownersPath} gives an owner to ${count(c.owned)} of ${count(c.total)} files; ${count(c.unowned)} have ` + `none.`,
  );
  if (a.fallbackTeam) {
    out.push(`  ownership.fallback_team (${a.fallbackTeam}) owns them, so the ownership gate passes for them.`);
    return out;
  }
  out.push("  Pull requests that touch them fail the ownership gate. Largest unowned directories:");
  const width = Math.max(...c.largestUnowned.map((d) => d.path.length));
  for (const d of c.largestUnowned) {
    out.push(`    ${d.path.padEnd(width)}  ${count(d.files)} ${d.path === "/" ? "top-level " : ""}file${d.files === 1 ? "" : "s"}`);
  }
  const listed = c.largestUnowned.reduce((n, d) => n + d.files, 0);
  const rest = c.unowned - listed;
  const files = `file${rest === 1 ? "" : "s"}`;
  if (rest > 0) out.push(`    (${count(rest)} more unowned ${files} elsewhere: \`countersign owners <path>\` shows any file's owners)`);
  out.push(`  Append to ${a.codeownersPath} (the last matching line wins; replace ${team} with the owning team):`);
  for (const d of c.largestUnowned) out.push(`    ${codeownersLineFor(d, team)}`);
  out.push(`  ${fallback[0]}`, ...fallback.slice(1));
  return out;
}
