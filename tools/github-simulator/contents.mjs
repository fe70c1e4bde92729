/**
 * The REST endpoints over a repository's files: contents (files, raw and base64, and directories),
 * the active ruleset rules of a branch, and GitHub's CODEOWNERS errors. Registered by rest.mjs.
 */
import { HttpError } from "./rest.mjs";

/** Adds the routes to rest.mjs's `route`, with its repository lookup, pagination and base URLs. */
export function registerContentRoutes(route, { world, repoOf, paginate, base }) {
  route("GET", "/repos/{owner}/{repo}/contents/{path}", (req) => {
    const repo = repoOf(req);
    const ref = req.query.get("ref") ?? repo.defaultBranch;
    const sha = world.resolveRev(repo, ref);
    if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = decodeURIComponent(req.params.path).replace(/\/+$/, "");
    const tree = world.treeAt(repo, sha);
    const accept = String(req.headers.accept ?? "");
    if (tree.has(path)) {
      const text = tree.get(path);
      if (/\.raw\b|vnd\.github\.raw/.test(accept))
        return { status: 200, body: text, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" }, raw: true };
      const b64 = Buffer.from(text).toString("base64").replace(/.{60}/g, "$&\n");
      const name = path.split("/").pop();
      const blobSha = world.blobOid(text);
      return {
        status: 200,
        body: {
          type: "file",
          encoding: "base64",
          size: Buffer.byteLength(text),
          name,
          path,
          content: `${b64}\n`,
          sha: blobSha,
          url: `${base().api}/repos/${repo.fullName}/contents/${path}?ref=${ref}`,
          git_url: `${base().api}/repos/${repo.fullName}/git/blobs/${blobSha}`,
          html_url: `${base().web}/${repo.fullName}/blob/${ref}/${path}`,
          download_url: `${base().web}/${repo.fullName}/raw/${ref}/${path}`,
        },
      };
    }
    const entries = world.treeEntries(repo, sha, path);
    if (entries.length === 0) throw new HttpError(404, "Not Found");
    return {
      status: 200,
      body: entries.map((e) => ({
        type: e.type === "tree" ? "dir" : "file",
        name: e.name,
        path: e.path,
        sha: world.blobOid(`${sha}:${e.path}`),
        size: e.type === "tree" ? 0 : Buffer.byteLength(tree.get(e.path) ?? ""),
      })),
    };
  });
  // Active ruleset rules for a branch (the branch need not exist), with where each comes from.
  route("GET", "/repos/{owner}/{repo}/rules/branches/{branch}", (req) => {
    const repo = repoOf(req);
    const rules = repo.branchRules?.get(decodeURIComponent(req.params.branch)) ?? [];
    return paginate(
      req,
      rules.map((r, i) => ({ ruleset_source_type: "Repository", ruleset_source: repo.fullName, ruleset_id: 100 + i, ...r })),
    );
  });
  route("GET", "/repos/{owner}/{repo}/codeowners/errors", (req) => {
    const repo = repoOf(req);
    const ref = req.query.get("ref") ?? repo.defaultBranch;
    const sha = world.resolveRev(repo, ref);
    if (!sha) throw new HttpError(404, "Not Found");
    const tree = world.treeAt(repo, sha);
    const path = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"].find((p) => tree.has(p));
    if (!path) throw new HttpError(404, "Not Found");
    const errors = repo.codeownersErrors ?? codeownersErrors(world, repo, path, tree.get(path));
    return { status: 200, body: { errors } };
  });
}

/**
 * GitHub's own view of invalid CODEOWNERS lines, approximated: negation and bracket patterns are
 * "Invalid pattern"; an owner that is not @user, @org/team or an email is "Invalid owner"; a team
 * that does not exist is "Unknown owner". Tests can set `repo.codeownersErrors` to override.
 */
function codeownersErrors(world, repo, path, text) {
  const errors = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) return;
    const [pattern, ...owners] = line.split(/\s+/);
    const err = (kind, column, suggestion = null) =>
      errors.push({ line: i + 1, column, kind, source: raw, suggestion, message: `${kind} on line ${i + 1}:\n\n  ${raw}`, path });
    if (pattern.startsWith("!") || /[[\]]/.test(pattern.replace(/\\[[\]]/g, ""))) {
      err("Invalid pattern", 1);
      return;
    }
    for (const o of owners) {
      const col = raw.indexOf(o) + 1;
      if (/^@[\w.-]+\/[\w.-]+$/.test(o)) {
        const [org, slug] = o.slice(1).split("/");
        if (org.toLowerCase() !== repo.owner.toLowerCase() || !world.findTeam(org, slug))
          err("Unknown owner", col, `make sure @${org}/${slug} exists and has write access to the repository`);
      } else if (!/^@[\w-]+$/.test(o) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o)) err("Invalid owner", col);
    }
  });
  return errors;
}
