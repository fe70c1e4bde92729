/**
 * Boundary exceptions end to end, as a determined PR author would try them: granting one on your
 * own PR or on the agent PR you sponsor, and racing a push against an approver's comment. Signed
 * webhooks from the simulator into the real app; one clock orders GitHub's timestamps and the
 * audit trail's (each step advances it, as time passes between people's actions).
 */
import { CONFIG, disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";
import { OUT_OF_SCOPE_AGENT_PULL } from "./support/agent-pull.js";

let h: Harness;
let offset = 0;
/** Time passes (5 s by default) before the next action. */
const later = (ms = 5_000) => {
  offset += ms;
};
beforeEach(async () => {
  offset = 0;
  h = await startHarness({ clock: () => Date.now() + offset });
});
afterEach(async () => {
  await h.close();
});

const NOTE = note("replayed the key rotation against staging with revoked and expired keys and read the rotation loop");
const REASON = "reviewed with security in SEC-1234, algorithm unchanged";
const lastReply = (repo: string, number: number) => h.sim.comments(repo, number).at(-1)!.body;

/** A generated-code PR touching the auth boundary, with a noted review: only an exception can clear it. */
async function authPullRequest(repo: string, author = "dan", config = CONFIG) {
  seedAcme(h.sim, repo, { config });
  later();
  const pr = await h.sim.openPullRequest(repo, {
    title: "Rotate keys",
    body: disclosure("generated", "Cursor"),
    author: { login: author },
    files: ["src/auth/keys.ts", "src/api/routes.ts"],
  });
  later();
  await h.sim.review(repo, pr.number, { user: "plat-lead", body: NOTE });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure" });
  later();
  return pr;
}

describe("self-granted exceptions", () => {
  test("an approver cannot grant an exception on their own PR; the reply names the other approvers", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo, "sec-lead");
    h.sim.team("acme/security", ["sec-lead", "sec-two"]);
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `/countersign exception auth: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([]);
    expect(lastReply(repo, pr.number)).toMatch(
      /@sec-lead opened this pull request, so they cannot grant an exception for `auth` on it\. Ask another approver: @sec-two\b/,
    );
    expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure" });
  });

  test("the sponsor of an agent PR cannot grant `agent-scope` on it; with no other approver the reply says so", async () => {
    const repo = uniqueRepo();
    const scope = 'scope: ["docs/**", "test/**"]';
    seedAcme(h.sim, repo, { config: CONFIG.replace(scope, `${scope}\n  approvers: ["@plat-lead"]`) });
    later();
    const pr = await h.sim.openPullRequest(repo, { ...OUT_OF_SCOPE_AGENT_PULL });
    later();
    await h.sim.review(repo, pr.number, { user: "plat-dev", body: NOTE });
    later();
    await h.sim.comment(repo, pr.number, { user: "plat-lead", body: `/countersign exception agent-scope: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([]);
    expect(lastReply(repo, pr.number)).toMatch(
      /@plat-lead sponsors this agent pull request, so they cannot grant an exception for `agent-scope` on it\. No other approver/,
    );
    expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure" });
  });

  test("a self-granted exception already in the trail is ignored by the check, which says why", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo, "sec-lead");
    // Recorded behind the command's back (an older version, an import): the evaluation itself refuses it.
    const grant = { repo, prNumber: pr.number, boundary: "auth", grantedBy: "sec-lead", reason: REASON, sha: pr.headSha, commentId: null };
    await h.store.recordException({ ...grant, action: "grant" }, null);
    await h.sim.label(repo, pr.number, "security");
    const check = h.sim.latestCheck(repo, pr.headSha)!;
    expect(check.conclusion).toBe("failure");
    expect(check.text).toMatch(/exception granted by @sec-lead is ignored: @sec-lead opened this pull request/);
  });
});

describe("exceptions bound to the commit the approver saw", () => {
  test("the check's fix text carries the head SHA; the SHA form grants on that head; the reply names the SHA and files", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo);
    const command = `/countersign exception auth@${pr.headSha.slice(0, 12)}:`;
    expect(h.sim.latestCheck(repo, pr.headSha)!.text).toContain(command);
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `${command} ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([
      expect.objectContaining({ boundary: "auth", grantedBy: "sec-lead", sha: pr.headSha }),
    ]);
    const reply = lastReply(repo, pr.number);
    expect(reply).toContain(`granted by @sec-lead on ${pr.headSha}`);
    expect(reply).toMatch(/covers `src\/auth\/keys\.ts`/);
    expect(reply).not.toContain("src/api/routes.ts");
    expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  });

  test("a SHA that is no longer the head is refused, naming the head and the command to copy", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo);
    const pushed = await h.sim.push(repo, pr.number, { files: ["src/auth/keys.ts"] });
    later();
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `/countersign exception auth@${pr.headSha.slice(0, 7)}: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([]);
    const reply = lastReply(repo, pr.number);
    expect(reply).toMatch(new RegExp(`head of this pull request is now ${pushed.headSha.slice(0, 12)}`));
    expect(reply).toContain(`/countersign exception auth@${pushed.headSha}: ${REASON}`);
    expect(h.sim.latestCheck(repo, pushed.headSha)).toMatchObject({ conclusion: "failure" });
  });

  test("without a SHA: binds to the head when the comment was written, and names it and the files", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo);
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `/countersign exception auth: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([expect.objectContaining({ sha: pr.headSha, action: "grant" })]);
    expect(lastReply(repo, pr.number)).toMatch(new RegExp(`granted by @sec-lead on ${pr.headSha}[^]*covers \`src/auth/keys\\.ts\``));
    expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  });

  test("a push between the comment being written and being processed is not covered", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo);
    // The approver writes the comment while the head is the reviewed commit; it is delivered late.
    const body = `/countersign exception auth: ${REASON}`;
    const written = await h.sim.comment(repo, pr.number, { user: "sec-lead", body, deliver: false });
    later();
    const pushed = await h.sim.push(repo, pr.number, { files: ["src/auth/keys.ts", "src/auth/backdoor.ts"] });
    later();
    expect((await h.sim.deliver(written.delivery.event, written.delivery.payload, { id: written.delivery.id })).status).toBe(202);

    expect((await h.store.listExceptions(repo, pr.number)).filter((e) => e.sha === pushed.headSha)).toEqual([]);
    expect(h.sim.latestCheck(repo, pushed.headSha)).toMatchObject({ conclusion: "failure" });
    const reply = lastReply(repo, pr.number);
    expect(reply).toMatch(/^Nothing was granted: the head is now [0-9a-f]{12}, and it cannot be shown to be the commit you saw/m);
    expect(reply).toContain(`/countersign exception auth@${pushed.headSha}: ${REASON}`);
  });

  test("exceptions.require_sha: the bare form is refused with the command to copy; the SHA form grants", async () => {
    const repo = uniqueRepo();
    const pr = await authPullRequest(repo, "dan", `${CONFIG}exceptions:\n  require_sha: true\n`);
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `/countersign exception auth: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([]);
    expect(lastReply(repo, pr.number)).toMatch(/requires the commit in the command \(`exceptions\.require_sha`\)/);
    expect(lastReply(repo, pr.number)).toContain(`/countersign exception auth@${pr.headSha}: ${REASON}`);
    later();
    await h.sim.comment(repo, pr.number, { user: "sec-lead", body: `/countersign exception auth@${pr.headSha}: ${REASON}` });
    expect(await h.store.listExceptions(repo, pr.number)).toEqual([expect.objectContaining({ sha: pr.headSha })]);
    expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  });
});
