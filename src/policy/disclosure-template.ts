/**
 * The PR-template section `countersign init` writes and the disclosure check shows as its fix.
 * Untouched it parses as undisclosed: no box is checked
 * and the guidance lives in an HTML comment, which never counts as an answer.
 */
export const DISCLOSURE_TEMPLATE = `## AI assistance disclosure
<!-- Check exactly ONE box and list the tools. Single-word autocomplete does not count. -->
- [ ] **None**: no AI tools were used
- [ ] **Assisted**: I wrote this; AI helped (suggestions, explanations, review, small snippets)
- [ ] **Generated**: most of the change came from an AI tool I prompted, then read and tested
- [ ] **Agent**: an autonomous coding agent produced this PR; I am the accountable human

AI-Tools: <!-- e.g. Claude Code (claude-sonnet-4-5), GitHub Copilot, Cursor -->
`;

/** The one-line alternative to the section (case-insensitive; also `yes`/`no`). */
export const DISCLOSURE_LINE_EXAMPLE = `AI-Assisted: assisted
AI-Tools: Claude Code (claude-sonnet-4-5), GitHub Copilot
`;
