import { SqliteConnection } from "../src/store/sqlite-direct.js";
import { startHarness } from "../test/support/channel-harness.js";
import { textUpdate } from "../test/support/fake-telegram.js";
import { CONVERSATION } from "../bench/inbound.js";
import { performance } from "node:perf_hooks";

const times = new Map<string, [number, number]>();
const proto = SqliteConnection.prototype as any;
const add = (k: string, t: number) => { const v = times.get(k) ?? [0, 0]; v[0] += t; v[1]++; times.set(k, v); };
for (const m of ["get", "all", "run"]) {
  const orig = proto[m];
  proto[m] = function (sql: string, ...p: unknown[]) { const t = performance.now(); try { return orig.call(this, sql, ...p); } finally { add(m + " " + sql.slice(0, 110), performance.now() - t); } };
}
const origRunAll = proto.runAll;
proto.runAll = function (statements: { sql: string; params: unknown[] }[]) {
  return statements.map((s) => { const t = performance.now(); try { return origRunAll.call(this, [s])[0]; } finally { add("batch " + s.sql.slice(0, 110), performance.now() - t); } });
};
const origCommit = proto.commitBatch;
let lastDv = -1, foreign = 0;
proto.commitBatch = function (b: unknown[]) { const dv = this.db.pragma("data_version", { simple: true }); if (lastDv !== -1 && dv !== lastDv) foreign++;  const t = performance.now(); try { return origCommit.call(this, b); } finally { lastDv = this.db.pragma("data_version", { simple: true }); add("commitBatch total (n=" + "x" + ")", performance.now() - t); } };

const h = await startHarness({ TELEGRAM_MAX_PER_SECOND: "100000", TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1000" });
let u = 1;
const N = Number(process.env.N ?? 200);
const t0 = performance.now();
for (let r = 0; r < N; r++) {
  for (const [i, text] of CONVERSATION.entries()) {
    await h.telegramUpdate(textUpdate(700000000 + r, i === 0 ? "/start" : text, { updateId: u++, language: "en" }));
  }
}
const total = performance.now() - t0;
console.log("foreign writes seen", foreign); console.log("updates", u - 1, "ms/update", (total / (u - 1)).toFixed(3));
const rows = [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, 40);
for (const [k, [t, n]] of rows) console.log(((t / (u - 1)) * 1000).toFixed(1).padStart(7), "us/update", String(n).padStart(6), k);
await h.close();
