import nock from "nock";
import { pino } from "pino";
import { backfillRepository } from "../../src/handlers/backfill.js";
import { createPipelineDeps } from "../../src/handlers/pipeline-deps.js";
import type { GitHub } from "../../src/github/github.js";
import { mockGitHub } from "../support/github-mock.js";
import { useTempStore } from "../support/temp-store.js";
import { bareTestProbot } from "../support/test-probot.js";
import { mergedEvent } from "../support/webhook-examples.js";
import { listMerges } from "../support/list-merges.js";

const NOTE = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: ran the uploader against a local S3 stub with injected 503s and read the retry loop`;

const db = useTempStore();

test("records missed merges as source: backfill, skips unmerged and old PRs, and is idempotent", async () => {
  const merged = { ...mergedEvent({ body: "AI-Assisted: assisted\nAI-Tools: Copilot", updated_at: "2026-11-20T10:00:00Z" }).pull_request };
  const gh = mockGitHub({
    codeowners: { path: "CODEOWNERS", text: "* @Codertocat/core\n" },
    reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    checkConclusionAtMerge: "success",
    pull: merged,
  });
  const list = [
    merged,
    { ...merged, number: 5, merged_at: null, updated_at: "2026-11-19T00:00:00Z" },
    { ...merged, number: 1, merged_at: "2025-01-01T00:00:00Z", updated_at: "2025-01-02T00:00:00Z" },
  ];
  nock("https://api.github.com").persist().get("/repos/Codertocat/Hello-World/pulls").query(true).reply(200, list);
  const github = (await bareTestProbot().auth(1)) as unknown as GitHub;
  const deps = createPipelineDeps({ store: db.store, appId: 123, now: () => Date.parse("2026-11-23T00:00:00Z") });
  const log = pino({ level: "silent" });

  const first = await backfillRepository(github, log, deps, { owner: "Codertocat", repo: "Hello-World", since: "2026-06-01T00:00:00Z" });
  expect(first).toMatchObject({ scanned: 2, merged: 1, recorded: 1, alreadyRecorded: 0, failed: 0 });
  const [m] = await listMerges(db.store, {});
  expect(m).toMatchObject({ prNumber: 2, source: "backfill", aiLevel: "assisted", checkConclusion: "success", bypassed: false });
  expect(m!.reviewers[0]).toMatchObject({ reviewer: "rev", counted: true });
  expect(gh.checkRuns).toHaveLength(0);

  const second = await backfillRepository(github, log, deps, { owner: "Codertocat", repo: "Hello-World", since: "2026-06-01T00:00:00Z" });
  expect(second).toMatchObject({ merged: 1, recorded: 0, alreadyRecorded: 1 });
  expect(await listMerges(db.store, {})).toHaveLength(1);
});
