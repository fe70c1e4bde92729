import type { GitHubSimulator } from "../github-simulator/index.mjs";

export declare const CONFIG: string;
export declare const CODEOWNERS: string;
export declare const TEAMS: Record<string, string[]>;
export declare function seedAcme(
  sim: GitHubSimulator,
  fullName?: string,
  opts?: { config?: string | null; codeowners?: string | null; files?: Record<string, string> },
): ReturnType<GitHubSimulator["repo"]>;
export declare function disclosure(level: "none" | "assisted" | "generated" | "agent", tools?: string): string;
export declare function note(verified: string): string;
export declare const COPILOT_AGENT: {
  author: { login: string; type: "Bot" };
  commit: { message: string; author: { login: string; type: "Bot"; name: string; email: string } };
};
