#!/usr/bin/env node
/**
 * Generates schema/countersign.schema.json (the JSON Schema editors use for
 * .github/countersign.yml) from the zod schema in src/policy/config.ts, so the two never drift.
 *
 *   node scripts/generate-schema.mjs           write the file
 *   node scripts/generate-schema.mjs --check   exit 1 when the checked-in file is out of date
 *
 * No build needed: config.ts (and any module it imports) is transpiled into a temp directory.
 * Field descriptions come from the doc comments on the schema's properties, read with the
 * TypeScript compiler API, because zod never sees comments.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { z } from "zod";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIG_TS = join(ROOT, "src/policy/config.ts");
export const SCHEMA_FILE = join(ROOT, "schema/countersign.schema.json");

/** The schema's JSON text, exactly as it is checked in. */
export async function generateSchemaText() {
  const { configSchema } = await importTranspiled(CONFIG_TS);
  // io "input": what a person may write (defaults make keys optional); strict objects reject unknown keys.
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-07" });
  applyDescriptions(schema, propertyDocs(readFileSync(CONFIG_TS, "utf8")));
  const document = {
    $schema: schema.$schema,
    title: "Countersign configuration",
    description:
      "`.github/countersign.yml`, read from each pull request's base branch. Every key is optional; " +
      "an invalid file fails the `countersign` check. Generated from src/policy/config.ts by scripts/generate-schema.mjs.",
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function importTranspiled(entry) {
  const out = mkdtempSync(join(tmpdir(), "countersign-schema-"));
  try {
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
    symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
    const queue = [entry];
    const done = new Set();
    while (queue.length > 0) {
      const file = queue.pop();
      if (done.has(file)) continue;
      done.add(file);
      const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      const target = join(out, relative(ROOT, file)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
      for (const m of outputText.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)\.js["']/g))
        queue.push(resolve(dirname(file), `${m[1]}.ts`));
    }
    return await import(pathToFileURL(join(out, relative(ROOT, entry)).replace(/\.ts$/, ".js")).href);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Doc comments of the schema's properties as a tree: { prop: { doc, array, children } }, following
 * `z.strictObject({...})` literals, `z.array(...)` and references to other consts in the file.
 */
function propertyDocs(source) {
  const file = ts.createSourceFile("config.ts", source, ts.ScriptTarget.ES2022, true);
  const consts = new Map();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
  }
  const seen = new Set();

  /** The object literal a schema expression is built on, and whether it sits inside an array. */
  function objectOf(expr, array = false) {
    if (!expr) return null;
    if (ts.isIdentifier(expr)) {
      if (seen.has(expr.text) || !consts.has(expr.text)) return null;
      seen.add(expr.text);
      const found = objectOf(consts.get(expr.text), array);
      seen.delete(expr.text);
      return found;
    }
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr))
      return objectOf(expr.expression, array);
    if (!ts.isCallExpression(expr)) return null;
    const callee = expr.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
    if (
      (name === "strictObject" || name === "object" || name === "looseObject") &&
      expr.arguments[0] &&
      ts.isObjectLiteralExpression(expr.arguments[0])
    ) {
      return { literal: expr.arguments[0], array };
    }
    if (name === "array" && ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "z") {
      return objectOf(expr.arguments[0], true);
    }
    // A method chained on a schema (.default(), .prefault(), .superRefine(), .nullable()…).
    return ts.isPropertyAccessExpression(callee) ? objectOf(callee.expression, array) : null;
  }

  function tree(literal) {
    const props = {};
    for (const p of literal.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const key = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : null;
      if (key === null) continue;
      const doc = ts
        .getJSDocCommentsAndTags(p)
        .filter(ts.isJSDoc)
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
      const child = objectOf(p.initializer);
      props[key] = { doc: doc || null, array: child?.array ?? false, children: child ? tree(child.literal) : null };
    }
    return props;
  }

  const root = objectOf(consts.get("configSchema"));
  return root ? tree(root.literal) : {};
}

function applyDescriptions(node, docs) {
  const target = objectBranch(node);
  if (!target?.properties) return;
  for (const [key, info] of Object.entries(docs)) {
    const prop = target.properties[key];
    if (!prop) continue;
    if (info.doc && prop.description === undefined) prop.description = info.doc;
    if (info.children) applyDescriptions(info.array ? (objectBranch(prop)?.items ?? prop.items) : prop, info.children);
  }
}

/** The object schema inside a node (itself, or the object branch of an anyOf such as `nullable`). */
function objectBranch(node) {
  if (!node || typeof node !== "object") return null;
  if (node.properties || node.items) return node;
  return (node.anyOf ?? []).find((n) => n && (n.properties || n.items)) ?? null;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = await generateSchemaText();
  const name = relative(ROOT, SCHEMA_FILE);
  if (process.argv.includes("--check")) {
    let current = null;
    try {
      current = readFileSync(SCHEMA_FILE, "utf8");
    } catch {
      // missing: out of date
    }
    if (current !== text) {
      console.error(`${name} is out of date with src/policy/config.ts: run \`npm run schema\` and commit the result.`);
      process.exit(1);
    }
    console.log(`${name} is up to date.`);
  } else {
    mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
    writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${name}`);
  }
}
