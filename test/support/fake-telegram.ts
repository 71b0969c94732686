// A local stand-in for the Telegram Bot API (api.telegram.org is unreachable here, and tests
// must never call the real one). grammY is pointed at it with TELEGRAM_API_ROOT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface BotApiCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Milliseconds since the fake started. */
  readonly at: number;
}

export type BotApiReply =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/**
 * The Bot API's flood limits, as its FAQ states them: about 30 messages a second overall, one a
 * second in a chat (we allow no burst), 20 a minute in a group. Beyond them it answers 429 with
 * `parameters.retry_after` (whole seconds) and sends nothing. A test that lifts the service's
 * pacing lifts these the same way (`limitsFor`), as a platform that granted more would.
 */
export interface TelegramLimits {
  readonly perSecond: number;
  readonly perChatPerSecond: number;
  readonly perGroupPerMinute: number;
}

export const TELEGRAM_LIMITS: TelegramLimits = { perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 };

/** The limits the fake enforces for a service configured with `env` (the real ones unless it raised its own). */
export function telegramLimitsFor(env: Record<string, string | undefined>): TelegramLimits {
  return {
    ...TELEGRAM_LIMITS,
    ...(env.TELEGRAM_MAX_PER_SECOND ? { perSecond: Number(env.TELEGRAM_MAX_PER_SECOND) } : {}),
    ...(env.TELEGRAM_MAX_PER_CHAT_PER_SECOND ? { perChatPerSecond: Number(env.TELEGRAM_MAX_PER_CHAT_PER_SECOND) } : {}),
  };
}

/** Calls that send or change a message: what the flood limits count. */
const COUNTED = /^(send|edit|copy|forward)/;

/** Arrival times in a sliding window; `admit` says whether one more fits, and how long until it would. */
export class ArrivalWindow {
  private readonly times: number[] = [];
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Milliseconds until one more arrival fits (0: it fits now). */
  wait(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    return this.times.length >= this.limit ? this.times[this.times.length - this.limit]! + this.windowMs - now : 0;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

/** A limit of `perSecond` as a window: whole calls per second, or one call per 1/perSecond seconds. */
export function windowFor(perSecond: number): ArrivalWindow {
  return perSecond >= 1 ? new ArrivalWindow(Math.floor(perSecond), 1000) : new ArrivalWindow(1, 1000 / perSecond);
}

export class FakeTelegram {
  readonly calls: BotApiCall[] = [];
  /** Calls refused with 429 for going over a flood limit (they are in `calls` too, and were not sent). */
  readonly refused: BotApiCall[] = [];
  /** Chats that have blocked the bot: sendMessage answers 403. */
  readonly blocked = new Set<number>();
  /** Return a reply to override the default for a call (fault injection). */
  intercept: ((call: BotApiCall) => BotApiReply | undefined) | undefined;
  /** Answer each call this much later (after recording it): messages on the wire when a test kills the sender. */
  delayMs = 0;
  /** Calls received and not yet answered (during `delayMs`). */
  inFlight = 0;
  /** While held, calls that arrive are neither recorded nor answered: a network gone quiet. */
  private holding = false;
  private readonly held: ServerResponse[] = [];
  /**
   * What getWebhookInfo answers, in Telegram's WebhookInfo shape: setWebhook sets the url,
   * deleteWebhook clears it; a test sets last_error_date (Unix time) and last_error_message as
   * Telegram reports a delivery to the webhook that failed.
   */
  webhookInfo: {
    url: string;
    has_custom_certificate: boolean;
    pending_update_count: number;
    last_error_date?: number;
    last_error_message?: string;
    max_connections?: number;
    allowed_updates?: string[];
  } = { url: "", has_custom_certificate: false, pending_update_count: 0 };
  private server: Server | undefined;
  private limitsInForce: TelegramLimits = TELEGRAM_LIMITS;
  private overall = windowFor(TELEGRAM_LIMITS.perSecond);
  private readonly perChat = new Map<number, ArrivalWindow>();
  private nextMessageId = 1000;
  private started = 0;

  constructor(readonly token: string) {}

  async start(): Promise<string> {
    this.started = performance.now();
    this.server = createServer((req, res) => {
      void this.handle(req).then(async (reply) => {
        if (reply === undefined) {
          this.held.push(res);
          return;
        }
        this.inFlight++;
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        this.inFlight--;
        res.writeHead(reply.ok ? 200 : reply.error_code, { "Content-Type": "application/json" });
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /**
   * From now on, calls are left hanging unrecorded, as if they never reached Telegram: a test
   * freezes what has reached the platform at the moment it decides to kill the sender.
   */
  hold(): void {
    this.holding = true;
  }

  /** Take calls again; the ones held are dropped (their sender has gone). */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  get limits(): TelegramLimits {
    return this.limitsInForce;
  }

  /** Enforce these limits from now on. */
  set limits(limits: TelegramLimits) {
    this.limitsInForce = limits;
    this.overall = windowFor(limits.perSecond);
    this.perChat.clear();
  }

  reset(): void {
    this.calls.length = 0;
    this.refused.length = 0;
    this.intercept = undefined;
    this.blocked.clear();
  }

  /** The fake's clock: milliseconds since it started, as in BotApiCall.at. */
  now(): number {
    return performance.now() - this.started;
  }

  callsOf(method: string): BotApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Texts sent to one chat, in order. */
  textsTo(chatId: number): string[] {
    return this.callsOf("sendMessage")
      .filter((c) => Number(c.params.chat_id) === chatId)
      .map((c) => String(c.params.text));
  }

  /** Button labels of the last message sent to a chat. */
  lastKeyboard(chatId: number): string[][] {
    const last = this.callsOf("sendMessage")
      .filter((c) => Number(c.params.chat_id) === chatId)
      .at(-1);
    const markup = last?.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
    return (markup?.inline_keyboard ?? []).map((row) => row.map((b) => b.text));
  }

  private async handle(req: IncomingMessage): Promise<BotApiReply | undefined> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (!match || match[1] !== this.token) return { ok: false, error_code: 404, description: "Not Found" };
    let params: Record<string, unknown> = {};
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("multipart/form-data")) {
      // File uploads (sendDocument): keep text fields, and files as their text content.
      params = parseMultipart(raw, /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? "");
    } else if (raw.length > 0) params = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    if (this.holding) return undefined;
    const call: BotApiCall = { method: match[2]!, params, at: performance.now() - this.started };
    this.calls.push(call);
    const override = this.intercept?.(call);
    if (override) return override;
    const chatId = Number(params.chat_id);
    if (COUNTED.test(call.method)) {
      const wait = this.overFlood(call.method, chatId, call.at);
      if (wait > 0) {
        this.refused.push(call);
        const retryAfter = Math.max(1, Math.ceil(wait / 1000));
        return {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        };
      }
    }
    switch (call.method) {
      case "sendMessage":
        if (this.blocked.has(chatId))
          return { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" };
        return {
          ok: true,
          result: {
            message_id: this.nextMessageId++,
            date: 1767607200,
            chat: { id: chatId, type: "private" },
            text: params.text,
          },
        };
      case "setWebhook":
        this.webhookInfo = {
          ...this.webhookInfo,
          url: String(params.url ?? ""),
          ...(typeof params.max_connections === "number" ? { max_connections: params.max_connections } : {}),
          ...(Array.isArray(params.allowed_updates) ? { allowed_updates: params.allowed_updates as string[] } : {}),
        };
        return { ok: true, result: true };
      case "deleteWebhook":
        this.webhookInfo = { url: "", has_custom_certificate: false, pending_update_count: 0 };
        return { ok: true, result: true };
      case "getWebhookInfo":
        return { ok: true, result: this.webhookInfo };
      default:
        return { ok: true, result: true };
    }
  }

  /** Milliseconds until this call would fit the flood limits, or 0 (then it is counted). */
  private overFlood(method: string, chatId: number, at: number): number {
    // Edits count against the bot's overall rate; in a chat, new messages do.
    let chat: ArrivalWindow | undefined;
    if (Number.isFinite(chatId) && !method.startsWith("edit")) {
      chat = this.perChat.get(chatId);
      if (!chat) {
        chat =
          chatId < 0
            ? new ArrivalWindow(this.limitsInForce.perGroupPerMinute, 60_000)
            : windowFor(this.limitsInForce.perChatPerSecond);
        this.perChat.set(chatId, chat);
      }
    }
    const wait = Math.max(this.overall.wait(at), chat?.wait(at) ?? 0);
    if (wait > 0) return wait;
    this.overall.record(at);
    chat?.record(at);
    return 0;
  }
}

let updateId = 500_000;

export function privateChat(id: number, name = "Sam") {
  return { id, first_name: name, type: "private" as const };
}

function user(id: number, language = "en") {
  return { id, is_bot: false, first_name: "Sam", language_code: language };
}

/** A text message update as Telegram sends it (commands carry a bot_command entity). */
export function textUpdate(
  chatId: number,
  text: string,
  options: { updateId?: number; language?: string; chatType?: "private" | "group" | "supergroup" } = {},
) {
  const entities = text.startsWith("/")
    ? [{ offset: 0, length: text.split(" ")[0]!.length, type: "bot_command" }]
    : undefined;
  const chat =
    options.chatType && options.chatType !== "private"
      ? { id: chatId, title: "Burslem Residents", type: options.chatType }
      : privateChat(chatId);
  return {
    update_id: options.updateId ?? updateId++,
    message: {
      message_id: Math.floor(Math.random() * 1e6),
      from: user(options.chatType && options.chatType !== "private" ? 4242 : chatId, options.language),
      chat,
      date: 1767607200,
      text,
      ...(entities ? { entities } : {}),
    },
  };
}

export function stickerUpdate(chatId: number) {
  return {
    update_id: updateId++,
    message: {
      message_id: Math.floor(Math.random() * 1e6),
      from: user(chatId),
      chat: privateChat(chatId),
      date: 1767607200,
      sticker: {
        file_id: "CAACAgIAAxkBAAEB",
        file_unique_id: "AgADAQAD",
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    },
  };
}

/** A button press: callback_data from the keyboard of message `messageId`. */
export function callbackUpdate(chatId: number, messageId: number, data: string, options: { updateId?: number } = {}) {
  return {
    update_id: options.updateId ?? updateId++,
    callback_query: {
      id: String(Math.floor(Math.random() * 1e12)),
      from: user(chatId),
      message: {
        message_id: messageId,
        from: { id: 1, is_bot: true, first_name: "PlaceVoice", username: "placevoice_test_bot" },
        chat: privateChat(chatId),
        date: 1767607200,
        text: "…",
      },
      chat_instance: "-123456789",
      data,
    },
  };
}

export function blockedUpdate(chatId: number) {
  return {
    update_id: updateId++,
    my_chat_member: {
      chat: privateChat(chatId),
      from: user(chatId),
      date: 1767607200,
      old_chat_member: { user: { id: 1, is_bot: true, first_name: "PlaceVoice" }, status: "member" },
      new_chat_member: { user: { id: 1, is_bot: true, first_name: "PlaceVoice" }, status: "kicked", until_date: 0 },
    },
  };
}

/** Just enough multipart/form-data for sendDocument: text fields, and files as their text. */
function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const part of body.toString("utf8").split(`--${boundary}`)) {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const head = part.slice(0, split);
    const content = part.slice(split + 4).replace(/\r\n$/, "");
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    fields[name] = filename !== undefined ? { filename, content } : content;
  }
  // grammY sends a file as an attach:// reference in the field and the file as its own part.
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const file = fields[value.slice("attach://".length)];
      fields[key] = typeof file === "string" ? { content: file } : file;
    }
  }
  return fields;
}
