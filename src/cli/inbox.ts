/**
 * `countersign inbox [--parked] [--json]` and `countersign inbox retry <delivery-id>`: the durable
 * webhook inbox of the database DATABASE_URL names: what waits, what was parked after its last
 * attempt and why, and a way to try a parked delivery again (a running app takes it at its next poll).
 */
import type { Command } from "commander";
import type { InboxDeliverySummary } from "../audit/inbox-store.js";
import { UsageError, type CliContext } from "./cli-context.js";

interface ListOptions {
  parked?: boolean;
  json?: boolean;
  limit: string;
}

export function registerInbox(program: Command, ctx: CliContext): void {
  const inbox = program
    .command("inbox")
    .description("Webhook deliveries waiting in the inbox or parked after their last attempt (with the error).")
    .option("--parked", "only parked deliveries")
    .option("--json", "one JSON object: counts and deliveries")
    .option("--limit <n>", "at most this many deliveries", "100")
    .action(async (options: ListOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${options.limit}"`);
      }
      await ctx.withStore(async (store) => {
        const box = store.inbox();
        const stats = await box.stats();
        const deliveries = options.parked
          ? await box.list({ state: "parked", limit })
          : [...(await box.list({ state: "pending", limit })), ...(await box.list({ state: "parked", limit }))].slice(0, limit);
        if (options.json) {
          ctx.io.out(JSON.stringify({ ...stats, deliveries }, null, 2));
          return;
        }
        const oldest = stats.oldestPendingReceivedAt ? ` (oldest received ${stats.oldestPendingReceivedAt})` : "";
        ctx.io.out(`pending: ${stats.pending}${oldest}; parked: ${stats.parked}`);
        if (deliveries.length > 0) ctx.io.out(formatTable(deliveries));
        if (stats.parked > 0) ctx.io.out("Try a parked delivery again with `countersign inbox retry <delivery-id>`.");
      });
    });

  inbox
    .command("retry <delivery-id>")
    .description("Make a parked (or waiting) delivery due now, with fresh attempts; a running app processes it at its next poll.")
    .action(async (id: string) => {
      await ctx.withStore(async (store) => {
        const box = store.inbox();
        if (await box.retry(id, new Date())) {
          ctx.io.out(`${id}: queued; a running app processes it within seconds.`);
          return;
        }
        const d = await box.get(id);
        ctx.io.err(
          d === null
            ? `countersign: no delivery ${id} in the inbox (processed deliveries are pruned after the retention period)`
            : d.state === "done"
              ? `countersign: delivery ${id} was already processed (${d.finishedAt}); nothing to retry`
              : `countersign: delivery ${id} is being processed right now; try again if it is parked afterwards`,
        );
        ctx.fail(1);
      });
    });
}

function formatTable(rows: InboxDeliverySummary[]): string {
  const cells = rows.map((d) => [
    d.id,
    d.action ? `${d.event}.${d.action}` : d.event,
    d.state,
    String(d.attempts),
    d.receivedAt,
    d.state === "pending" ? d.nextAttemptAt : "",
    (d.lastError ?? "").replace(/\s+/g, " ").slice(0, 120),
  ]);
  const header = ["DELIVERY", "EVENT", "STATE", "ATTEMPTS", "RECEIVED", "NEXT ATTEMPT", "LAST ERROR"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
