/** The tests' shorthand for one page of merges without its cursor (the store's port has only `listMergesPage`). */
import type { AuditStore, MergeFilter, MergeRecord } from "../../src/audit/audit-store.js";

export async function listMerges(store: Pick<AuditStore, "listMergesPage">, filter: MergeFilter = {}): Promise<MergeRecord[]> {
  return (await store.listMergesPage(filter)).merges;
}
