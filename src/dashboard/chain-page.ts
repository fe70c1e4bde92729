/**
 * The hash chain: its head (to compare with a checkpoint kept outside the database) and, on
 * request, a full verification, the same walk as `countersign audit verify` (the chain, and every
 * queryable row against it).
 */
import type { VerifyResult } from "../audit/audit-store.js";
import { html, type SafeHtml } from "./html.js";
import { DASHBOARD_PREFIX, page, type SignedIn } from "./layout.js";

export interface ChainPageInput {
  signedIn: SignedIn;
  head: { seq: number; entryHash: string } | null;
  /** Present after "Verify now". */
  verified: VerifyResult | null;
  checkpoint: string;
  checkpointProblem: string | null;
}

/** What a failed verification found: a broken link, or a stored row that disagrees with an intact chain. */
function brokenText(v: VerifyResult): SafeHtml {
  const at = v.brokenAt;
  if (at?.projection) {
    return html`The chain links up, but a stored row disagrees with it at seq ${at.seq}: ${at.reason}.
Listings, the API and reports read those rows: do not trust them until the database is restored from a backup.`;
  }
  return html`The chain is broken${at ? html` at seq ${at.seq}: ${at.reason}` : null}. ${v.entries} entries read.
Treat records from there on as untrusted and compare with your backups.`;
}

/** The notice for an intact chain; `checkpointNote` says the checkpoint given was found in it. */
function intactNotice(v: VerifyResult, checkpointNote: SafeHtml | null): SafeHtml {
  const summary = html`All ${v.entries} entries link up${checkpointNote}. Head <code>${v.headHash ?? "—"}</code>.`;
  return html`<div class="notice" role="status"><p><span class="badge ok">intact</span> ${summary}</p></div>`;
}

export function chainPage(input: ChainPageInput): SafeHtml {
  const v = input.verified;
  const checkpointNote = input.checkpoint ? html`, and checkpoint <code>${input.checkpoint}</code> is in the chain` : null;
  const result = v
    ? v.ok
      ? intactNotice(v, checkpointNote)
      : html`<div class="alert" role="alert"><p><span class="badge danger">broken</span> ${brokenText(v)}</p></div>`
    : null;
  const why = "Every record carries the hash of the one before it, so a modified, deleted or reordered entry breaks the chain.";
  const checkLater = "and check it here later: a truncated or rewritten chain no longer contains it.";
  const headCell = input.head
    ? html`<code>${input.head.seq}:${input.head.entryHash}</code>`
    : html`<span class="muted">the chain is empty</span>`;
  const problem = input.checkpointProblem;
  const describedBy = `checkpoint-hint${problem ? " checkpoint-error" : ""}`;
  const invalid = problem ? html` aria-invalid="true"` : null;
  const checkpointAttrs = html`autocomplete="off" spellcheck="false" aria-describedby="${describedBy}"${invalid}`;
  const checkpointInput = html`<input id="checkpoint" name="checkpoint" value="${input.checkpoint}" ${checkpointAttrs}>`;
  const problemText = problem ? html`<span class="field-error" id="checkpoint-error">${problem}</span>` : null;
  return page({
    title: "Audit chain",
    signedIn: input.signedIn,
    active: "chain",
    body: html`<h1>Audit chain</h1>
<p>${why} Keep the head hash somewhere outside the database (<code>countersign audit checkpoint</code>) ${checkLater}</p>
<dl class="facts">
  <dt>Newest entry</dt><dd>${input.head ? html`seq ${input.head.seq}` : "none"}</dd>
  <dt>Head (checkpoint)</dt><dd>${headCell}</dd>
</dl>
<h2>Verify</h2>
${result}
<form class="filters" method="get" action="${DASHBOARD_PREFIX}/chain" aria-label="Verify the chain">
  <input type="hidden" name="verify" value="1">
  <div><label for="checkpoint">Checkpoint (optional)</label>${checkpointInput}
    <span class="hint" id="checkpoint-hint"><code>seq:hash</code> or a hash printed earlier</span>${problemText}</div>
  <div class="actions"><button type="submit">Verify now</button></div>
</form>
<p class="muted">Verification reads every entry; on a large trail it takes a few seconds.</p>`,
  });
}
