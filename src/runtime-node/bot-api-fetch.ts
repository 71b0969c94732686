// The HTTP client grammY uses for Bot API calls on Node: node:http(s) over keep-alive agents, in
// place of grammY's default node-fetch. Every Telegram reply is such a call, so its cost is paid
// per message. Measured on the same machine against a local server answering as sendMessage
// does (16 calls in flight, each with its own abort signal as grammY makes them): node-fetch,
// with grammY's own keep-alive agent, took 295–324 µs of CPU per call, this 221–230 µs.
// undici's request() was cheaper still but loading it added 11–19 MB to the server's memory,
// where http is loaded already.
//
// grammY reads nothing of the response but its JSON body, and it aborts a call (its timeout)
// through the signal it passes. Telegram answers errors (400, 403, 429) with a JSON body too, so
// any status is handed back as it came; only a network failure rejects, which grammY reports as
// an HttpError and the outbox retries. The Worker keeps grammY's own fetch (the platform's).
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { BotApiFetch } from "../channels/telegram/bot.js";

/** What grammY passes to fetch: a JSON string, or a multipart stream for uploads (sendDocument). */
interface BotApiInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Readable;
  readonly signal?: AbortSignal;
}

/** The part of a fetch Response grammY reads. */
interface BotApiResponse {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}

export function botApiFetch(): BotApiFetch {
  // Connections kept open between calls: twice the sends the outbox loop has in parallel, so
  // webhook replies find one free while a broadcast runs; more calls wait for a connection.
  const agentOptions = { keepAlive: true, maxSockets: 32 };
  const clients: Record<string, { readonly request: typeof http.request; readonly agent: http.Agent }> = {
    "http:": { request: http.request, agent: new http.Agent(agentOptions) },
    "https:": { request: https.request, agent: new https.Agent(agentOptions) },
  };
  const call = (url: string, init: BotApiInit = {}): Promise<BotApiResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const client = clients[target.protocol];
      if (!client) throw new Error(`Bot API root must be http or https: ${target.protocol}`);
      const request = client.request(
        target,
        { method: init.method ?? "GET", headers: init.headers, agent: client.agent, signal: init.signal },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({ ok: status >= 200 && status < 300, status, json: async () => JSON.parse(text) as unknown });
          });
        },
      );
      request.on("error", reject);
      if (init.body instanceof Readable) init.body.pipe(request);
      else request.end(init.body);
    });
  // grammY types its fetch option as node-fetch's whole signature; it calls it as above.
  return call as unknown as BotApiFetch;
}
