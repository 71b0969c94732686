// Sends SMS through Twilio's REST API with fetch (Twilio's own client uses axios, which does
// not run on Workers). The outbox's idempotency key travels as I-Twilio-Idempotency-Token.
import type { TwilioConfig } from "../../config.js";
import type { ChannelSender, SendResult } from "../outbox-dispatcher.js";

export interface SmsPayload {
  readonly body: string;
}

/** Twilio errors after which sending again cannot help, and which mean "stop this contact". */
const STOPPED_CODES = new Set([21610]);
const PERMANENT_CODES = new Set([21211, 21214, 21408, 21612, 21614, 30006]);

export function smsSender(
  config: TwilioConfig,
  publicUrl: string | undefined,
  fetchImpl: typeof fetch = fetch,
): ChannelSender {
  const endpoint = `${config.apiBase}/2010-04-01/Accounts/${config.accountSid}/Messages.json`;
  const auth = `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`;
  return {
    channel: "sms",
    limits: { perSecond: config.maxPerSecond },
    async send(payload, to, idempotencyKey): Promise<SendResult> {
      const form = new URLSearchParams({ To: to, Body: (payload as SmsPayload).body });
      if (config.from.startsWith("MG")) form.set("MessagingServiceSid", config.from);
      else form.set("From", config.from);
      if (publicUrl) form.set("StatusCallback", `${publicUrl}/webhooks/twilio/status`);
      let response: Response;
      try {
        response = await fetchImpl(endpoint, {
          method: "POST",
          headers: {
            Authorization: auth,
            "Content-Type": "application/x-www-form-urlencoded",
            "I-Twilio-Idempotency-Token": idempotencyKey,
          },
          body: form,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        return { ok: false, error: `network: ${(error as Error).message}` };
      }
      const data = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string };
      if (response.ok && data.sid) return { ok: true, providerId: data.sid };
      const description = `${response.status} ${data.code ?? ""} ${data.message ?? ""}`.trim();
      if (data.code !== undefined && STOPPED_CODES.has(data.code))
        return { ok: false, error: description, stopContact: true };
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get("Retry-After") ?? "1");
        return { ok: false, error: description, retryAfterMs: (Number.isFinite(retryAfter) ? retryAfter : 1) * 1000 };
      }
      if (
        (data.code !== undefined && PERMANENT_CODES.has(data.code)) ||
        (response.status >= 400 && response.status < 500 && response.status !== 408)
      ) {
        return { ok: false, error: description, permanent: true };
      }
      return { ok: false, error: description };
    },
  };
}
