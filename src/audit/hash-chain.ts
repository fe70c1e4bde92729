/**
 * The audit log's hash chain (docs/audit-trail.md). Each entry stores the exact canonical JSON it
 * hashed, and
 *   payload_sha256 = sha256(payload)
 *   entry_hash     = sha256("countersign/v1\n" + seq + "\n" + prev_hash + "\n" + payload_sha256)
 * with prev_hash of the first entry (seq 1) = 64 zeros. The envelope repeats the row's columns
 * (kind, subject, delivery id, source, time) inside the payload, so editing a column is detected too.
 */
import { createHash } from "node:crypto";
import { AuditInputError } from "./audit-input-error.js";
import { canonicalJson } from "./canonical-json.js";
import type { RecordSource, VerifyResult } from "./audit-store.js";

export const GENESIS_HASH = "0".repeat(64);
const DOMAIN = "countersign/v1";

export type AuditKind = "merge" | "merge_completion" | "evaluation" | "exception" | "revert_link" | "incident" | "incident_link";

/** What is hashed: the row's identifying columns plus the record itself. */
export interface AuditEnvelope {
  v: 1;
  kind: AuditKind;
  subject: string;
  deliveryId: string | null;
  source: RecordSource;
  recordedAt: string;
  data: unknown;
}

/** One `audit_log` row, as stored. */
export interface ChainRow {
  seq: number;
  recorded_at: string;
  kind: string;
  subject: string;
  delivery_id: string | null;
  source: string;
  payload: string;
  payload_sha256: string;
  prev_hash: string;
  entry_hash: string;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function computeEntryHash(seq: number, prevHash: string, payloadSha256: string): string {
  return sha256Hex(`${DOMAIN}\n${seq}\n${prevHash}\n${payloadSha256}`);
}

/** Builds the row that follows `head` (null: the chain is empty). */
export function buildChainRow(envelope: AuditEnvelope, head: { seq: number; entryHash: string } | null): ChainRow {
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.entryHash : GENESIS_HASH;
  const payload = canonicalJson(envelope);
  const payloadSha256 = sha256Hex(payload);
  return {
    seq,
    recorded_at: envelope.recordedAt,
    kind: envelope.kind,
    subject: envelope.subject,
    delivery_id: envelope.deliveryId,
    source: envelope.source,
    payload,
    payload_sha256: payloadSha256,
    prev_hash: prevHash,
    entry_hash: computeEntryHash(seq, prevHash, payloadSha256),
  };
}

export function parseEnvelope(payload: string): AuditEnvelope {
  return JSON.parse(payload) as AuditEnvelope;
}

/** A checkpoint is a previously printed head: `<entry_hash>` or `<seq>:<entry_hash>`. */
export function parseCheckpoint(text: string): { seq: number | null; hash: string } | null {
  const m = /^\s*(?:(\d+)\s*[:@ ]\s*)?([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!m) return null;
  return { seq: m[1] === undefined ? null : Number(m[1]), hash: m[2]!.toLowerCase() };
}

/**
 * Walks rows in ascending seq order and stops at the first broken link. Checks, in order:
 * contiguity (a gap is a deleted row), the link to the previous entry (reordered or removed
 * rows), the payload hash, the entry hash, and that the row's columns match the hashed envelope.
 */
export async function verifyChain(rows: Iterable<ChainRow> | AsyncIterable<ChainRow>, checkpoint?: string): Promise<VerifyResult> {
  const wanted = checkpoint === undefined ? null : parseCheckpoint(checkpoint);
  if (checkpoint !== undefined && wanted === null) {
    throw new AuditInputError(`checkpoint "${checkpoint}" is not an entry hash (64 hex) or <seq>:<entry hash>`, "checkpoint");
  }
  let entries = 0;
  let prev: { seq: number; entryHash: string } | null = null;
  let checkpointSeen: number | null = null;
  const broken = (seq: number, reason: string): VerifyResult => ({
    ok: false,
    entries,
    headHash: prev?.entryHash ?? null,
    brokenAt: { seq, reason },
  });

  for await (const row of rows) {
    const expectedSeq: number = prev ? prev.seq + 1 : 1;
    if (row.seq !== expectedSeq) {
      if (row.seq > expectedSeq) {
        const missing = row.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq}-${row.seq - 1}`;
        return broken(expectedSeq, `seq gap: ${missing} missing (row${row.seq - 1 === expectedSeq ? "" : "s"} deleted)`);
      }
      return broken(row.seq, `seq ${row.seq} out of order after ${expectedSeq - 1}`);
    }
    const expectedPrev = prev ? prev.entryHash : GENESIS_HASH;
    if (row.prev_hash !== expectedPrev) {
      return broken(
        row.seq,
        prev
          ? `prev_hash does not match entry ${prev.seq} (rows reordered or removed)`
          : "prev_hash of the first entry is not the genesis hash (rows removed from the start)",
      );
    }
    if (sha256Hex(row.payload) !== row.payload_sha256) {
      return broken(row.seq, "payload_sha256 mismatch (payload modified)");
    }
    if (computeEntryHash(row.seq, row.prev_hash, row.payload_sha256) !== row.entry_hash) {
      return broken(row.seq, "entry_hash mismatch (row modified)");
    }
    const columnProblem = envelopeMismatch(row);
    if (columnProblem) return broken(row.seq, columnProblem);

    entries += 1;
    prev = { seq: row.seq, entryHash: row.entry_hash };
    if (wanted && row.entry_hash === wanted.hash) checkpointSeen = row.seq;
  }

  if (wanted) {
    const head = prev?.seq ?? 0;
    const short = wanted.hash.slice(0, 12);
    if (wanted.seq !== null && checkpointSeen !== wanted.seq) {
      if (wanted.seq > head) {
        return broken(head + 1, `checkpoint entry ${wanted.seq} (${short}…) is missing: the chain ends at ${head} (tail truncated)`);
      }
      return broken(wanted.seq, `entry ${wanted.seq} does not have the checkpoint hash ${short}… (chain rewritten)`);
    }
    if (checkpointSeen === null) {
      return broken(head + 1, `checkpoint ${short}… is not in the chain of ${entries} entries (tail truncated or chain rewritten)`);
    }
  }
  return { ok: true, entries, headHash: prev?.entryHash ?? null };
}

function envelopeMismatch(row: ChainRow): string | null {
  let envelope: AuditEnvelope;
  try {
    envelope = parseEnvelope(row.payload);
  } catch {
    return "payload is not valid JSON (row modified)";
  }
  const pairs: [string, unknown, unknown][] = [
    ["kind", row.kind, envelope.kind],
    ["subject", row.subject, envelope.subject],
    ["delivery_id", row.delivery_id, envelope.deliveryId],
    ["source", row.source, envelope.source],
    ["recorded_at", row.recorded_at, envelope.recordedAt],
  ];
  for (const [column, stored, hashed] of pairs) {
    if (stored !== hashed) return `column ${column} does not match the hashed payload (row modified)`;
  }
  return null;
}
