/**
 * The CSV download: every merge the filter matches, in the columns of `countersign audit merges
 * --format csv` (one cell encoder, so a formula guard fixed there is fixed here), streamed with
 * keyset paging so memory stays flat. RFC 4180: CRLF line ends, quoted fields where needed.
 */
import type { ServerResponse } from "node:http";
import type { AuditStore, MergeFilter } from "../audit/audit-store.js";
import { formatMergeLine, MERGE_CSV_HEADER } from "../reports/merge-columns.js";

const CRLF = "\r\n";

/**
 * Reads the first batch before answering, so a filter the store refuses still gets a 400 page
 * (the thrown AuditInputError) instead of a truncated 200. A failure after the headers are sent
 * destroys the response: the download fails visibly rather than ending short.
 */
export async function sendMergesCsv(
  res: ServerResponse,
  store: AuditStore,
  filter: Omit<MergeFilter, "limit" | "cursor">,
  filename: string,
  headers: Record<string, string>,
): Promise<number> {
  const iterator = store.iterateMerges(filter)[Symbol.asyncIterator]();
  let next = await iterator.next();
  res.writeHead(200, {
    ...headers,
    "content-type": "text/csv; charset=utf-8; header=present",
    "content-disposition": `attachment; filename="${filename}"`,
  });
  let rows = 0;
  try {
    if (!(await write(res, MERGE_CSV_HEADER + CRLF))) return rows;
    while (!next.done) {
      if (!(await write(res, formatMergeLine(next.value, "csv") + CRLF))) {
        await iterator.return?.();
        return rows;
      }
      rows += 1;
      next = await iterator.next();
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    await iterator.return?.();
    throw error;
  }
  return rows;
}

/** Writes with back-pressure; false when the client went away (the download was cancelled). */
function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}
