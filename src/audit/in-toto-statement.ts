/**
 * A merge record as an in-toto Statement v1 (docs/audit-trail.md, "Exports"): the subject is the merge
 * commit (`gitCommit` digest), the predicate the facts fixed at merge time. Later facts (a revert)
 * are not folded in: a statement about a commit must not change after it was issued.
 * Unsigned: an export is an assertion of this audit trail, whose entry hash it carries.
 */
import { githubUrlOf, type MergeRecord } from "./audit-store.js";
import { normalizeInstant } from "./merge-query.js";

export const IN_TOTO_STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const MERGE_REVIEW_PREDICATE_TYPE = "https://countersign.dev/merge-review/v1";
export const GATE_CHECK_NAME = "countersign";

export interface Recorder {
  /** Who recorded it, as a URI. */
  id: string;
  version: string;
}

export interface MergeReviewStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: { name: string; digest: { gitCommit: string }; annotations: { sourceRefs: string[] } }[];
  predicateType: typeof MERGE_REVIEW_PREDICATE_TYPE;
  predicate: Record<string, unknown>;
}

/** null when the merge has no merge commit SHA (nothing to attest about). */
export function mergeReviewStatement(
  m: MergeRecord,
  recorder: Recorder,
  fallbackGithubUrl = "https://github.com",
): MergeReviewStatement | null {
  if (m.mergeCommitSha === null) return null;
  const sha = m.mergeCommitSha.toLowerCase();
  // The host recorded with the merge (GitHub Enterprise Server included), whatever this process is configured with.
  const repoUri = `${githubUrlOf(m, fallbackGithubUrl)}/${m.repo}`;
  // RFC 3339 in UTC ("Z"), as in-toto asks; a value that does not parse is passed on as recorded.
  const instant = (t: string | null) => {
    if (t === null) return null;
    try {
      return normalizeInstant(t, "time");
    } catch {
      return t;
    }
  };
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: `git+${repoUri}@${sha}`, digest: { gitCommit: sha }, annotations: { sourceRefs: [`refs/heads/${m.baseRef}`] } }],
    predicateType: MERGE_REVIEW_PREDICATE_TYPE,
    predicate: {
      repository: { name: m.repo, uri: `git+${repoUri}` },
      pullRequest: {
        number: m.prNumber,
        uri: `${repoUri}/pull/${m.prNumber}`,
        title: m.title,
        author: m.author,
        headSha: m.headSha.toLowerCase(),
        baseRef: m.baseRef,
        baseSha: m.baseSha?.toLowerCase() ?? null,
        mergedBy: m.mergedBy,
        mergedAt: instant(m.mergedAt),
      },
      aiDisclosure: { level: m.aiLevel, tools: m.aiTools, agent: m.agent, sponsor: m.sponsor, sources: m.disclosureSources },
      reviews: m.reviewers.map((r) => ({
        reviewer: r.reviewer,
        reviewId: r.reviewId,
        state: r.state,
        reviewedCommit: r.reviewedSha?.toLowerCase() ?? null,
        submittedAt: instant(r.submittedAt),
        counted: r.counted,
        reason: r.reason,
        checklist: r.checklist,
        verified: r.verified,
      })),
      ownership: { owningTeam: m.owningTeam, teams: m.teams },
      boundaries: m.boundaries,
      exceptions: m.exceptions.map((e) => ({
        boundary: e.boundary,
        grantedBy: e.grantedBy,
        reason: e.reason,
        grantedOnSha: e.sha.toLowerCase(),
        grantedAt: instant(e.grantedAt),
        commentId: e.commentId,
      })),
      gate: { checkName: GATE_CHECK_NAME, conclusion: m.checkConclusion, bypassed: m.bypassed, configHash: m.configHash },
      recorder: { id: recorder.id, version: recorder.version, source: m.source, recordedAt: m.recordedAt },
      auditLog: { seq: m.seq, entryHash: m.entryHash },
    },
  };
}
