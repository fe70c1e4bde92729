/**
 * The pure policy engine as a library: no I/O, no GitHub, no database.
 * `import { evaluate, parseCodeowners, parseDisclosure, loadConfig } from "countersign"`.
 */
export {
  evaluate,
  type Verdict,
  type Gate,
  type GateId,
  type GateStatus,
  type Annotation,
  type ReviewJudgement,
} from "./policy/evaluate.js";
export { parseCodeowners, CODEOWNERS_LOCATIONS, type Codeowners } from "./policy/codeowners.js";
export { parseDisclosure, type DisclosureResult } from "./policy/disclosure.js";
export { loadConfig, DEFAULT_CONFIG, configSchema, type Config, type ConfigError, type LoadConfigResult } from "./policy/config.js";
export { parseUnderstandingNote, type UnderstandingNote } from "./policy/review-note.js";
export { resolveOwnership, type Ownership } from "./policy/ownership.js";
export { render, renderError, CHECK_NAME, type CheckOutput } from "./policy/render.js";
export { DISCLOSURE_TEMPLATE } from "./policy/disclosure-template.js";
export type {
  PullRequestSnapshot,
  CommitInfo,
  ChangedFile,
  ReviewInfo,
  Actor,
  AiLevel,
  DisclosureLevel,
  GrantedException,
} from "./policy/snapshot.js";
