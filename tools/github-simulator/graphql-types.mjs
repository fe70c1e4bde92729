/**
 * The simulator's GraphQL types for pull requests, their commits and reviews, and a commit's check
 * suites and runs (graphql.mjs resolves the rest), with GitHub's connection rules.
 */

/** An error on one field: its path answers null and the error is listed (the rest of the data stays). */
export class FieldError extends Error {
  constructor(message, extra = {}) {
    super(message);
    this.extra = extra;
  }
}

/** A cursor for position `i` of a list (opaque to clients, as GitHub's are). */
const cursorOf = (i) => Buffer.from(`cursor:v2:${i}`).toString("base64");
const positionOf = (cursor) => {
  if (cursor === null || cursor === undefined) return -1;
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(String(cursor), "base64").toString("utf8"));
  if (!m) throw new FieldError(`\`${cursor}\` does not appear to be a valid cursor.`, { type: "INVALID_CURSOR_ARGUMENTS" });
  return Number(m[1]);
};

/**
 * A connection over `items` with GitHub's rules: `first` (or `last`) is required and at most 100,
 * `after` continues from a cursor; `totalCount`, `pageInfo`, `nodes`, `edges`.
 */
function connection(typeName, items, args, { totalCount = items.length } = {}) {
  if (args.first == null && args.last == null) {
    const message = `You must provide a \`first\` or \`last\` value to properly paginate the \`${typeName}\` connection.`;
    throw new FieldError(message, { type: "MISSING_PAGINATION_BOUNDARIES" });
  }
  const limit = args.first ?? args.last;
  if (limit < 0 || limit > 100) {
    const message = `Requesting ${limit} records on the \`${typeName}\` connection exceeds the \`first\` limit of 100 records.`;
    throw new FieldError(message, { type: "EXCESSIVE_PAGINATION" });
  }
  const start = positionOf(args.after) + 1;
  const slice = args.first != null ? items.slice(start, start + limit) : items.slice(Math.max(items.length - limit, 0));
  const offset = args.first != null ? start : Math.max(items.length - limit, 0);
  const end = offset + slice.length;
  return {
    __type: `${typeName}Connection`,
    totalCount,
    nodes: slice,
    edges: slice.map((node, i) => ({ __type: `${typeName}Edge`, node, cursor: cursorOf(offset + i) })),
    pageInfo: {
      __type: "PageInfo",
      hasNextPage: end < items.length,
      endCursor: slice.length > 0 ? cursorOf(end - 1) : null,
      hasPreviousPage: offset > 0,
      startCursor: slice.length > 0 ? cursorOf(offset) : null,
    },
  };
}

/**
 * The pull requests GitHub associates with a commit, oldest first: those whose commits hold it (or
 * that it merged); for a commit already on the default branch, only merged ones (GitHub then
 * lists the pull request that brought the commit there, not open ones from it).
 */
export function associatedPulls(repo, sha) {
  const pulls = [...repo.pulls.values()].filter((p) => p.headSha === sha || p.commits.includes(sha) || p.mergeCommitSha === sha);
  return onDefaultBranch(repo, sha) ? pulls.filter((p) => p.merged) : pulls;
}

function onDefaultBranch(repo, sha) {
  const seen = new Set();
  const stack = [repo.branches.get(repo.defaultBranch)];
  while (stack.length > 0) {
    const at = stack.pop();
    if (!at || seen.has(at)) continue;
    if (at === sha) return true;
    seen.add(at);
    stack.push(...(repo.commits.get(at)?.parents ?? []));
  }
  return false;
}

/** GitHub's GraphQL names a bot `copilot` where REST says `copilot[bot]`. */
function actorNode(_world, user) {
  if (!user) return null;
  const bot = user.type === "Bot";
  return { __type: bot ? "Bot" : "User", login: bot ? user.login.replace(/\[bot\]$/, "") : user.login, databaseId: user.id };
}

/** PullRequest, its commits and reviews, and a commit's check suites and runs. */
export function pullRequestTypes(world) {
  const connectionType = () => ({
    totalCount: (p) => p.totalCount,
    nodes: (p) => p.nodes,
    edges: (p) => p.edges,
    pageInfo: (p) => p.pageInfo,
  });
  const edgeType = { node: (p) => p.node, cursor: (p) => p.cursor };
  const upper = (v) => (v === null || v === undefined ? null : String(v).toUpperCase());
  return {
    PullRequest: {
      id: (p) => `PR_sim${p.pr.id}`,
      number: (p) => p.pr.number,
      title: (p) => p.pr.title,
      state: (p) => (p.pr.merged ? "MERGED" : upper(p.pr.state)),
      headRefOid: (p) => p.pr.headSha,
      headRefName: (p) => p.pr.headRef,
      baseRefOid: (p) => p.pr.baseSha,
      baseRefName: (p) => p.pr.baseRef,
      baseRepository: (p) => ({ __type: "Repository", repo: p.repo }),
      // GitHub lists at most 250 commits of a pull request; totalCount still says how many there are.
      commits: (p, args) => {
        const commit = (sha) => ({ __type: "Commit", repo: p.repo, sha, oid: sha });
        const listed = p.pr.commits.slice(0, 250).map((sha) => ({ __type: "PullRequestCommit", commit: commit(sha) }));
        return connection("PullRequestCommit", listed, args, { totalCount: p.pr.commits.length });
      },
      reviews: (p, args) =>
        connection(
          "PullRequestReview",
          p.pr.reviews.map((r) => ({ __type: "PullRequestReview", repo: p.repo, review: r })),
          args,
        ),
    },
    PullRequestConnection: connectionType(),
    PullRequestEdge: edgeType,
    PullRequestCommitConnection: connectionType(),
    PullRequestCommitEdge: edgeType,
    PullRequestCommit: { commit: (p) => p.commit },
    PullRequestReviewConnection: connectionType(),
    PullRequestReviewEdge: edgeType,
    PullRequestReview: {
      id: (p) => p.review.nodeId,
      databaseId: (p) => p.review.id,
      state: (p) => p.review.state,
      body: (p) => p.review.body ?? "",
      submittedAt: (p) => p.review.submittedAt,
      createdAt: (p) => p.review.submittedAt,
      commit: (p) => (p.review.commitId ? { __type: "Commit", repo: p.repo, sha: p.review.commitId, oid: p.review.commitId } : null),
      author: (p) => actorNode(world, p.review.user),
      // The last editor, and when; null until someone edits the body.
      editor: (p) => actorNode(world, p.review.editor ?? null),
      lastEditedAt: (p) => p.review.lastEditedAt ?? null,
    },
    PageInfo: Object.fromEntries(["hasNextPage", "endCursor", "hasPreviousPage", "startCursor"].map((k) => [k, (p) => p[k]])),
    Commit: {
      oid: (p) => p.oid ?? p.sha,
      message: (p) => p.repo?.commits.get(p.sha)?.message ?? "",
      author: (p) => {
        const c = p.repo?.commits.get(p.sha);
        return c ? { __type: "GitActor", author: c.author } : null;
      },
      // As REST's `commits/{sha}/pulls` lists them.
      associatedPullRequests: (p, args) => {
        const pulls = p.repo ? associatedPulls(p.repo, p.sha) : [];
        return connection(
          "PullRequest",
          pulls.map((pr) => ({ __type: "PullRequest", repo: p.repo, pr })),
          args,
        );
      },
      // One suite per app that reported on the commit, as GitHub groups check runs.
      checkSuites: (p, args) => {
        const filter = args.filterBy ?? {};
        const runs = (p.repo?.checkRuns ?? []).filter((r) => r.headSha === p.sha);
        const apps = [...new Set(runs.map((r) => r.appId))].filter((id) => filter.appId == null || id === filter.appId);
        const suites = apps
          .map((appId) => ({ __type: "CheckSuite", appId, runs: runs.filter((r) => r.appId === appId) }))
          .filter((suite) => filter.checkName == null || suite.runs.some((r) => r.name === filter.checkName));
        return connection("CheckSuite", suites, args);
      },
    },
    GitActor: {
      name: (p) => p.author.name ?? null,
      email: (p) => p.author.email ?? null,
      // Only a user account links: a bot's commits have no `user`.
      user: (p) => {
        if (!p.author.login || p.author.type === "Bot") return null;
        return { __type: "User", login: p.author.login, databaseId: world.user(p.author.login).id };
      },
    },
    CheckSuiteConnection: connectionType(),
    CheckSuiteEdge: edgeType,
    CheckSuite: {
      app: (p) => ({ __type: "App", databaseId: p.appId, slug: p.appId === world.appId ? world.appSlug : `app-${p.appId}` }),
      checkRuns: (p, args) => {
        const filter = args.filterBy ?? {};
        let runs = p.runs.filter((r) => filter.checkName == null || r.name === filter.checkName);
        // LATEST: the newest run per name, as `filter=latest` in REST.
        if (filter.checkType === "LATEST") runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
        return connection(
          "CheckRun",
          runs.map((run) => ({ __type: "CheckRun", run })),
          args,
        );
      },
    },
    App: { databaseId: (p) => p.databaseId, slug: (p) => p.slug },
    CheckRunConnection: connectionType(),
    CheckRunEdge: edgeType,
    CheckRun: {
      databaseId: (p) => p.run.id,
      name: (p) => p.run.name,
      status: (p) => upper(p.run.status),
      conclusion: (p) => upper(p.run.conclusion),
      title: (p) => p.run.output.title,
      summary: (p) => p.run.output.summary,
      text: (p) => p.run.output.text,
      annotations: (p, args) =>
        connection(
          "CheckAnnotation",
          p.run.annotations.map((a) => ({ __type: "CheckAnnotation", a })),
          args,
        ),
    },
    CheckAnnotationConnection: connectionType(),
    CheckAnnotation: { message: (p) => p.a.message, path: (p) => p.a.path, title: (p) => p.a.title ?? null },
    Bot: { login: (p) => p.login, databaseId: (p) => p.databaseId },
  };
}
