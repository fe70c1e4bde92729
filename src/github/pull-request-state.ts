/**
 * Everything about a pull request that GraphQL can give in ONE query: its commits (up to GitHub's
 * 250), its reviews with who last edited each body, the head commit's `countersign` check runs from
 * this app and the pull requests that commit belongs to (other open PRs on the same head share
 * its check run), and — when no other evaluation has read them — the base commit's config and CODEOWNERS.
 * Changed files stay on REST: GraphQL has no previous path for a renamed file, and boundaries need
 * it. More than 100 commits or reviews take follow-up queries for just those lists.
 */
import { CHECK_NAME } from "../policy/render.js";
import { loginFromEmail } from "../policy/noreply-email.js";
import { MAX_LISTED_COMMITS, type CommitInfo, type ReviewInfo } from "../policy/snapshot.js";
import {
  BASE_FILE_FIELDS,
  BASE_FILE_VARIABLES,
  BLOB_FRAGMENT,
  ORG_CONFIG_FIELD,
  baseFileVariables,
  knownBaseFiles,
  queryAllowingMissingOrg,
  shareBaseFilesRead,
  type BaseFiles,
  type BaseFilesData,
} from "./base-files.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

const PAGE = 100;
/** Follow-up pages beyond the first: 250 commits need 2 more; reviews are bounded so a runaway PR fails closed. */
const MAX_REVIEW_PAGES = 30;

/** A pull request of this repository whose head is the commit read along (`checkSha`). */
export interface HeadPull {
  number: number;
  /** OPEN, CLOSED or MERGED. */
  state: string;
  baseRef: string;
}

/** Our latest `countersign` run on a commit, as GraphQL shows it (lower-cased like REST). */
export interface ExistingCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  text: string;
  annotationsCount: number;
}

export interface PullRequestState {
  base: BaseFiles;
  commits: CommitInfo[];
  /** How many commits the pull request has, even beyond the 250 GitHub lists. */
  commitCount: number;
  reviews: ReviewInfo[];
  /** Our latest `countersign` run on `checkSha`; null when there is none. */
  checkRun: ExistingCheckRun | null;
  /**
   * The pull requests of this repository whose head is `checkSha`, any state, as GitHub associates
   * them with the commit; null when that list may be incomplete (more than one page of them).
   */
  headPulls: HeadPull[] | null;
}

export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  /** The commit whose check run we write: the PR head, or a merge group's head. */
  checkSha: string;
  /** Our app id (null: any app's `countersign` run). */
  appId: number | null;
}

interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (T | null)[] | null;
}
interface Actor {
  __typename?: string;
  login?: string | null;
}
interface CommitNode {
  commit: {
    oid: string;
    message: string;
    author: { name: string | null; email: string | null; user: { login: string } | null } | null;
  } | null;
}
interface ReviewNode {
  databaseId: number | null;
  state: string;
  body: string | null;
  submittedAt: string | null;
  lastEditedAt: string | null;
  commit: { oid: string } | null;
  author: Actor | null;
  editor: Actor | null;
}
interface RunNode {
  databaseId: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: { totalCount: number } | null;
}
interface AssociatedPullNode {
  number: number;
  state: string;
  headRefOid: string;
  baseRefName: string;
  baseRepository: { nameWithOwner: string } | null;
}
interface PullRequestData extends BaseFilesData {
  repository: {
    pullRequest: { commits?: Connection<CommitNode>; reviews?: Connection<ReviewNode> } | null;
    head?: {
      checkSuites?: { nodes: ({ app: { databaseId: number } | null; checkRuns: { nodes: (RunNode | null)[] } } | null)[] };
      associatedPullRequests?: { totalCount: number; nodes: (AssociatedPullNode | null)[] | null };
    } | null;
  } & Record<string, unknown>;
}

const COMMITS = (after: boolean) =>
  `commits(first: ${PAGE}${after ? ", after: $commitsAfter" : ""}) { totalCount pageInfo { hasNextPage endCursor } ` +
  "nodes { commit { oid message author { name email user { login } } } } }";
const REVIEWS = (after: boolean) =>
  `reviews(first: ${PAGE}${after ? ", after: $reviewsAfter" : ""}) { totalCount pageInfo { hasNextPage endCursor } ` +
  "nodes { databaseId state body submittedAt lastEditedAt commit { oid } author { __typename login } editor { __typename login } } }";
/** Pull requests associated with the head commit, read in one page (more: listed over REST). */
const HEAD_PULLS_PAGE = 25;
const HEAD_CHECK_RUNS =
  "head: object(expression: $head) { ... on Commit { checkSuites(first: 10, filterBy: { appId: $appId }) { nodes { app { databaseId } " +
  `checkRuns(first: 10, filterBy: { checkName: "${CHECK_NAME}", checkType: LATEST }) { ` +
  "nodes { databaseId status conclusion title summary text annotations(first: 1) { totalCount } } } } } " +
  `associatedPullRequests(first: ${HEAD_PULLS_PAGE}) { totalCount ` +
  "nodes { number state headRefOid baseRefName baseRepository { nameWithOwner } } } } }";

/** The first query: both lists, the head's check runs and, when asked, the base files. */
function firstQuery(withBase: boolean): string {
  const vars = `$owner: String!, $repo: String!, $number: Int!, $head: String!, $appId: Int${withBase ? `, ${BASE_FILE_VARIABLES}` : ""}`;
  return `query countersignPullRequest(${vars}) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) { ${COMMITS(false)} ${REVIEWS(false)} }
    ${HEAD_CHECK_RUNS}${withBase ? `\n    ${BASE_FILE_FIELDS}` : ""}
  }${withBase ? `\n  ${ORG_CONFIG_FIELD}` : ""}
}${withBase ? `\n${BLOB_FRAGMENT}` : ""}`;
}

/** A follow-up page of commits and/or reviews. */
function pageQuery(commits: boolean, reviews: boolean): string {
  const vars = ["$owner: String!", "$repo: String!", "$number: Int!"];
  if (commits) vars.push("$commitsAfter: String");
  if (reviews) vars.push("$reviewsAfter: String");
  return `query countersignPullRequestPage(${vars.join(", ")}) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) { ${commits ? COMMITS(true) : ""} ${reviews ? REVIEWS(true) : ""} }
  }
}`;
}

export async function loadPullRequestState(
  github: GitHub,
  caches: GitHubCaches,
  target: PullRequestTarget,
  now: number,
): Promise<PullRequestState> {
  const { owner, repo, number, baseSha } = target;
  const known = knownBaseFiles(caches, owner, repo, baseSha);
  const variables = { owner, repo, number, head: target.checkSha, appId: target.appId, ...(known ? {} : baseFileVariables(baseSha)) };
  const read = queryAllowingMissingOrg<PullRequestData>(github, firstQuery(!known), variables);
  // Evaluations on the same base commit that start meanwhile wait for this read's base files.
  const basePromise = known ? Promise.resolve(known) : shareBaseFilesRead({ github, caches, owner, repo, sha: baseSha, now }, read);
  const [data, base] = await Promise.all([read, basePromise]);

  const pull = data.repository?.pullRequest;
  if (!pull?.commits || !pull.reviews) throw new Error(`pull request ${owner}/${repo}#${number} is not readable by the app`);
  const commitNodes = present(pull.commits.nodes);
  const reviewNodes = present(pull.reviews.nodes);
  let commitsAfter = pull.commits.pageInfo.hasNextPage ? pull.commits.pageInfo.endCursor : null;
  let reviewsAfter = pull.reviews.pageInfo.hasNextPage ? pull.reviews.pageInfo.endCursor : null;
  for (let page = 0; commitsAfter !== null || reviewsAfter !== null; page++) {
    if (page >= MAX_REVIEW_PAGES) {
      throw new Error(`pull request ${owner}/${repo}#${number} has more than ${PAGE * (MAX_REVIEW_PAGES + 1)} reviews`);
    }
    // GitHub stops at 250 commits: no page after that.
    if (commitNodes.length >= MAX_LISTED_COMMITS) commitsAfter = null;
    if (commitsAfter === null && reviewsAfter === null) break;
    const next = await github.graphql<PullRequestData>(pageQuery(commitsAfter !== null, reviewsAfter !== null), {
      owner,
      repo,
      number,
      ...(commitsAfter !== null ? { commitsAfter } : {}),
      ...(reviewsAfter !== null ? { reviewsAfter } : {}),
    });
    const more = next.repository?.pullRequest;
    if (!more) throw new Error(`pull request ${owner}/${repo}#${number} is not readable by the app`);
    if (commitsAfter !== null) {
      if (!more.commits) throw new Error(`GitHub sent no commits page for ${owner}/${repo}#${number}`);
      commitNodes.push(...present(more.commits.nodes));
      commitsAfter = more.commits.pageInfo.hasNextPage ? more.commits.pageInfo.endCursor : null;
    }
    if (reviewsAfter !== null) {
      if (!more.reviews) throw new Error(`GitHub sent no reviews page for ${owner}/${repo}#${number}`);
      reviewNodes.push(...present(more.reviews.nodes));
      reviewsAfter = more.reviews.pageInfo.hasNextPage ? more.reviews.pageInfo.endCursor : null;
    }
  }

  return {
    base,
    commits: commitNodes.slice(0, MAX_LISTED_COMMITS).flatMap((n) => (n.commit ? [toCommit(n.commit)] : [])),
    commitCount: pull.commits.totalCount,
    reviews: reviewNodes.map(toReview),
    checkRun: latestRun(data, target.appId),
    headPulls: headPulls(data, target),
  };
}

function present<T>(nodes: (T | null)[] | null | undefined): T[] {
  return (nodes ?? []).filter((n): n is T => n !== null);
}

function toCommit(c: NonNullable<CommitNode["commit"]>): CommitInfo {
  const email = c.author?.email ?? null;
  return {
    sha: c.oid,
    message: c.message ?? "",
    // GraphQL links only user accounts; a bot's no-reply email still names it, as REST's `author` would.
    authorLogin: c.author?.user?.login ?? loginFromEmail(email),
    authorEmail: email,
    authorName: c.author?.name ?? null,
  };
}

/** GraphQL names a bot `claude` where REST and webhooks say `claude[bot]`: use the REST form everywhere. */
function restLogin(actor: Actor | null): string | null {
  if (!actor?.login) return null;
  return actor.__typename === "Bot" && !actor.login.endsWith("[bot]") ? `${actor.login}[bot]` : actor.login;
}

function toReview(r: ReviewNode): ReviewInfo {
  const login = restLogin(r.author);
  return {
    id: r.databaseId ?? 0,
    user: login ? { login, type: actorType(r.author?.__typename) } : null,
    state: r.state,
    body: r.body ?? null,
    commitId: r.commit?.oid ?? null,
    submittedAt: r.submittedAt ?? null,
    lastEditedAt: r.lastEditedAt ?? null,
    editedBy: r.lastEditedAt ? restLogin(r.editor) : null,
  };
}

function actorType(typename: string | undefined): "User" | "Bot" | "Organization" {
  return typename === "Bot" ? "Bot" : typename === "Organization" ? "Organization" : "User";
}

/** The PRs of this repository on the head commit; null when GitHub listed only some of them. */
function headPulls(data: PullRequestData, target: PullRequestTarget): HeadPull[] | null {
  const associated = data.repository?.head?.associatedPullRequests;
  if (!associated) return null;
  const nodes = present(associated.nodes);
  if (associated.totalCount > nodes.length) return null;
  const fullName = `${target.owner}/${target.repo}`.toLowerCase();
  return nodes
    .filter((n) => n.headRefOid === target.checkSha && n.baseRepository?.nameWithOwner.toLowerCase() === fullName)
    .map((n) => ({ number: n.number, state: n.state, baseRef: n.baseRefName }));
}

function latestRun(data: PullRequestData, appId: number | null): ExistingCheckRun | null {
  const suites = present(data.repository?.head?.checkSuites?.nodes);
  const runs = suites.filter((s) => appId === null || s.app?.databaseId === appId).flatMap((s) => present(s.checkRuns.nodes));
  const run = runs.sort((a, b) => b.databaseId - a.databaseId)[0];
  if (!run) return null;
  return {
    id: run.databaseId,
    status: run.status.toLowerCase(),
    conclusion: run.conclusion ? run.conclusion.toLowerCase() : null,
    title: run.title ?? "",
    summary: run.summary ?? "",
    text: run.text ?? "",
    annotationsCount: run.annotations?.totalCount ?? 0,
  };
}
