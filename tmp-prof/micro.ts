import { mkdtempSync } from "node:fs";
import os from "node:os"; import path from "node:path";
import { migrationsDir } from "../src/runtime-node/paths.js";
import { migrateSqliteFile } from "../src/store/sqlite-file.js";
import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
const dir = mkdtempSync(path.join(os.tmpdir(), "micro-")); const file = path.join(dir, "x.db");
migrateSqliteFile(file, migrationsDir);
const db = new Database(file); db.pragma("synchronous = NORMAL"); db.pragma("foreign_keys = ON");
console.log(db.pragma("journal_mode", {simple:true}), db.pragma("cache_size",{simple:true}));
const ins = db.prepare(`INSERT INTO "inbound_messages" ("id", "channel", "received_at") VALUES (?, ?, ?)`);
const g = db.prepare(`SELECT CASE WHEN EXISTS (SELECT 1 FROM "sessions" WHERE "contact_id" = ? AND "version" = ?) THEN 1 ELSE 2 END`);
const begin = db.prepare("BEGIN IMMEDIATE"), commit = db.prepare("COMMIT");
let tIns = 0, tG = 0, tC = 0, tB = 0; const N = 5000;
for (let i = 0; i < N; i++) {
  let t = performance.now(); begin.run(); tB += performance.now() - t;
  t = performance.now(); ins.run("id" + i + Math.random(), "telegram", new Date().toISOString()); tIns += performance.now() - t;
  t = performance.now(); g.all("c" + i, 1); tG += performance.now() - t;
  t = performance.now(); commit.run(); tC += performance.now() - t;
}
console.log({ begin: (tB / N * 1000).toFixed(1), ins: (tIns / N * 1000).toFixed(1), guard: (tG / N * 1000).toFixed(1), commit: (tC / N * 1000).toFixed(1) });
