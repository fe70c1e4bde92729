/**
 * A nock-backed GitHub for one repository (Codertocat/Hello-World) and PR #2. It serves the
 * pull request's GraphQL query (commits, reviews, our check run, base-commit files), files over REST, records every API call, and
 * keeps the check runs the app writes so tests assert on what GitHub would show.
 */
import nock from "nock";
import { BASE_SHA, HEAD_SHA, REPO } from "./webhook-examples.js";

export interface MockFile {
  filename: string;
  status?: string;
  previous_filename?: string;
}

export interface MockCommit {
  sha?: string;
  message: string;
  authorLogin?: string | null;
  authorEmail?: string;
  authorName?: string;
}

export interface MockReview {
  id?: number;
  login: string;
  type?: "User" | "Bot";
  state: "APPROVED" | "COMMENTED" | "CHANGES_REQUESTED" | "DISMISSED";
  body: string | null;
  commit_id?: string;
  /** GraphQL `editor` (a login; null: an edit GitHub does not attribute) and `lastEditedAt`. */
  editor?: string | null;
  lastEditedAt?: string;
}

export interface MockOptions {
  config?: string | null;
  orgConfig?: string | null;
  codeowners?: { path: string; text: string } | null;
  files?: MockFile[];
  commits?: MockCommit[];
  reviews?: MockReview[];
  teams?: Record<string, string[]>;
  /** Answer these endpoints (by a substring of the path) with an error status. */
  failures?: { match: string; status: number; times?: number; headers?: Record<string, string>; body?: unknown }[];
  /** Configs in other repositories, keyed "owner/repo:path" (for _extends). */
  remoteConfigs?: Record<string, string>;
  githubCodeownersErrors?: { line: number; kind: string }[];
  /** The PR as `GET /pulls/2` returns it (issue comments, merge groups and re-runs read it). */
  pull?: Record<string, unknown>;
  existingCheck?: { id: number; conclusion: string; title: string; summary: string; text: string; annotations_count: number } | null;
  checkConclusionAtMerge?: string | null;
}

export interface CheckRunWrite {
  method: "POST" | "PATCH";
  id: number;
  body: Record<string, any>;
}

export interface MockGitHub {
  /** Every API call made (excluding the installation-token exchange), as "METHOD /path". */
  calls: string[];
  checkRuns: CheckRunWrite[];
  writes: () => string[];
  lastCheck: () => Record<string, any> | undefined;
  labelsAdded: string[][];
  reviewRequests: Record<string, any>[];
  comments: Record<string, any>[];
  reactions: string[];
}

const API = "https://api.github.com";
const R = `/repos/${REPO.owner}/${REPO.name}`;

export function mockGitHub(options: MockOptions = {}): MockGitHub {
  const state: MockGitHub = {
    calls: [],
    checkRuns: [],
    writes: () => state.calls.filter((c) => !c.startsWith("GET") && !c.startsWith("POST /graphql")),
    lastCheck: () => state.checkRuns.at(-1)?.body,
    labelsAdded: [],
    reviewRequests: [],
    comments: [],
    reactions: [],
  };
  const failures = (options.failures ?? []).map((f) => ({ ...f, left: f.times ?? Infinity }));
  let nextCheckId = 1000;

  const scope = nock(API).persist();
  scope.on("request", (req: Request) => {
    const path = new URL(req.url).pathname;
    if (!path.includes("/access_tokens")) state.calls.push(`${req.method} ${path}`);
    if (process.env.MOCK_TIMING) console.log(Date.now() % 100000, req.method, path);
  });

  const failing = (path: string): { status: number; headers?: Record<string, string>; body?: unknown } | null => {
    const f = failures.find((x) => path.includes(x.match) && x.left > 0);
    if (!f) return null;
    f.left--;
    return f;
  };
  const reply = (path: string, ok: () => [number, unknown] | unknown) => {
    const f = failing(path);
    if (f) return [f.status, f.body ?? { message: `mock ${f.status}`, documentation_url: "https://docs.github.com/rest" }, f.headers ?? {}];
    const value = ok();
    return Array.isArray(value) && typeof value[0] === "number" ? value : [200, value];
  };

  /** nock 15 hands reply functions a fetch Request: read its path and JSON body. */
  const on = (fn: (path: string, body: any) => unknown) => async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    return fn(path, text ? JSON.parse(text) : undefined) as [number, unknown];
  };

  scope
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: {} });

  scope.post("/graphql").reply(
    on((_path, body: any) => {
      const vars = body.variables ?? {};
      const f = failing("/graphql");
      if (f) return [f.status, f.body ?? { message: "mock" }, f.headers ?? {}];
      const orgText = options.orgConfig ?? null;
      const orgPart = orgText === null ? null : { f0: blob(orgText) };
      const orgMissing = {
        type: "NOT_FOUND",
        path: ["org"],
        message: "Could not resolve to a Repository with the name 'Codertocat/.github'.",
      };
      const remote = options.remoteConfigs?.[`${vars.owner}/${vars.repo}:${String(vars.expr ?? "").replace(/^HEAD:/, "")}`];
      if (remote !== undefined) return [200, { data: { repository: { f0: blob(remote) } } }];
      if (vars.repo === ".github") {
        const text = options.orgConfig ?? null;
        if (text === null)
          return [
            200,
            {
              data: { repository: null },
              errors: [{ type: "NOT_FOUND", message: "Could not resolve to a Repository with the name 'Codertocat/.github'." }],
            },
          ];
        return [200, { data: { repository: { f0: blob(text) } } }];
      }
      const files: Record<string, string | null> = {
        ".github/countersign.yml": options.config ?? null,
        [options.codeowners?.path ?? "none"]: options.codeowners?.text ?? null,
      };
      const repository: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(vars)) {
        if (!/^f\d+$/.test(k)) continue;
        const path = String(expr).replace(/^[^:]*:/, "");
        const text = files[path];
        repository[k] = text == null ? null : blob(text);
      }
      if (String(body.query).includes("pullRequest(number:"))
        Object.assign(repository, pullRequestData(options, body.variables?.head ?? HEAD_SHA));
      if ("org" in vars)
        return [200, orgPart ? { data: { repository, org: orgPart } } : { data: { repository, org: null }, errors: [orgMissing] }];
      return [200, { data: { repository } }];
    }),
  );

  scope
    .get(`${R}/pulls/2/files`)
    .query(true)
    .reply(
      on((uri) =>
        reply(uri, () =>
          (options.files ?? [{ filename: "src/app.ts" }]).map((f) => ({
            sha: "0".repeat(40),
            status: "modified",
            additions: 1,
            deletions: 0,
            changes: 1,
            ...f,
          })),
        ),
      ),
    );
  scope
    .get(/\/repos\/Codertocat\/Hello-World\/commits\/[0-9a-f]+\/check-runs/)
    .query(true)
    .reply(
      on((uri) =>
        reply(uri, () => {
          const runs = existingRuns(options).map((r) => ({
            id: r.id,
            status: "completed",
            conclusion: r.conclusion,
            app: { id: 123 },
            output: { ...r.output },
          }));
          return { total_count: runs.length, check_runs: runs };
        }),
      ),
    );
  scope.post(`${R}/check-runs`).reply(
    on((uri, body) =>
      reply(uri, () => {
        const id = nextCheckId++;
        state.checkRuns.push({ method: "POST", id, body });
        return [201, { id, ...body }];
      }),
    ),
  );
  scope.patch(/\/repos\/Codertocat\/Hello-World\/check-runs\/\d+/).reply(
    on((uri, body) =>
      reply(uri, () => {
        const id = Number(uri.split("/").pop());
        state.checkRuns.push({ method: "PATCH", id, body });
        return { id, ...body };
      }),
    ),
  );
  scope.post(`${R}/issues/2/labels`).reply(
    on((uri, body) =>
      reply(uri, () => {
        state.labelsAdded.push(body.labels);
        return body.labels.map((name: string) => ({ name }));
      }),
    ),
  );
  scope.delete(/\/repos\/Codertocat\/Hello-World\/issues\/2\/labels\/.+/).reply(200, []);
  scope.post(`${R}/pulls/2/requested_reviewers`).reply(
    on((uri, body) =>
      reply(uri, () => {
        state.reviewRequests.push(body);
        return [201, {}];
      }),
    ),
  );
  scope.post(`${R}/issues/2/comments`).reply(
    on((uri, body) =>
      reply(uri, () => {
        state.comments.push(body);
        return [201, { id: 1, ...body }];
      }),
    ),
  );
  scope
    .get(`${R}/codeowners/errors`)
    .query(true)
    .reply(
      on((uri) =>
        reply(uri, () => ({
          errors: (options.githubCodeownersErrors ?? []).map((e) => ({
            line: e.line,
            column: 1,
            kind: e.kind,
            source: "",
            suggestion: null,
            message: e.kind,
            path: options.codeowners?.path ?? "CODEOWNERS",
          })),
        })),
      ),
    );
  if (options.pull) {
    scope.get(`${R}/pulls/2`).reply(on((uri) => reply(uri, () => options.pull)));
  }
  scope.post(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+\/reactions/).reply(
    on((uri, body) =>
      reply(uri, () => {
        state.reactions.push(body.content);
        return [201, { id: 1, content: body.content }];
      }),
    ),
  );
  scope.get(/\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+/).reply(
    on((uri) => {
      const m = /\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)/.exec(uri)!;
      const members = options.teams?.[`@${m[1]}/${m[2]}`.toLowerCase()] ?? [];
      return members.some((u) => u.toLowerCase() === m[3]!.toLowerCase())
        ? [200, { state: "active", role: "member" }]
        : [404, { message: "Not Found" }];
    }),
  );
  scope
    .get(/\/orgs\/[^/]+\/teams\/[^/]+\/members/)
    .query(true)
    .reply(
      on((uri) =>
        reply(uri, () => {
          const m = /\/orgs\/([^/]+)\/teams\/([^/]+)\/members/.exec(uri)!;
          return (options.teams?.[`@${m[1]}/${m[2]}`.toLowerCase()] ?? []).map((login) => ({ login }));
        }),
      ),
    );
  return state;
}

/** Our check run on the head, if the test gave one (what the app wrote earlier, or the conclusion at merge time). */
function existingRuns(options: MockOptions) {
  const existing = options.existingCheck;
  const merged = options.checkConclusionAtMerge;
  if (existing) {
    const { id, conclusion, title, summary, text, annotations_count } = existing;
    return [{ id, conclusion, output: { title, summary, text, annotations_count } }];
  }
  if (merged !== undefined && merged !== null)
    return [{ id: 77, conclusion: merged, output: { title: "", summary: "", text: "", annotations_count: 0 } }];
  return [];
}

/** The pull request as GraphQL shows it: commits, reviews (bots without `[bot]`), our check run on the head. */
function pullRequestData(options: MockOptions, head: string) {
  const page = <T>(nodes: T[]) => ({ totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null }, nodes });
  const actor = (login: string, type?: string) =>
    type === "Bot" || login.endsWith("[bot]") ? { __typename: "Bot", login: login.replace(/\[bot\]$/, "") } : { __typename: "User", login };
  const commits = (options.commits ?? [{ message: "Update app" }]).map((c, i) => ({
    commit: {
      oid: c.sha ?? `${String(i + 1).padStart(2, "0")}${"ab".repeat(19)}`,
      message: c.message,
      author: {
        name: c.authorName ?? "Codertocat",
        email: c.authorEmail ?? "21031067+Codertocat@users.noreply.github.com",
        // GraphQL links user accounts only.
        user: c.authorLogin === null || (c.authorLogin ?? "").endsWith("[bot]") ? null : { login: c.authorLogin ?? "Codertocat" },
      },
    },
  }));
  const reviews = (options.reviews ?? []).map((r, i) => ({
    databaseId: r.id ?? 500 + i,
    state: r.state,
    body: r.body ?? "",
    submittedAt: "2026-11-22T10:00:00Z",
    lastEditedAt: r.lastEditedAt ?? (r.editor !== undefined ? "2026-11-22T11:00:00Z" : null),
    commit: { oid: r.commit_id ?? HEAD_SHA },
    author: actor(r.login, r.type),
    editor: r.editor ? actor(r.editor) : null,
  }));
  const runs = existingRuns(options).map((r) => ({
    databaseId: r.id,
    status: "COMPLETED",
    conclusion: r.conclusion.toUpperCase(),
    title: r.output.title,
    summary: r.output.summary,
    text: r.output.text,
    annotations: { totalCount: r.output.annotations_count },
  }));
  return {
    pullRequest: { commits: page(commits), reviews: page(reviews) },
    head: {
      checkSuites: { nodes: runs.length > 0 ? [{ app: { databaseId: 123 }, checkRuns: { nodes: runs } }] : [] },
      // PR #2 alone on the head commit queried.
      associatedPullRequests: {
        totalCount: 1,
        nodes: [{ number: 2, state: "OPEN", headRefOid: head, baseRefName: "master", baseRepository: { nameWithOwner: R.slice(7) } }],
      },
    },
  };
}

function blob(text: string) {
  return { oid: "b".repeat(40), byteSize: Buffer.byteLength(text), isTruncated: false, text };
}

export { BASE_SHA, HEAD_SHA };
