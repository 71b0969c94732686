// A local stand-in for a chat model's OpenAI-compatible HTTP API (POST /v1/chat/completions):
// no provider is reachable here, and tests must never call a real one. It records what it was
// sent and answers as a test scripts it: a call of the tool it was asked for with the given
// arguments, an HTTP error, or no answer at all (a model too slow to wait for).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly tools?: readonly { readonly function: { readonly name: string; readonly parameters: unknown } }[];
  readonly tool_choice?: unknown;
  readonly authorization: string | undefined;
}

export type ChatAnswer = { readonly toolArguments: unknown } | { readonly status: number } | "hang";

export class FakeLlm {
  readonly requests: ChatRequest[] = [];
  /** What to answer a request (by default: 503, as a provider outage). */
  answer: (request: ChatRequest) => ChatAnswer = () => ({ status: 503 });
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  /** Starts listening; returns the base URL (LLM_BASE_URL), ending in /v1. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") return void res.writeHead(404).end();
        const request = { ...(JSON.parse(body) as ChatRequest), authorization: req.headers.authorization };
        this.requests.push(request);
        const answer = this.answer(request);
        if (answer === "hang") return void this.hanging.add(res);
        if ("status" in answer)
          return void res
            .writeHead(answer.status, { "Content-Type": "application/json" })
            .end(JSON.stringify({ error: { message: "unavailable" } }));
        const name = request.tools?.[0]?.function.name ?? "";
        res.writeHead(200, { "Content-Type": "application/json" }).end(
          JSON.stringify({
            id: `chatcmpl-${this.requests.length}`,
            object: "chat.completion",
            model: request.model,
            choices: [
              {
                index: 0,
                finish_reason: "tool_calls",
                message: {
                  role: "assistant",
                  content: null,
                  tool_calls: [
                    {
                      id: `call_${this.requests.length}`,
                      type: "function",
                      function: { name, arguments: JSON.stringify(answer.toolArguments) },
                    },
                  ],
                },
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The text of the resident's message in each request, in order. */
  userTexts(): string[] {
    return this.requests.map((r) => r.messages.find((m) => m.role === "user")?.content ?? "");
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
