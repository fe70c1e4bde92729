/**
 * `countersign incident open | link | show | list`, `postmortem <EXT-ID>` and `audit report
 * --incidents`, run as processes (`node bin/countersign.js …`) against a SQLite trail: output,
 * exit codes (0 ok, 1 not found, 2 usage), one-line errors without stack traces, --help examples.
 * Tests run in order: each builds on the incidents and links the ones before it recorded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INCIDENT_CATEGORIES } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { mergeInput, sha } from "../contract/audit-harness.js";
import { buildCli, type CliProcess, type RunResult } from "./cli-harness.js";

let cli: CliProcess;
let dir: string;
let env: Record<string, string>;

const run = (...args: string[]): Promise<RunResult> => cli.run(args, { env });
const noStack = (r: RunResult) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at |Error:/);

beforeAll(async () => {
  cli = buildCli();
  dir = mkdtempSync(join(tmpdir(), "countersign-cli-incident-"));
  env = { DATABASE_URL: `sqlite://${join(dir, "audit.db")}` };
  const store = await openAuditStore(env.DATABASE_URL);
  await store.recordMerge(
    mergeInput({
      repo: "acme/pay",
      prNumber: 1,
      mergedAt: "2026-03-01T10:00:00Z",
      aiLevel: "agent",
      owningTeam: "@acme/payments",
      teams: [{ team: "@acme/payments", files: 2 }],
    }),
    null,
  );
  await store.recordMerge(
    mergeInput({
      repo: "acme/pay",
      prNumber: 2,
      mergedAt: "2026-03-02T10:00:00Z",
      aiLevel: "none",
      owningTeam: "@acme/payments",
      teams: [{ team: "@acme/payments", files: 1 }],
    }),
    null,
  );
  await store.recordMerge(
    mergeInput({
      repo: "acme/web",
      prNumber: 3,
      mergedAt: "2026-03-03T10:00:00Z",
      aiLevel: "generated",
      owningTeam: "@acme/web",
      teams: [{ team: "@acme/web", files: 1 }],
    }),
    null,
  );
  await store.close();
}, 60_000);

afterAll(() => {
  cli.remove();
  rmSync(dir, { recursive: true, force: true });
});

test("--help lists the verbs and shows examples", async () => {
  const [top, open, link] = await Promise.all([
    run("incident", "--help"),
    run("incident", "open", "--help"),
    run("incident", "link", "--help"),
  ]);
  expect(top.code).toBe(0);
  for (const verb of ["open", "link", "show", "list"]) expect(top.stdout).toMatch(new RegExp(`^\\s+${verb}\\b`, "m"));
  expect(open.stdout).toContain("Examples:\n  countersign incident open --id INC-2041");
  for (const category of INCIDENT_CATEGORIES) expect(open.stdout).toContain(`"${category}"`);
  expect(link.stdout).toContain("countersign incident link INC-2041 --merge acme/pay#42 --relation suspect");
  expect((await run("postmortem", "--help")).stdout).toContain("countersign postmortem INC-2041");
});

test("open records once; the same again is a no-op; different fields are refused", async () => {
  const args = [
    "incident",
    "open",
    "--id",
    "INC-1",
    "--title",
    "Card data in logs",
    "--severity",
    "1",
    "--category",
    "credential-exposure",
    "--started-at",
    "2026-03-01T16:00:00Z",
    "--url",
    "https://pd.example/INC-1",
  ];
  expect(await run(...args)).toEqual({ code: 0, stdout: "Recorded incident INC-1 (audit seq 4).\n", stderr: "" });
  expect(await run(...args)).toEqual({
    code: 0,
    stdout: "Incident INC-1 is already recorded with these fields: nothing to do.\n",
    stderr: "",
  });
  const conflict = await run(...args.slice(0, -2), "--url", "https://pd.example/other");
  expect(conflict.code).toBe(2);
  expect(conflict.stderr).toMatch(
    new RegExp(
      /^countersign: incident INC-1 is already recorded \(seq 4, .*\) with different fields: url /.source +
        /"https:\/\/pd.example\/INC-1" \(given "https:\/\/pd.example\/other"\)\. .*first one stands/.source,
    ),
  );
  noStack(conflict);
});

test.each([
  [
    ["--id", "INC-2", "--category", "prompt-injection"],
    new RegExp(
      /argument 'prompt-injection' is invalid\. Allowed choices are data-exfiltration, /.source +
        /hallucination-in-production-code, agent-overreach, credential-exposure, shadow-ai, not-ai/.source,
    ),
  ],
  [["--id", "INC-2", "--severity", "4"], /argument '4' is invalid\. Allowed choices are 1, 2, 3/],
  [["--title", "no id"], /required option '--id <EXT-ID>' not specified/],
  [["--id", "INC-2", "--started-at", "yesterday"], /startedAt "yesterday": expected an ISO-8601 time/],
  [["--id", "acme/pay#1"], /externalId "acme\/pay#1": expected an incident id/],
  [["--id", "INC-2", "--url", "not a url"], /url "not a url": expected an http or https URL/],
])("open %j is a usage error (exit 2, one line)", async (args, message) => {
  const r = await run("incident", "open", ...args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  noStack(r);
});

test("link by owner/repo#N or SHA; the current relation again is a no-op; dismissed supersedes suspect", async () => {
  expect(
    await run(
      "incident",
      "link",
      "INC-1",
      "--merge",
      "acme/pay#1",
      "--relation",
      "suspect",
      "--note",
      "logs the card",
      "--linked-by",
      "sre-sam",
    ),
  ).toEqual({
    code: 0,
    stdout: "Linked acme/pay#1 to INC-1 as suspect (audit seq 5).\n",
    stderr: "",
  });
  expect((await run("incident", "link", "INC-1", "--merge", "acme/pay#1", "--relation", "suspect", "--note", "logs the card")).stdout).toBe(
    "acme/pay#1 is already linked to INC-1 as suspect with this note: nothing to do.\n",
  );
  const bySha = await run("incident", "link", "INC-1", "--merge", sha("acme/web#3 c2").slice(0, 9), "--relation", "suspect");
  expect(bySha).toMatchObject({ code: 0, stdout: "Linked acme/web#3 to INC-1 as suspect (audit seq 6).\n" });
  expect(
    (await run("incident", "link", "INC-1", "--merge", "acme/web#3", "--relation", "dismissed", "--note", "no card data there")).code,
  ).toBe(0);
});

test.each([
  [
    ["INC-404", "--merge", "acme/pay#1", "--relation", "caused"],
    1,
    "No incident INC-404 is recorded: open it first with countersign incident open --id INC-404.",
  ],
  [
    ["INC-1", "--merge", "acme/pay#99", "--relation", "caused"],
    1,
    "No merge recorded for acme/pay#99: link a merged PR that Countersign recorded (countersign backfill records missed ones).",
  ],
  [
    ["INC-1", "--merge", "0000000", "--relation", "caused"],
    1,
    "No merge recorded for 0000000: link a merged PR that Countersign recorded (countersign backfill records missed ones).",
  ],
  [
    ["INC-1", "--merge", "pay#1", "--relation", "caused"],
    2,
    'countersign: --merge "pay#1" is neither owner/repo#N or a commit SHA (at least 7 hex characters)',
  ],
  [
    ["INC-1", "--merge", "acme/pay#1", "--relation", "blamed"],
    2,
    /argument 'blamed' is invalid\. Allowed choices are caused, fixed, suspect, dismissed/,
  ],
  [["INC-1", "--merge", "acme/pay#1"], 2, /required option '--relation <relation>' not specified/],
])("link %j exits %i", async (args, code, message) => {
  const r = await run("incident", "link", ...args);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  if (typeof message === "string") expect(r.stderr.trim()).toBe(message);
  else expect(r.stderr).toMatch(message);
  noStack(r);
});

test("show: the incident and every link, * on the current ones; json; unknown is exit 1", async () => {
  const [table, json, unknown, invalid] = await Promise.all([
    run("incident", "show", "INC-1"),
    run("incident", "show", "INC-1", "--format", "json"),
    run("incident", "show", "INC-9"),
    run("incident", "show", "not an id"),
  ]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(
    new RegExp(
      /^INC-1 {2}Card data in logs\n {2}severity {2}SEV1\n {2}category {2}credential-exposure\n/.source +
        / {2}started {3}2026-03-01T16:00:00.000Z\n {2}url {7}https:\/\/pd.example\/INC-1\n/.source +
        / {2}audit {5}seq 4, entry [0-9a-f]{64}, recorded .* \(cli\)\n\nCURRENT {2}RELATION {3}MERGE +MERGED_AT/.source,
    ),
  );
  const rows = table.stdout.trim().split("\n").slice(-3);
  expect(rows[0]).toMatch(/^\*\s+suspect\s+acme\/pay#1\s+2026-03-01T10:00:00.000Z\s+[0-9a-f]{12}\s+\S+\s+sre-sam\s+logs the card$/);
  expect(rows[1]).toMatch(/^\s+suspect\s+acme\/web#3/);
  expect(rows[2]).toMatch(/^\*\s+dismissed\s+acme\/web#3 .* no card data there$/);
  const record = JSON.parse(json.stdout) as { externalId: string; links: { prNumber: number; relation: string; current: boolean }[] };
  expect(record.links.map((l) => [l.prNumber, l.relation, l.current])).toEqual([
    [1, "suspect", true],
    [3, "suspect", false],
    [3, "dismissed", true],
  ]);
  expect(unknown).toEqual({
    code: 1,
    stdout: "",
    stderr: "No incident INC-9 is recorded (countersign incident list shows those that are).\n",
  });
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toMatch(/^countersign: incident id "not an id" is not valid/);
});

test("list: newest first, filters, json", async () => {
  expect(
    (
      await run(
        "incident",
        "open",
        "--id",
        "INC-2",
        "--category",
        "agent-overreach",
        "--severity",
        "2",
        "--started-at",
        "2026-03-03T12:00:00Z",
        "--title",
        "Agent rewrote CI",
      )
    ).code,
  ).toBe(0);
  await run("incident", "link", "INC-2", "--merge", "acme/web#3", "--relation", "caused");
  const [all, byCategory, byRepo, json, none, bad] = await Promise.all([
    run("incident", "list"),
    run("incident", "list", "--category", "agent-overreach", "--format", "json"),
    run("incident", "list", "--repo", "acme/pay", "--format", "json"),
    run("incident", "list", "--since", "2026-03-02", "--format", "json"),
    run("incident", "list", "--severity", "3"),
    run("incident", "list", "--limit", "0"),
  ]);
  expect(all.code).toBe(0);
  const lines = all.stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^STARTED\s+ID\s+SEV\s+CATEGORY\s+LINKED\s+TITLE$/);
  expect(lines[1]).toMatch(/^2026-03-03T12:00:00.000Z\s+INC-2\s+SEV2\s+agent-overreach\s+caused acme\/web#3\s+Agent rewrote CI$/);
  expect(lines[2]).toMatch(/^2026-03-01T16:00:00.000Z\s+INC-1\s+SEV1\s+credential-exposure\s+suspect acme\/pay#1\s+Card data in logs$/);
  const ids = (r: RunResult) => (JSON.parse(r.stdout) as { externalId: string }[]).map((i) => i.externalId);
  expect(ids(byCategory)).toEqual(["INC-2"]);
  expect(ids(byRepo)).toEqual(["INC-1"]);
  expect(ids(json)).toEqual(["INC-2"]);
  expect(none.stdout).toBe("No incidents recorded for this filter.\n");
  expect(bad).toMatchObject({ code: 2, stderr: "countersign: --limit must be a whole number from 1 to 1000\n" });
});

test("postmortem by incident id: the merges that caused it, else the suspects, with the incident shown", async () => {
  const [caused, suspect, json] = await Promise.all([
    run("postmortem", "INC-2"),
    run("postmortem", "INC-1"),
    run("postmortem", "INC-2", "--format", "json"),
  ]);
  expect(caused.code).toBe(0);
  expect(caused.stdout).toMatch(
    new RegExp(
      /^# Postmortem: INC-2 — Agent rewrote CI\n\n- Severity: SEV2\n- Category: agent-overreach\n- /.source +
        /Started: 2026-03-03T12:00:00.000Z\n- Changes linked as \*\*caused\*\*: acme\/web#3\n/.source,
    ),
  );
  expect(caused.stdout).toContain('## Change review: acme/web#3 "Add refunds');
  expect(caused.stdout).toContain(
    "started 2026-03-03T12:00:00.000Z (2.0 h after this change merged); this change is linked as **caused**.",
  );
  // acme/web#3 is also linked to INC-1 (dismissed): shown as the other incident on that change.
  expect(caused.stdout).toMatch(
    new RegExp(
      /### Other incidents linked to this change\n- \*\*INC-1\*\* — Card data in logs \(SEV1, /.source +
        /credential-exposure, started .*\): \*\*dismissed\*\* — no card data there/.source,
    ),
  );
  expect(suspect.code).toBe(0);
  expect(suspect.stdout).toContain("- Changes linked as **suspect**: acme/pay#1");
  expect(suspect.stdout).toContain("(6.0 h after this change merged); this change is linked as **suspect** (logs the card).");
  const pm = JSON.parse(json.stdout) as {
    relation: string;
    incident: { externalId: string };
    changes: { merge: { prNumber: number }; incident: { mergeToStartHours: number } }[];
  };
  expect(pm).toMatchObject({
    relation: "caused",
    incident: { externalId: "INC-2" },
    changes: [{ merge: { prNumber: 3 }, incident: { mergeToStartHours: 2 } }],
  });
});

test("postmortem without a merge to follow, or of an unknown id, is exit 1 with the reason", async () => {
  expect((await run("incident", "open", "--id", "deadbee", "--title", "Hex-looking id", "--started-at", "2026-04-02T00:00:00Z")).code).toBe(
    0,
  );
  await run("incident", "link", "deadbee", "--merge", "acme/pay#2", "--relation", "fixed");
  const [fixedOnly, unknown, notARef] = await Promise.all([
    run("postmortem", "deadbee"),
    run("postmortem", "INC-404"),
    run("postmortem", "what happened?"),
  ]);
  // An existing incident wins over a SHA reading of the same text.
  expect(fixedOnly.code).toBe(1);
  expect(fixedOnly.stdout).toContain("# Postmortem: deadbee — Hex-looking id");
  expect(fixedOnly.stdout).toContain("- No change is linked as caused or suspect.");
  expect(fixedOnly.stdout).toContain(
    "### Was AI assistance significant? Unknown\n" +
      "- no merge is linked to incident deadbee as caused or suspect (current links: acme/pay#2 fixed)",
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stdout).toContain("no incident INC-404 is recorded (`countersign incident list` shows those that are)");
  expect(notARef.code).toBe(2);
  expect(notARef.stderr).toBe(
    'countersign: "what happened?" is neither owner/repo#N or a commit SHA (at least 7 hex characters) ' +
      'nor an incident id (letters, digits, ".", "_", ":" or "-")\n',
  );
});

test("postmortem of a merge lists its incidents", async () => {
  const r = await run("postmortem", "acme/pay#1");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(
      /### Incidents linked to this change\n- \*\*INC-1\*\* — Card data in logs \(SEV1, /.source +
        /credential-exposure, started 2026-03-01T16:00:00.000Z \(6.0 h after this change merged\)\): /.source +
        /\*\*suspect\*\* — logs the card \(https:\/\/pd.example\/INC-1\)\./.source,
    ),
  );
  const json = JSON.parse((await run("postmortem", sha("acme/pay#1 merge"), "--format", "json")).stdout) as {
    incident: unknown;
    incidents: { id: string; relation: string }[];
  };
  expect(json.incident).toBeNull();
  expect(json.incidents).toEqual([expect.objectContaining({ id: "INC-1", relation: "suspect", mergeToStartHours: 6 })]);
});

test("audit report --incidents: tables and json with the trends; csv is refused", async () => {
  const [table, json, csv] = await Promise.all([
    run("audit", "report", "--incidents"),
    run("audit", "report", "--incidents", "--format", "json", "--group-by", "team"),
    run("audit", "report", "--incidents", "--format", "csv"),
  ]);
  expect(table.code).toBe(0);
  expect(table.stdout).toContain(
    "Incidents by category and month (of their start):\nMONTH    CATEGORY             INCIDENTS\n" +
      "2026-03  agent-overreach      1\n2026-03  credential-exposure  1\n2026-04  (none)               1",
  );
  expect(table.stdout).toMatch(
    new RegExp(
      /Incident-linked merges \(current relation caused or suspect\) by AI /.source +
        /level:\nAI\s+MERGES\s+INCIDENT-LINKED\s+SHARE\nagent\s+1\s+1\s+100\.0%\ngenerated\s+1\s+1\s+100\.0%\nnone\s+1\s+0\s+0\.0%/.source,
    ),
  );
  expect(table.stdout).toMatch(
    new RegExp(
      /Incident-linked merges by owning /.source +
        /team:\nTEAM\s+MERGES\s+INCIDENT-LINKED\s+SHARE\n@acme\/payments\s+2\s+1\s+50\.0%\n@acme\/web\s+1\s+1\s+100\.0%/.source,
    ),
  );
  expect(table.stdout).toMatch(
    /Time from merge to incident start:\nLINKS\s+MEDIAN\s+P90\s+MAX\s+STARTED BEFORE MERGE\n2\s+4 h\s+6 h\s+6 h\s+0/,
  );
  const report = JSON.parse(json.stdout) as {
    groupBy: string[];
    rows: unknown[];
    incidents: { mergeToStart: unknown; linkedByTeam: unknown[] };
  };
  expect(report.groupBy).toEqual(["team"]);
  expect(report.incidents.mergeToStart).toEqual({ links: 2, medianHours: 4, p90Hours: 6, maxHours: 6, startedBeforeMerge: 0 });
  expect(report.incidents.linkedByTeam).toEqual([
    { key: "@acme/payments", merges: 2, linked: 1, share: 0.5 },
    { key: "@acme/web", merges: 1, linked: 1, share: 1 },
  ]);
  expect(csv).toMatchObject({ code: 2, stdout: "", stderr: "countersign: --incidents adds several tables: use --format table or json\n" });
});
