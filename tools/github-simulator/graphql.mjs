/**
 * A small GraphQL engine for the part of GitHub's schema Countersign reads: `repository(owner,
 * name)` with `object(expression: "<rev>:<path>")` resolving to a Blob or Tree, aliases, variables,
 * named and inline fragments, `__typename`, `rateLimit`. Unknown fields are rejected the way GitHub
 * does (no data, an `undefinedField` error); a repository the installation cannot see answers
 * `null` on its path with a NOT_FOUND error while the rest of the data stays intact.
 */

import { FieldError, pullRequestTypes } from "./graphql-types.mjs";

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
  return Object.assign(new Error(message), {
    graphql: { message: `Parse error on ${JSON.stringify(message)} (${loc.line}:${loc.column})`, locations: [loc] },
  });
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
      defaultBranchRef: (p) => ({
        __type: "Ref",
        name: p.repo.defaultBranch,
        target: { __type: "Commit", oid: p.repo.branches.get(p.repo.defaultBranch) },
      }),
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
    RateLimit: {
      limit: (p) => p.limit,
      cost: () => 1,
      remaining: (p) => p.remaining,
      resetAt: (p) => p.resetAt,
      used: (p) => p.used,
      nodeCount: () => 1,
    },
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
        invalid.push({
          path,
          locations: [field.loc],
          message: `Field must have selections (field '${field.name}' returns ${value.__type} but has no selections.)`,
        });
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
