/** Builds PullRequestSnapshots for policy tests: plain data, no GitHub. */
import type { PullRequestSnapshot, ReviewInfo } from "../../src/policy/snapshot.js";

export const HEAD = "c0ffee0000000000000000000000000000000001";

export const DISCLOSURE = (level: "None" | "Assisted" | "Generated" | "Agent", tools = "") => `## AI assistance disclosure
- [${level === "None" ? "x" : " "}] **None**: no AI tools were used
- [${level === "Assisted" ? "x" : " "}] **Assisted**: I wrote this; AI helped (suggestions, explanations, review, small snippets)
- [${level === "Generated" ? "x" : " "}] **Generated**: most of the change came from an AI tool I prompted, then read and tested
- [${level === "Agent" ? "x" : " "}] **Agent**: an autonomous coding agent produced this PR; I am the accountable human

AI-Tools: ${tools}
`;

export const NOTE = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: replayed the failing request against the branch and read every changed line of the handler`;

export function approval(login: string, body: string | null = NOTE, patch: Partial<ReviewInfo> = {}): ReviewInfo {
  return {
    id: Math.floor(Math.random() * 1e9),
    user: { login, type: "User" },
    state: "APPROVED",
    body,
    commitId: HEAD,
    submittedAt: "2026-11-20T10:00:00Z",
    ...patch,
  };
}

export function snapshot(patch: Partial<PullRequestSnapshot> = {}): PullRequestSnapshot {
  return {
    repo: { owner: "acme", name: "pay" },
    number: 7,
    title: "Add retries",
    body: DISCLOSURE("Assisted", "GitHub Copilot"),
    author: { login: "dev", type: "User" },
    headSha: HEAD,
    headRef: "feature",
    baseRef: "main",
    baseSha: "ba5e000000000000000000000000000000000000",
    draft: false,
    labels: [],
    assignees: [],
    requestedReviewers: { users: [], teams: [] },
    files: [{ path: "src/app.ts", status: "modified" }],
    filesTruncated: false,
    commits: [
      { sha: "1111111111111111111111111111111111111111", message: "Add retries", authorLogin: "dev", authorEmail: "dev@acme.example" },
    ],
    commitsTruncated: false,
    reviews: [],
    codeowners: { path: ".github/CODEOWNERS", text: "* @acme/core\n", sizeBytes: 13 },
    teamMembers: {},
    exceptions: [],
    ...patch,
  };
}
