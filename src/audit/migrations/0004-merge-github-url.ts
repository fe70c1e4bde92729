/**
 * Migration 4: the GitHub web URL each merge was recorded on (`https://ghe.example.com` on GitHub
 * Enterprise Server), so links, in-toto subject names and change events name the right host
 * whatever the reading process is configured with. Merges recorded before it keep NULL: their
 * hashed payloads have no such field, and the hash chain is left as it was.
 */
import type { Migration } from "./migration.js";

export const migration0004: Migration = {
  version: 4,
  name: "merge-github-url",
  sql: {
    sqlite: "ALTER TABLE merges ADD COLUMN github_url TEXT;",
    postgres: 'ALTER TABLE merges ADD COLUMN github_url text COLLATE "C";',
  },
};
