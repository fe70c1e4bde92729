/**
 * GitHub App JWTs: RS256, `iss` = the app id, `iat` at most 60 s in the future, `exp` at most
 * 10 minutes after `iat` and not in the past. With the app's public key the signature is checked
 * too; without one only the claims are.
 */
import { createPublicKey, verify } from "node:crypto";

const b64url = (s) => Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");

export function verifyAppJwt(token, { appId, publicKey, now = Date.now() }) {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, message: "A JSON web token could not be decoded" };
  let header;
  let claims;
  try {
    header = JSON.parse(b64url(parts[0]).toString("utf8"));
    claims = JSON.parse(b64url(parts[1]).toString("utf8"));
  } catch {
    return { ok: false, message: "A JSON web token could not be decoded" };
  }
  if (header.alg !== "RS256") return { ok: false, message: `'alg' must be RS256, got ${header.alg}` };
  if (publicKey) {
    const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    const good = verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, b64url(parts[2]));
    if (!good) return { ok: false, message: "A JSON web token could not be decoded" };
  }
  if (appId != null && String(claims.iss) !== String(appId)) {
    return { ok: false, message: `Integration not found (the JWT's 'iss' is ${JSON.stringify(claims.iss)}, this app is ${appId})` };
  }
  const t = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= t) {
    return {
      ok: false,
      message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  if (typeof claims.iat !== "number" || claims.iat > t + 60) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
  }
  if (claims.exp - claims.iat > 600 + 60) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { ok: true, claims };
}
