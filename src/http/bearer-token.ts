/** `Authorization: Bearer <token>` checks shared by the audit API and /metrics. */
import { createHash, timingSafeEqual } from "node:crypto";

export function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Constant time: both sides are hashed to 32 bytes first, so neither length nor content leaks. */
export function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!), expected);
}
