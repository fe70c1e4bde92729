/**
 * Child processes (the two-process writer test) cannot run TypeScript, and the suite must not
 * depend on `npm run build`. This transpiles an entry file and every relative module it imports
 * into a temp directory that resolves packages from this project's node_modules.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export interface TranspiledEntry {
  /** The entry's .js path, ready for `child_process.fork`. */
  entry: string;
  remove(): void;
}

export function transpileForChild(entryTs: string, projectRoot: string): TranspiledEntry {
  const out = mkdtempSync(join(tmpdir(), "countersign-child-"));
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(projectRoot, "node_modules"), join(out, "node_modules"), "dir");
  const queue = [resolve(entryTs)];
  const done = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = join(out, relative(projectRoot, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
    // Relative imports keep their `.js` suffix (the project's ESM convention): map back to `.ts`.
    for (const m of outputText.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)\.js["']/g)) {
      queue.push(resolve(dirname(file), `${m[1]}.ts`));
    }
  }
  return {
    entry: join(out, relative(projectRoot, resolve(entryTs))).replace(/\.ts$/, ".js"),
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}
