// Partners' webhooks on Node: an https (or, for hosts the operator allowed, http) POST whose
// connection can only go to a public address. The address is checked where the socket gets it
// (the request's own DNS lookup), so a name re-pointed after registration is caught at the
// delivery that would have followed it; redirects are not followed.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkWebhookUrl, ipLiteral, isPublicAddress, PRIVATE } from "../net/public-address.js";
import type { WebhookPoster, WebhookPostResult } from "../updates/partner-feed.js";

export type Resolve = (hostname: string) => Promise<readonly string[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    ),
  );

/** A lookup for http(s).request that only ever hands the socket a public address. */
function publicOnlyLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const usable = addresses.filter(isPublicAddress);
        if (usable.length === 0 || usable.length !== addresses.length) {
          callback(Object.assign(new Error("refused: not a public address"), { code: "EREFUSEDADDRESS" }), "", 4);
          return;
        }
        const family = usable[0]!.includes(":") ? 6 : 4;
        if ((options as { all?: boolean }).all)
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(
            null,
            usable.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
          );
        else callback(null, usable[0]!, family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 4),
    );
  };
}

export function nodeWebhookPoster(options: {
  allowHosts: readonly string[];
  resolve?: Resolve;
  timeoutMs?: number;
}): WebhookPoster {
  const resolve = options.resolve ?? systemResolve;
  return async (target, body, headers): Promise<WebhookPostResult> => {
    const verdict = checkWebhookUrl(target, options.allowHosts);
    if (!verdict.ok) return { kind: "unreachable" };
    const { url, allowedByOperator } = verdict;
    const literal = ipLiteral(url.hostname);
    const client = url.protocol === "https:" ? https : http;
    return new Promise<WebhookPostResult>((done) => {
      const request = client.request(
        url,
        {
          method: "POST",
          headers: { ...headers, "Content-Length": Buffer.byteLength(body) },
          timeout: options.timeoutMs ?? 10_000,
          agent: false,
          // IP literals never reach a lookup: they were checked above. Names are checked as they resolve.
          ...(allowedByOperator || literal !== undefined ? {} : { lookup: publicOnlyLookup(resolve) }),
        },
        (response) => {
          response.resume();
          response.on("end", () => done({ kind: "answered", status: response.statusCode ?? 0 }));
          response.on("error", () => done({ kind: "answered", status: response.statusCode ?? 0 }));
        },
      );
      request.on("timeout", () => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      request.on("error", (error: NodeJS.ErrnoException) =>
        done(error.code === "ETIMEDOUT" ? { kind: "timeout" } : { kind: "unreachable" }),
      );
      request.end(body);
    });
  };
}

/** Checks an address a partner typed: the URL rules, then every address its name has now must be public. */
export function nodeWebhookVet(options: {
  allowHosts: readonly string[];
  resolve?: Resolve;
}): (url: string) => Promise<string | null> {
  const resolve = options.resolve ?? systemResolve;
  return async (raw) => {
    const verdict = checkWebhookUrl(raw, options.allowHosts);
    if (!verdict.ok) return verdict.reason;
    if (verdict.allowedByOperator || ipLiteral(verdict.url.hostname) !== undefined) return null;
    let addresses: readonly string[];
    try {
      addresses = await resolve(verdict.url.hostname);
    } catch {
      return "We could not find that address. Check it, or try again later.";
    }
    return addresses.length > 0 && addresses.every(isPublicAddress) ? null : PRIVATE;
  };
}
