#!/usr/bin/env node
/**
 * The layer check (`npm run lint:layers`, run by .ci/run): every import inside src/ must point
 * down the layers described in docs/architecture.md, and only src/github/ may call GitHub.
 *
 *   policy ← audit, github, cluster ← notify, reports ← handlers ← http, dashboard, cli, app
 *
 * Each src/ folder (and top-level file) is listed below with the src/ units it may import;
 * a unit missing from the list is itself an error, so a new folder has to be placed on purpose.
 * Exit status 1 with one line per violation; `--json` prints them as JSON instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** unit → the other units it may import (a unit may always import itself). */
export const LAYERS = {
  // Pure: no I/O, no clock, no probot/octokit/database. Exported as the library (index.ts).
  policy: [],
  // Small leaf modules with no dependencies inside src/.
  "redact-url.ts": [],
  // Storage: the AuditStore port, its SQL engines, the hash chain.
  audit: ["policy", "redact-url.ts"],
  // Everything that talks to GitHub's API.
  github: ["policy"],
  // The app's Prometheus metrics (a registry created by main or createApp and passed down).
  metrics: [],
  // Leases shared by replicas (Redis).
  cluster: ["redact-url.ts"],
  // Outbound change events (incident tools) for recorded merges.
  notify: ["policy", "audit"],
  // Reports computed over the audit trail (postmortems).
  reports: ["policy", "audit"],
  // Webhook handlers: compose github, policy, audit and cluster into the pipeline.
  handlers: ["policy", "audit", "github", "cluster", "notify", "metrics"],
  // The durable webhook inbox: stores deliveries before answering, processes them with retries
  // (its route reads the body with the HTTP surfaces' request-body reader).
  inbox: ["audit", "metrics", "http"],
  // HTTP surfaces: the JSON audit API and the dashboard (which shares the API's request helpers).
  http: ["policy", "audit", "reports", "metrics"],
  dashboard: ["policy", "audit", "github", "reports", "http"],
  // Read-only servers: /healthz, the audit API and the dashboard mounted together (the app, `countersign
  // serve` over an existing store, and setup mode before the app is registered).
  serve: ["audit", "dashboard", "github", "http"],
  // The command line.
  cli: ["policy", "audit", "github", "handlers", "reports", "cluster", "notify", "serve", "env.ts"],
  // Process environment parsing (read by main.ts and the CLI).
  "env.ts": ["github", "http", "redact-url.ts"],
  // Probot's logger with credentials scrubbed (main.ts hands it to the server).
  "redacting-log.ts": ["redact-url.ts"],
  // Composition roots.
  "app.ts": ["policy", "audit", "github", "cluster", "notify", "reports", "handlers", "http", "dashboard", "inbox", "metrics", "serve"],
  "main.ts": [
    "app.ts",
    "env.ts",
    "audit",
    "github",
    "cluster",
    "notify",
    "handlers",
    "redact-url.ts",
    "inbox",
    "metrics",
    "serve",
    "http",
    "redacting-log.ts",
  ],
  // The library entry point: the pure engine only.
  "index.ts": ["policy"],
};

/** Package imports a unit may not make (the pure engine stays pure). */
const FORBIDDEN_PACKAGES = {
  policy: /^(node:|probot$|@octokit\/|pg$|better-sqlite3$|ioredis$|pino$)/,
};

/** Calls to GitHub's API: only src/github/ makes them. */
const GITHUB_CALL = /(?<!\.)\.(rest\.|graphql[<(]|paginate[.(])|\bnew Octokit\b|import\("(probot|@octokit\/rest)"\)/;

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

/** The unit of a path relative to src/: its top folder, or the top-level file (as .ts). */
function unitOf(relPath) {
  const [first, ...rest] = relPath.split("/");
  return rest.length > 0 ? first : first.replace(/\.js$/, ".ts");
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** All violations under `srcDir`, as `{ file, line, message }`. */
export function checkLayers(srcDir) {
  const violations = [];
  for (const file of listFiles(srcDir)) {
    const rel = relative(srcDir, file).split(sep).join("/");
    const unit = unitOf(rel);
    const allowed = LAYERS[unit];
    const text = readFileSync(file, "utf8");
    const lineAt = (index) => text.slice(0, index).split("\n").length;
    if (!allowed) {
      violations.push({ file: rel, line: 1, message: `${unit} has no layer: add it to LAYERS in scripts/check-layers.mjs` });
      continue;
    }
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      const line = lineAt(m.index + m[0].length - 1);
      if (!spec.startsWith(".")) {
        if (FORBIDDEN_PACKAGES[unit]?.test(spec)) {
          violations.push({ file: rel, line, message: `${unit} must stay pure but imports "${spec}"` });
        }
        continue;
      }
      const target = relative(srcDir, resolve(dirname(file), spec))
        .split(sep)
        .join("/");
      const targetUnit = unitOf(target);
      if (target.startsWith("..")) {
        violations.push({ file: rel, line, message: `imports "${spec}" from outside src/` });
      } else if (targetUnit !== unit && !allowed.includes(targetUnit)) {
        violations.push({ file: rel, line, message: `${unit} may not import ${targetUnit} ("${spec}")` });
      }
    }
    if (unit !== "github") {
      const lines = text.split("\n");
      lines.forEach((l, i) => {
        if (!/^\s*(\/\/|\*|\/\*)/.test(l) && GITHUB_CALL.test(l)) {
          violations.push({ file: rel, line: i + 1, message: `calls GitHub outside src/github/: ${l.trim().slice(0, 80)}` });
        }
      });
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const violations = checkLayers(join(root, "src"));
  if (process.argv.includes("--json")) console.log(JSON.stringify(violations, null, 2));
  else for (const v of violations) console.error(`src/${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`${violations.length} layer violation${violations.length === 1 ? "" : "s"} (see docs/architecture.md)`);
    process.exit(1);
  }
  console.log("layers: ok");
}
