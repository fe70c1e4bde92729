/**
 * `countersign doctor` against the GitHub simulator (a GitHub Enterprise host on loopback), in
 * process through the CLI's `main`: one repository per problem it names, each found with its
 * fix; exit 0 / 1 / 2; JSON output.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { main } from "../../src/cli/main.js";
import { startGitHubSimulator, type GitHubSimulator } from "../../tools/github-simulator/index.mjs";

// Real HTTP to the simulator: nock's fetch interception (set up for every test file) is off here.
nock.restore();

const APP_ID = 4242;
const keys = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
const appKeys = keys();
const COUNTERSIGN_REQUIRED = [
  {
    type: "required_status_checks",
    parameters: {
      strict_required_status_checks_policy: false,
      required_status_checks: [{ context: "countersign", integration_id: APP_ID }],
    },
  },
];

let sim: GitHubSimulator;
let failingHook: Server;
const saved = { ...process.env };

beforeAll(async () => {
  sim = await startGitHubSimulator({ appId: APP_ID, appSlug: "countersign-acme", publicKey: appKeys.publicKey });
  sim.team("acme/platform", ["ana"]);
  sim.repo("acme/.github", { files: { "README.md": "org" } });
  sim.repo("acme/pay", { files: { ".github/CODEOWNERS": "* @acme/platform\n", "src/a.ts": "" } });
  sim.setBranchRules("acme/pay", "main", COUNTERSIGN_REQUIRED);
  sim.repo("acme/broken", {
    defaultBranch: "trunk",
    files: {
      ".github/countersign.yml": "review:\n  required_aprovals: 2\n",
      ".github/CODEOWNERS": "* @acme/platform\n/docs/ not-an-owner\n",
    },
  });
  sim.repo("acme/bare", { files: { "src/a.ts": "" } });
  sim.setBranchRules("acme/bare", "main", [
    { type: "required_status_checks", parameters: { required_status_checks: [{ context: "countersign", integration_id: 999 }] } },
  ]);
  sim.repo("acme/hidden", { files: { "a.ts": "" } });
  sim.removeFromInstallation("acme/hidden");
  sim.repo("solo/app", { files: { CODEOWNERS: "* @solo-dev\n" } });
  sim.setBranchRules("solo/app", "main", COUNTERSIGN_REQUIRED);
  failingHook = createServer((_req, res) => res.writeHead(500).end("down")).listen(0, "127.0.0.1");
  await new Promise((r) => failingHook.once("listening", r));
});
afterAll(async () => {
  await sim.close();
  failingHook.close();
});
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (/^(APP_ID|PRIVATE_KEY|GITHUB_TOKEN|GHE_)/.test(k)) delete process.env[k];
  Object.assign(process.env, { ...sim.env(), APP_ID: String(APP_ID), PRIVATE_KEY: appKeys.privateKey });
});
afterAll(() => {
  process.env = saved;
});

async function doctor(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "countersign", "doctor", ...args], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

interface Report {
  ok: boolean;
  findings: { check: string; repo: string | null; status: string; message: string; fix?: string }[];
}
async function findings(...args: string[]): Promise<{ code: number; report: Report }> {
  const r = await doctor(...args, "--format", "json");
  return { code: r.code, report: JSON.parse(r.out) as Report };
}

describe("countersign doctor against the simulator", () => {
  test("a healthy repository: every check ok, exit 0", async () => {
    const r = await doctor("--repo", "acme/pay");
    expect(r.code).toBe(0);
    expect(r.out).toContain("countersign doctor: acme/pay (as the App 4242)");
    expect(r.out).not.toMatch(/PROBLEM|warning/);
    expect(r.out).toContain('"countersign" is required on main');
    expect(r.out.trim().split("\n").at(-1)).toBe("no problems found");
  });

  test(
    "invalid config, CODEOWNERS lines GitHub rejects, and no ruleset requiring countersign (default branch trunk): exit 1, each with " +
      "its fix",
    async () => {
      const { code, report } = await findings("--repo", "acme/broken");
      expect(code).toBe(1);
      const byCheck = Object.fromEntries(report.findings.map((f) => [f.check, f]));
      expect(byCheck.config).toMatchObject({
        status: "problem",
        message: expect.stringContaining("line 2: review.required_aprovals: unknown key"),
        fix: expect.stringContaining("fix it on trunk"),
      });
      expect(byCheck.codeowners).toMatchObject({
        status: "problem",
        message: expect.stringMatching(/GitHub skips 1 CODEOWNERS line on trunk.*\.github\/CODEOWNERS:2: Invalid owner: \/docs\/ not-an-/),
      });
      expect(byCheck.ruleset).toMatchObject({
        status: "problem",
        message: 'no active ruleset requires the "countersign" check on trunk: pull requests can merge while it fails',
        fix: expect.stringContaining("countersign setup-protection --repo acme/broken --app-id 4242"),
      });
    },
  );

  test("no CODEOWNERS and no fallback team; countersign required from another app", async () => {
    const { code, report } = await findings("--repo", "acme/bare");
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.check === "codeowners")).toMatchObject({
      status: "problem",
      message: expect.stringContaining("no CODEOWNERS on main and no ownership.fallback_team"),
    });
    expect(report.findings.find((f) => f.check === "ruleset")).toMatchObject({
      status: "problem",
      message: expect.stringContaining("from app 999, not this app (4242)"),
    });
  });

  test(
    "the app not installed on the repository: the install link; not on <org>/.github: " + "a warning (exit 0 when nothing else is wrong)",
    async () => {
      const hidden = await findings("--repo", "acme/hidden");
      expect(hidden.code).toBe(1);
      expect(hidden.report.findings[0]).toEqual({
        check: "installation",
        repo: "acme/hidden",
        status: "problem",
        message: "the app is not installed on acme/hidden (or its installation does not include it): no check runs, no audit records",
        fix:
          `install it on acme/hidden: http://${sim.host}/apps/countersign-acme/installations/new (or add acme/hidden to the ` +
          `installation's repositories)`,
      });
      const solo = await findings("--repo", "solo/app");
      expect(solo.code).toBe(0);
      expect(solo.report.findings.find((f) => f.check === "org-config-access")).toMatchObject({
        status: "warning",
        message: expect.stringContaining("the app cannot read solo/.github"),
      });
      expect((await findings("--repo", "acme/pay")).report.findings.some((f) => f.check === "org-config-access")).toBe(false);
    },
  );

  test("--org: every repository of the installation; an organisation without the app", async () => {
    const { code, report } = await findings("--org", "acme");
    expect(code).toBe(1);
    expect([...new Set(report.findings.map((f) => f.repo))]).toEqual(["acme/.github", "acme/pay", "acme/broken", "acme/bare", null]);
    const none = await findings("--org", "nobody");
    expect(none.report.findings[0]).toMatchObject({
      check: "installation",
      status: "problem",
      message: "the app is not installed on the organisation nobody",
    });
  });

  test("recent failed webhook deliveries (App credentials only): how many, the newest, the fix", async () => {
    sim.setWebhook({ url: `http://127.0.0.1:${(failingHook.address() as AddressInfo).port}/`, secret: "s" });
    await sim.openPullRequest("acme/pay", { title: "x", body: "AI-Assisted: none", author: { login: "ana" }, files: ["src/a.ts"] });
    sim.setWebhook(null);
    const { code, report } = await findings("--repo", "acme/pay");
    expect(code).toBe(1);
    expect(report.findings.at(-1)).toMatchObject({
      check: "deliveries",
      repo: null,
      status: "problem",
      message: expect.stringMatching(/^1 of the last 1 webhook deliveries failed; newest: pull_request\.opened at .*: Invalid HTTP Re/),
      fix: expect.stringContaining("redeliver"),
    });
  });

  test("could not check (exit 2): no credentials, or credentials GitHub refuses", async () => {
    delete process.env.APP_ID;
    delete process.env.PRIVATE_KEY;
    const none = await doctor("--repo", "acme/pay");
    expect(none).toMatchObject({
      code: 2,
      err: "countersign: no credentials: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), or GITHUB_TOKEN\n",
    });
    Object.assign(process.env, { APP_ID: String(APP_ID), PRIVATE_KEY: keys().privateKey });
    const refused = await doctor("--repo", "acme/pay");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/could not check: GitHub refused the App's credentials \(APP_ID 4242, HTTP 401\)/);
  });
});
