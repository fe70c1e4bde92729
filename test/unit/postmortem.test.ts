import type { IncidentFacts, IncidentLinkRecord, IncidentRecord, MergeIncidentLink, MergeRecord } from "../../src/audit/audit-store.js";
import {
  composeIncidentPostmortem,
  composePostmortem,
  culpritLinks,
  incidentContext,
  renderPostmortemMarkdown,
  type LinkedChange,
} from "../../src/reports/postmortem.js";

const HEAD = "a".repeat(40);
function merge(patch: Partial<MergeRecord> = {}): MergeRecord {
  return {
    repo: "acme/pay",
    prNumber: 42,
    title: "Retry charges",
    author: "dev",
    headSha: HEAD,
    baseRef: "main",
    baseSha: "b".repeat(40),
    mergeCommitSha: "c".repeat(40),
    mergedBy: "lead",
    mergedAt: "2026-11-20T10:00:00.000Z",
    aiLevel: "generated",
    aiTools: ["claude"],
    disclosureSources: [{ tool: "claude", where: "body", sha: null, detail: "Generated" }],
    agent: null,
    sponsor: null,
    reviewers: [
      {
        reviewer: "rev",
        reviewId: 1,
        state: "APPROVED",
        reviewedSha: HEAD,
        submittedAt: "2026-11-20T09:00:00Z",
        counted: true,
        reason: null,
        checklist: ["a"],
        verified: "replayed the failed charges against staging",
      },
    ],
    owningTeam: "@acme/payments",
    teams: [{ team: "@acme/payments", files: 3 }],
    paths: [{ path: "src/payments/charge.ts", previousPath: null, status: "modified" }],
    boundaries: [],
    exceptions: [],
    checkConclusion: "success",
    bypassed: false,
    commitShas: [HEAD],
    configHash: "f".repeat(64),
    source: "webhook",
    seq: 7,
    entryHash: "e".repeat(64),
    recordedAt: "2026-11-20T10:00:01.000Z",
    ...patch,
  };
}

const answers = (p: ReturnType<typeof composePostmortem>) => Object.fromEntries(p.findings.map((f) => [f.id, f.answer]));

test("a clean AI-generated merge: every question answered from the record", () => {
  const p = composePostmortem({ ref: "ccccccc", merge: merge(), nearby: [] });
  expect(answers(p)).toEqual({ ai: "yes", understood: "yes", scope: "yes", review_bar: "yes", owned: "yes", bypassed: "no", nearby: "no" });
  const md = renderPostmortemMarkdown(p);
  expect(md).toContain("### Was AI assistance significant? Yes");
  expect(md).toContain('Verified: "replayed the failed charges against staging"');
  expect(md).toContain("Owning team: @acme/payments.");
});

test("a bypassed merge with a stale approval, an exception and a neighbour", () => {
  const p = composePostmortem({
    ref: "acme/pay#42",
    merge: merge({
      bypassed: true,
      checkConclusion: "failure",
      reviewers: [
        {
          reviewer: "rev",
          reviewId: 1,
          state: "APPROVED",
          reviewedSha: "d".repeat(40),
          submittedAt: null,
          counted: false,
          reason: "approved an older commit",
          checklist: [],
          verified: null,
        },
      ],
      boundaries: [{ name: "billing", action: "block", outcome: "exception" }],
      exceptions: [
        {
          boundary: "billing",
          grantedBy: "sec",
          reason: "hotfix for INC-9, reviewed live",
          sha: HEAD,
          commentId: 5,
          grantedAt: "2026-11-20T09:30:00Z",
        },
      ],
    }),
    nearby: [merge({ prNumber: 40, title: "Tune retry", mergedAt: "2026-11-19T12:00:00.000Z", aiLevel: "none" })],
  });
  expect(answers(p)).toMatchObject({ understood: "no", scope: "partly", review_bar: "no", bypassed: "yes", nearby: "yes" });
  const md = renderPostmortemMarkdown(p);
  expect(md).toMatch(/Exception for \*\*billing\*\* granted by @sec/);
  expect(md).toMatch(/acme\/pay#40 "Tune retry"/);
});

test("no record: every answer is unknown with the reason, never a guess", () => {
  const p = composePostmortem({ ref: "deadbee", merge: null, nearby: [] });
  expect(new Set(p.findings.map((f) => f.answer))).toEqual(new Set(["unknown"]));
  expect(p.findings[0]!.details[0]).toMatch(/before Countersign was installed and not been backfilled/);
});

test("undisclosed and backfilled merges say what the trail cannot know", () => {
  const p = composePostmortem({
    ref: "x",
    merge: merge({ aiLevel: "undisclosed", aiTools: [], disclosureSources: [], source: "backfill", checkConclusion: null, bypassed: true }),
    nearby: [],
  });
  expect(answers(p)).toMatchObject({ ai: "unknown", review_bar: "unknown" });
  expect(p.findings[0]!.details.join(" ")).toMatch(/Recorded by backfill/);
});

// ---- incidents ---------------------------------------------------------------------------------

const FACTS: IncidentFacts = {
  externalId: "INC-2041",
  title: "Refunds paid twice",
  url: "https://incidents.acme.example/INC-2041",
  severity: 1,
  category: "hallucination-in-production-code",
  startedAt: "2026-11-20T16:00:00.000Z",
  source: "cli",
  recordedAt: "2026-11-21T00:00:00.000Z",
  seq: 9,
  entryHash: "9".repeat(64),
};

function link(prNumber: number, relation: IncidentLinkRecord["relation"], patch: Partial<IncidentLinkRecord> = {}): IncidentLinkRecord {
  return {
    repo: "acme/pay",
    prNumber,
    mergeCommitSha: "c".repeat(40),
    mergedAt: "2026-11-20T10:00:00.000Z",
    relation,
    note: null,
    linkedBy: "sre",
    linkedAt: "2026-11-21T01:00:00.000Z",
    seq: 10 + prNumber,
    current: true,
    ...patch,
  };
}

const incident = (links: IncidentLinkRecord[], patch: Partial<IncidentFacts> = {}): IncidentRecord => ({ ...FACTS, ...patch, links });
const onMerge = (
  relation: MergeIncidentLink["relation"],
  facts: Partial<IncidentFacts> = {},
  note: string | null = null,
): MergeIncidentLink => ({
  incident: { ...FACTS, ...facts },
  relation,
  note,
  linkedBy: "sre",
  linkedAt: "2026-11-21T01:00:00.000Z",
  seq: 20,
});
const change = (prNumber: number, incidents: MergeIncidentLink[] = [], patch: Partial<MergeRecord> = {}): LinkedChange => ({
  merge: merge({ prNumber, title: `Change ${prNumber}`, ...patch }),
  nearby: [],
  incidents,
});

describe("culpritLinks", () => {
  test.each([
    [[link(1, "caused"), link(2, "suspect")], "caused", [1]],
    [[link(1, "suspect"), link(2, "fixed"), link(3, "suspect")], "suspect", [1, 3]],
    // A superseded caused link does not count: the current relation of #1 is dismissed.
    [[link(1, "caused", { current: false }), link(1, "dismissed"), link(2, "suspect")], "suspect", [2]],
    [[link(1, "fixed"), link(2, "dismissed")], null, []],
    [[], null, []],
  ] as const)("%#: %j", (links, relation, prs) => {
    const chosen = culpritLinks(links);
    expect(chosen.relation).toBe(relation);
    expect(chosen.links.map((l) => l.prNumber)).toEqual(prs);
  });
});

describe("incidentContext", () => {
  test("hours from the merge to the start, negative when it started first, null without a start", () => {
    expect(incidentContext(FACTS, { relation: "caused", note: "bisected" }, "2026-11-20T10:00:00.000Z")).toEqual({
      id: "INC-2041",
      title: "Refunds paid twice",
      url: "https://incidents.acme.example/INC-2041",
      severity: 1,
      category: "hallucination-in-production-code",
      startedAt: "2026-11-20T16:00:00.000Z",
      relation: "caused",
      note: "bisected",
      mergeToStartHours: 6,
    });
    expect(incidentContext(FACTS, null, "2026-11-20T16:20:00.000Z").mergeToStartHours).toBe(-0.33);
    expect(incidentContext({ ...FACTS, startedAt: null }, null, "2026-11-20T16:20:00.000Z").mergeToStartHours).toBeNull();
  });
});

describe("composeIncidentPostmortem", () => {
  test("a review of each merge that caused it, with the incident and the time from merge to start", () => {
    const pm = composeIncidentPostmortem({
      ref: "INC-2041",
      incident: incident([
        link(42, "caused", { note: "bisected to the retry loop" }),
        link(43, "suspect"),
        link(44, "caused", { mergedAt: "2026-11-18T16:00:00.000Z" }),
      ]),
      changes: [
        change(42, [
          onMerge("caused", {}, "bisected to the retry loop"),
          onMerge("suspect", { externalId: "INC-2050", title: "Slow refunds", severity: 3, startedAt: "2026-11-25T10:00:00.000Z" }),
        ]),
        change(44, [onMerge("caused")], { mergedAt: "2026-11-18T16:00:00.000Z" }),
      ],
    });
    expect(pm.relation).toBe("caused");
    expect(pm.incident).toEqual({
      externalId: "INC-2041",
      title: "Refunds paid twice",
      url: FACTS.url,
      severity: 1,
      category: "hallucination-in-production-code",
      startedAt: FACTS.startedAt,
    });
    expect(pm.changes.map((c) => c.merge?.prNumber)).toEqual([42, 44]);
    expect(pm.changes[0]!.incident).toMatchObject({
      id: "INC-2041",
      relation: "caused",
      note: "bisected to the retry loop",
      mergeToStartHours: 6,
    });
    expect(pm.changes[0]!.incidents.map((i) => [i.id, i.relation])).toEqual([
      ["INC-2041", "caused"],
      ["INC-2050", "suspect"],
    ]);
    expect(pm.changes[1]!.incident!.mergeToStartHours).toBe(48);
    expect(pm.changes[0]!.findings.map((f) => f.answer)).toEqual(["yes", "yes", "yes", "yes", "yes", "no", "no"]);

    const md = renderPostmortemMarkdown(pm);
    expect(md).toMatch(/^# Postmortem: INC-2041 — Refunds paid twice\n/);
    expect(md).toContain("- Severity: SEV1");
    expect(md).toContain("- Category: hallucination-in-production-code");
    expect(md).toContain("- Tracked at: https://incidents.acme.example/INC-2041");
    expect(md).toContain("- Changes linked as **caused**: acme/pay#42, acme/pay#44");
    expect(md).toContain(
      "Incident **INC-2041** — Refunds paid twice, SEV1, hallucination-in-production-code, " +
        "started 2026-11-20T16:00:00.000Z (6.0 h after this change merged); " +
        "this change is linked as **caused** (bisected to the retry loop).",
    );
    expect(md).toContain("(48.0 h (2.0 days) after this change merged)");
    expect(md).toContain(
      "### Other incidents linked to this change\n- **INC-2050** — Slow refunds (SEV3, " +
        "hallucination-in-production-code, started 2026-11-25T10:00:00.000Z (120.0 h (5.0 days) after this change merged)): **suspect**",
    );
    expect(md.match(/## Change review: /g)).toHaveLength(2);
    expect(md.match(/_Generated by Countersign/g)).toHaveLength(1);
  });

  test("without a cause, the suspects are reviewed", () => {
    const pm = composeIncidentPostmortem({
      ref: "INC-2041",
      incident: incident([link(42, "fixed"), link(43, "suspect")]),
      changes: [change(43, [onMerge("suspect")])],
    });
    expect(pm.relation).toBe("suspect");
    expect(pm.changes.map((c) => c.merge?.prNumber)).toEqual([43]);
    expect(renderPostmortemMarkdown(pm)).toContain("- Changes linked as **suspect**: acme/pay#43");
  });

  test("no merge linked as caused or suspect: every answer unknown, with the links there are and the command to add one", () => {
    const pm = composeIncidentPostmortem({
      ref: "INC-2041",
      incident: incident([link(42, "suspect", { current: false }), link(42, "dismissed"), link(45, "fixed")]),
      changes: [],
    });
    expect(pm.relation).toBeNull();
    expect(pm.changes).toHaveLength(1);
    const [only] = pm.changes;
    expect(only!.merge).toBeNull();
    expect(only!.incident).toMatchObject({ id: "INC-2041", relation: null, mergeToStartHours: null });
    expect(new Set(only!.findings.map((f) => f.answer))).toEqual(new Set(["unknown"]));
    expect(only!.findings[0]!.details[0]).toBe(
      "no merge is linked to incident INC-2041 as caused or suspect (current links: acme/pay#42 dismissed, " +
        "acme/pay#45 fixed): link the change with `countersign incident link INC-2041 --merge owner/repo#N --relation caused`",
    );
    const md = renderPostmortemMarkdown(pm);
    expect(md).toContain("- No change is linked as caused or suspect.");
    expect(md).toContain("## Change review: INC-2041");
    expect(composeIncidentPostmortem({ ref: "INC-1", incident: incident([]), changes: [] }).changes[0]!.findings[0]!.details[0]).toMatch(
      /\(it has no links\)/,
    );
  });

  test("an incident without severity, category or start says so", () => {
    const pm = composeIncidentPostmortem({
      ref: "INC-7",
      incident: incident([link(42, "caused")], {
        externalId: "INC-7",
        title: null,
        url: null,
        severity: null,
        category: null,
        startedAt: null,
      }),
      changes: [change(42)],
    });
    const md = renderPostmortemMarkdown(pm);
    expect(md).toMatch(/^# Postmortem: INC-7\n/);
    expect(md).toContain("- Severity: not recorded\n- Category: not recorded\n- Started: not recorded");
    expect(md).not.toContain("Tracked at");
    expect(md).toContain("Incident **INC-7**; this change is linked as **caused**.");
  });
});

describe("a merge's postmortem shows its incident links", () => {
  test("every linked incident with its current relation; a cause that started before the merge is flagged", () => {
    const m = merge();
    const incidents = [
      onMerge("caused", { startedAt: "2026-11-20T04:00:00.000Z" }),
      onMerge("dismissed", { externalId: "INC-9", title: null, url: null, category: "not-ai", severity: 2, startedAt: null }, "unrelated"),
    ].map((l) => incidentContext(l.incident, l, m.mergedAt));
    const pm = composePostmortem({ ref: "acme/pay#42", merge: m, nearby: [], incidents });
    expect(pm.incident).toBeNull();
    expect(pm.incidents.map((i) => [i.id, i.relation, i.mergeToStartHours])).toEqual([
      ["INC-2041", "caused", -6],
      ["INC-9", "dismissed", null],
    ]);
    const md = renderPostmortemMarkdown(pm);
    expect(md).toContain("### Incidents linked to this change");
    expect(md).toContain("(6.0 h before this change merged)): **caused**");
    expect(md).toContain("It started before this change merged, so this change alone cannot have caused it.");
    expect(md).toContain("- **INC-9** (SEV2, not-ai, no start time): **dismissed** — unrelated.");
    expect(JSON.parse(JSON.stringify(pm))).toMatchObject({ incidents: [{ id: "INC-2041" }, { id: "INC-9" }] });
  });

  test("without links there is no incident section", () => {
    const md = renderPostmortemMarkdown(composePostmortem({ ref: "acme/pay#42", merge: merge(), nearby: [] }));
    expect(md).not.toContain("Incident");
  });
});

test("an incomplete record (written while GitHub could not be read): only the body's disclosure is answered", () => {
  const m = merge({
    incomplete: true,
    missing: ["reviews", "notes", "files", "owners", "verdict"],
    reviewers: [],
    owningTeam: null,
    teams: [],
    paths: [],
    checkConclusion: null,
  });
  const p = composePostmortem({ ref: "ccccccc", merge: m, nearby: [] });
  expect(answers(p)).toEqual({
    ai: "yes",
    understood: "unknown",
    scope: "unknown",
    review_bar: "unknown",
    owned: "unknown",
    bypassed: "unknown",
    nearby: "unknown",
  });
  expect(p.merge).toMatchObject({ incomplete: true });
  const md = renderPostmortemMarkdown(p);
  expect(md).toContain("**Incomplete record**");
  expect(md).toContain("lacks reviews, notes, files, owners, verdict");
  expect(md).not.toContain("Was the gate bypassed? No");
});
