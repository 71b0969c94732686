// The body limit on a real Node server: a declared Content-Length is judged before the body is
// read (without building a fetch Request), a chunked body is counted as it streams, and a body
// within the limit reaches the handler whole.
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimit } from "../../src/http/body-limit.js";

let server: ServerType;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  const app = new Hono();
  app.post(
    "/",
    bodyLimit({ maxSize: 1000, onError: (c) => c.json({ error: "payload_too_large" }, 413) }),
    async (c) => {
      received.push(await c.req.text());
      return c.text("ok");
    },
  );
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Posts `chunks`; with `length` a Content-Length is declared, without it the body is sent chunked. */
function post(chunks: string[], length?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: length === undefined ? {} : { "Content-Length": String(length) },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("bodyLimit", () => {
  it("passes a body within the limit to the handler whole", async () => {
    const body = "a".repeat(1000);
    expect(await post([body], 1000)).toEqual({ status: 200, body: "ok" });
    expect(received.at(-1)).toBe(body);
  });

  it("refuses a declared length over the limit without calling the handler", async () => {
    const before = received.length;
    // The client says 1,001 bytes and sends them; the answer comes from the header alone.
    expect((await post(["b".repeat(1001)], 1001)).status).toBe(413);
    expect(received.length).toBe(before);
  });

  it("counts a chunked body as it arrives and refuses it past the limit", async () => {
    const before = received.length;
    expect((await post(["c".repeat(600), "c".repeat(600)])).status).toBe(413);
    expect(received.length).toBe(before);
    expect(await post(["d".repeat(400), "d".repeat(400)])).toEqual({ status: 200, body: "ok" });
    expect(received.at(-1)).toBe("d".repeat(800));
  });
});
