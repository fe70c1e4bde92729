/**
 * Debian's Chromium driven by playwright-core (no bundled browser download: the machines have
 * no internet). A missing browser fails the suite with the fix, never skips it: CI installs
 * chromium in .ci/run.
 */
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = process.env.COUNTERSIGN_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `The dashboard's browser tests need Chromium at ${CHROMIUM_PATH}, and it is not there (or not executable). ` +
        "Install it with `apt-get install chromium` (Debian; .ci/run does this), or set COUNTERSIGN_CHROMIUM to a Chromium binary.",
    );
  }
  // A fresh profile per run: no state, extensions or cached credentials leak between runs.
  const userDataDir = mkdtempSync(join(tmpdir(), "countersign-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
      locale: "en-GB",
      timezoneId: "UTC",
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium at ${CHROMIUM_PATH} did not start: ${(error as Error).message}`, { cause: error });
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
