// A local stand-in for Twilio's REST API (Messages resource only), with idempotency tokens
// honoured the way a careful provider would: the same token never sends twice.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";
import { windowFor, type ArrivalWindow } from "./fake-telegram.js";

export interface SentSms {
  readonly sid: string;
  readonly to: string;
  readonly from: string | undefined;
  readonly messagingServiceSid: string | undefined;
  readonly body: string;
  readonly statusCallback: string | undefined;
  readonly idempotencyToken: string | undefined;
  readonly at: number;
}

/**
 * Messages a second the fake's account may create: one, a long code's rate, unless the service
 * was configured for more (TWILIO_MAX_PER_SECOND), as an account that bought more would be.
 */
export function twilioRateFor(env: Record<string, string | undefined>): number {
  return env.TWILIO_MAX_PER_SECOND ? Number(env.TWILIO_MAX_PER_SECOND) : 1;
}

export class FakeTwilio {
  readonly sent: SentSms[] = [];
  /** Requests refused with 429 / error 20429 for going over the account's rate (nothing was sent). */
  readonly refused: { token: string | undefined; at: number }[] = [];
  readonly requests: { token: string | undefined; at: number }[] = [];
  intercept:
    | ((form: URLSearchParams) => { status: number; body: unknown; headers?: Record<string, string> } | undefined)
    | undefined;
  /** Answer each request this much later (after recording it): messages on the wire when a test kills the sender. */
  delayMs = 0;
  /** Calls received and not yet answered (during `delayMs`). */
  inFlight = 0;
  private server: Server | undefined;
  private rate = 1;
  private window: ArrivalWindow = windowFor(1);
  private readonly byToken = new Map<string, string>();
  private started = 0;
  private counter = 0;

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  async start(): Promise<string> {
    this.started = performance.now();
    this.server = createServer((req, res) => {
      void this.handle(req).then(async ({ status, body, headers }) => {
        this.inFlight++;
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        this.inFlight--;
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  get perSecond(): number {
    return this.rate;
  }

  /** Enforce this rate (Messages created a second) from now on. */
  set perSecond(rate: number) {
    this.rate = rate;
    this.window = windowFor(rate);
  }

  reset(): void {
    this.sent.length = 0;
    this.refused.length = 0;
    this.requests.length = 0;
    this.intercept = undefined;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const expectedAuth = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString("base64")}`;
    if (req.headers.authorization !== expectedAuth)
      return { status: 401, body: { code: 20003, message: "Authenticate" } };
    if (req.method !== "POST" || req.url !== `/2010-04-01/Accounts/${this.accountSid}/Messages.json`)
      return { status: 404, body: { code: 20404, message: "Not found" } };
    const form = new URLSearchParams(raw);
    const token = req.headers["i-twilio-idempotency-token"] as string | undefined;
    const at = performance.now() - this.started;
    this.requests.push({ token, at });
    const override = this.intercept?.(form);
    if (override) return override;
    if (token && this.byToken.has(token))
      return { status: 201, body: { sid: this.byToken.get(token), status: "queued" } };
    if (this.window.wait(at) > 0) {
      // Twilio's shape for it (https://www.twilio.com/docs/errors/20429): never processed, safe to retry.
      this.refused.push({ token, at });
      return {
        status: 429,
        body: {
          code: 20429,
          message: "Too Many Requests",
          more_info: "https://www.twilio.com/docs/errors/20429",
          status: 429,
        },
      };
    }
    this.window.record(at);
    const sid = `SM${(++this.counter).toString(16).padStart(32, "0")}`;
    if (token) this.byToken.set(token, sid);
    this.sent.push({
      sid,
      to: form.get("To") ?? "",
      from: form.get("From") ?? undefined,
      messagingServiceSid: form.get("MessagingServiceSid") ?? undefined,
      body: form.get("Body") ?? "",
      statusCallback: form.get("StatusCallback") ?? undefined,
      idempotencyToken: token,
      at: performance.now() - this.started,
    });
    return { status: 201, body: { sid, status: "queued", to: form.get("To"), body: form.get("Body") } };
  }
}

let smsCounter = 0;

/** An inbound SMS webhook exactly as Twilio posts it, signed with twilio's own function. */
export function inboundSms(options: {
  url: string;
  authToken: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  messageSid?: string;
  numMedia?: number;
}) {
  const sid = options.messageSid ?? `SM${(++smsCounter).toString(16).padStart(8, "0")}${"a".repeat(24)}`;
  const params: Record<string, string> = {
    ToCountry: "GB",
    ToState: "",
    SmsMessageSid: sid,
    NumMedia: String(options.numMedia ?? 0),
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: options.body,
    FromCountry: "GB",
    To: options.to,
    ToZip: "",
    NumSegments: "1",
    MessageSid: sid,
    AccountSid: options.accountSid,
    From: options.from,
    ApiVersion: "2010-04-01",
  };
  return signedForm(options.url, options.authToken, params);
}

export function statusCallback(options: {
  url: string;
  authToken: string;
  accountSid: string;
  messageSid: string;
  status: string;
  errorCode?: string;
}) {
  const params: Record<string, string> = {
    SmsSid: options.messageSid,
    SmsStatus: options.status,
    MessageStatus: options.status,
    To: "+447700900123",
    MessageSid: options.messageSid,
    AccountSid: options.accountSid,
    From: "+447700900000",
    ApiVersion: "2010-04-01",
    ...(options.errorCode ? { ErrorCode: options.errorCode } : {}),
  };
  return signedForm(options.url, options.authToken, params);
}

function signedForm(url: string, authToken: string, params: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
      "X-Twilio-Signature": getExpectedTwilioSignature(authToken, url, params),
      "User-Agent": "TwilioProxy/1.1",
    },
    body: new URLSearchParams(params).toString(),
  };
}

/** The messages of a TwiML answer, as the resident reads them. */
export function twimlMessages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1]!
      .replace(/&apos;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">"),
  );
}
