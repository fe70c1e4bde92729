/**
 * Who is on the other end of a request, for per-client limits (the dashboard's sign-in throttle).
 * Behind a reverse proxy every request comes from the proxy, so one client's failures would lock
 * everyone out; but X-Forwarded-For is whatever the client typed unless a proxy we trust wrote it.
 * So the header counts only when the socket peer is a trusted proxy (TRUSTED_PROXIES), and then
 * the client is the right-most address that is not itself a trusted proxy: everything to its left
 * was supplied by the client and may be forged.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export interface TrustedProxies {
  /** The entries as configured (for messages). */
  readonly entries: readonly string[];
  has(address: string): boolean;
}

/**
 * TRUSTED_PROXIES: comma-separated IP addresses and CIDR ranges (IPv4 or IPv6), e.g.
 * `10.0.0.0/8, 127.0.0.1, fd00::/8`. Returns the problems instead when an entry is not one.
 */
export function parseTrustedProxies(text: string): { ok: true; proxies: TrustedProxies } | { ok: false; problems: string[] } {
  const list = new BlockList();
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const problems: string[] = [];
  for (const entry of entries) {
    const [address = "", bits, ...rest] = entry.split("/");
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      problems.push(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)`);
      continue;
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    proxies: {
      entries,
      has: (address) => {
        const family = isIP(address);
        return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
      },
    },
  };
}

/** The client's address: the socket peer, or (only through trusted proxies) the X-Forwarded-For hop before them. */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies | null | undefined): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  if (!trusted?.has(peer)) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = withoutPort(hops[i]!);
    // Not an address: the proxy passed on what the client wrote. Key on the proxy, so rotating
    // made-up values cannot get around the limit.
    if (isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return withoutPort(hops[0] ?? peer);
}

/** `203.0.113.5:41234` and `[2001:db8::1]:443` (some proxies add the port) → the address. */
function withoutPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  return v4 ? v4[1]! : hop;
}
