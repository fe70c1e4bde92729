/**
 * A local GitHub API simulator for Countersign's demo, end-to-end tests and load bench.
 *
 * It speaks the GitHub Enterprise Server layout Probot uses with `GHE_HOST`/`GHE_PROTOCOL=http`
 * (REST under `/api/v3`, GraphQL at `/api/graphql`), exchanges the app's JWT for installation
 * tokens, holds repositories, pull requests, files, commits, reviews, comments, labels, teams
 * and check runs in memory, logs every request, injects faults (5xx, secondary rate limits with
 * `retry-after`, latency), and sends signed webhooks for what a script does (open, push, review,
 * comment, merge…). Development only: not part of the production build or image.
 *
 *   const sim = await startGitHubSimulator({ appId: 1, publicKey, webhook: { url, secret } });
 *   sim.team("acme/security", ["sec-lead"]);
 *   sim.repo("acme/api", { files: { ".github/CODEOWNERS": "* @acme/platform\n" } });
 *   const pr = await sim.openPullRequest("acme/api", { title: "Fix", body: "…", files: ["src/a.ts"] });
 *   const run = await sim.waitForCheck("acme/api", pr.headSha);
 */
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { executeGraphql } from "./graphql.mjs";
import { createOAuthRoutes, OAUTH_PATHS } from "./oauth.mjs";
import { createRestRoutes, errorBody, HttpError } from "./rest.mjs";
import { createPayloads, newDeliveryId, postDelivery } from "./webhooks.mjs";
import { World } from "./world.mjs";

export { signPayload, postDelivery } from "./webhooks.mjs";
export { verifyAppJwt } from "./jwt.mjs";
export { MAX_PULL_FILES, MAX_PULL_COMMITS } from "./rest.mjs";

const sleep = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

const SECONDARY_RATE_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. " +
  "Please retry your request again later.";

export async function startGitHubSimulator(options = {}) {
  const sim = new GitHubSimulator(options);
  await sim.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  return sim;
}

export class GitHubSimulator {
  constructor({
    appId = 1,
    appSlug = "countersign",
    publicKey = null,
    privateKey = null,
    webhook = null,
    latencyMs = 0,
    blobTextLimit = 512 * 1024,
    rateLimit = 5000,
    clock = () => Date.now(),
    log = null,
    oauth = null,
  } = {}) {
    this.world = new World({ appId, appSlug, clock });
    if (oauth) this.oauthApp(oauth);
    this.clock = clock;
    this.publicKey = publicKey ? createPublicKey(publicKey) : privateKey ? createPublicKey(privateKey) : null;
    this.webhook = webhook ? { ...webhook } : null;
    this.latencyMs = latencyMs;
    this.blobTextLimit = blobTextLimit;
    this.rateLimitPerHour = rateLimit;
    this.logLine = log;
    this.events = new EventEmitter();
    this.events.setMaxListeners(1000);
    /** Every request, in arrival order. */
    this.requests = [];
    /** Every webhook delivery attempt: { id, event, action, at, status, ms, body (the app's answer), payload (the JSON sent) }. */
    this.deliveries = [];
    this.faults = [];
    this.tokens = new Map();
    this.usage = new Map();
    this.seq = 0;
    /** Numeric ids of webhook delivery attempts (GitHub's `id`; the GUID is `guid`). */
    this.hookDeliverySeq = 0;
    /** Deliveries sent in the background (redeliveries the app asked for): `idle()` waits for them. */
    this.inFlight = new Set();
    this.payloads = createPayloads(this.world, () => this.base());
    this.oauthRoutes = createOAuthRoutes({ world: this.world, clock: this.clock });
    this.rest = createRestRoutes({
      world: this.world,
      base: () => this.base(),
      publicKey: this.publicKey,
      clock: this.clock,
      issueToken: (installationId) => this.#issueToken(installationId),
      tokenInstallation: (token) => this.#tokenInstallation(token),
      userOfToken: (token) => this.oauthRoutes.userOfToken(token),
      revokeUserToken: (clientId, authorization, token) => this.oauthRoutes.revokeToken(clientId, authorization, token),
      rateLimit: (id) => this.#rateLimit(id, false),
      emit: (name, data) => this.#emit(name, data),
      deliveries: () => this.deliveries,
      redeliverAttempt: (d) => this.#background(this.deliver(d.event, d.payload, { id: d.id, redelivery: true, url: d.url })),
    });
    this.server = createServer((req, res) => {
      this.#handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(errorBody(500, `simulator bug: ${error?.stack ?? error}`)));
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  listen(port, host) {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const addr = this.server.address();
        this.host = `${host}:${addr.port}`;
        this.port = addr.port;
        this.url = `http://${this.host}`;
        this.apiUrl = `${this.url}/api/v3`;
        this.graphqlUrl = `${this.url}/api/graphql`;
        resolve(this);
      });
    });
  }

  base() {
    return { api: this.apiUrl, web: this.url };
  }

  /** Env for a Probot process pointed at this simulator (GitHub Enterprise Server layout). */
  env() {
    return { GHE_HOST: this.host, GHE_PROTOCOL: "http" };
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
    this.events.removeAllListeners();
  }

  on(event, fn) {
    this.events.on(event, fn);
    return () => this.events.off(event, fn);
  }

  #emit(name, data) {
    this.events.emit(name, data);
  }

  setWebhook(webhook) {
    this.webhook = webhook ? { ...webhook } : null;
  }

  // ---- setup --------------------------------------------------------------------------------

  org(login) {
    return this.world.org(login);
  }

  /** `team("acme/security", ["sec-lead"])` (or "@acme/security"): creates or replaces members. */
  team(fullSlug, members = []) {
    const [org, slug] = fullSlug.replace(/^@/, "").split("/");
    return this.world.team(org, slug, members);
  }

  /** Creates a repository whose default branch holds `files` ({ path: text }). */
  repo(fullName, opts = {}) {
    return this.world.repo(fullName, opts);
  }

  /** Commits `files` to a branch (a null value deletes); returns the new SHA. */
  pushToBranch(fullName, branch, { files = {}, message } = {}) {
    return this.world.pushToBranch(this.#repo(fullName), branch, { files, message });
  }

  branchSha(fullName, branch) {
    const repo = this.#repo(fullName);
    return repo.branches.get(branch ?? repo.defaultBranch);
  }

  /**
   * The active ruleset rules GitHub applies to `branch` (GET /repos/{o}/{r}/rules/branches/{branch}),
   * e.g. [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "countersign" }] } }].
   */
  setBranchRules(fullName, branch, rules) {
    const repo = this.#repo(fullName);
    repo.branchRules ??= new Map();
    repo.branchRules.set(branch, rules);
  }

  /** Takes a repository out of its organisation's installation ("Only select repositories"). */
  removeFromInstallation(fullName) {
    this.#repo(fullName).installationId = null;
  }

  /** Overrides GitHub's list of invalid CODEOWNERS lines for a repository (null: computed). */
  setCodeownersErrors(fullName, errors) {
    this.#repo(fullName).codeownersErrors = errors;
  }

  // ---- "Sign in with GitHub" (user-to-server OAuth) ---------------------------------------------

  /** The app's OAuth client credentials (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
  oauthApp({ clientId, clientSecret }) {
    Object.assign(this.world.oauth, { clientId, clientSecret });
  }

  /**
   * The user `GET /login/oauth/authorize` acts as: already signed in to GitHub, approving the app
   * (`deny: true`: clicking Cancel; `consent: true`: GitHub's "Authorize" page first, whose button
   * posts the approval). `repos` adds repositories they can read (see `grantRead`).
   */
  signInAs(login, { deny = false, consent = false, repos = [] } = {}) {
    Object.assign(this.world.oauth, { user: login, deny, consent });
    this.world.grantRead(login, repos);
  }

  /** Repositories `login` can read: what `/user/installations[/{id}/repositories]` list for their token. */
  grantRead(login, fullNames) {
    this.world.grantRead(login, fullNames);
  }

  #repo(fullName) {
    const repo = this.world.findRepo(fullName);
    if (!repo) throw new Error(`simulator: no repository ${fullName}`);
    return repo;
  }

  #pull(fullName, number) {
    const repo = this.#repo(fullName);
    const pr = this.world.findPull(repo, number);
    if (!pr) throw new Error(`simulator: no pull request ${fullName}#${number}`);
    return { repo, pr };
  }

  // ---- scripting: each action changes state, then delivers the webhook GitHub would send -----
  // Pass `{ deliver: false }` to get `{ delivery: { event, payload } }` back unsent (to send it
  // later, out of order, or twice).

  async openPullRequest(fullName, opts = {}) {
    const repo = this.#repo(fullName);
    const pr = this.world.openPull(repo, opts);
    const delivery = await this.#send("pull_request", this.payloads.pullRequest(repo, pr, "opened"), opts);
    return { number: pr.number, headSha: pr.headSha, baseSha: pr.baseSha, delivery };
  }

  /** Pushes commits (and changed files) to the PR's head: `pull_request.synchronize`. */
  async push(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const { before, after } = this.world.pushCommits(repo, pr, opts);
    const delivery = await this.#send(
      "pull_request",
      this.payloads.pullRequest(repo, pr, "synchronize", { extra: { before, after } }),
      opts,
    );
    return { headSha: after, before, delivery };
  }

  async editPullRequest(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const changes = {};
    for (const k of ["title", "body"]) {
      if (opts[k] !== undefined && opts[k] !== pr[k]) {
        changes[k] = { from: pr[k] };
        pr[k] = opts[k];
      }
    }
    if (opts.draft !== undefined) pr.draft = opts.draft;
    pr.updatedAt = this.world.now();
    const delivery = await this.#send(
      "pull_request",
      this.payloads.pullRequest(repo, pr, "edited", { extra: { changes }, sender: opts.by ? this.world.user(opts.by) : undefined }),
      opts,
    );
    return { delivery };
  }

  async label(fullName, number, name, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const label = this.world.addLabel(repo, pr, name);
    const sender = this.world.user(opts.by ?? pr.user.login);
    const delivery = await this.#send(
      "pull_request",
      this.payloads.pullRequest(repo, pr, "labeled", { sender, extra: { label: this.world.labelJson(repo, label, this.base()) } }),
      opts,
    );
    return { delivery };
  }

  async assign(fullName, number, login, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const u = this.world.user(login);
    if (!pr.assignees.some((a) => a.id === u.id)) pr.assignees.push(u);
    const delivery = await this.#send(
      "pull_request",
      this.payloads.pullRequest(repo, pr, "assigned", { extra: { assignee: this.world.userJson(u, this.base()) } }),
      opts,
    );
    return { delivery };
  }

  /** Submits a review (`state`: APPROVED, COMMENTED, CHANGES_REQUESTED) on the head SHA, or `commitId`. */
  async review(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const r = this.world.review(repo, pr, {
      user: opts.user ?? "reviewer",
      state: opts.state ?? "APPROVED",
      body: opts.body ?? "",
      commitId: opts.commitId,
    });
    const delivery = await this.#send("pull_request_review", this.payloads.pullRequestReview(repo, pr, r, "submitted"), opts);
    return { id: r.id, delivery };
  }

  async editReview(fullName, number, reviewId, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const r = pr.reviews.find((x) => x.id === reviewId);
    if (!r) throw new Error(`simulator: no review ${reviewId}`);
    const editor = this.world.user(opts.by ?? r.user.login);
    const from = r.body;
    this.world.editReview(r, { body: opts.body ?? "", editor });
    const payload = this.payloads.pullRequestReview(repo, pr, r, "edited", { sender: editor, extra: { changes: { body: { from } } } });
    const delivery = await this.#send("pull_request_review", payload, opts);
    return { delivery };
  }

  async dismissReview(fullName, number, reviewId, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const r = pr.reviews.find((x) => x.id === reviewId);
    if (!r) throw new Error(`simulator: no review ${reviewId}`);
    r.state = "DISMISSED";
    const delivery = await this.#send(
      "pull_request_review",
      this.payloads.pullRequestReview(repo, pr, r, "dismissed", { sender: this.world.user(opts.by ?? "admin") }),
      opts,
    );
    return { delivery };
  }

  /** A human's issue comment on the PR: `issue_comment.created`. */
  async comment(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const c = this.world.comment(repo, number, { user: opts.user ?? "someone", body: opts.body ?? "" });
    const delivery = await this.#send("issue_comment", this.payloads.issueComment(repo, pr, c), opts);
    return { id: c.id, delivery };
  }

  /** Merges the PR (whatever its checks say, like an admin bypass): `pull_request.closed` merged. */
  async merge(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const sha = this.world.merge(repo, pr, { by: opts.by ?? "maintainer", method: opts.method });
    const delivery = await this.#send("pull_request", this.payloads.pullRequest(repo, pr, "closed", { sender: pr.mergedBy }), opts);
    return { mergeCommitSha: sha, delivery };
  }

  async closePullRequest(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    pr.state = "closed";
    pr.closedAt = this.world.now();
    const delivery = await this.#send("pull_request", this.payloads.pullRequest(repo, pr, "closed"), opts);
    return { delivery };
  }

  /** "Re-run" on a check run: `check_run.rerequested`. */
  async rerequestCheck(fullName, runId, opts = {}) {
    const repo = this.#repo(fullName);
    const run = repo.checkRuns.find((r) => r.id === runId);
    if (!run) throw new Error(`simulator: no check run ${runId}`);
    const delivery = await this.#send(
      "check_run",
      this.payloads.checkRun(repo, run, "rerequested", { sender: this.world.user(opts.by ?? "someone") }),
      opts,
    );
    return { delivery };
  }

  /** Adds PR `number` to the merge queue: a temporary commit and `merge_group.checks_requested`. */
  async enqueue(fullName, number, opts = {}) {
    const { repo, pr } = this.#pull(fullName, number);
    const baseSha = repo.branches.get(pr.baseRef);
    const headSha = this.world.commit(repo, {
      parent: baseSha,
      files: Object.fromEntries(this.world.treeAt(repo, pr.headSha) ?? []),
      message: `Merge queue: #${pr.number}`,
    });
    const group = {
      head_sha: headSha,
      head_ref: `refs/heads/gh-readonly-queue/${pr.baseRef}/pr-${pr.number}-${baseSha}`,
      base_sha: baseSha,
      base_ref: `refs/heads/${pr.baseRef}`,
      head_commit: {
        id: headSha,
        tree_id: headSha,
        message: `Merge pull request #${pr.number}`,
        timestamp: this.world.now(),
        author: { name: "GitHub", email: "noreply@github.com" },
        committer: { name: "GitHub", email: "noreply@github.com" },
      },
    };
    const delivery = await this.#send(
      "merge_group",
      this.payloads.mergeGroup(repo, group, "checks_requested", { sender: this.world.user(opts.by ?? pr.user.login) }),
      opts,
    );
    return { headSha, delivery };
  }

  // ---- webhooks -----------------------------------------------------------------------------

  async #send(event, payload, opts) {
    const delivery = { event, payload, id: opts.deliveryId ?? newDeliveryId() };
    if (opts.deliver === false || !this.webhook) return { ...delivery, status: null };
    return this.deliver(event, payload, { id: delivery.id, secret: opts.secret });
  }

  /**
   * Sends a delivery (signed with the configured secret unless `secret` is given). Each attempt is
   * logged with a numeric `hookDeliveryId`, as GET /app/hook/deliveries lists it; `redelivery`
   * marks a repeat of an earlier GUID.
   */
  async deliver(event, payload, { id = newDeliveryId(), secret, url, redelivery = false } = {}) {
    const target = url ?? this.webhook?.url;
    if (!target) throw new Error("simulator: no webhook URL configured (setWebhook)");
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    const parsed = typeof payload === "string" ? safeJson(payload) : payload;
    const record = {
      id,
      hookDeliveryId: ++this.hookDeliverySeq,
      event,
      action: parsed?.action ?? null,
      at: this.clock(),
      status: null,
      ms: null,
      body: null,
      payload: body,
      url: url ?? null,
      redelivery: redelivery || this.deliveries.some((d) => d.id === id),
      installationId: parsed?.installation?.id ?? null,
      repositoryId: parsed?.repository?.id ?? null,
    };
    this.deliveries.push(record);
    const res = await postDelivery(target, {
      event,
      id,
      body,
      secret: secret ?? this.webhook?.secret ?? "development",
      appId: this.world.appId,
    });
    Object.assign(record, { status: res.status, ms: res.ms, body: res.body });
    this.#emit("delivery", record);
    if (this.logLine)
      this.logLine(`webhook ${event}${record.action ? `.${record.action}` : ""} ${id.slice(0, 8)} → ${res.status} (${res.ms} ms)`);
    return { id, event, payload, status: res.status, body: res.body, ms: res.ms };
  }

  /** Sends an earlier delivery again with the same GUID, as GitHub's "Redeliver" does. */
  async redeliver(id, opts = {}) {
    const earlier = this.deliveries.find((d) => d.id === id);
    if (!earlier) throw new Error(`simulator: no delivery ${id}`);
    return this.deliver(earlier.event, earlier.payload, { id, ...opts });
  }

  /** Resolves once every background delivery (redeliveries requested through the API) has been answered. */
  async idle() {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  #background(promise) {
    const tracked = promise
      .catch((error) => this.logLine?.(`redelivery failed: ${error?.message ?? error}`))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  // ---- reading state ------------------------------------------------------------------------

  pull(fullName, number) {
    return this.#pull(fullName, number).pr;
  }

  pullJson(fullName, number) {
    const { repo, pr } = this.#pull(fullName, number);
    return this.world.pullJson(repo, pr, this.base());
  }

  /** Check runs on a repository, oldest first, as plain objects. */
  checkRuns(fullName, { sha, name } = {}) {
    return this.#repo(fullName)
      .checkRuns.filter((r) => (!sha || r.headSha === sha) && (!name || r.name === name))
      .map((r) => view(r));
  }

  latestCheck(fullName, sha, name = "countersign") {
    const runs = this.checkRuns(fullName, { sha, name });
    return runs.at(-1) ?? null;
  }

  comments(fullName, number) {
    return this.#repo(fullName).issueComments.filter((c) => number === undefined || c.issueNumber === Number(number));
  }

  /**
   * Resolves with the latest `name` check run on `sha` once `predicate(run)` holds (default: it
   * is completed); rejects after `timeoutMs` saying what was there instead.
   */
  waitForCheck(fullName, sha, predicate = (r) => r.status === "completed", { timeoutMs = 20_000, name = "countersign" } = {}) {
    const current = () => this.latestCheck(fullName, sha, name);
    const now = current();
    if (now && predicate(now)) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const off = this.on("check_run", ({ repo, run }) => {
        if (repo.fullName.toLowerCase() !== fullName.toLowerCase() || run.headSha !== sha || run.name !== name) return;
        const v = current();
        if (v && predicate(v)) {
          clearTimeout(timer);
          off();
          resolve(v);
        }
      });
      const timer = setTimeout(() => {
        off();
        const v = current();
        reject(
          new Error(
            `simulator: no matching "${name}" check on ${fullName}@${sha.slice(0, 7)} within ${timeoutMs} ms ` +
              `(latest: ${v ? `${v.status}/${v.conclusion} "${v.title}"` : "none"})`,
          ),
        );
      }, timeoutMs);
    });
  }

  // ---- request log --------------------------------------------------------------------------

  /** A position in the request log, for `callsSince`. */
  mark() {
    return this.requests.length;
  }

  /**
   * API calls since `mark` as "METHOD /path" (no /api/v3 prefix, no query), excluding the
   * installation-token exchange. `kinds` narrows to "read" (GET), "graphql", "write".
   */
  callsSince(mark = 0, { kinds = ["read", "graphql", "write"], withQuery = false } = {}) {
    return this.requests
      .slice(mark)
      .filter((r) => kinds.includes(r.kind))
      .map((r) => `${r.method} ${r.path}${withQuery && r.query ? `?${r.query}` : ""}`);
  }

  /** Reads since `mark` that GitHub answered `304 Not Modified` (free), as "GET /path". */
  notModifiedSince(mark = 0) {
    return this.requests
      .slice(mark)
      .filter((r) => r.notModified)
      .map((r) => `${r.method} ${r.path}`);
  }

  /**
   * What the calls since `mark` cost: `calls` (API calls, 304s included, token exchange excluded),
   * `notModified` (304s among them) and `points` (primary rate-limit points charged: every REST call
   * answered other than 304, and every GraphQL query at its cost of 1).
   */
  usageSince(mark = 0) {
    const api = this.requests.slice(mark).filter((r) => r.kind === "read" || r.kind === "graphql" || r.kind === "write");
    return { calls: api.length, notModified: api.filter((r) => r.notModified).length, points: api.filter((r) => r.charged).length };
  }

  resetLog() {
    this.requests.length = 0;
    this.deliveries.length = 0;
  }

  // ---- faults -------------------------------------------------------------------------------

  /**
   * Injects a fault for requests matching `method` (optional) and `path` (substring or RegExp of
   * the path without /api/v3; "/graphql" for GraphQL): answer `status` with `body`/`headers`,
   * `times` times (default: forever), optionally after letting `after` matches through, and/or
   * delay by `delayMs`. Returns a handle with `hits` and `remove()`.
   */
  fault({ method = null, path = null, status = null, body = null, headers = {}, times = Infinity, after = 0, delayMs = 0 } = {}) {
    const f = { method, path, status, body, headers, left: times, skip: after, delayMs, hits: 0, seen: 0 };
    this.faults.push(f);
    return {
      get hits() {
        return f.hits;
      },
      remove: () => {
        this.faults = this.faults.filter((x) => x !== f);
      },
    };
  }

  /** GitHub's secondary rate limit: 403 with `retry-after` (seconds) and the message Octokit recognises. */
  secondaryRateLimit({ method = null, path = null, times = 1, retryAfter = 1, after = 0 } = {}) {
    return this.fault({
      method,
      path,
      times,
      after,
      status: 403,
      headers: { "retry-after": String(retryAfter), "x-ratelimit-remaining": "4000" },
      body: {
        message: SECONDARY_RATE_LIMIT_MESSAGE,
        documentation_url:
          "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
    });
  }

  clearFaults() {
    this.faults = [];
  }

  setLatency(ms) {
    this.latencyMs = ms;
  }

  #faultFor(method, path) {
    for (const f of this.faults) {
      if (f.method && f.method !== method) continue;
      if (f.path && !(f.path instanceof RegExp ? f.path.test(path) : path.includes(f.path))) continue;
      if (f.left <= 0) continue;
      f.seen++;
      if (f.seen <= f.skip) continue;
      f.left--;
      f.hits++;
      return f;
    }
    return null;
  }

  // ---- tokens and rate limits ---------------------------------------------------------------

  #issueToken(installationId) {
    const token = `ghs_sim${randomBytes(16).toString("hex")}`;
    const expiresAt = new Date(this.clock() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    this.tokens.set(token, { installationId, expires: this.clock() + 3600_000 });
    return { token, expiresAt };
  }

  #tokenInstallation(token) {
    const t = this.tokens.get(token);
    if (!t || t.expires < this.clock()) return null;
    return this.world.installations.get(t.installationId) ?? null;
  }

  #rateLimit(id, consume) {
    const hour = Math.floor(this.clock() / 3600_000);
    let u = this.usage.get(id);
    if (!u || u.hour !== hour) {
      u = { hour, used: 0 };
      this.usage.set(id, u);
    }
    if (consume) u.used++;
    return {
      limit: this.rateLimitPerHour,
      used: u.used,
      remaining: Math.max(this.rateLimitPerHour - u.used, 0),
      reset: (hour + 1) * 3600,
      resetAt: new Date((hour + 1) * 3600_000).toISOString(),
    };
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  async #handle(req, res) {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://sim.local");
    const method = req.method ?? "GET";
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString("utf8");

    let path;
    let kind;
    if (url.pathname === "/api/graphql") {
      path = "/graphql";
      kind = "graphql";
    } else if (url.pathname.startsWith("/api/v3/") || url.pathname === "/api/v3") {
      path = url.pathname.slice("/api/v3".length) || "/";
      kind = method === "GET" || method === "HEAD" ? "read" : "write";
    } else if (OAUTH_PATHS.includes(url.pathname)) {
      path = url.pathname;
      kind = "oauth";
    } else {
      path = url.pathname;
      kind = "other";
    }
    if (/^\/app(\/|$)/.test(path) || /\/installation$/.test(path)) kind = "auth";
    // Probot tags each event's requests with the delivery that caused them: calls per delivery.
    const deliveryId = typeof req.headers["x-github-delivery"] === "string" ? req.headers["x-github-delivery"] : null;
    const entry = {
      seq: ++this.seq,
      at: started,
      method,
      path,
      query: url.search.slice(1),
      status: 0,
      ms: 0,
      kind,
      installationId: null,
      deliveryId,
      faulted: false,
    };
    Object.assign(entry, { notModified: false, charged: false, graphql: null });
    this.requests.push(entry);

    const send = (status, body, headers = {}, rawBody = false) => {
      const text = rawBody ? String(body) : body === null || body === undefined ? "" : JSON.stringify(body);
      const h = { "x-github-request-id": `SIM:${entry.seq}`, "x-github-media-type": "github.v3; format=json", ...headers };
      if (!h["content-type"] && text) h["content-type"] = "application/json; charset=utf-8";
      entry.status = status;
      entry.ms = Date.now() - started;
      res.writeHead(status, h).end(method === "HEAD" ? undefined : text);
      if (this.logLine)
        this.logLine(
          `${method} ${path}${entry.query ? `?${entry.query}` : ""} → ${status} (${entry.ms} ms)${entry.faulted ? " [fault]" : ""}`,
        );
      this.#emit("request", entry);
    };

    const fault = kind === "other" ? null : this.#faultFor(method, path);
    const delay = this.latencyMs + (fault?.delayMs ?? 0);
    if (delay > 0) await sleep(delay);

    if (kind === "other") {
      send(
        404,
        errorBody(
          404,
          `Not Found: this simulator serves the GitHub Enterprise Server layout (/api/v3/…, /api/graphql); ` +
            `set GHE_HOST=${this.host} and GHE_PROTOCOL=http`,
        ),
      );
      return;
    }
    if (fault?.status) {
      entry.faulted = true;
      send(
        fault.status,
        fault.body ?? errorBody(fault.status, fault.status >= 500 ? "Server Error" : `Simulated ${fault.status}`),
        fault.headers,
      );
      return;
    }
    // The web flow takes forms, not JSON.
    if (kind === "oauth") {
      const out = this.oauthRoutes.handle(method, path, url, raw, req.headers);
      send(out.status, out.body, out.headers, out.raw);
      return;
    }

    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      send(400, errorBody(400, "Problems parsing JSON"));
      return;
    }

    try {
      if (kind === "graphql") {
        if (method !== "POST") throw new HttpError(404, "Not Found");
        const auth = String(req.headers.authorization ?? "");
        const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
        const inst = m ? this.#tokenInstallation(m[1]) : null;
        if (!inst) throw new HttpError(401, "This endpoint requires you to be authenticated.");
        entry.installationId = inst.id;
        const rl = this.#rateLimit(inst.id, true);
        entry.charged = true;
        entry.graphql = graphqlSummary(body);
        const result = executeGraphql(this.world, body ?? {}, {
          canSee: (repo) => repo.installationId === inst.id,
          blobTextLimit: this.blobTextLimit,
          rateLimit: () => rl,
        });
        send(200, result, rateHeaders(rl, "graphql"));
        return;
      }
      const found = this.rest.match(method, path);
      if (!found) throw new HttpError(404, "Not Found");
      if (found.notAllowed) throw new HttpError(404, "Not Found");
      const request = {
        method,
        path,
        params: found.params,
        query: url.searchParams,
        body,
        headers: req.headers,
        installation: null,
        app: null,
      };
      this.rest.authenticate(request, found.route);
      entry.installationId = request.installation?.id ?? null;
      const out = found.route.handler(request);
      const rl = request.installation ? this.#rateLimit(request.installation.id, false) : null;
      const headers = { ...(out.headers ?? {}) };
      // Conditional requests: a matching If-None-Match answers 304 with no body, which costs no rate limit.
      const conditional = method === "GET" && out.status === 200 ? conditionalAnswer(out, req.headers["if-none-match"]) : null;
      if (conditional) headers.etag = conditional.etag;
      if (conditional?.notModified) {
        entry.notModified = true;
        send(304, null, { ...headers, ...(rl ? rateHeaders(rl, "core") : {}) });
        return;
      }
      const consumed = request.installation ? this.#rateLimit(request.installation.id, true) : null;
      entry.charged = Boolean(consumed);
      send(
        out.status,
        out.body,
        { ...headers, ...(consumed ? rateHeaders(consumed, "core") : {}), ...(out.raw ? { "content-type": headers["content-type"] } : {}) },
        out.raw,
      );
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      send(error.status, errorBody(error.status, error.message, error.extra));
    }
  }
}

/**
 * GitHub's ETags: strong, quoted, derived from the body. `If-None-Match` takes a list (or `*`) and
 * compares weakly (a `W/` prefix on either side is ignored), so a cached weak tag still matches.
 */
export function conditionalAnswer(out, ifNoneMatch) {
  const bytes = out.raw ? String(out.body) : JSON.stringify(out.body);
  const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
  const opaque = (tag) => tag.trim().replace(/^W\//, "");
  const wanted = typeof ifNoneMatch === "string" ? ifNoneMatch.split(",").map(opaque).filter(Boolean) : [];
  return { etag, notModified: wanted.includes("*") || wanted.includes(opaque(etag)) };
}

/** What a GraphQL request asked for, for the request log: operation name and root fields (aliases). */
function graphqlSummary(body) {
  const query = typeof body?.query === "string" ? body.query : "";
  const operation = body?.operationName ?? /^\s*query\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1] ?? null;
  return { operation, variables: Object.keys(body?.variables ?? {}) };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function rateHeaders(rl, resource) {
  return {
    "x-ratelimit-limit": String(rl.limit),
    "x-ratelimit-remaining": String(rl.remaining),
    "x-ratelimit-used": String(rl.used),
    "x-ratelimit-reset": String(rl.reset),
    "x-ratelimit-resource": resource,
  };
}

function view(r) {
  return {
    id: r.id,
    headSha: r.headSha,
    name: r.name,
    status: r.status,
    conclusion: r.conclusion,
    title: r.output.title,
    summary: r.output.summary,
    text: r.output.text,
    annotations: [...r.annotations],
    appId: r.appId,
    history: r.history.map((h) => ({ ...h })),
  };
}
