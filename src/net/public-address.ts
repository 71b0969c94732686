// Where the server may send a request a person asked for (a partner's webhook): only to public
// internet addresses. Loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the
// cloud metadata service, fe80::/10), unspecified, multicast, broadcast, carrier-grade NAT,
// reserved and documentation ranges, and IPv6 forms that carry an IPv4 address inside
// (mapped, 6to4, Teredo, NAT64) are refused. IP literals in any notation are refused the same
// way: the WHATWG URL parser has already turned decimal, octal and hex IPv4 into dotted form.
import ipaddr from "ipaddr.js";

/** Whether `ip` is an ordinary public unicast address. */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  // process() turns ::ffff:a.b.c.d into the IPv4 address it carries.
  const address = ipaddr.process(ip);
  return address.range() === "unicast";
}

export type UrlVerdict =
  | { readonly ok: true; readonly url: URL; readonly allowedByOperator: boolean }
  | { readonly ok: false; readonly reason: string };

/** The hostname as an IP literal, if it is one ("[::1]" -> "::1"). */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}

/**
 * A webhook address a partner typed, before any lookup: https only, no credentials, no IP
 * literal that is not public. `allowHosts` (WEBHOOK_ALLOW_HOSTS, the operator's) may name hosts
 * for local testing: those may also use http and any address.
 */
export function checkWebhookUrl(raw: string, allowHosts: readonly string[]): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "That is not a web address. It must start with https://" };
  }
  const allowed = allowHosts.includes(url.hostname.toLowerCase());
  if (url.protocol !== "https:" && !(allowed && url.protocol === "http:"))
    return { ok: false, reason: "The address must start with https://" };
  if (url.username || url.password) return { ok: false, reason: "The address must not carry a user name or password." };
  if (allowed) return { ok: true, url, allowedByOperator: true };
  const literal = ipLiteral(url.hostname);
  if (literal !== undefined && !isPublicAddress(literal)) return { ok: false, reason: PRIVATE };
  if (url.hostname === "localhost" || url.hostname.endsWith(".localhost")) return { ok: false, reason: PRIVATE };
  return { ok: true, url, allowedByOperator: false };
}

export const PRIVATE =
  "That address is on a private or local network. Webhooks can only go to a public internet address.";
