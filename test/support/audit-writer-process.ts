/**
 * A separate process appending to the audit log (contract suite, "two processes" test).
 * argv: <DATABASE_URL> <label> <count>. Opens the store (so migrations race the other process),
 * reports `ready`, waits for `go`, then records <count> evaluations concurrently.
 */
import { openAuditStore } from "../../src/audit/open-audit-store.js";

const [url, label, countText] = process.argv.slice(2);
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

try {
  const store = await openAuditStore(url);
  await send({ ready: true });
  await new Promise<void>((resolve) => process.once("message", () => resolve()));
  const results = await Promise.all(
    Array.from({ length: Number(countText) }, (_, i) =>
      store.recordEvaluation(
        {
          repo: "acme/pay",
          prNumber: 100 + i,
          headSha: "a".repeat(40),
          event: "pull_request.synchronize",
          conclusion: i % 2 ? "success" : "failure",
          title: `${label} ${i}`,
          gates: [{ id: "disclosure", status: "passed" }],
          aiLevel: "assisted",
          aiTools: ["copilot"],
        },
        `${label}-${i}`,
      ),
    ),
  );
  await store.close();
  await send({ seqs: results.map((r) => r.seq) });
} catch (error) {
  await send({ error: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
}
process.disconnect?.();
