/**
 * A small GraphQL engine for the part of GitHub's schema Countersign reads: `repository(owner,
 * name)` with `object(expression: "<rev>:<path>")` resolving to a Blob or Tree, aliases, variables,
 * named and inline fragments, `__typename`, `rateLimit`. Unknown fields are rejected the way GitHub
 * does (no data, an `undefinedField` error); a repository the installation cannot see answers
 * `null` on its path with a NOT_FOUND error while the rest of the data stays intact.
 */

// ---------------------------------------------------------------------------------------------
// Lexer

const PUNCT = new Set(["!", "$", "(", ")", ":", "=", "@", "[", "]", "{", "|", "}"]);

function tokenize(source) {
  const tokens = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = () => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const loc = at();
    if (c === "." && source.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "...", loc });
      i += 3;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: "punct", value: c, loc });
      i++;
      continue;
    }
    if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i));
      tokens.push({ kind: "name", value: m[0], loc });
      i += m[0].length;
      continue;
    }
    if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw syntaxError(`Unexpected character "${c}"`, loc);
      tokens.push({ kind: "number", value: Number(m[0]), loc });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end < 0) throw syntaxError("Unterminated block string", loc);
        tokens.push({ kind: "string", value: source.slice(i + 3, end), loc });
        for (const ch of source.slice(i, end + 3)) if (ch === "\n") line++;
        i = end + 3;
        continue;
      }
      let j = i + 1;
      let out = "";
      while (j < source.length && source[j] !== '"') {
        if (source[j] === "\\") {
          const n = source[j + 1];
          const map = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\", "/": "/" };
          if (n === "u") {
            out += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          out += map[n] ?? n;
          j += 2;
          continue;
        }
        if (source[j] === "\n") throw syntaxError("Unterminated string", loc);
        out += source[j];
        j++;
      }
      if (j >= source.length) throw syntaxError("Unterminated string", loc);
      tokens.push({ kind: "string", value: out, loc });
      i = j + 1;
      continue;
    }
    throw syntaxError(`Unexpected character "${c}"`, loc);
  }
  tokens.push({ kind: "eof", value: "<EOF>", loc: at() });
  return tokens;
}

function syntaxError(message, loc) {
  return Object.assign(new Error(message), { graphql: { message: `Parse error on ${JSON.stringify(message)} (${loc.line}:${loc.column})`, locations: [loc] } });
}

// ---------------------------------------------------------------------------------------------
// Parser

function parse(source) {
  const tokens = tokenize(source);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => tokens[p++];
  const expect = (value) => {
    const t = next();
    if (t.value !== value) throw syntaxError(`Expected "${value}", got "${t.value}"`, t.loc);
    return t;
  };
  const expectName = () => {
    const t = next();
    if (t.kind !== "name") throw syntaxError(`Expected a name, got "${t.value}"`, t.loc);
    return t;
  };

  const parseValue = () => {
    const t = next();
    if (t.value === "$" && t.kind === "punct") return { kind: "var", name: expectName().value };
    if (t.kind === "string" || t.kind === "number") return { kind: "const", value: t.value };
    if (t.kind === "name") {
      if (t.value === "true") return { kind: "const", value: true };
      if (t.value === "false") return { kind: "const", value: false };
      if (t.value === "null") return { kind: "const", value: null };
      return { kind: "const", value: t.value }; // enum
    }
    if (t.value === "[") {
      const items = [];
      while (peek().value !== "]") items.push(parseValue());
      next();
      return { kind: "list", items };
    }
    if (t.value === "{") {
      const fields = {};
      while (peek().value !== "}") {
        const k = expectName().value;
        expect(":");
        fields[k] = parseValue();
      }
      next();
      return { kind: "object", fields };
    }
    throw syntaxError(`Unexpected "${t.value}"`, t.loc);
  };

  const parseType = () => {
    if (peek().value === "[") {
      next();
      parseType();
      expect("]");
    } else expectName();
    if (peek().value === "!") next();
  };

  const parseDirectives = () => {
    while (peek().value === "@") {
      next();
      expectName();
      if (peek().value === "(") parseArguments();
    }
  };

  const parseArguments = () => {
    const args = {};
    expect("(");
    while (peek().value !== ")") {
      const k = expectName().value;
      expect(":");
      args[k] = parseValue();
    }
    next();
    return args;
  };

  const parseSelectionSet = () => {
    expect("{");
    const selections = [];
    while (peek().value !== "}") {
      if (peek().kind === "eof") throw syntaxError("Unexpected end of document", peek().loc);
      if (peek().value === "...") {
        const t = next();
        if (peek().value === "on") {
          next();
          const typeCondition = expectName().value;
          parseDirectives();
          selections.push({ kind: "inline", typeCondition, selectionSet: parseSelectionSet(), loc: t.loc });
        } else if (peek().value === "{") {
          selections.push({ kind: "inline", typeCondition: null, selectionSet: parseSelectionSet(), loc: t.loc });
        } else {
          selections.push({ kind: "spread", name: expectName().value, loc: t.loc });
          parseDirectives();
        }
        continue;
      }
      const first = expectName();
      let alias = null;
      let name = first.value;
      if (peek().value === ":") {
        next();
        alias = first.value;
        name = expectName().value;
      }
      const args = peek().value === "(" ? parseArguments() : {};
      parseDirectives();
      const selectionSet = peek().value === "{" ? parseSelectionSet() : null;
      selections.push({ kind: "field", alias, name, args, selectionSet, loc: first.loc });
    }
    next();
    return selections;
  };

  const operations = [];
  const fragments = {};
  while (peek().kind !== "eof") {
    const t = peek();
    if (t.value === "{") {
      operations.push({ type: "query", name: null, variables: [], selectionSet: parseSelectionSet() });
      continue;
    }
    if (t.value === "fragment") {
      next();
      const name = expectName().value;
      if (next().value !== "on") throw syntaxError('Expected "on"', t.loc);
      const typeCondition = expectName().value;
      parseDirectives();
      fragments[name] = { typeCondition, selectionSet: parseSelectionSet() };
      continue;
    }
    if (t.value === "query" || t.value === "mutation" || t.value === "subscription") {
      next();
      const name = peek().kind === "name" ? next().value : null;
      const variables = [];
      if (peek().value === "(") {
        next();
        while (peek().value !== ")") {
          expect("$");
          const vname = expectName().value;
          expect(":");
          parseType();
          let defaultValue;
          if (peek().value === "=") {
            next();
            defaultValue = parseValue();
          }
          variables.push({ name: vname, defaultValue });
        }
        next();
      }
      parseDirectives();
      operations.push({ type: t.value, name, variables, selectionSet: parseSelectionSet() });
      continue;
    }
    throw syntaxError(`Unexpected "${t.value}"`, t.loc);
  }
  return { operations, fragments };
}

// ---------------------------------------------------------------------------------------------
// Executor

function valueOf(node, vars) {
  if (!node) return undefined;
  if (node.kind === "var") return vars[node.name];
  if (node.kind === "const") return node.value;
  if (node.kind === "list") return node.items.map((i) => valueOf(i, vars));
  return Object.fromEntries(Object.entries(node.fields).map(([k, v]) => [k, valueOf(v, vars)]));
}

class FieldError extends Error {
  constructor(message, extra = {}) {
    super(message);
    this.extra = extra;
  }
}

/**
 * The schema: each type maps field names to resolvers `(parent, args, ctx) → value`. A resolver
 * returning `{ __type, ... }` names the runtime type (for fragments and `__typename`).
 */
function schema(world) {
  const blobOrTree = (repo, expression, ctx) => {
    const idx = String(expression ?? "").indexOf(":");
    if (idx < 0) {
      // A revision alone (a SHA, a branch, HEAD) is its commit.
      const sha = world.resolveRev(repo, String(expression ?? ""));
      return sha ? { __type: "Commit", repo, sha, oid: sha } : null;
    }
    const rev = expression.slice(0, idx);
    const path = expression.slice(idx + 1).replace(/^\/+/, "");
    const sha = world.resolveRev(repo, rev);
    if (!sha) return null;
    const tree = world.treeAt(repo, sha);
    if (!tree) return null;
    if (path === "") return { __type: "Tree", repo, sha, dir: "" };
    if (tree.has(path)) {
      const text = tree.get(path);
      const bytes = Buffer.byteLength(text);
      const truncated = bytes > ctx.blobTextLimit;
      return {
        __type: "Blob",
        oid: world.blobOid(text),
        byteSize: bytes,
        isTruncated: truncated,
        isBinary: text.includes("\u0000"),
        text: text.includes("\u0000") ? null : truncated ? Buffer.from(text).subarray(0, ctx.blobTextLimit).toString("utf8") : text,
      };
    }
    const prefix = `${path.replace(/\/+$/, "")}/`;
    for (const p of tree.keys()) if (p.startsWith(prefix)) return { __type: "Tree", repo, sha, dir: prefix.slice(0, -1) };
    return null;
  };
  return {
    Query: {
      repository: (_parent, args, ctx) => {
        const repo = world.findRepo(`${args.owner}/${args.name}`);
        if (!repo || !ctx.canSee(repo)) {
          throw new FieldError(`Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`, { type: "NOT_FOUND" });
        }
        return { __type: "Repository", repo };
      },
      rateLimit: (_p, _a, ctx) => ({ __type: "RateLimit", ...ctx.rateLimit() }),
      viewer: () => ({ __type: "User", login: "countersign[bot]" }),
    },
    Repository: {
      name: (p) => p.repo.name,
      nameWithOwner: (p) => p.repo.fullName,
      id: (p) => p.repo.nodeId,
      isPrivate: (p) => p.repo.private,
      object: (p, args, ctx) => blobOrTree(p.repo, args.expression ?? args.oid, ctx),
      pullRequest: (p, args) => {
        const pr = world.findPull(p.repo, Number(args.number));
        if (!pr) throw new FieldError(`Could not resolve to a PullRequest with the number of ${args.number}.`, { type: "NOT_FOUND" });
        return { __type: "PullRequest", repo: p.repo, pr };
      },
      defaultBranchRef: (p) => ({ __type: "Ref", name: p.repo.defaultBranch, target: { __type: "Commit", oid: p.repo.branches.get(p.repo.defaultBranch) } }),
      owner: (p) => ({ __type: "Organization", login: p.repo.owner }),
    },
    Blob: {
      oid: (p) => p.oid,
      byteSize: (p) => p.byteSize,
      isTruncated: (p) => p.isTruncated,
      isBinary: (p) => p.isBinary,
      text: (p) => p.text,
    },
    Tree: {
      oid: (p) => world.blobOid(`tree:${p.sha}:${p.dir}`),
      entries: (p) => world.treeEntries(p.repo, p.sha, p.dir).map((e) => ({ __type: "TreeEntry", ...e })),
    },
    TreeEntry: { name: (p) => p.name, path: (p) => p.path, type: (p) => p.type },
    Ref: { name: (p) => p.name, target: (p) => p.target },
    ...pullRequestTypes(world),
    Organization: { login: (p) => p.login },
    User: { login: (p) => p.login, databaseId: (p) => p.databaseId ?? null },
    RateLimit: { limit: (p) => p.limit, cost: () => 1, remaining: (p) => p.remaining, resetAt: (p) => p.resetAt, used: (p) => p.used, nodeCount: () => 1 },
  };
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

/** GitHub's GraphQL names a bot `copilot` where REST says `copilot[bot]`. */
function actorNode(world, user) {
  if (!user) return null;
  const bot = user.type === "Bot";
  return { __type: bot ? "Bot" : "User", login: bot ? user.login.replace(/\[bot\]$/, "") : user.login, databaseId: user.id };
}

/** PullRequest, its commits and reviews, and a commit's check suites and runs. */
function pullRequestTypes(world) {
  const connectionType = () => ({ totalCount: (p) => p.totalCount, nodes: (p) => p.nodes, edges: (p) => p.edges, pageInfo: (p) => p.pageInfo });
  const edgeType = { node: (p) => p.node, cursor: (p) => p.cursor };
  const upper = (v) => (v === null || v === undefined ? null : String(v).toUpperCase());
  return {
    PullRequest: {
      id: (p) => `PR_sim${p.pr.id}`,
      number: (p) => p.pr.number,
      title: (p) => p.pr.title,
      state: (p) => (p.pr.merged ? "MERGED" : upper(p.pr.state)),
      headRefOid: (p) => p.pr.headSha,
      baseRefOid: (p) => p.pr.baseSha,
      // GitHub lists at most 250 commits of a pull request; totalCount still says how many there are.
      commits: (p, args) => {
        const commit = (sha) => ({ __type: "Commit", repo: p.repo, sha, oid: sha });
        const listed = p.pr.commits.slice(0, 250).map((sha) => ({ __type: "PullRequestCommit", commit: commit(sha) }));
        return connection("PullRequestCommit", listed, args, { totalCount: p.pr.commits.length });
      },
      reviews: (p, args) =>
        connection("PullRequestReview", p.pr.reviews.map((r) => ({ __type: "PullRequestReview", repo: p.repo, review: r })), args),
    },
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
        return connection("CheckRun", runs.map((run) => ({ __type: "CheckRun", run })), args);
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
      annotations: (p, args) => connection("CheckAnnotation", p.run.annotations.map((a) => ({ __type: "CheckAnnotation", a })), args),
    },
    CheckAnnotationConnection: connectionType(),
    CheckAnnotation: { message: (p) => p.a.message, path: (p) => p.a.path, title: (p) => p.a.title ?? null },
    Bot: { login: (p) => p.login, databaseId: (p) => p.databaseId },
  };
}

/**
 * Executes `query` with `variables`. Returns the JSON body GitHub would send: `{ data, errors? }`,
 * or `{ errors }` alone for documents that do not parse or validate.
 */
export function executeGraphql(world, { query, variables = {}, operationName }, ctx) {
  let doc;
  try {
    doc = parse(String(query ?? ""));
  } catch (error) {
    if (error.graphql) return { errors: [error.graphql] };
    throw error;
  }
  const op = operationName ? doc.operations.find((o) => o.name === operationName) : doc.operations[0];
  if (!op) return { errors: [{ message: "No operation given" }] };
  if (op.type !== "query") return { errors: [{ message: `The simulator answers queries only, not ${op.type}s` }] };
  const vars = { ...variables };
  for (const v of op.variables) if (!(v.name in vars) && v.defaultValue) vars[v.name] = valueOf(v.defaultValue, {});

  const types = schema(world);
  const errors = [];
  const invalid = [];

  const collect = (typeName, selectionSet, out = []) => {
    for (const s of selectionSet) {
      if (s.kind === "field") out.push(s);
      else if (s.kind === "inline") {
        if (!s.typeCondition || s.typeCondition === typeName) collect(typeName, s.selectionSet, out);
      } else {
        const frag = doc.fragments[s.name];
        if (!frag) invalid.push({ message: `Fragment ${s.name} was used, but not defined`, locations: [s.loc] });
        else if (frag.typeCondition === typeName) collect(typeName, frag.selectionSet, out);
      }
    }
    return out;
  };

  const resolveObject = (typeName, parent, selectionSet, path) => {
    const out = {};
    for (const field of collect(typeName, selectionSet)) {
      const key = field.alias ?? field.name;
      if (field.name === "__typename") {
        out[key] = typeName;
        continue;
      }
      const resolver = types[typeName]?.[field.name];
      if (!resolver) {
        invalid.push({
          path: [...path, key],
          extensions: { code: "undefinedField", typeName, fieldName: field.name },
          locations: [field.loc],
          message: `Field '${field.name}' doesn't exist on type '${typeName}'`,
        });
        continue;
      }
      const args = Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, valueOf(v, vars)]));
      let value;
      try {
        value = resolver(parent, args, ctx);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        errors.push({ ...error.extra, path: [...path, key], locations: [field.loc], message: error.message });
        out[key] = null;
        continue;
      }
      out[key] = complete(value, field, [...path, key]);
    }
    return out;
  };

  const complete = (value, field, path) => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map((v, i) => complete(v, field, [...path, i]));
    if (typeof value === "object" && value.__type) {
      if (!field.selectionSet) {
        invalid.push({ path, locations: [field.loc], message: `Field must have selections (field '${field.name}' returns ${value.__type} but has no selections.)` });
        return null;
      }
      return resolveObject(value.__type, value, field.selectionSet, path);
    }
    return value;
  };

  const data = resolveObject("Query", {}, op.selectionSet, []);
  if (invalid.length > 0) return { errors: invalid };
  return errors.length > 0 ? { data, errors } : { data };
}
