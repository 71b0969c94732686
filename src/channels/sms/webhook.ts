// POST /webhooks/twilio/sms and /webhooks/twilio/status. Every request must carry a valid
// X-Twilio-Signature (HMAC-SHA1 over PUBLIC_URL + path + the sorted form parameters), or it
// gets 403 and nothing is stored. Replies to an inbound SMS go back as TwiML.
import type { Clock } from "../../clock.js";
import type { Context, Hono } from "hono";
import { bodyLimit } from "../../http/body-limit.js";
import MessagingResponse from "twilio/lib/twiml/MessagingResponse.js";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import type { TwilioConfig } from "../../config.js";
import type { ConversationService } from "../../conversation/handle-inbound.js";
import type { Logger } from "../../log.js";
import type { ServiceMetrics } from "../../metrics.js";
import { countWebhookErrors, handleCounted } from "../inbound-metrics.js";
import type { OutboxStore } from "../../store/outbox.js";
import { renderSms } from "./render.js";

export interface SmsChannelDeps {
  readonly config: TwilioConfig;
  readonly publicUrl: string;
  readonly maxSegments: number;
  readonly conversation: ConversationService;
  readonly outbox: OutboxStore;
  readonly log: Logger;
  readonly now: Clock;
  /** Counts inbound outcomes and step time for /metrics. */
  readonly metrics?: ServiceMetrics;
}

const MAX_BODY_BYTES = 64 * 1024;
const JOIN = /^\s*join\s+([a-z0-9_-]{2,32})\s*[.!]?\s*$/i;
/** Twilio error: the recipient has replied STOP to this sender. */
const UNSUBSCRIBED = "21610";

type FormParams = Record<string, string>;

function twiml(messages: readonly string[]): string {
  const response = new MessagingResponse();
  for (const message of messages) response.message(message);
  return response.toString();
}

export function registerSmsWebhooks(app: Hono, deps: SmsChannelDeps): void {
  const { config, conversation, log } = deps;

  /** Reads and authenticates a Twilio form post, or returns the response that refuses it. */
  const readSigned = async (c: Context): Promise<FormParams | Response> => {
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      return c.json(
        { error: "unsupported_media_type", message: "Twilio posts application/x-www-form-urlencoded" },
        415,
      );
    }
    const signature = c.req.header("X-Twilio-Signature");
    if (!signature) return c.json({ error: "forbidden", message: "Missing X-Twilio-Signature" }, 403);
    let params: FormParams;
    try {
      const raw = await c.req.text();
      params = Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return c.json({ error: "bad_request", message: "Body is not a form" }, 400);
    }
    // Twilio signs the URL it called: behind a proxy that is PUBLIC_URL, not what we received.
    const url = new URL(c.req.url);
    const signedUrl = `${deps.publicUrl}${url.pathname}${url.search}`;
    if (!validateRequest(config.authToken, signature, signedUrl, params)) {
      return c.json({ error: "forbidden", message: "Invalid X-Twilio-Signature" }, 403);
    }
    if (params.AccountSid !== undefined && params.AccountSid !== config.accountSid) {
      return c.json({ error: "forbidden", message: "Request is for another Twilio account" }, 403);
    }
    return params;
  };

  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: "payload_too_large", message: "Twilio requests are small" }, 413),
  });

  app.use("/webhooks/twilio/sms", countWebhookErrors(deps.metrics, "sms"));
  app.post("/webhooks/twilio/sms", limit, async (c) => {
    const params = await readSigned(c);
    if (params instanceof Response) return params;
    const sid = params.MessageSid ?? params.SmsSid;
    const from = params.From;
    if (!sid || !/^[A-Z]{2}[0-9a-f]{32}$/i.test(sid) || !from || from.length > 40) {
      return c.json({ error: "bad_request", message: "MessageSid and From are required" }, 400);
    }
    const body = (params.Body ?? "").slice(0, 1600);
    const media = Number(params.NumMedia ?? "0");
    const join = JOIN.exec(body);
    const outcome = await handleCounted(conversation, deps.metrics, {
      channel: "sms",
      address: from,
      messageId: sid,
      quietStop: config.advancedOptOut,
      ...(join
        ? { input: { type: "start" as const }, attribution: join[1]!.toUpperCase() }
        : body.trim() === "" && media > 0
          ? { input: { type: "resume" as const }, notice: "text_only" as const }
          : { input: { type: "text" as const, text: body } }),
    });
    if (outcome.duplicate) log.debug("duplicate SMS ignored", { sid });
    const messages = outcome.duplicate ? [] : renderSms(outcome.replies, outcome.contact.language, deps.maxSegments);
    return c.body(twiml(messages), 200, { "Content-Type": "text/xml; charset=utf-8" });
  });

  app.post("/webhooks/twilio/status", limit, async (c) => {
    const params = await readSigned(c);
    if (params instanceof Response) return params;
    const sid = params.MessageSid ?? params.SmsSid;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (!sid || !status)
      return c.json({ error: "bad_request", message: "MessageSid and MessageStatus are required" }, 400);
    const contactId = await deps.outbox.recordDelivery(sid, status.toLowerCase());
    if (contactId && params.ErrorCode === UNSUBSCRIBED) {
      await deps.outbox.stopContact(contactId, deps.now());
      log.info("contact stopped: carrier reports unsubscribed", { contact: contactId });
    }
    return c.body(null, 204);
  });
}
