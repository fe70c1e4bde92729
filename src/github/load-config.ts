/**
 * Finds and validates the config in force for a PR: `.github/countersign.yml` at the base SHA,
 * else the organisation's `.github` repository, else the defaults; then `_extends` chains, to
 * another owner's repository only when the first file's `extends_allowed_owners` lists that owner.
 * Layers merge key by key with lists REPLACED (never concatenated, unlike Probot's
 * `context.config`), and every layer must be valid on its own: nothing partial is ever used.
 */
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { CONFIG_PATH, DEFAULT_CONFIG, configSchema, loadConfig, type Config, type ConfigError } from "../policy/config.js";
import { loadRemoteConfig, type BlobText } from "./base-files.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

export type ConfigLoad =
  | { ok: true; config: Config; source: string; hash: string | null }
  | { ok: false; source: string; errors: ConfigError[] };

const MAX_EXTENDS_DEPTH = 5;

export async function loadRepoConfig(
  github: GitHub,
  caches: GitHubCaches,
  owner: string,
  repo: string,
  local: BlobText | null,
  now: number,
): Promise<ConfigLoad> {
  let file = local;
  let source = `${owner}/${repo}:${CONFIG_PATH}`;
  if (!file) {
    file = await loadRemoteConfig(github, caches, owner, ".github", CONFIG_PATH, now);
    source = `${owner}/.github:${CONFIG_PATH}`;
  }
  if (!file) return { ok: true, config: DEFAULT_CONFIG, source: "defaults (no .github/countersign.yml)", hash: null };

  const layers: { source: string; raw: Record<string, unknown> }[] = [];
  const texts: string[] = [];
  let current: { source: string; text: string } | null = { source, text: file.text };
  const visited = new Set<string>();
  // Owners `_extends` may reach: this repository's owner, plus those its own config allows.
  let allowedOwners: Set<string> | null = null;
  while (current) {
    const checked = loadConfig(current.text);
    if (!checked.ok) return { ok: false, source: current.source, errors: checked.errors };
    allowedOwners ??= new Set([owner, ...checked.config.extends_allowed_owners].map((o) => o.toLowerCase()));
    const raw = (parseYaml(current.text) ?? {}) as Record<string, unknown>;
    layers.unshift({ source: current.source, raw });
    texts.unshift(current.text);
    visited.add(current.source.toLowerCase());
    const ext = typeof raw._extends === "string" ? raw._extends : null;
    if (!ext) break;
    if (layers.length > MAX_EXTENDS_DEPTH) {
      return {
        ok: false,
        source: current.source,
        errors: [{ path: "_extends", line: null, message: `more than ${MAX_EXTENDS_DEPTH} levels of _extends` }],
      };
    }
    const target = parseExtends(ext, owner);
    if (!target) {
      return {
        ok: false,
        source: current.source,
        errors: [{ path: "_extends", line: null, message: `"${ext}" is not "repo", "owner/repo" or "repo:path.yml"` }],
      };
    }
    if (!allowedOwners.has(target.owner.toLowerCase())) {
      const message =
        `"${ext}" is another owner's repository (${target.owner}): add "${target.owner}" to extends_allowed_owners ` +
        `in ${source} to let it decide this repository's policy`;
      return { ok: false, source: current.source, errors: [{ path: "_extends", line: null, message }] };
    }
    const targetSource = `${target.owner}/${target.repo}:${target.path}`;
    if (visited.has(targetSource.toLowerCase())) {
      return {
        ok: false,
        source: current.source,
        errors: [{ path: "_extends", line: null, message: `_extends loops back to ${targetSource}` }],
      };
    }
    const blob = await loadRemoteConfig(github, caches, target.owner, target.repo, target.path, now);
    if (!blob) {
      return {
        ok: false,
        source: current.source,
        errors: [{ path: "_extends", line: null, message: `${targetSource} does not exist or the app cannot read it` }],
      };
    }
    current = { source: targetSource, text: blob.text };
  }

  const merged = layers.reduce<Record<string, unknown>>((acc, l) => mergeLayer(acc, l.raw), {});
  delete merged._extends;
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      ok: false,
      source: layers.map((l) => l.source).join(" + "),
      errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), line: null, message: i.message })),
    };
  }
  return {
    ok: true,
    config: parsed.data,
    source: layers
      .map((l) => l.source)
      .reverse()
      .join(" extends "),
    hash: sha256(texts.join("\n---\n")),
  };
}

/** `repo`, `owner/repo`, `repo:path.yml` or `owner/repo:path.yml` (Probot's `_extends` forms). */
export function parseExtends(value: string, defaultOwner: string): { owner: string; repo: string; path: string } | null {
  const m = /^(?:([A-Za-z0-9-]+)\/)?([A-Za-z0-9._-]+)(?::([^\s:]+))?$/.exec(value.trim());
  if (!m) return null;
  return { owner: m[1] ?? defaultOwner, repo: m[2]!, path: m[3] ?? CONFIG_PATH };
}

/** Deep-merges mappings; a later layer's list or scalar replaces the earlier one. */
export function mergeLayer(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeLayer(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
