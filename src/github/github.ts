/** The installation-authenticated Octokit Probot hands each event (REST + GraphQL + paginate). */
import type { Context } from "probot";

export type GitHub = Context["octokit"];
