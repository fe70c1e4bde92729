/**
 * `countersign audit merges | show | report | export` in-process against a SQLite trail: every
 * filter flag, the formats (CSV quoting and the formula guard), pages, in-toto statements.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MergeRecordInput } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { main } from "../../src/cli/main.js";
import { mergeInput, sha } from "../contract/audit-harness.js";
import {
  AGENT_FIELDS,
  ASSISTED_FIELDS,
  BYPASSED_FIELDS,
  GENERATED_MERGE,
  REVERT_MERGE,
  REVERT_OF_PR_1,
} from "../support/five-merge-trail.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

let dir: string;
const savedUrl = process.env.DATABASE_URL;

async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "countersign", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const lines = (text: string) => text.split("\n").filter(Boolean);
const prsOf = (json: string) => (JSON.parse(json) as { repo: string; prNumber: number }[]).map((m) => `${m.repo}#${m.prNumber}`);

const MERGES: MergeRecordInput[] = [
  mergeInput({
    ...ASSISTED_FIELDS,
    teams: [],
    exceptions: [],
  }),
  mergeInput({
    ...BYPASSED_FIELDS,
    mergedAt: "2026-02-10T23:30:00Z",
    teams: [],
    title: '=HYPERLINK("http://evil"), "quoted"\nsecond line',
    paths: [{ path: "db/migrations/1.sql", previousPath: null, status: "added" }],
  }),
  mergeInput({
    ...AGENT_FIELDS,
    teams: [],
    exceptions: [],
  }),
  REVERT_MERGE,
  GENERATED_MERGE,
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-cli-audit-"));
  process.env.DATABASE_URL = `sqlite://${join(dir, "audit.db")}`;
  const store = await openAuditStore(process.env.DATABASE_URL, { now: () => new Date("2026-04-01T00:00:00Z") });
  for (const m of MERGES) await store.recordMerge(m, null);
  await store.recordRevert(REVERT_OF_PR_1, null);
  await store.close();
});

afterAll(() => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  rmSync(dir, { recursive: true, force: true });
});

describe("audit merges", () => {
  test.each([
    [[], ["acme/web#5", "acme/pay#4", "acme/web#3", "acme/pay#2", "acme/pay#1"]],
    [
      ["--repo", "acme/web"],
      ["acme/web#5", "acme/web#3"],
    ],
    [
      ["--path", "src/payments/**"],
      ["acme/web#3", "acme/pay#1"],
    ],
    [
      ["--since", "2026-03-10"],
      ["acme/web#5", "acme/pay#4", "acme/web#3"],
    ],
    // A bare --until date includes that whole day (#2 merged at 23:30 UTC).
    [
      ["--until", "2026-02-10"],
      ["acme/pay#2", "acme/pay#1"],
    ],
    [["--until", "2026-02-10T12:00:00Z"], ["acme/pay#1"]],
    [
      ["--ai", "assisted,generated,agent"],
      ["acme/web#5", "acme/web#3", "acme/pay#1"],
    ],
    [
      ["--ai", "none"],
      ["acme/pay#4", "acme/pay#2"],
    ],
    [
      ["--team", "acme/payments"],
      ["acme/pay#4", "acme/pay#1"],
    ],
    [["--bypassed"], ["acme/pay#2"]],
    [["--reverted"], ["acme/pay#1"]],
    [["--exceptions"], ["acme/pay#2"]],
    [["--sha", sha("acme/web#3 c1").slice(0, 8)], ["acme/web#3"]],
    [["--repo", "acme/pay", "--ai", "none", "--since", "2026-03-01"], ["acme/pay#4"]],
  ])("%j", async (args, expected) => {
    const run = await cli("audit", "merges", ...args, "--format", "json");
    expect(run).toMatchObject({ code: 0, err: "" });
    expect(prsOf(run.out)).toEqual(expected);
  });

  test("pages: the next page's cursor goes to stderr", async () => {
    const first = await cli("audit", "merges", "--limit", "2", "--format", "json");
    expect(prsOf(first.out)).toEqual(["acme/web#5", "acme/pay#4"]);
    const cursor = /--cursor (\S+) for the next page/.exec(first.err)?.[1];
    expect(cursor).toBeDefined();
    const second = await cli("audit", "merges", "--limit", "2", "--cursor", cursor!, "--format", "json");
    expect(prsOf(second.out)).toEqual(["acme/web#3", "acme/pay#2"]);
    const last = await cli("audit", "merges", "--limit", "2", "--cursor", /--cursor (\S+)/.exec(second.err)![1]!, "--format", "json");
    expect(prsOf(last.out)).toEqual(["acme/pay#1"]);
    expect(last.err).toBe("");
  });

  test("ndjson, table and csv (RFC 4180 quoting, formula guard)", async () => {
    const nd = await cli("audit", "merges", "--repo", "acme/pay", "--format", "ndjson");
    expect(lines(nd.out).map((l) => (JSON.parse(l) as { prNumber: number }).prNumber)).toEqual([4, 2, 1]);
    const table = await cli("audit", "merges", "--bypassed");
    expect(lines(table.out)[0]).toMatch(/^MERGED_AT\s+REPO\s+PR\s+AI\s+.*EXCEPTIONS\s+REVERTED_BY\s+MERGE_SHA\s+TITLE$/);
    const csv = await cli("audit", "merges", "--repo", "acme/pay", "--format", "csv");
    const [header, ...rows] = csv.out.split("\n");
    expect(header).toBe("merged_at,repo,pr,ai,tools,team,reviewers,check,bypassed,exceptions,reverted_by,merge_sha,title");
    expect(csv.out).toContain(`,"'=HYPERLINK(""http://evil""), ""quoted""\nsecond line"`);
    expect(csv.out).toContain("billing by sec-erin");
    // A leading @ starts a formula in spreadsheets too, so team names get the guard as well.
    expect(rows.at(-1)).toMatch(
      /^2026-01-10T10:00:00Z,acme\/pay,1,assisted,claude copilot,'@acme\/payments,rev-carol,success,no,,acme\/pay#4,/,
    );
    expect(await cli("audit", "merges", "--repo", "acme/none")).toMatchObject({ code: 0, out: "No merges recorded for this filter." });
  });

  test.each([
    [["--ai", "most"], /--ai "most": expected disclosure levels from none, assisted, generated, agent, undisclosed/],
    [["--since", "last tuesday"], /--since "last tuesday": expected an ISO-8601 date/],
    [["--limit", "0"], /--limit "0": expected a whole number from 1 to 1000/],
    [["--sha", "abc"], /--sha "abc": expected at least 7 hex characters/],
    [["--repo", "acme"], /--repo "acme": expected owner\/name/],
    [["--cursor", "m1.bogus"], /is not a cursor this server issued/],
  ])("%j is refused in one line (exit 2)", async (args, message) => {
    const run = await cli("audit", "merges", ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});

describe("audit show", () => {
  test("by owner/repo#N or any commit SHA; text shows owner, reviewers and notes", async () => {
    const json = await cli("audit", "show", "acme/pay#1");
    expect(JSON.parse(json.out)).toMatchObject({ repo: "acme/pay", prNumber: 1, revertedBy: [{ prNumber: 4 }] });
    const text = await cli("audit", "show", sha("acme/pay#1 c2").slice(0, 7), "--format", "text");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^acme\/pay#1 {2}Add refunds/);
    expect(text.out).toMatch(/owner +@acme\/payments/);
    expect(text.out).toMatch(
      new RegExp(
        /review +counted: rev-carol approved on [0-9a-f]{12} at 2026-03-01T09:00:00Z; checked: I can /.source +
          /explain what this change does and why; verified: Verified: ran the refund flow/.source,
      ),
    );
    expect(text.out).toMatch(/review +not counted \(stale\): rev-dan/);
    expect(text.out).toMatch(/reverted +by acme\/pay#4 \(body\)/);
    expect(text.out).toMatch(/audit +seq 1, entry [0-9a-f]{64}/);
  });

  test("unknown merges exit 1", async () => {
    expect(await cli("audit", "show", "acme/pay#99")).toMatchObject({ code: 1, err: "No merge recorded for acme/pay#99." });
    expect((await cli("audit", "show", "nope")).code).toBe(2);
  });
});

describe("audit report", () => {
  test("json: exact counts per group", async () => {
    const run = await cli("audit", "report", "--group-by", "team", "--format", "json");
    const report = JSON.parse(run.out) as {
      rows: { group: { team: string | null }; merges: number; revertBase: number; revertedWithin7d: number; revertRate7d: number | null }[];
      total: Record<string, number>;
    };
    expect(report.rows.map((r) => [r.group.team, r.merges, r.revertBase, r.revertedWithin7d, r.revertRate7d])).toEqual([
      ["@acme/legacy", 1, 1, 0, 0],
      ["@acme/payments", 2, 1, 0, 0],
      ["@acme/web", 2, 2, 0, 0],
    ]);
    expect(report.total).toMatchObject({ merges: 5, aiAssisted: 3, bypassed: 1, exceptions: 1, revertBase: 4, revertedWithin30d: 0 });
  });

  test("table labels the proxies; csv has one row per group; filters apply", async () => {
    const table = await cli("audit", "report", "--group-by", "ai,month", "--since", "2026-03-01");
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      /^AI +MONTH +MERGES +AI-ASSISTED +AI SHARE +UNDISCLOSED +BYPASSED +EXCEPTIONS +REVERT BASE +REVERTED ≤7D +CFR PROXY 7D/,
    );
    expect(table.out).toMatch(/^agent +2026-03 +1 +1 +100\.0%/m);
    expect(table.out).toMatch(/^TOTAL +3 +2 +66\.7%/m);
    expect(table.out).toMatch(/change-failure proxy/);
    const csv = await cli("audit", "report", "--group-by", "repo", "--format", "csv");
    expect(csv.out.split("\n")).toEqual([
      "repo,merges,ai_assisted,ai_assisted_share,undisclosed,bypassed,exceptions,revert_base," +
        "reverted_within_7d_cfr_proxy,revert_rate_7d_cfr_proxy,reverted_within_30d_cfr_proxy,revert_rate_30d_cfr_proxy",
      "acme/pay,3,1,0.3333,0,1,1,2,0,0,0,0",
      "acme/web,2,2,1,0,0,0,2,0,0,0,0",
    ]);
  });

  test("bad dimensions exit 2", async () => {
    const run = await cli("audit", "report", "--group-by", "week");
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--group-by takes distinct dimensions from team, ai, repo, month/);
  });
});

describe("audit export", () => {
  test("in-toto: one Statement v1 per merge with a merge commit; the others counted on stderr", async () => {
    const run = await cli("audit", "export", "--format", "in-toto");
    expect(run.code).toBe(0);
    expect(run.err).toBe("Skipped 1 merge without a merge commit SHA (exported 4).");
    const statements = lines(run.out).map((l) => JSON.parse(l) as Record<string, any>);
    expect(statements.map((s) => s.predicate.pullRequest.number)).toEqual([4, 3, 2, 1]);
    const s = statements[3]!;
    const mergeSha = sha("acme/pay#1 merge");
    expect(s._type).toBe("https://in-toto.io/Statement/v1");
    expect(s.predicateType).toBe("https://countersign.dev/merge-review/v1");
    expect(s.subject).toEqual([
      {
        name: `git+https://github.com/acme/pay@${mergeSha}`,
        digest: { gitCommit: mergeSha },
        annotations: { sourceRefs: ["refs/heads/main"] },
      },
    ]);
    expect(s.predicate).toMatchObject({
      repository: { name: "acme/pay", uri: "git+https://github.com/acme/pay" },
      pullRequest: {
        number: 1,
        headSha: sha("acme/pay#1 head"),
        baseRef: "main",
        mergedBy: "lead-bob",
        mergedAt: "2026-01-10T10:00:00.000Z",
      },
      aiDisclosure: { level: "assisted", tools: ["claude", "copilot"], agent: null, sponsor: null, sources: expect.any(Array) },
      reviews: [
        {
          reviewer: "rev-carol",
          reviewedCommit: sha("acme/pay#1 head"),
          counted: true,
          checklist: ["I can explain what this change does and why"],
          verified: expect.stringMatching(/^Verified: ran the refund flow/),
        },
        { reviewer: "rev-dan", reviewedCommit: null, counted: false, reason: "stale" },
      ],
      ownership: { owningTeam: "@acme/payments", teams: [] },
      boundaries: [{ name: "billing", action: "block", outcome: "exception" }],
      exceptions: [],
      gate: { checkName: "countersign", conclusion: "success", bypassed: false, configHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      recorder: {
        id: "https://countersign.dev/recorder",
        version: expect.any(String),
        source: "webhook",
        recordedAt: "2026-04-01T00:00:00.000Z",
      },
      auditLog: { seq: 1, entryHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(statements[2]!.predicate.exceptions).toEqual([
      {
        boundary: "billing",
        grantedBy: "sec-erin",
        reason: "reviewed by security",
        grantedOnSha: sha("acme/pay#2 head"),
        grantedAt: "2026-03-01T08:00:00.000Z",
        commentId: 9_000_000_000,
      },
    ]);
  });

  test("filters and the other streaming formats", async () => {
    const run = await cli("audit", "export", "--format", "in-toto", "--repo", "acme/pay", "--since", "2026-02-01", "--until", "2026-02-28");
    expect(
      lines(run.out).map((l) => (JSON.parse(l) as { predicate: { pullRequest: { number: number } } }).predicate.pullRequest.number),
    ).toEqual([2]);
    expect(run.err).toBe("");
    const nd = await cli("audit", "export", "--format", "ndjson", "--ai", "none,generated");
    expect(lines(nd.out).map((l) => (JSON.parse(l) as { prNumber: number }).prNumber)).toEqual([5, 4, 2]);
    const csv = await cli("audit", "export", "--format", "csv", "--repo", "acme/web");
    expect(lines(csv.out)).toHaveLength(3);
    expect((await cli("audit", "export")).code).toBe(2); // --format is required
  });
});

describe("audit verify", () => {
  test(
    "a merges row edited behind the app's back (bypassed, then ai_level): exit 1 naming the table, " + "the merge and the column",
    async () => {
      const url = `sqlite://${join(dir, "tampered.db")}`;
      const store = await openAuditStore(url, { now: () => new Date("2026-04-01T00:00:00Z") });
      for (const m of MERGES) await store.recordMerge(m, null);
      await store.close();
      const saved = process.env.DATABASE_URL;
      process.env.DATABASE_URL = url;
      try {
        const intact = await cli("audit", "verify");
        expect(intact.code).toBe(0);
        expect(intact.out).toMatch(/^ok: 5 entries, head [0-9a-f]{64}$/);
        const { default: Database } = await import("better-sqlite3");
        const db = new Database(url.slice("sqlite://".length));
        db.exec("DROP TRIGGER merges_no_update; UPDATE merges SET bypassed = 0 WHERE pr_number = 2");
        // What the queries now say: no bypass at all.
        expect((await cli("audit", "merges", "--bypassed", "--format", "json")).out).toBe("[]");
        const flipped = await cli("audit", "verify");
        expect(flipped.code).toBe(1);
        expect(flipped.out).toBe(
          "BROKEN at seq 2: merges row acme/pay#2 (seq 2): column bypassed is false, the hashed entry says true (projection modified)",
        );
        db.exec("UPDATE merges SET bypassed = 1 WHERE pr_number = 2; UPDATE merges SET ai_level = 'none' WHERE pr_number = 3");
        db.close();
        expect((await cli("audit", "verify")).out).toBe(
          'BROKEN at seq 3: merges row acme/web#3 (seq 3): column ai_level is "none", the hashed entry says "agent" (projection modified)',
        );
      } finally {
        process.env.DATABASE_URL = saved;
      }
    },
  );
});
