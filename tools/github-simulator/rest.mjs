/**
 * The REST endpoints, under the GitHub Enterprise Server prefix `/api/v3`. Each route returns
 * `{ status, body, headers }` in GitHub's shapes; lists paginate with `per_page`/`page` and a
 * `Link` header exactly as GitHub writes it, including GitHub's caps (3,000 files and 250 commits
 * per pull request).
 */
import { associatedPulls } from "./graphql-types.mjs";
import { registerContentRoutes } from "./contents.mjs";
import { registerHookDeliveryRoutes } from "./hook-deliveries.mjs";
import { verifyAppJwt } from "./jwt.mjs";

export const MAX_PULL_FILES = 3000;
export const MAX_PULL_COMMITS = 250;

export class HttpError extends Error {
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

const DOCS = "https://docs.github.com/enterprise-server@3.17/rest";

export function errorBody(status, message, extra = {}) {
  return { message, documentation_url: DOCS, status: String(status), ...extra };
}

/** `(req) → response` for the REST surface. `ctx` gives the world, base URLs and token store. */
export function createRestRoutes(ctx) {
  const { world } = ctx;
  const routes = [];
  const route = (method, pattern, handler, opts = {}) => {
    const keys = [];
    const rx = new RegExp(
      `^${pattern.replace(/\{(\w+)\}/g, (_m, k) => {
        keys.push(k);
        return k === "path" || k === "name_rest" ? "(.+)" : "([^/]+)";
      })}$`,
    );
    routes.push({ method, rx, keys, handler, auth: opts.auth ?? "installation" });
  };

  const base = () => ctx.base();

  const repoOf = (req) => {
    const repo = world.findRepo(`${req.params.owner}/${req.params.repo}`);
    if (!repo) throw new HttpError(404, "Not Found");
    if (req.installation && req.installation.id !== repo.installationId) throw new HttpError(404, "Not Found");
    return repo;
  };
  const pullOf = (req, repo) => {
    const pr = world.findPull(repo, req.params.number);
    if (!pr) throw new HttpError(404, "Not Found");
    return pr;
  };

  /** GitHub's page-based pagination with a Link header (first/prev/next/last). */
  const paginate = (req, items, { cap = Infinity, defaultPerPage = 30 } = {}) => {
    const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? defaultPerPage) || defaultPerPage, 1), 100);
    const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
    const visible = items.slice(0, cap);
    const slice = visible.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(Math.ceil(visible.length / perPage), 1);
    const link = (p) => {
      const q = new URLSearchParams(req.query);
      q.set("per_page", String(perPage));
      q.set("page", String(p));
      return `<${base().api}${req.path}?${q.toString()}>`;
    };
    const rels = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { status: 200, body: slice, headers: rels.length > 0 ? { link: rels.join(", ") } : {} };
  };

  const requireInstallationAccess = (req, repo) => {
    if (!req.installation || req.installation.id !== repo.installationId) throw new HttpError(404, "Not Found");
  };

  // ---- app authentication (JWT) -------------------------------------------------------------

  route(
    "GET",
    "/app",
    () => ({ status: 200, body: { id: world.appId, slug: world.appSlug, name: world.appSlug, owner: null, permissions: {}, events: [] } }),
    { auth: "app" },
  );
  route(
    "GET",
    "/app/installations",
    (req) =>
      paginate(
        req,
        [...world.installations.values()].map((i) => world.installationJson(i, base())),
      ),
    { auth: "app" },
  );
  route(
    "GET",
    "/app/installations/{id}",
    (req) => {
      const inst = world.installations.get(Number(req.params.id));
      if (!inst) throw new HttpError(404, "Not Found");
      return { status: 200, body: world.installationJson(inst, base()) };
    },
    { auth: "app" },
  );
  route(
    "GET",
    "/repos/{owner}/{repo}/installation",
    (req) => {
      const repo = world.findRepo(`${req.params.owner}/${req.params.repo}`);
      if (!repo || repo.installationId === null) throw new HttpError(404, "Not Found");
      return { status: 200, body: world.installationJson(world.installations.get(repo.installationId), base()) };
    },
    { auth: "app" },
  );
  route(
    "POST",
    "/app/installations/{id}/access_tokens",
    (req) => {
      const inst = world.installations.get(Number(req.params.id));
      if (!inst) throw new HttpError(404, "Not Found");
      if (inst.suspended) throw new HttpError(403, "This installation has been suspended");
      const { token, expiresAt } = ctx.issueToken(inst.id);
      return {
        status: 201,
        body: { token, expires_at: expiresAt, permissions: world.installationJson(inst, base()).permissions, repository_selection: "all" },
      };
    },
    { auth: "app" },
  );

  route("GET", "/installation/repositories", (req) => {
    const repos = [...world.repos.values()].filter((r) => r.installationId === req.installation.id);
    const page = paginate(
      req,
      repos.map((r) => world.repoJson(r, base())),
      { defaultPerPage: 30 },
    );
    return { ...page, body: { total_count: repos.length, repository_selection: "all", repositories: page.body } };
  });

  // ---- pull requests ------------------------------------------------------------------------

  route("GET", "/repos/{owner}/{repo}/pulls", (req) => {
    const repo = repoOf(req);
    const state = req.query.get("state") ?? "open";
    const sort = req.query.get("sort") ?? "created";
    const direction = req.query.get("direction") ?? (sort === "created" ? "desc" : "desc");
    let list = [...repo.pulls.values()].filter((p) => state === "all" || p.state === state);
    const key = sort === "updated" ? (p) => p.updatedAt : (p) => p.createdAt;
    list.sort((a, b) => (key(a) === key(b) ? a.number - b.number : key(a) < key(b) ? -1 : 1));
    if (direction === "desc") list = list.reverse();
    return paginate(
      req,
      list.map((p) => world.pullJson(repo, p, base(), { simple: true })),
    );
  });
  route("GET", "/repos/{owner}/{repo}/pulls/{number}", (req) => {
    const repo = repoOf(req);
    return { status: 200, body: world.pullJson(repo, pullOf(req, repo), base()) };
  });
  route("GET", "/repos/{owner}/{repo}/pulls/{number}/files", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    // GitHub: "Responses include a maximum of 3000 files."
    return paginate(
      req,
      [...pr.files.values()].map((f) => world.fileJson(repo, pr, f, base())),
      { cap: MAX_PULL_FILES },
    );
  });
  route("GET", "/repos/{owner}/{repo}/pulls/{number}/commits", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    // GitHub: "Lists a maximum of 250 commits for a pull request."
    return paginate(
      req,
      pr.commits.map((sha) => world.commitJson(repo, sha, base())),
      { cap: MAX_PULL_COMMITS },
    );
  });
  route("GET", "/repos/{owner}/{repo}/pulls/{number}/reviews", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    return paginate(
      req,
      pr.reviews.map((r) => world.reviewJson(repo, pr, r, base())),
    );
  });
  route("GET", "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    return {
      status: 200,
      body: {
        users: pr.requestedReviewers.map((u) => world.userJson(u, base())),
        teams: pr.requestedTeams.map((t) => world.teamJson(t, base())),
      },
    };
  });
  route("POST", "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    const users = req.body?.reviewers ?? [];
    const teams = req.body?.team_reviewers ?? [];
    for (const slug of teams) {
      const team = world.findTeam(repo.owner, slug);
      if (!team)
        throw new HttpError(
          422,
          "Reviews may only be requested from collaborators. " +
            "One or more of the teams you specified is not a collaborator of the repository.",
        );
      if (!pr.requestedTeams.some((t) => t.id === team.id)) pr.requestedTeams.push(team);
    }
    for (const login of users) {
      if (login.toLowerCase() === pr.user.login.toLowerCase())
        throw new HttpError(422, "Review cannot be requested from pull request author.");
      const u = world.user(login);
      if (!pr.requestedReviewers.some((x) => x.id === u.id)) pr.requestedReviewers.push(u);
    }
    pr.updatedAt = world.now();
    ctx.emit("requested_reviewers", { repo, pr, users, teams });
    return { status: 201, body: world.pullJson(repo, pr, base(), { simple: true }) };
  });
  route("GET", "/repos/{owner}/{repo}/commits/{sha}/pulls", (req) => {
    const repo = repoOf(req);
    const sha = world.resolveRev(repo, req.params.sha) ?? req.params.sha;
    const list = associatedPulls(repo, sha);
    return paginate(
      req,
      list.map((p) => world.pullJson(repo, p, base(), { simple: true })),
    );
  });

  // ---- issues: labels, comments, reactions --------------------------------------------------

  route("GET", "/repos/{owner}/{repo}/issues/{number}/labels", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    return paginate(
      req,
      pr.labels.map((l) => world.labelJson(repo, l, base())),
    );
  });
  route("POST", "/repos/{owner}/{repo}/issues/{number}/labels", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    const names = Array.isArray(req.body) ? req.body : (req.body?.labels ?? []);
    if (!Array.isArray(names) || names.length === 0) throw new HttpError(422, "Invalid request.\n\nNo labels given.");
    for (const n of names) world.addLabel(repo, pr, typeof n === "string" ? n : n.name);
    ctx.emit("labels", { repo, pr, added: names });
    return { status: 200, body: pr.labels.map((l) => world.labelJson(repo, l, base())) };
  });
  route("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels/{name}", (req) => {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    const name = decodeURIComponent(req.params.name).toLowerCase();
    const before = pr.labels.length;
    pr.labels = pr.labels.filter((l) => l.name.toLowerCase() !== name);
    if (pr.labels.length === before) throw new HttpError(404, "Label does not exist");
    ctx.emit("labels", { repo, pr, removed: [name] });
    return { status: 200, body: pr.labels.map((l) => world.labelJson(repo, l, base())) };
  });
  route("GET", "/repos/{owner}/{repo}/issues/{number}/comments", (req) => {
    const repo = repoOf(req);
    pullOf(req, repo);
    return paginate(
      req,
      repo.issueComments.filter((c) => c.issueNumber === Number(req.params.number)).map((c) => world.commentJson(repo, c, base())),
    );
  });
  route("POST", "/repos/{owner}/{repo}/issues/{number}/comments", (req) => {
    const repo = repoOf(req);
    pullOf(req, repo);
    if (typeof req.body?.body !== "string" || req.body.body.length === 0)
      throw new HttpError(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
    if (req.body.body.length > 65536)
      throw new HttpError(422, "Validation Failed", {
        errors: [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }],
      });
    const c = world.comment(repo, req.params.number, { user: { login: `${world.appSlug}[bot]`, type: "Bot" }, body: req.body.body });
    ctx.emit("comment", { repo, comment: c, byApp: true });
    return { status: 201, body: world.commentJson(repo, c, base()) };
  });
  route("POST", "/repos/{owner}/{repo}/issues", (req) => {
    const repo = repoOf(req);
    if (typeof req.body?.title !== "string" || req.body.title.length === 0)
      throw new HttpError(422, 'Invalid request.\n\n"title" wasn\'t supplied.');
    const number = repo.nextNumber++;
    const issue = { number, title: req.body.title, body: req.body.body ?? null, createdAt: world.now() };
    (repo.issues ??= []).push(issue);
    ctx.emit("issue", { repo, issue });
    return {
      status: 201,
      body: {
        id: world.nextId(),
        number,
        title: issue.title,
        body: issue.body,
        state: "open",
        html_url: `${base().web}/${repo.fullName}/issues/${number}`,
        url: `${base().api}/repos/${repo.fullName}/issues/${number}`,
      },
    };
  });
  route("POST", "/repos/{owner}/{repo}/issues/comments/{id}/reactions", (req) => {
    const repo = repoOf(req);
    const c = repo.issueComments.find((x) => x.id === Number(req.params.id));
    if (!c) throw new HttpError(404, "Not Found");
    const content = req.body?.content;
    if (!["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"].includes(content))
      throw new HttpError(422, "Validation Failed");
    const existing = c.reactions.find((r) => r.content === content);
    if (existing) return { status: 200, body: existing.json };
    const json = {
      id: world.nextId(),
      node_id: "REA_sim",
      user: world.userJson(world.user(`${world.appSlug}[bot]`, "Bot"), base()),
      content,
      created_at: world.now(),
    };
    c.reactions.push({ content, json });
    ctx.emit("reaction", { repo, comment: c, content });
    return { status: 201, body: json };
  });

  // ---- check runs ---------------------------------------------------------------------------

  const validateCheckBody = (body, creating) => {
    if (creating && (typeof body?.name !== "string" || !body.name))
      throw new HttpError(422, 'Invalid request.\n\n"name" wasn\'t supplied.');
    if (creating && (typeof body?.head_sha !== "string" || !/^[0-9a-f]{40}$/.test(body.head_sha)))
      throw new HttpError(422, 'Invalid request.\n\n"head_sha" wasn\'t supplied.');
    if (body.status === "completed" && !body.conclusion && creating)
      throw new HttpError(422, 'Invalid request.\n\nNo subschema in "anyOf" matched.\n"conclusion" wasn\'t supplied.');
    const ok = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"];
    if (body.conclusion != null && !ok.includes(body.conclusion))
      throw new HttpError(422, `Invalid request.\n\n"${body.conclusion}" is not a valid conclusion`);
    const o = body.output;
    if (o) {
      if (typeof o.title !== "string" || typeof o.summary !== "string")
        throw new HttpError(422, 'Invalid request.\n\n"title", "summary" weren\'t supplied.');
      if (o.summary.length > 65535) throw new HttpError(422, "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.");
      if (typeof o.text === "string" && o.text.length > 65535)
        throw new HttpError(422, "Invalid request.\n\nOnly 65535 characters are allowed in text.");
      if (Array.isArray(o.annotations) && o.annotations.length > 50)
        throw new HttpError(422, "Invalid request.\n\nNo more than 50 annotations may be given per request.");
      for (const a of o.annotations ?? []) {
        if (
          !a.path ||
          !Number.isInteger(a.start_line) ||
          !Number.isInteger(a.end_line) ||
          !["notice", "warning", "failure"].includes(a.annotation_level) ||
          typeof a.message !== "string"
        ) {
          throw new HttpError(422, "Invalid request.\n\nEach annotation needs path, start_line, end_line, annotation_level and message.");
        }
      }
    }
  };
  route("POST", "/repos/{owner}/{repo}/check-runs", (req) => {
    const repo = repoOf(req);
    validateCheckBody(req.body ?? {}, true);
    if (!repo.commits.has(req.body.head_sha)) throw new HttpError(422, "No commit found for SHA: " + req.body.head_sha);
    const run = world.createCheckRun(repo, req.body, req.installation.appId);
    ctx.emit("check_run", { repo, run, action: "created" });
    return { status: 201, body: world.checkRunJson(repo, run, base()) };
  });
  route("PATCH", "/repos/{owner}/{repo}/check-runs/{id}", (req) => {
    const repo = repoOf(req);
    const run = repo.checkRuns.find((r) => r.id === Number(req.params.id));
    if (!run) throw new HttpError(404, "Not Found");
    if (run.appId !== req.installation.appId)
      throw new HttpError(403, "Invalid app_id `" + req.installation.appId + "` - check run can only be modified by its creator");
    validateCheckBody(req.body ?? {}, false);
    world.updateCheckRun(run, req.body ?? {});
    ctx.emit("check_run", { repo, run, action: "updated" });
    return { status: 200, body: world.checkRunJson(repo, run, base()) };
  });
  route("GET", "/repos/{owner}/{repo}/check-runs/{id}", (req) => {
    const repo = repoOf(req);
    const run = repo.checkRuns.find((r) => r.id === Number(req.params.id));
    if (!run) throw new HttpError(404, "Not Found");
    return { status: 200, body: world.checkRunJson(repo, run, base()) };
  });
  route("GET", "/repos/{owner}/{repo}/check-runs/{id}/annotations", (req) => {
    const repo = repoOf(req);
    const run = repo.checkRuns.find((r) => r.id === Number(req.params.id));
    if (!run) throw new HttpError(404, "Not Found");
    return paginate(req, run.annotations);
  });
  route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", (req) => {
    const repo = repoOf(req);
    const sha = world.resolveRev(repo, decodeURIComponent(req.params.ref));
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${req.params.ref}`);
    let runs = repo.checkRuns.filter((r) => r.headSha === sha);
    const name = req.query.get("check_name");
    if (name) runs = runs.filter((r) => r.name === name);
    const status = req.query.get("status");
    if (status) runs = runs.filter((r) => r.status === status);
    const appId = req.query.get("app_id");
    if (appId) runs = runs.filter((r) => String(r.appId) === appId);
    if ((req.query.get("filter") ?? "latest") === "latest") {
      // The most recent run per (name, app).
      const latest = new Map();
      for (const r of runs) {
        const k = `${r.name}\u0000${r.appId}`;
        if (!latest.has(k) || latest.get(k).id < r.id) latest.set(k, r);
      }
      runs = [...latest.values()];
    }
    runs.sort((a, b) => b.id - a.id);
    const page = paginate(
      req,
      runs.map((r) => world.checkRunJson(repo, r, base())),
    );
    return { ...page, body: { total_count: runs.length, check_runs: page.body } };
  });

  // ---- contents, branch rules, CODEOWNERS errors (contents.mjs) ----------------------------
  registerContentRoutes(route, { world, repoOf, paginate, base });

  // ---- teams --------------------------------------------------------------------------------

  route("GET", "/orgs/{org}/teams/{slug}/members", (req) => {
    const team = world.findTeam(req.params.org, req.params.slug);
    if (!team || !req.installation || world.org(team.org).installationId !== req.installation.id) throw new HttpError(404, "Not Found");
    return paginate(
      req,
      team.members.map((m) => world.userJson(world.user(m), base())),
    );
  });
  route("GET", "/orgs/{org}/teams/{slug}/memberships/{username}", (req) => {
    const team = world.findTeam(req.params.org, req.params.slug);
    if (!team || !req.installation || world.org(team.org).installationId !== req.installation.id) throw new HttpError(404, "Not Found");
    const member = team.members.find((m) => m.toLowerCase() === req.params.username.toLowerCase());
    if (!member) throw new HttpError(404, "Not Found");
    return {
      status: 200,
      body: {
        url: `${base().api}/organizations/${team.org}/team/${team.id}/memberships/${member}`,
        role: team.maintainers.includes(member) ? "maintainer" : "member",
        state: "active",
      },
    };
  });
  route("GET", "/orgs/{org}/teams/{slug}", (req) => {
    const team = world.findTeam(req.params.org, req.params.slug);
    if (!team) throw new HttpError(404, "Not Found");
    return { status: 200, body: world.teamJson(team, base()) };
  });

  // ---- the signed-in user (user-to-server tokens from oauth.mjs) ----------------------------

  const readable = (req) => world.readableRepos(req.user.login);
  const wrap = (page, key, total, extra = {}) => ({ ...page, body: { total_count: total, ...extra, [key]: page.body } });
  route("GET", "/user", (req) => ({ status: 200, body: { ...world.userJson(req.user, base()), name: req.user.login, email: null } }), {
    auth: "user",
  });
  route(
    "GET",
    "/user/installations",
    (req) => {
      // The app's installations on an account where the user can read at least one repository.
      const ids = [...new Set(readable(req).map((r) => r.installationId))];
      const list = ids.map((id) => world.installationJson(world.installations.get(id), base()));
      return wrap(paginate(req, list), "installations", list.length);
    },
    { auth: "user" },
  );
  route(
    "GET",
    "/user/installations/{id}/repositories",
    (req) => {
      const repos = readable(req).filter((r) => r.installationId === Number(req.params.id));
      if (repos.length === 0) throw new HttpError(404, "Not Found");
      const list = repos.map((r) => ({
        ...world.repoJson(r, base()),
        permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
      }));
      return wrap(paginate(req, list), "repositories", list.length, { repository_selection: "all" });
    },
    { auth: "user" },
  );

  // Revoking a user-to-server token: Basic auth with the app's client id and secret.
  route(
    "DELETE",
    "/applications/{client_id}/token",
    (req) => {
      const status = ctx.revokeUserToken(req.params.client_id, req.headers.authorization, req.body?.access_token);
      if (status !== 204) throw new HttpError(status, "Not Found");
      return { status: 204, body: null };
    },
    { auth: "any" },
  );

  // ---- repository ---------------------------------------------------------------------------

  route("GET", "/repos/{owner}/{repo}", (req) => ({ status: 200, body: world.repoJson(repoOf(req), base()) }));
  // A repository by its numeric id (what webhook delivery records carry), for the installation that has it.
  route("GET", "/repositories/{id}", (req) => {
    const repo = [...world.repos.values()].find((r) => r.id === Number(req.params.id));
    if (!repo) throw new HttpError(404, "Not Found");
    requireInstallationAccess(req, repo);
    return { status: 200, body: world.repoJson(repo, base()) };
  });
  // The app webhook's delivery log and redelivery (hook-deliveries.mjs).
  registerHookDeliveryRoutes(route, { deliveries: ctx.deliveries, redeliver: ctx.redeliverAttempt, base });
  route(
    "GET",
    "/rate_limit",
    (req) => {
      const rl = ctx.rateLimit(req.installation?.id ?? 0);
      const core = { limit: rl.limit, remaining: rl.remaining, reset: rl.reset, used: rl.used };
      return {
        status: 200,
        body: { resources: { core, graphql: core, search: { limit: 30, remaining: 30, reset: rl.reset, used: 0 } }, rate: core },
      };
    },
    { auth: "any" },
  );

  return {
    /** Finds the route for `method path` (path without the /api/v3 prefix). */
    match(method, path) {
      for (const r of routes) {
        if (r.method !== method) continue;
        const m = r.rx.exec(path);
        if (m) return { route: r, params: Object.fromEntries(r.keys.map((k, i) => [k, m[i + 1]])) };
      }
      const other = routes.some((r) => r.rx.test(path));
      return other ? { notAllowed: true } : null;
    },
    /** Authenticates `req` for `route`: sets req.installation (token) or req.app (JWT). */
    authenticate(req, route) {
      const header = String(req.headers.authorization ?? "");
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
      if (route.auth === "app") {
        if (!m) throw new HttpError(401, "A JSON web token could not be decoded");
        const verdict = verifyAppJwt(m[1], { appId: world.appId, publicKey: ctx.publicKey, now: ctx.clock() });
        if (!verdict.ok) throw new HttpError(401, verdict.message);
        req.app = { id: world.appId };
        return;
      }
      if (!m) {
        if (route.auth === "any") return;
        throw new HttpError(401, "Requires authentication");
      }
      if (route.auth === "user") {
        const user = ctx.userOfToken(m[1]);
        if (!user) throw new HttpError(401, "Bad credentials");
        req.user = user;
        return;
      }
      const inst = ctx.tokenInstallation(m[1]);
      if (!inst) {
        if (m[1].split(".").length === 3)
          throw new HttpError(
            401,
            "A JSON web token cannot be used to authenticate as an installation; exchange it for an installation access token first",
          );
        throw new HttpError(401, "Bad credentials");
      }
      req.installation = inst;
    },
  };
}
