/**
 * The simulator's in-memory GitHub: organisations, installations, teams, users, repositories with
 * commits (full trees), branches, pull requests (files, commits, reviews), issue comments, labels
 * and check runs. Pure data and the JSON shapes GitHub's REST API and webhooks use for them; the
 * HTTP layer (rest.mjs, graphql.mjs) and the scripting API (index.mjs) sit on top.
 */
import { createHash } from "node:crypto";

const EPOCH = Date.parse("2026-11-20T09:00:00Z");

export class World {
  constructor({ appId, appSlug = "countersign", clock = () => Date.now() } = {}) {
    this.appId = appId;
    this.appSlug = appSlug;
    this.clock = clock;
    this.seq = 0;
    this.ids = 1000;
    /** @type {Map<string, {login: string, id: number, installationId: number}>} */
    this.orgs = new Map();
    this.installations = new Map();
    this.users = new Map();
    this.teams = new Map();
    this.repos = new Map();
    this.checkRunIndex = new Map();
    /**
     * "Sign in with GitHub" (the app's user-to-server OAuth): the app's client credentials, the
     * user the authorize page acts as (already signed in to GitHub), whether they click Cancel,
     * whether GitHub first shows its "Authorize" page (a first sign-in) or redirects at once,
     * one-time codes and the user tokens issued for them.
     */
    this.oauth = {
      clientId: null,
      clientSecret: null,
      user: null,
      deny: false,
      consent: false,
      codes: new Map(),
      tokens: new Map(),
      revoked: [],
    };
    /** login (lower-cased) → repository full names (lower-cased) the user can read. */
    this.readAccess = new Map();
  }

  nextId() {
    return ++this.ids;
  }

  now() {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  sha(seed) {
    return createHash("sha1")
      .update(`${++this.seq}:${seed}`)
      .digest("hex");
  }

  blobOid(text) {
    return createHash("sha1")
      .update(`blob ${Buffer.byteLength(text)}\0${text}`)
      .digest("hex");
  }

  // ---- accounts -----------------------------------------------------------------------------

  user(login, type) {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: this.nextId(), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
      this.users.set(key, u);
    } else if (type) u.type = type;
    return u;
  }

  org(login) {
    const key = login.toLowerCase();
    let o = this.orgs.get(key);
    if (!o) {
      const installationId = this.nextId();
      o = { login, id: this.nextId(), installationId };
      this.orgs.set(key, o);
      this.installations.set(installationId, { id: installationId, account: login, appId: this.appId, suspended: false });
    }
    return o;
  }

  team(org, slug, members = null) {
    this.org(org);
    const key = `${org}/${slug}`.toLowerCase();
    let t = this.teams.get(key);
    if (!t) {
      t = { org, slug, name: slug, id: this.nextId(), members: [], maintainers: [] };
      this.teams.set(key, t);
    }
    if (members) t.members = [...members];
    for (const m of t.members) this.user(m);
    return t;
  }

  findTeam(org, slug) {
    return this.teams.get(`${org}/${slug}`.toLowerCase()) ?? null;
  }

  /** Repositories `login` can read (what GitHub's user-to-server endpoints list), adding to earlier grants. */
  grantRead(login, fullNames) {
    this.user(login);
    const key = login.toLowerCase();
    const set = this.readAccess.get(key) ?? new Set();
    for (const name of fullNames) set.add(String(name).toLowerCase());
    this.readAccess.set(key, set);
  }

  /** The existing repositories `login` can read, in creation order. */
  readableRepos(login) {
    const set = this.readAccess.get(String(login).toLowerCase()) ?? new Set();
    return [...this.repos.values()].filter((r) => set.has(r.fullName.toLowerCase()));
  }

  // ---- repositories -------------------------------------------------------------------------

  findRepo(fullName) {
    return this.repos.get(String(fullName).toLowerCase()) ?? null;
  }

  repo(fullName, { files = {}, defaultBranch = "main", private: isPrivate = false } = {}) {
    const existing = this.findRepo(fullName);
    if (existing) return existing;
    const [owner, name] = fullName.split("/");
    if (!owner || !name) throw new Error(`repository must be "owner/name", got "${fullName}"`);
    const org = this.org(owner);
    const repo = {
      id: this.nextId(),
      nodeId: `R_sim${this.ids}`,
      owner: org.login,
      name,
      fullName: `${org.login}/${name}`,
      private: isPrivate,
      defaultBranch,
      installationId: org.installationId,
      commits: new Map(),
      branches: new Map(),
      pulls: new Map(),
      issueComments: [],
      checkRuns: [],
      labels: new Map(),
      nextNumber: 1,
      codeownersErrors: null,
    };
    this.repos.set(repo.fullName.toLowerCase(), repo);
    const sha = this.commit(repo, { parent: null, files, message: "Initial commit" });
    repo.branches.set(defaultBranch, sha);
    return repo;
  }

  /** A commit whose tree is its parent's with `files` applied (a null value deletes the path). */
  commit(repo, { parent, files = {}, message = "Update", author = null }) {
    const tree = new Map(parent ? this.treeAt(repo, parent) : []);
    for (const [path, text] of Object.entries(files)) {
      if (text === null) tree.delete(path);
      else tree.set(path, text);
    }
    const sha = this.sha(`${repo.fullName}:${message}`);
    const who = author ?? { login: null, name: "Sim User", email: "sim@example.com" };
    repo.commits.set(sha, { sha, parents: parent ? [parent] : [], tree, message, author: who, date: this.now() });
    return sha;
  }

  /** Advances a branch with a new commit (e.g. the base branch moving on). */
  pushToBranch(repo, branch, { files = {}, message = "Update" } = {}) {
    const parent = repo.branches.get(branch) ?? null;
    const sha = this.commit(repo, { parent, files, message });
    repo.branches.set(branch, sha);
    return sha;
  }

  resolveRev(repo, rev) {
    if (rev === "HEAD" || rev === "") return repo.branches.get(repo.defaultBranch) ?? null;
    const ref = rev.replace(/^refs\/heads\//, "");
    if (repo.branches.has(ref)) return repo.branches.get(ref);
    if (repo.commits.has(rev)) return rev;
    if (/^[0-9a-f]{7,39}$/.test(rev)) for (const sha of repo.commits.keys()) if (sha.startsWith(rev)) return sha;
    return null;
  }

  treeAt(repo, sha) {
    return repo.commits.get(sha)?.tree ?? null;
  }

  treeEntries(repo, sha, dir) {
    const tree = this.treeAt(repo, sha) ?? new Map();
    const prefix = dir ? `${dir}/` : "";
    const seen = new Map();
    for (const p of tree.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const [head, ...more] = rest.split("/");
      if (!seen.has(head)) seen.set(head, { name: head, path: `${prefix}${head}`, type: more.length > 0 ? "tree" : "blob" });
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  // ---- pull requests ------------------------------------------------------------------------

  openPull(repo, opts) {
    const number = repo.nextNumber++;
    const author = this.user(opts.author?.login ?? "octocat", opts.author?.type);
    const baseRef = opts.base ?? repo.defaultBranch;
    const baseSha = opts.baseSha ?? repo.branches.get(baseRef);
    if (!baseSha) throw new Error(`${repo.fullName} has no branch ${baseRef}`);
    const pr = {
      number,
      id: this.nextId(),
      nodeId: `PR_sim${this.ids}`,
      title: opts.title ?? `Pull request ${number}`,
      body: opts.body ?? null,
      user: author,
      state: "open",
      draft: opts.draft ?? false,
      labels: [],
      assignees: (opts.assignees ?? []).map((l) => this.user(l)),
      requestedReviewers: (opts.requestedReviewers ?? []).map((l) => this.user(l)),
      requestedTeams: (opts.requestedTeams ?? []).map((s) => this.team(repo.owner, s.replace(/^@[^/]+\//, ""))),
      headRef: opts.head ?? `feature/pr-${number}`,
      headSha: baseSha,
      baseRef,
      baseSha,
      files: new Map(),
      commits: [],
      reviews: [],
      createdAt: this.now(),
      updatedAt: this.now(),
      closedAt: null,
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      mergedBy: null,
    };
    for (const l of opts.labels ?? []) this.addLabel(repo, pr, l);
    repo.pulls.set(number, pr);
    // `sameHeadAs`: another PR from the same head commit (its branch into another base, say).
    const twin = opts.sameHeadAs === undefined ? null : this.findPull(repo, opts.sameHeadAs);
    if (twin) {
      const headRef = opts.head ?? twin.headRef;
      Object.assign(pr, { headRef, headSha: twin.headSha, commits: [...twin.commits], files: new Map(twin.files) });
    } else this.pushCommits(repo, pr, { commits: opts.commits, files: opts.files });
    return pr;
  }

  findPull(repo, number) {
    return repo.pulls.get(Number(number)) ?? null;
  }

  /**
   * Pushes commits to the PR's head. `files` are the PR's changed files after the push (strings or
   * `{ filename, status, previous_filename, content }`); they apply to the last commit's tree.
   */
  pushCommits(repo, pr, { commits, files } = {}) {
    const list = commits && commits.length > 0 ? commits : [{ message: `Update ${pr.title}` }];
    const fileSpecs = (files ?? []).map((f) => (typeof f === "string" ? { filename: f } : f));
    for (const spec of fileSpecs) {
      const prev = pr.files.get(spec.filename);
      pr.files.set(spec.filename, {
        filename: spec.filename,
        status: spec.status ?? prev?.status ?? "modified",
        previous_filename: spec.previous_filename ?? prev?.previous_filename,
        additions: spec.additions ?? 1,
        deletions: spec.deletions ?? (spec.status === "added" ? 0 : 1),
        content: spec.content,
      });
    }
    let parent = pr.headSha;
    list.forEach((c, i) => {
      const last = i === list.length - 1;
      const treeFiles = {};
      if (last) {
        for (const f of pr.files.values()) {
          if (f.status === "removed") treeFiles[f.filename] = null;
          else treeFiles[f.filename] = f.content ?? `// ${f.filename} at ${pr.headRef}\n`;
          if (f.status === "renamed" && f.previous_filename) treeFiles[f.previous_filename] = null;
        }
      }
      const login = c.author?.login === undefined ? pr.user.login : c.author.login;
      const author = {
        login,
        type: c.author?.type,
        name: c.author?.name ?? login ?? "Someone",
        email: c.author?.email ?? (login ? `${this.user(login).id}+${login}@users.noreply.github.com` : "someone@example.com"),
      };
      const sha = c.sha ?? this.commit(repo, { parent, files: treeFiles, message: c.message ?? "Update", author });
      if (c.sha)
        repo.commits.set(sha, {
          sha,
          parents: [parent],
          tree: new Map(this.treeAt(repo, parent) ?? []),
          message: c.message ?? "",
          author,
          date: this.now(),
        });
      pr.commits.push(sha);
      parent = sha;
    });
    const before = pr.headSha;
    pr.headSha = parent;
    pr.updatedAt = this.now();
    return { before, after: parent };
  }

  addLabel(repo, pr, name) {
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: this.nextId(), name, color: "ededed", description: null };
      repo.labels.set(name.toLowerCase(), label);
    }
    if (!pr.labels.some((l) => l.id === label.id)) pr.labels.push(label);
    return label;
  }

  review(_repo, pr, { user, state = "APPROVED", body = "", commitId }) {
    const r = {
      id: this.nextId(),
      nodeId: `PRR_sim${this.ids}`,
      user: this.user(user.login ?? user, user.type),
      state: state.toUpperCase(),
      body,
      commitId: commitId ?? pr.headSha,
      submittedAt: this.now(),
    };
    pr.reviews.push(r);
    pr.requestedReviewers = pr.requestedReviewers.filter((u) => u.login.toLowerCase() !== r.user.login.toLowerCase());
    pr.updatedAt = this.now();
    return r;
  }

  /** Changes a review's body; GitHub remembers who edited it last and when. */
  editReview(r, { body, editor }) {
    r.body = body;
    r.editor = editor;
    r.lastEditedAt = this.now();
  }

  comment(repo, number, { user, body }) {
    const c = {
      id: this.nextId(),
      nodeId: `IC_sim${this.ids}`,
      issueNumber: Number(number),
      user: this.user(user.login ?? user, user.type),
      body,
      createdAt: this.now(),
      updatedAt: this.now(),
      reactions: [],
    };
    repo.issueComments.push(c);
    return c;
  }

  merge(repo, pr, { by, method = "merge" }) {
    const base = repo.branches.get(pr.baseRef);
    const head = this.treeAt(repo, pr.headSha);
    const files = Object.fromEntries(head ?? []);
    const sha = this.commit(repo, {
      parent: base,
      files,
      message: method === "squash" ? `${pr.title} (#${pr.number})` : `Merge pull request #${pr.number} from ${pr.headRef}`,
    });
    repo.branches.set(pr.baseRef, sha);
    pr.state = "closed";
    pr.merged = true;
    pr.mergedAt = this.now();
    pr.closedAt = pr.mergedAt;
    pr.mergeCommitSha = sha;
    pr.mergedBy = this.user(by);
    pr.updatedAt = pr.mergedAt;
    return sha;
  }

  // ---- check runs ---------------------------------------------------------------------------

  createCheckRun(repo, body, appId) {
    const run = {
      id: this.nextId(),
      nodeId: `CR_sim${this.ids}`,
      name: body.name,
      headSha: body.head_sha,
      status: body.status ?? "queued",
      conclusion: body.conclusion ?? null,
      startedAt: body.started_at ?? this.now(),
      completedAt: body.status === "completed" ? (body.completed_at ?? this.now()) : null,
      detailsUrl: body.details_url ?? null,
      externalId: body.external_id ?? "",
      output: { title: null, summary: null, text: null },
      annotations: [],
      appId,
      history: [],
    };
    this.applyCheckOutput(run, body.output);
    run.history.push({ at: this.now(), action: "created", status: run.status, conclusion: run.conclusion, title: run.output.title });
    repo.checkRuns.push(run);
    this.checkRunIndex.set(run.id, { repo, run });
    return run;
  }

  updateCheckRun(run, body) {
    for (const [k, f] of [
      ["name", "name"],
      ["status", "status"],
      ["conclusion", "conclusion"],
      ["details_url", "detailsUrl"],
      ["external_id", "externalId"],
      ["started_at", "startedAt"],
    ]) {
      if (body[k] !== undefined) run[f] = body[k];
    }
    if (body.conclusion !== undefined && body.conclusion !== null) run.status = "completed";
    if (run.status === "completed" && !run.completedAt) run.completedAt = body.completed_at ?? this.now();
    this.applyCheckOutput(run, body.output);
    run.history.push({ at: this.now(), action: "updated", status: run.status, conclusion: run.conclusion, title: run.output.title });
    return run;
  }

  applyCheckOutput(run, output) {
    if (!output) return;
    for (const k of ["title", "summary", "text"]) if (output[k] !== undefined) run.output[k] = output[k];
    // GitHub: annotations accumulate across updates.
    if (Array.isArray(output.annotations)) run.annotations.push(...output.annotations);
  }

  // ---- JSON shapes --------------------------------------------------------------------------

  userJson(u, base) {
    if (!u) return null;
    return {
      login: u.login,
      id: u.id,
      node_id: `U_sim${u.id}`,
      avatar_url: `${base.web}/avatars/u/${u.id}`,
      url: `${base.api}/users/${u.login}`,
      html_url: `${base.web}/${u.login}`,
      type: u.type,
      site_admin: false,
    };
  }

  orgJson(login, base) {
    const o = this.org(login);
    return {
      login: o.login,
      id: o.id,
      node_id: `O_sim${o.id}`,
      url: `${base.api}/orgs/${o.login}`,
      avatar_url: `${base.web}/avatars/o/${o.id}`,
      description: null,
    };
  }

  repoJson(repo, base) {
    const o = this.org(repo.owner);
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: {
        login: o.login,
        id: o.id,
        node_id: `O_sim${o.id}`,
        type: "Organization",
        site_admin: false,
        url: `${base.api}/users/${o.login}`,
        html_url: `${base.web}/${o.login}`,
      },
      html_url: `${base.web}/${repo.fullName}`,
      description: null,
      fork: false,
      url: `${base.api}/repos/${repo.fullName}`,
      default_branch: repo.defaultBranch,
      visibility: repo.private ? "private" : "public",
      archived: false,
      disabled: false,
      created_at: new Date(EPOCH).toISOString(),
      updated_at: this.now(),
      pushed_at: this.now(),
    };
  }

  teamJson(t, base) {
    return {
      id: t.id,
      node_id: `T_sim${t.id}`,
      slug: t.slug,
      name: t.name,
      privacy: "closed",
      permission: "pull",
      url: `${base.api}/organizations/${this.org(t.org).id}/team/${t.id}`,
      html_url: `${base.web}/orgs/${t.org}/teams/${t.slug}`,
      parent: null,
    };
  }

  labelJson(repo, l, base) {
    return {
      id: l.id,
      node_id: `LA_sim${l.id}`,
      url: `${base.api}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      default: false,
      description: l.description,
    };
  }

  pullJson(repo, pr, base, { simple = false } = {}) {
    const url = `${base.api}/repos/${repo.fullName}/pulls/${pr.number}`;
    const repoJson = this.repoJson(repo, base);
    const json = {
      url,
      id: pr.id,
      node_id: pr.nodeId,
      html_url: `${base.web}/${repo.fullName}/pull/${pr.number}`,
      diff_url: `${base.web}/${repo.fullName}/pull/${pr.number}.diff`,
      patch_url: `${base.web}/${repo.fullName}/pull/${pr.number}.patch`,
      issue_url: `${base.api}/repos/${repo.fullName}/issues/${pr.number}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: this.userJson(pr.user, base),
      body: pr.body,
      labels: pr.labels.map((l) => this.labelJson(repo, l, base)),
      milestone: null,
      active_lock_reason: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha,
      assignee: this.userJson(pr.assignees[0] ?? null, base),
      assignees: pr.assignees.map((u) => this.userJson(u, base)),
      requested_reviewers: pr.requestedReviewers.map((u) => this.userJson(u, base)),
      requested_teams: pr.requestedTeams.map((t) => this.teamJson(t, base)),
      head: { label: `${repo.owner}:${pr.headRef}`, ref: pr.headRef, sha: pr.headSha, user: this.userJson(pr.user, base), repo: repoJson },
      base: { label: `${repo.owner}:${pr.baseRef}`, ref: pr.baseRef, sha: pr.baseSha, user: repoJson.owner, repo: repoJson },
      author_association: "MEMBER",
      auto_merge: null,
      draft: pr.draft,
    };
    if (simple) return json;
    const files = [...pr.files.values()];
    return {
      ...json,
      merged: pr.merged,
      mergeable: pr.state === "open" ? true : null,
      rebaseable: pr.state === "open" ? true : null,
      mergeable_state: pr.state === "open" ? "clean" : "unknown",
      merged_by: this.userJson(pr.mergedBy, base),
      comments: repo.issueComments.filter((c) => c.issueNumber === pr.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: pr.commits.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changed_files: files.length,
    };
  }

  fileJson(repo, pr, f, base) {
    const sha = f.status === "removed" ? "0".repeat(40) : this.blobOid(f.content ?? `// ${f.filename} at ${pr.headRef}\n`);
    const out = {
      sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${base.web}/${repo.fullName}/blob/${pr.headSha}/${f.filename}`,
      raw_url: `${base.web}/${repo.fullName}/raw/${pr.headSha}/${f.filename}`,
      contents_url: `${base.api}/repos/${repo.fullName}/contents/${f.filename}?ref=${pr.headSha}`,
      patch: `@@ -1 +1 @@\n-old\n+new`,
    };
    if (f.previous_filename) out.previous_filename = f.previous_filename;
    return out;
  }

  commitJson(repo, sha, base) {
    const c = repo.commits.get(sha);
    const user = c.author.login ? this.user(c.author.login, c.author.type) : null;
    return {
      sha,
      node_id: `C_sim${sha.slice(0, 10)}`,
      url: `${base.api}/repos/${repo.fullName}/commits/${sha}`,
      html_url: `${base.web}/${repo.fullName}/commit/${sha}`,
      commit: {
        author: { name: c.author.name, email: c.author.email, date: c.date },
        committer: { name: "GitHub", email: "noreply@github.com", date: c.date },
        message: c.message,
        tree: { sha: this.blobOid(`tree:${sha}`), url: `${base.api}/repos/${repo.fullName}/git/trees/${sha}` },
        comment_count: 0,
        verification: { verified: false, reason: "unsigned", signature: null, payload: null },
      },
      author: this.userJson(user, base),
      committer: null,
      parents: c.parents.map((p) => ({ sha: p, url: `${base.api}/repos/${repo.fullName}/commits/${p}` })),
    };
  }

  reviewJson(repo, pr, r, base, { webhook = false } = {}) {
    return {
      id: r.id,
      node_id: r.nodeId,
      user: this.userJson(r.user, base),
      body: r.body,
      // Webhooks spell review states in lower case, REST in upper case.
      state: webhook ? r.state.toLowerCase() : r.state,
      html_url: `${base.web}/${repo.fullName}/pull/${pr.number}#pullrequestreview-${r.id}`,
      pull_request_url: `${base.api}/repos/${repo.fullName}/pulls/${pr.number}`,
      author_association: "MEMBER",
      submitted_at: r.submittedAt,
      commit_id: r.commitId,
    };
  }

  commentJson(repo, c, base) {
    return {
      id: c.id,
      node_id: c.nodeId,
      url: `${base.api}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `${base.web}/${repo.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${base.api}/repos/${repo.fullName}/issues/${c.issueNumber}`,
      user: this.userJson(c.user, base),
      body: c.body,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: "MEMBER",
      performed_via_github_app: null,
    };
  }

  issueJson(repo, pr, base) {
    return {
      url: `${base.api}/repos/${repo.fullName}/issues/${pr.number}`,
      id: pr.id + 1,
      node_id: `I_sim${pr.id}`,
      number: pr.number,
      title: pr.title,
      user: this.userJson(pr.user, base),
      labels: pr.labels.map((l) => this.labelJson(repo, l, base)),
      state: pr.state,
      locked: false,
      assignee: this.userJson(pr.assignees[0] ?? null, base),
      assignees: pr.assignees.map((u) => this.userJson(u, base)),
      comments: repo.issueComments.filter((c) => c.issueNumber === pr.number).length,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      author_association: "MEMBER",
      body: pr.body,
      pull_request: {
        url: `${base.api}/repos/${repo.fullName}/pulls/${pr.number}`,
        html_url: `${base.web}/${repo.fullName}/pull/${pr.number}`,
        diff_url: `${base.web}/${repo.fullName}/pull/${pr.number}.diff`,
        patch_url: `${base.web}/${repo.fullName}/pull/${pr.number}.patch`,
        merged_at: pr.mergedAt,
      },
    };
  }

  checkRunJson(repo, run, base) {
    const prs = [...repo.pulls.values()].filter((p) => p.state === "open" && p.headSha === run.headSha);
    return {
      id: run.id,
      node_id: run.nodeId,
      head_sha: run.headSha,
      external_id: run.externalId,
      url: `${base.api}/repos/${repo.fullName}/check-runs/${run.id}`,
      html_url: `${base.web}/${repo.fullName}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.annotations.length,
        annotations_url: `${base.api}/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
      },
      name: run.name,
      check_suite: { id: run.id + 1 },
      app: {
        id: run.appId,
        slug: run.appId === this.appId ? this.appSlug : `app-${run.appId}`,
        node_id: `A_sim${run.appId}`,
        name: run.appId === this.appId ? this.appSlug : `App ${run.appId}`,
        owner: null,
      },
      pull_requests: prs.map((p) => ({
        url: `${base.api}/repos/${repo.fullName}/pulls/${p.number}`,
        id: p.id,
        number: p.number,
        head: { ref: p.headRef, sha: p.headSha, repo: { id: repo.id, url: `${base.api}/repos/${repo.fullName}`, name: repo.name } },
        base: { ref: p.baseRef, sha: p.baseSha, repo: { id: repo.id, url: `${base.api}/repos/${repo.fullName}`, name: repo.name } },
      })),
    };
  }

  installationJson(inst, base) {
    return {
      id: inst.id,
      account: this.orgJson(inst.account, base),
      repository_selection: "all",
      access_tokens_url: `${base.api}/app/installations/${inst.id}/access_tokens`,
      repositories_url: `${base.api}/installation/repositories`,
      html_url: `${base.web}/organizations/${inst.account}/settings/installations/${inst.id}`,
      app_id: inst.appId,
      app_slug: this.appSlug,
      target_id: this.org(inst.account).id,
      target_type: "Organization",
      permissions: {
        checks: "write",
        contents: "read",
        pull_requests: "write",
        issues: "write",
        members: "read",
        metadata: "read",
        merge_queues: "read",
      },
      events: ["pull_request", "pull_request_review", "check_run", "merge_group", "issue_comment"],
      created_at: new Date(EPOCH).toISOString(),
      updated_at: new Date(EPOCH).toISOString(),
      suspended_at: null,
    };
  }
}
