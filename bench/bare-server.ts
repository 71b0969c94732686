// The ceiling the inbound pipeline is measured against: a bare Hono handler on the same Node
// server adapter that stores one row per request with better-sqlite3 (WAL, synchronous NORMAL,
// as PlaceVoice opens its file) and answers 200. No signature check, no session, no engine.
// Run as its own process by bench/inbound.ts: `node bin/run-ts.js bench/bare-server.ts <db file>`.
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";

const file = process.argv[2];
if (!file) throw new Error("usage: bare-server.ts <database file>");
const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, body TEXT NOT NULL)");
const insert = db.prepare("INSERT INTO messages (received_at, body) VALUES (?, ?)");

const app = new Hono();
app.post("*", async (c) => {
  insert.run(new Date().toISOString(), await c.req.text());
  return c.json({ ok: true });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
  console.log(`bare listening url=http://127.0.0.1:${info.port}`),
);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
