/** INCIDENT_WEBHOOK_URL: a PagerDuty-shaped change event per recorded merge, retried, never blocking. */
import nock from "nock";
import { createChangeEventStats } from "../../src/notify/change-events.js";
import { mockGitHub } from "../support/github-mock.js";
import { useTempStore } from "../support/temp-store.js";
import { createTestProbot } from "../support/test-probot.js";
import { asEvent, mergedEvent } from "../support/webhook-examples.js";
import { listMerges } from "../support/list-merges.js";

const db = useTempStore();
const NOTE =
  "- [x] I can explain what this change does and why\n- [x] I checked its failure modes and how to roll it back\n" +
  "Verified: ran the uploader against a local S3 stub with injected 503s";

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("a merge posts one change event after two failures, with the documented shape", async () => {
  mockGitHub({
    codeowners: { path: "CODEOWNERS", text: "* @Codertocat/core\n" },
    reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    checkConclusionAtMerge: "success",
  });
  const bodies: any[] = [];
  const hook = nock("https://events.example.com")
    .post("/v2/change/enqueue")
    .times(2)
    .reply(503)
    .post("/v2/change/enqueue")
    .reply(202, async (req: Request) => {
      bodies.push(await req.json());
      return { status: "success" };
    });
  const changeEventStats = createChangeEventStats();
  const probot = createTestProbot(db.store, {
    changeEventStats,
    changeEvents: { url: "https://events.example.com/v2/change/enqueue", routingKey: "R0UT1NG", baseDelayMs: 1 },
  });
  await probot.receive(asEvent("pull_request", mergedEvent({ body: "AI-Assisted: generated\nAI-Tools: Claude Code" }), "d-merge"));
  await until(() => hook.isDone());
  await until(() => changeEventStats.sent === 1);
  expect(bodies).toEqual([
    {
      routing_key: "R0UT1NG",
      payload: {
        summary: "Merged Codertocat/Hello-World#2: Update the README with new information. (AI: generated, owner @Codertocat/core)",
        timestamp: "2026-11-20T10:00:00Z",
        source: "countersign",
        custom_details: expect.objectContaining({
          repo: "Codertocat/Hello-World",
          pr_number: 2,
          pr_url: "https://github.com/Codertocat/Hello-World/pull/2",
          merge_sha: "1234567890abcdef1234567890abcdef12345678",
          ai_level: "generated",
          ai_tools: ["claude"],
          owning_team: "@Codertocat/core",
          bypassed: false,
        }),
      },
      links: [{ href: "https://github.com/Codertocat/Hello-World/pull/2", text: "Codertocat/Hello-World#2" }],
    },
  ]);
  // The merge is recorded whatever the incident tool does.
  expect(await listMerges(db.store, {})).toHaveLength(1);
});

test("an incident tool that is down forever never blocks or fails the merge record", async () => {
  mockGitHub({ codeowners: { path: "CODEOWNERS", text: "* @Codertocat/core\n" }, checkConclusionAtMerge: "failure" });
  nock("https://events.example.com").post("/v2/change/enqueue").times(3).reply(500);
  const changeEventStats = createChangeEventStats();
  const probot = createTestProbot(db.store, {
    changeEventStats,
    changeEvents: { url: "https://events.example.com/v2/change/enqueue", attempts: 3, baseDelayMs: 1 },
  });
  await probot.receive(asEvent("pull_request", mergedEvent({ body: "" })));
  expect(await listMerges(db.store, { bypassed: true })).toHaveLength(1);
  await until(() => changeEventStats.failed === 1);
});
