// Partners' webhooks on Workers: the platform's fetch, which cannot reach the machine's own or
// private networks, after the same URL rules as Node (https, no private IP literal); redirects
// are not followed. Workers cannot resolve a name themselves, so registration checks the URL only.
import { checkWebhookUrl } from "../net/public-address.js";
import type { WebhookPoster } from "../updates/partner-feed.js";

export function workerWebhookPoster(allowHosts: readonly string[]): WebhookPoster {
  return async (target, body, headers) => {
    const verdict = checkWebhookUrl(target, allowHosts);
    if (!verdict.ok) return { kind: "unreachable" };
    try {
      const response = await fetch(verdict.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      return { kind: "answered", status: response.status };
    } catch (error) {
      return (error as Error).name === "TimeoutError" ? { kind: "timeout" } : { kind: "unreachable" };
    }
  };
}

export function workerWebhookVet(allowHosts: readonly string[]): (url: string) => Promise<string | null> {
  return async (raw) => {
    const verdict = checkWebhookUrl(raw, allowHosts);
    return verdict.ok ? null : verdict.reason;
  };
}
