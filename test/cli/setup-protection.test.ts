/**
 * `countersign setup-protection` against a fake of GitHub's rulesets API: in process with nock
 * (the API shapes, errors, idempotence), and once as a process (`node bin/countersign.js …`)
 * against the same fake served over HTTP as a GitHub Enterprise host.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Command, CommanderError } from "commander";
import nock from "nock";
import type { CliContext } from "../../src/cli/cli-context.js";
import { planProtection, registerSetupProtection, type Ruleset } from "../../src/cli/setup-protection.js";
import { buildCli, type CliProcess } from "./cli-harness.js";

/** A repository's rulesets as GitHub keeps them; records every request and every write. */
class FakeRulesets {
  rulesets: Ruleset[] = [];
  requests: string[] = [];
  writes: { method: string; path: string; body: Record<string, unknown> }[] = [];
  repo: [number, unknown] = [200, { full_name: "acme/pay", default_branch: "main", permissions: { admin: true } }];
  failWrites: [number, unknown] | null = null;
  private nextId = 42;

  constructor(initial: Ruleset[] = []) {
    this.rulesets = structuredClone(initial);
  }

  handle(method: string, url: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const { pathname, searchParams } = new URL(url, "http://x");
    const path = pathname.replace(/^\/api\/v3/, "");
    this.requests.push(`${method} ${path}`);
    if (path === "/repos/acme/pay" && method === "GET") return this.repo;
    if (path === "/repos/acme/pay/rulesets") {
      if (method === "GET") {
        expect(searchParams.get("includes_parents")).toBe("false");
        return [200, this.rulesets.map(({ rules: _r, conditions: _c, bypass_actors: _b, ...summary }) => summary)];
      }
      if (method === "POST") {
        if (this.failWrites) return this.failWrites;
        this.writes.push({ method, path, body: body! });
        const created = { id: this.nextId++, source_type: "Repository", source: "acme/pay", ...body } as unknown as Ruleset;
        this.rulesets.push(created);
        return [201, created];
      }
    }
    const m = /^\/repos\/acme\/pay\/rulesets\/(\d+)$/.exec(path);
    const found = m ? this.rulesets.find((r) => r.id === Number(m[1])) : undefined;
    if (found && method === "GET") return [200, found];
    if (found && method === "PUT") {
      if (this.failWrites) return this.failWrites;
      this.writes.push({ method, path, body: body! });
      Object.assign(found, body);
      return [200, found];
    }
    return [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }];
  }

  /** Serves this fake through nock at `origin` for every method. */
  intercept(origin = "https://api.github.com"): void {
    for (const method of ["GET", "POST", "PUT"]) {
      nock(origin)
        .persist()
        .intercept(() => true, method)
        .reply(async (req: Request) => {
          const text = method === "GET" ? "" : await req.text();
          return this.handle(method, req.url, text ? (JSON.parse(text) as Record<string, unknown>) : undefined);
        });
    }
  }
}

const EXISTING: Ruleset = {
  id: 7,
  name: "Protect main",
  target: "branch",
  source_type: "Repository",
  enforcement: "active",
  conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
  rules: [
    { type: "deletion" },
    { type: "pull_request", parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true } },
    {
      type: "required_status_checks",
      parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: "ci/build", integration_id: 15368 }] },
    },
  ],
  bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }],
};

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The verb in process, wired as main() wires it (exit codes included). */
async function runSetup(args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: "ghs_test", APP_ID: "123" }): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const ctx: CliContext = {
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    fail: (c = 1) => {
      code = c;
    },
    withStore: () => {
      throw new Error("no audit store in this test");
    },
  };
  const program = new Command("countersign")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s.trimEnd()), writeErr: (s) => err.push(s.trimEnd()) });
  registerSetupProtection(program, ctx, { env, dotenv: () => ({}) });
  try {
    await program.parseAsync(["node", "countersign", "setup-protection", ...args]);
  } catch (error) {
    code = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 2;
    if (!(error instanceof CommanderError)) err.push(`countersign: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { code, out: out.join("\n"), err: err.join("\n") };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("setup-protection (nock)", () => {
  test("creates the Countersign ruleset, then a second run changes nothing", async () => {
    const gh = new FakeRulesets();
    gh.intercept();
    const first = await runSetup(["--repo", "acme/pay"]);
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(gh.writes).toEqual([
      {
        method: "POST",
        path: "/repos/acme/pay/rulesets",
        body: {
          name: "Countersign",
          target: "branch",
          enforcement: "active",
          conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
          rules: [
            {
              type: "required_status_checks",
              parameters: {
                strict_required_status_checks_policy: false,
                required_status_checks: [{ context: "countersign", integration_id: 123 }],
              },
            },
          ],
          bypass_actors: [],
        },
      },
    ]);
    expect(first.out).toBe(
      'Created ruleset "Countersign" (id 42) in acme/pay:\n  - pull requests into main (the default branch) ' +
        'need the "countersign" check from app 123 to pass\n  https://github.com/acme/pay/rules/42',
    );

    const second = await runSetup(["--repo", "acme/pay"]);
    expect(second.code).toBe(0);
    expect(second.out).toBe(
      'No change: ruleset "Countersign" (id 42) ' +
        'already requires "countersign" from app 123 on main (the default branch).\n  https://github.com/acme/pay/rules/42',
    );
    expect(gh.writes).toHaveLength(1);
    expect(gh.rulesets).toHaveLength(1);
  });

  test("adds countersign to an existing required-status-checks rule instead of a second ruleset, keeping everything else", async () => {
    const gh = new FakeRulesets([EXISTING]);
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay", "--branch", "main"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      'Updated ruleset "Protect main" (id 7) in acme/pay:\n  - added "countersign" (from app 123) to its required status checks',
    );
    expect(gh.writes).toHaveLength(1);
    expect(gh.writes[0]!.method).toBe("PUT");
    expect(gh.writes[0]!.body).toEqual({
      name: "Protect main",
      target: "branch",
      enforcement: "active",
      conditions: EXISTING.conditions,
      rules: [
        EXISTING.rules![0],
        EXISTING.rules![1],
        {
          type: "required_status_checks",
          parameters: {
            strict_required_status_checks_policy: true,
            required_status_checks: [
              { context: "ci/build", integration_id: 15368 },
              { context: "countersign", integration_id: 123 },
            ],
          },
        },
      ],
      bypass_actors: EXISTING.bypass_actors,
    });

    const again = await runSetup(["--repo", "acme/pay", "--branch", "main"]);
    expect(again.out).toMatch(/^No change: ruleset "Protect main" \(id 7\)/);
    expect(gh.writes).toHaveLength(1);
  });

  test("pins the source of an existing countersign entry to the app", async () => {
    const loose = structuredClone(EXISTING);
    loose.rules![2]!.parameters!.required_status_checks = [{ context: "countersign" }];
    const gh = new FakeRulesets([loose]);
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay"]);
    expect(run.out).toContain('- set the expected source of "countersign" to app 123 (was any source)');
    expect((gh.writes[0]!.body.rules as Ruleset["rules"])![2]!.parameters!.required_status_checks).toEqual([
      { context: "countersign", integration_id: 123 },
    ]);
  });

  test("organisation rulesets are not read or changed", async () => {
    const gh = new FakeRulesets([{ ...EXISTING, id: 9, source_type: "Organization" }]);
    gh.intercept();
    await runSetup(["--repo", "acme/pay"]);
    expect(gh.requests).not.toContain("GET /repos/acme/pay/rulesets/9");
    expect(gh.writes.map((w) => w.method)).toEqual(["POST"]);
  });

  test("--dry-run prints the ruleset JSON on stdout and writes nothing", async () => {
    const gh = new FakeRulesets();
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay", "--branch", "release", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(gh.writes).toEqual([]);
    expect(gh.requests.filter((r) => !r.startsWith("GET"))).toEqual([]);
    expect(JSON.parse(run.out)).toMatchObject({ name: "Countersign", conditions: { ref_name: { include: ["refs/heads/release"] } } });
    expect(run.err).toContain('Dry run: would POST /repos/acme/pay/rulesets (create ruleset "Countersign")');
  });

  test("without a token a dry run prints the ruleset a first run would create, and a real run is a usage error", async () => {
    const dry = await runSetup(["--repo", "acme/pay", "--dry-run", "--app-id", "77"], {});
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out).rules[0].parameters.required_status_checks).toEqual([{ context: "countersign", integration_id: 77 }]);
    expect(dry.err).toContain("existing rulesets of acme/pay were not read");
    const real = await runSetup(["--repo", "acme/pay"], {});
    expect(real.code).toBe(2);
    expect(real.err).toMatch(/^countersign: no token: set GITHUB_TOKEN/);
  });

  test("404: the repository does not exist or the token cannot see it", async () => {
    const gh = new FakeRulesets();
    gh.repo = [404, { message: "Not Found" }];
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay"]);
    expect(run).toMatchObject({ code: 2, out: "" });
    expect(run.err).toBe(
      "countersign: repository acme/pay not found, or the token cannot see it (404). Check --repo and the token's repository access.",
    );
  });

  test("403: a token without admin rights is refused before any write, with what it needs", async () => {
    const gh = new FakeRulesets();
    gh.repo = [200, { default_branch: "main", permissions: { admin: false, push: true } }];
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay"]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^countersign: the token has no admin rights on acme\/pay.*"Administration: Read and write"/);
    expect(gh.requests).toEqual(["GET /repos/acme/pay"]);
  });

  test("403 on the write (an app token without administration permission)", async () => {
    const gh = new FakeRulesets();
    gh.repo = [200, { default_branch: "main" }];
    gh.failWrites = [403, { message: "Resource not accessible by integration" }];
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay"]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      new RegExp(
        /^countersign: the token cannot manage rulesets on acme\/pay \(403 Resource not accessible by /.source +
          /integration\)\. Use a token of a repository admin/.source,
      ),
    );
  });

  test("401: a bad token", async () => {
    nock("https://api.github.com").get("/repos/acme/pay").reply(401, { message: "Bad credentials" });
    const run = await runSetup(["--repo", "acme/pay"]);
    expect(run).toMatchObject({
      code: 2,
      err: "countersign: GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN or --token.",
    });
  });

  test("GitHub Enterprise Server: GHE_HOST and GHE_PROTOCOL select /api/v3", async () => {
    const gh = new FakeRulesets();
    gh.intercept("http://ghe.acme.example");
    const run = await runSetup(["--repo", "acme/pay"], {
      GITHUB_TOKEN: "t",
      APP_ID: "5",
      GHE_HOST: "ghe.acme.example",
      GHE_PROTOCOL: "http",
    });
    expect(run.code).toBe(0);
    expect(run.out).toContain("http://ghe.acme.example/acme/pay/rules/42");
    expect(gh.requests[0]).toBe("GET /repos/acme/pay");
  });

  test("usage errors: --repo, --app-id, --branch", async () => {
    const runs = await Promise.all([
      runSetup(["--repo", "acme"]),
      runSetup(["--repo", "acme/pay", "--app-id", "abc"]),
      runSetup(["--repo", "acme/pay", "--branch", "a b"]),
      runSetup([]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]!.err).toBe('countersign: --repo must be owner/name, got "acme"');
    expect(runs[1]!.err).toBe('countersign: the app id "abc" is not a number (--app-id or APP_ID)');
    expect(runs[2]!.err).toBe('countersign: --branch "a b" is not a branch name');
    expect(runs[3]!.err).toMatch(/required option '--repo <owner\/name>' not specified/);
  });

  test("without an app id it warns that any source would satisfy the rule", async () => {
    const gh = new FakeRulesets();
    gh.intercept();
    const run = await runSetup(["--repo", "acme/pay"], { GITHUB_TOKEN: "t" });
    expect(run.err).toMatch(/^warning: no app id/);
    expect((gh.writes[0]!.body.rules as Ruleset["rules"])![0]!.parameters!.required_status_checks).toEqual([{ context: "countersign" }]);
  });
});

describe("planProtection (pure)", () => {
  const ours = (patch: Partial<Ruleset>): Ruleset => ({
    id: 3,
    name: "Countersign",
    target: "branch",
    enforcement: "disabled",
    conditions: { ref_name: { include: ["refs/heads/release"], exclude: [] } },
    rules: [
      {
        type: "required_status_checks",
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: "countersign", integration_id: 1 }],
        },
      },
    ],
    ...patch,
  });

  test("our own ruleset is reactivated and extended to the branch, not duplicated", () => {
    const plan = planProtection([ours({})], { branch: "main", appId: 1 }, "main");
    expect(plan).toMatchObject({
      action: "update",
      ruleset: { id: 3 },
      body: { enforcement: "active", conditions: { ref_name: { include: ["refs/heads/release", "refs/heads/main"] } } },
    });
    expect(plan.action === "update" && plan.changes).toEqual([
      "added main to the branches it covers",
      "set enforcement to active (was disabled)",
    ]);
  });

  test("a ruleset for ~ALL or a matching pattern covers the branch; an exclusion does not", () => {
    const covering = (include: string[], exclude: string[] = []) =>
      planProtection([{ ...EXISTING, conditions: { ref_name: { include, exclude } } }], { branch: "main", appId: 123 }, "main").action;
    expect(covering(["~ALL"])).toBe("update");
    expect(covering(["refs/heads/ma*"])).toBe("update");
    expect(covering(["refs/heads/main"])).toBe("update");
    expect(covering(["~DEFAULT_BRANCH"])).toBe("update");
    expect(covering(["~ALL"], ["refs/heads/main"])).toBe("create");
    expect(covering(["refs/heads/release"])).toBe("create");
  });

  test("an evaluate-mode ruleset that lists countersign does not count as enforced", () => {
    const plan = planProtection(
      [
        {
          ...EXISTING,
          enforcement: "evaluate",
          rules: [
            { type: "required_status_checks", parameters: { required_status_checks: [{ context: "countersign", integration_id: 123 }] } },
          ],
        },
      ],
      { branch: null, appId: 123 },
      "main",
    );
    expect(plan.action).toBe("create");
  });
});

describe("setup-protection (process, against a local GitHub Enterprise fake)", () => {
  let cli: CliProcess;
  let server: Server;
  let host: string;
  const gh = new FakeRulesets([EXISTING]);
  beforeAll(async () => {
    nock.enableNetConnect("127.0.0.1");
    cli = buildCli();
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString("utf8")));
      req.on("end", () => {
        const [status, body] = gh.handle(
          req.method ?? "GET",
          req.url ?? "/",
          text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        );
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    cli.remove();
    await new Promise((closed) => server.close(closed));
  });

  test("updates the existing ruleset once; the second run reports no change (exit 0 both times)", async () => {
    const env = { GITHUB_TOKEN: "t", APP_ID: "123", GHE_HOST: host, GHE_PROTOCOL: "http" };
    const first = await cli.run(["setup-protection", "--repo", "acme/pay"], { env });
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain('Updated ruleset "Protect main" (id 7) in acme/pay:');
    const second = await cli.run(["setup-protection", "--repo", "acme/pay"], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^No change: ruleset "Protect main" \(id 7\) already requires "countersign" from app 123/);
    expect(gh.writes.map((w) => `${w.method} ${w.path}`)).toEqual(["PUT /repos/acme/pay/rulesets/7"]);
  });
});
