/**
 * How much of a repository CODEOWNERS covers, for adopting Countersign on an existing
 * repository: which files have no owner, grouped into the largest directories that no rule
 * covers at all, so each can get one CODEOWNERS line. Pure: the file list and the parsed
 * CODEOWNERS come from the caller.
 */
import type { Codeowners } from "./codeowners.js";

export interface UnownedDirectory {
  /** `src/legacy/` (trailing slash); `/` stands for files at the repository's top level. */
  path: string;
  /** Unowned files in it (all of its files: no file under it has an owner). */
  files: number;
}

export interface CodeownersCoverage {
  total: number;
  owned: number;
  unowned: number;
  /**
   * The largest wholly unowned directories (their parent owns something, or they are top
   * level), most files first; top-level unowned files are grouped as `/`.
   */
  largestUnowned: UnownedDirectory[];
}

/** Coverage of `files` (repository-relative paths); `codeowners` null means no CODEOWNERS file. */
export function codeownersCoverage(files: readonly string[], codeowners: Codeowners | null, limit = 5): CodeownersCoverage {
  const unownedFiles = files.filter((f) => codeowners === null || codeowners.ownersOf(f).owners.length === 0);
  const dirs = new Map<string, { files: number; owned: number }>();
  const bump = (dir: string, owned: boolean) => {
    const d = dirs.get(dir) ?? { files: 0, owned: 0 };
    d.files++;
    if (owned) d.owned++;
    dirs.set(dir, d);
  };
  const unownedSet = new Set(unownedFiles);
  for (const f of files) {
    const owned = !unownedSet.has(f);
    const parts = f.split("/");
    for (let i = 1; i < parts.length; i++) bump(`${parts.slice(0, i).join("/")}/`, owned);
  }
  const wholly = (dir: string) => {
    const d = dirs.get(dir);
    return d !== undefined && d.owned === 0;
  };
  const maximal: UnownedDirectory[] = [];
  let topLevelFiles = 0;
  for (const [dir, d] of dirs) {
    if (d.owned > 0) continue;
    const parent = dir.slice(0, dir.slice(0, -1).lastIndexOf("/") + 1);
    if (parent !== "" && wholly(parent)) continue;
    maximal.push({ path: dir, files: d.files });
  }
  for (const f of unownedFiles) if (!f.includes("/")) topLevelFiles++;
  // Unowned files directly inside partly owned directories count toward no listed directory.
  if (topLevelFiles > 0) maximal.push({ path: "/", files: topLevelFiles });
  maximal.sort((a, b) => b.files - a.files || a.path.localeCompare(b.path));
  return {
    total: files.length,
    owned: files.length - unownedFiles.length,
    unowned: unownedFiles.length,
    largestUnowned: maximal.slice(0, limit),
  };
}

/** The CODEOWNERS line that gives `dir` to `owner` (top-level files: one line per file is needed). */
export function codeownersLineFor(dir: UnownedDirectory, owner: string): string {
  return dir.path === "/" ? `/* ${owner}` : `/${dir.path.replace(/ /g, "\\ ")} ${owner}`;
}
