/**
 * `.github/countersign.yml`: the zod schema (with its defaults) and `loadConfig(text)`.
 *
 * Defaults live in the schema, never in `context.config(name, defaults)`: Probot deep-merges
 * defaults and concatenates arrays, so a configured list could never replace a default one.
 * An invalid file is rejected whole (fail closed): every problem is reported with its key path
 * and line, and no partial config is ever used.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { globProblem } from "./glob-match.js";

export const CONFIG_PATH = ".github/countersign.yml";

const level = z.enum(["none", "assisted", "generated", "agent"]);
const AI_LEVELS_DEFAULT: ("assisted" | "generated" | "agent")[] = ["assisted", "generated", "agent"];

/** `@org/team` or `@user`. */
const principal = z.string().regex(/^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/, {
  message: 'expected "@user" or "@org/team"',
});
const team = z.string().regex(/^@[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  message: 'expected a team as "@org/team"',
});
const glob = z
  .string()
  .min(1, { message: "a glob must not be empty" })
  .superRefine((g, ctx) => {
    const problem = globProblem(g);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const disclosureSchema = z
  .strictObject({
    /** `Assisted-by:` / `Generated-by:` / `Co-authored-by-AI:` trailers (commits or body) count as an answer. */
    accept_trailers: z.boolean().default(true),
    /** Extra AI identities recognised as evidence: commits authored or co-authored by these emails or logins. */
    ai_identities: z
      .array(
        z.strictObject({
          tool: z.string().min(1),
          emails: z.array(z.string().min(3)).default([]),
          logins: z.array(z.string().min(1)).default([]),
        }),
      )
      .default([]),
    /** Extra coding-agent bot logins: a PR or commit authored by one is an `agent` PR. */
    agents: z.array(z.string().min(1)).default([]),
    /**
     * When true, a disclosure saying AI was used only for autocomplete (inline completions)
     * counts as `none` for the gates, so no understanding review is required; the check says so.
     */
    autocomplete_exempt: z.boolean().default(false),
  })
  .prefault({});

const reviewSchema = z
  .strictObject({
    /** Disclosure levels that need an understanding review; add `none` to require notes on every PR. */
    applies_to: z.array(level).default(AI_LEVELS_DEFAULT),
    /** Noted approvals needed on the current head SHA. */
    required_approvals: z.number().int().min(1).max(10).default(1),
    /** Approvals of an older head SHA do not count. */
    require_fresh_review: z.boolean().default(true),
    /** Items that must each be ticked in the approving review's body. */
    checklist: z
      .array(z.string().min(3))
      .default(["I can explain what this change does and why", "I checked its failure modes and how to roll it back"]),
    /** Minimum length, in characters, of the `Verified:` statement. */
    min_note_length: z.number().int().min(0).max(2000).default(40),
  })
  .prefault({});

const ownershipSchema = z
  .strictObject({
    /** User or email owners alone don't satisfy the gate: a team must own each file. */
    require_team: z.boolean().default(false),
    /** Team that owns files CODEOWNERS leaves unowned; null makes unowned files unmet. */
    fallback_team: team.nullable().default(null),
    /** Label the PR `owner:<team-slug>`. */
    label: z.boolean().default(true),
    /** Request a review from the owning team when nobody from it is requested. */
    request_review: z.boolean().default(true),
  })
  .prefault({});

const boundarySchema = z
  .strictObject({
    /** Identifies the boundary in messages and in `/countersign exception <name>: <reason>`. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
      message: "use letters, digits, '-', '_' or '.' (it is typed in `/countersign exception <name>: …`)",
    }),
    /** Globs (picomatch's `*`, `**`, `?`, `[a-z]`, `{a,b}`; dotfiles match; case-sensitive) of the off-limits paths. */
    paths: z.array(glob).min(1),
    /** Globs excluded from `paths`. */
    ignore: z.array(glob).default([]),
    /** Disclosure levels the boundary applies to. */
    applies_to: z.array(level).default(AI_LEVELS_DEFAULT),
    /** `block`: only an exception lets it through; `require_approval`: noted approvals from the approvers. */
    action: z.enum(["block", "require_approval"]).default("block"),
    /** Who may approve or grant an exception: `@org/team` or `@user`. */
    approvers: z.array(principal).default([]),
    /** Noted approvals needed from the approvers (require_approval). */
    min_approvals: z.number().int().min(1).max(10).default(1),
    /** Shown to the author in the check and the file annotations. */
    message: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.action === "require_approval" && b.approvers.length === 0) {
      ctx.addIssue({ code: "custom", path: ["approvers"], message: "require_approval needs at least one approver" });
    }
  });

export const configSchema = z
  .strictObject({
    /** Inherit from another repository's config (`repo`, `owner/repo` or `repo:path.yml`); resolved by the loader. */
    _extends: z.string().optional(),
    /**
     * Owners (users or organisations) besides this repository's own whose repositories `_extends`
     * may inherit from: whoever can push there decides this repository's policy. Read from the
     * repository's own config (or the organisation default it falls back to) only; an inherited
     * file cannot widen it.
     */
    extends_allowed_owners: z
      .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, { message: "expected a GitHub user or organisation name" }))
      .default([]),
    /** Gate 1: how the AI-assistance disclosure is read and which identities count as AI evidence. */
    disclosure: disclosureSchema,
    /** Gate 2: the understanding review an approving reviewer must write. */
    review: reviewSchema,
    /** Gate 3: CODEOWNERS-based ownership, the owner label and review requests. */
    ownership: ownershipSchema,
    /** Gate 4: off-limits paths for AI-assisted changes, with their approvers. */
    boundaries: z
      .array(boundarySchema)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((b, i) => {
          if (b.name === "agent-scope") {
            ctx.addIssue({ code: "custom", path: [i, "name"], message: '"agent-scope" is reserved for agents.scope exceptions' });
          }
          if (seen.has(b.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate boundary name "${b.name}"` });
          seen.add(b.name);
        });
      }),
    /** Gate 4: where coding-agent PRs may go. */
    agents: z
      .strictObject({
        /** Globs an agent PR may touch. */
        scope: z.array(glob).min(1).default(["**"]),
        /** Who may grant an `agent-scope` exception; empty: nobody can. */
        approvers: z.array(principal).default([]),
      })
      .prefault({}),
    /** Gate 4: how approvers grant exceptions with `/countersign exception` comments. */
    exceptions: z
      .strictObject({
        /**
         * When true, an exception must name the head commit the approver reviewed
         * (`/countersign exception <boundary>@<sha>: <reason>`); the form without a SHA is refused.
         * When false, that form binds to the head Countersign had evaluated when the comment was written.
         */
        require_sha: z.boolean().default(false),
      })
      .prefault({}),
    /** Gate 5: incident patches (scope, rollback, no dependency or migration changes). */
    incident: z
      .strictObject({
        /** The label that marks an incident patch. */
        label: z.string().min(1).default("incident"),
        /** Globs refused in incident patches, added to the built-in manifest/lockfile/migration globs. */
        forbidden: z.array(glob).default([]),
      })
      .prefault({}),
    /** The audit trail. */
    audit: z
      .strictObject({
        /** What to post when a PR merges while `countersign` was not success. */
        on_bypass: z.enum(["comment", "issue", "none"]).default("none"),
      })
      .prefault({}),
  })
  .prefault({});

export type Config = z.output<typeof configSchema>;
export type Boundary = Config["boundaries"][number];

/** The configuration used when a repository has no `.github/countersign.yml`. */
export const DEFAULT_CONFIG: Config = configSchema.parse({});

export interface ConfigError {
  /** Dotted key path, e.g. `boundaries.0.action`; empty for the whole file. */
  path: string;
  /** 1-based line in the YAML text, or null when it has no position (e.g. a missing key). */
  line: number | null;
  message: string;
}

export type LoadConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

/**
 * Parses and validates the text of `.github/countersign.yml`. Empty text (or a file of only
 * comments) gives the defaults; anything invalid gives every error with key path and line.
 */
export function loadConfig(yamlText: string | null | undefined): LoadConfigResult {
  const text = yamlText ?? "";
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined): number | null => (offset === undefined ? null : lineCounter.linePos(offset).line);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ path: "", line: lineOf(e.pos[0]), message: `invalid YAML: ${firstLine(e.message)}` })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias bomb ("billion laughs"): refuse rather than expand it.
    return {
      ok: false,
      errors: [{ path: "", line: null, message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
  if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
    return {
      ok: false,
      errors: [
        {
          path: "",
          line: lineOf(doc.contents?.range?.[0]),
          message: "the file must be a YAML mapping of keys (disclosure, review, ownership…)",
        },
      ],
    };
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };

  const errors: ConfigError[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        errors.push({
          path: keyPath.join("."),
          line: lineOf(keyNodeOffset(doc.contents, keyPath)),
          message: `unknown key "${key}"${suggestKey(key)}`,
        });
      }
      continue;
    }
    errors.push({ path: path.join("."), line: lineOf(nearestNodeOffset(doc.contents, path)), message: issue.message });
  }
  errors.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { ok: false, errors };
}

const KNOWN_KEYS = [
  "disclosure",
  "review",
  "ownership",
  "boundaries",
  "agents",
  "incident",
  "audit",
  "accept_trailers",
  "ai_identities",
  "autocomplete_exempt",
  "applies_to",
  "required_approvals",
  "require_fresh_review",
  "checklist",
  "min_note_length",
  "require_team",
  "fallback_team",
  "label",
  "request_review",
  "paths",
  "ignore",
  "action",
  "approvers",
  "min_approvals",
  "message",
  "scope",
  "forbidden",
  "on_bypass",
  "name",
  "tool",
  "emails",
  "logins",
  "exceptions",
  "require_sha",
];

function suggestKey(key: string): string {
  const lower = key.toLowerCase().replace(/-/g, "_");
  const hit = KNOWN_KEYS.find((k) => k === lower || editDistance(k, lower) <= 2);
  return hit && hit !== key ? ` (did you mean "${hit}"?)` : "";
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Offset of the value node at `path`, or of its closest existing ancestor. */
function nearestNodeOffset(root: YamlNode | null, path: (string | number)[]): number | undefined {
  let node: unknown = root;
  let offset = (root as YamlNode | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyValue(p.key) === key);
      if (!pair) break;
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value;
      const valueOffset = (pair.value as YamlNode | null)?.range?.[0];
      if (valueOffset !== undefined) offset = valueOffset;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as YamlNode | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** Offset of the key node of the last segment (for unknown keys). */
function keyNodeOffset(root: YamlNode | null, path: (string | number)[]): number | undefined {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  let node: unknown = root;
  for (const key of parentPath) {
    if (isMap(node)) node = node.items.find((p) => keyValue(p.key) === key)?.value;
    else if (isSeq(node) && typeof key === "number") node = node.items[key];
    else return nearestNodeOffset(root, parentPath);
  }
  if (isMap(node)) {
    const pair = node.items.find((p) => keyValue(p.key) === last);
    return (pair?.key as YamlNode | undefined)?.range?.[0] ?? nearestNodeOffset(root, parentPath);
  }
  return nearestNodeOffset(root, parentPath);
}

function keyValue(key: unknown): unknown {
  return key && typeof key === "object" && "value" in key ? (key as { value: unknown }).value : key;
}
