// A local stand-in for the Telegram Bot API (api.telegram.org is unreachable here, and tests
// must never call the real one). grammY is pointed at it with TELEGRAM_API_ROOT.
import { createServer, type IncomingMessage, type Server } from "node:http";
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

export class FakeTelegram {
  readonly calls: BotApiCall[] = [];
  /** Chats that have blocked the bot: sendMessage answers 403. */
  readonly blocked = new Set<number>();
  /** Return a reply to override the default for a call (fault injection). */
  intercept: ((call: BotApiCall) => BotApiReply | undefined) | undefined;
  /** Answer each call this much later (after recording it): messages on the wire when a test kills the sender. */
  delayMs = 0;
  /** Calls received and not yet answered (during `delayMs`). */
  inFlight = 0;
  private server: Server | undefined;
  private nextMessageId = 1000;
  private started = 0;

  constructor(readonly token: string) {}

  async start(): Promise<string> {
    this.started = performance.now();
    this.server = createServer((req, res) => {
      void this.handle(req).then(async (reply) => {
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

  reset(): void {
    this.calls.length = 0;
    this.intercept = undefined;
    this.blocked.clear();
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

  private async handle(req: IncomingMessage): Promise<BotApiReply> {
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
    const call: BotApiCall = { method: match[2]!, params, at: performance.now() - this.started };
    this.calls.push(call);
    const override = this.intercept?.(call);
    if (override) return override;
    const chatId = Number(params.chat_id);
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
      default:
        return { ok: true, result: true };
    }
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
