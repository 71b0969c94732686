// `npm run bench`: prints each benchmark with the machine it ran on. Figures go in docs/benchmarks.md.
//
// Environment (all optional):
//   BENCH_INSIGHTS=10000,100000,1000000  stored answers to measure insight queries and the inbound
//                                        pipeline over (the 1M seed takes minutes: leave it out to shorten)
//   BENCH_SECONDS=5                      measured seconds per inbound load run (after BENCH_WARMUP=3)
//   BENCH_ROUNDS=3                       rounds of bare, SMS and Telegram runs; figures are their medians
//   BENCH_OUTBOUND=10000                 broadcast recipients per channel (0 skips the outbound benchmark)
//   BENCH_OUTBOUND_RATE=200              the pacing limit configured for the broadcast, per second
//   BENCH_REPLIES=5000                   Telegram broadcast recipients while 200 residents write, under
//                                        Telegram's real limits (0 skips it)
//   BENCH_LIMITS=60                      residents writing at once, a message a second each, to PlaceVoice
//                                        and to the plain grammY peer under Telegram's real limits (0 skips it)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrationsDir } from "../src/runtime-node/paths.js";
import { migrateSqliteFile } from "../src/store/sqlite-file.js";
import { benchEngine } from "./engine.js";
import { benchInbound, seedHistory, type LoadFigures } from "./inbound.js";
import { benchInsightQueries, seedAnswers } from "./insights.js";
import { benchMatching } from "./matching.js";
import { benchOutbound } from "./outbound.js";
import { benchUnderLimits, type LimitsSide } from "./limits.js";
import { benchReplies } from "./replies.js";

const n = (x: number, digits = 0) =>
  x.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const met = (ok: boolean) => (ok ? "met" : "NOT MET");
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const cpu = os.cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}; load average at start ${load()}`,
);
const settings = [
  "BENCH_INSIGHTS",
  "BENCH_SECONDS",
  "BENCH_WARMUP",
  "BENCH_ROUNDS",
  "BENCH_OUTBOUND",
  "BENCH_OUTBOUND_RATE",
  "BENCH_REPLIES",
  "BENCH_LIMITS",
]
  .filter((k) => process.env[k])
  .map((k) => `${k}=${process.env[k]} `)
  .join("");
console.log(`command: ${settings}npm run bench`);

const engine = benchEngine();
const goal = 50_000;
console.log(
  `engine: ${n(engine.stepsPerSecond)} steps/s (${n(engine.steps)} steps of the priorities flow in ${engine.seconds.toFixed(2)} s, one core) — goal ≥ ${n(goal)}: ${met(engine.stepsPerSecond >= goal)}`,
);

const matching = await benchMatching();
console.log(
  `signpost matching: ${n(matching.services)} services, median ${matching.medianMs.toFixed(2)} ms, p99 ${matching.p99Ms.toFixed(2)} ms per request (index built in ${matching.buildMs.toFixed(0)} ms) — goal < 20 ms: ${met(matching.p99Ms < 20)}`,
);

// Insight queries and the inbound pipeline, over the same database at 10k, 100k and 1M stored answers.
const sizes = (process.env.BENCH_INSIGHTS ?? "10000,100000,1000000").split(",").map(Number);
const inbound = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  connections: 50,
};
const line = (label: string, f: LoadFigures, ratio?: number) =>
  `  ${label.padEnd(40)} ${n(f.perSecond).padStart(6)}/s${ratio !== undefined ? ` (${ratio.toFixed(3)} of bare)` : "               "}, p50 ${n(f.p50Ms)} ms, p99 ${n(f.p99Ms)} ms, ${n(f.requests)} requests, ${f.failures} failed${f.missingReplies ? `, ${f.missingReplies} without reply` : ""}${f.cpuMsPerRequest !== undefined ? `, server CPU ${f.cpuMsPerRequest.toFixed(2)} ms/request` : ""}`;
for (const size of sizes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "placevoice-bench-"));
  try {
    const file = path.join(dir, "placevoice.db");
    migrateSqliteFile(file, migrationsDir);
    const seeded = performance.now();
    seedAnswers(file, size);
    seedHistory(file, size);
    const seedSeconds = (performance.now() - seeded) / 1000;

    const rows = await benchInsightQueries(file);
    const worst = Math.max(...rows.map((r) => r.medianMs));
    console.log(
      `insights over ${n(size)} stored answers (${n(size * 2)}-odd theme facts, seeded in ${seedSeconds.toFixed(0)} s): slowest query ${worst.toFixed(1)} ms warm — goal < 100 ms: ${met(worst < 100)}`,
    );
    for (const r of rows) console.log(`  ${r.query.padEnd(48)} ${r.medianMs.toFixed(1)} ms`);

    const f = await benchInbound(file, path.join(dir, "bare.db"), inbound);
    const ratio = Math.min(f.smsRatio, f.telegramRatio);
    const p99 = Math.max(f.sms.p99Ms, f.telegram.p99Ms);
    console.log(
      `inbound pipeline with ${n(size)} answers stored (${inbound.connections} connections, loopback; ${inbound.rounds} rounds of bare, SMS and Telegram runs of ${inbound.seconds} s each after ${inbound.warmupSeconds} s warm-up; medians; load average ${load()}):`,
    );
    console.log(line("bare Hono + better-sqlite3, 1 row/request", f.bare));
    console.log(line("SMS webhooks, whole path (TwiML reply)", f.sms, f.smsRatio));
    console.log(
      line("Telegram webhooks, whole path", f.telegram, f.telegramRatio) + `, ${n(f.telegramSends)} Bot API calls`,
    );
    console.log(
      line("plain grammY + conversations + SQLite", f.peer) +
        ` — PlaceVoice Telegram ${f.telegramToPeer.toFixed(2)}× the peer (goal ≥ 1.5×: ${met(f.telegramToPeer >= 1.5)})`,
    );
    console.log(`  server RSS ${n(f.startRssMb)} MB after start, peak ${n(f.peakRssMb)} MB`);
    console.log(
      `  goals: ≥ 0.25 of bare: ${met(ratio >= 0.25)} (${ratio.toFixed(3)}); p99 < 50 ms: ${met(p99 < 50)} (${n(p99)} ms); RSS < 200 MB: ${met(f.peakRssMb < 200)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A broadcast, sent by the server's outbox worker under the configured pacing limit.
const recipients = Number(process.env.BENCH_OUTBOUND ?? 10_000);
const rate = Number(process.env.BENCH_OUTBOUND_RATE ?? 200);
if (recipients > 0) {
  for (const channel of ["telegram", "sms"] as const) {
    const o = await benchOutbound(channel, recipients, rate);
    const share = o.achievedPerSecond / o.limitPerSecond;
    console.log(
      `outbound broadcast to ${n(o.recipients)} ${channel === "telegram" ? "Telegram chats" : "phones"} at ${channel === "telegram" ? "TELEGRAM" : "TWILIO"}_MAX_PER_SECOND=${o.limitPerSecond}: ` +
        `queued by \`placevoice broadcast\` in ${o.queueSeconds.toFixed(1)} s; sent ${n(o.sent)} to ${n(o.recipientsReached)} recipients (${o.duplicates} twice) at ${o.achievedPerSecond.toFixed(1)}/s = ${(share * 100).toFixed(1)}% of the limit; ` +
        `busiest second at the API ${o.worstWindow}, ${o.violations} over the limit, ${o.refused} refused (429) — goal ≥ 95%, 0 over: ${met(share >= 0.95 && o.violations === 0 && o.duplicates === 0)}`,
    );
  }
}
// Residents' replies while a broadcast is under way, under Telegram's real limits (30/s, 1/s a chat).
const replyRecipients = Number(process.env.BENCH_REPLIES ?? 5_000);
if (replyRecipients > 0) {
  const r = await benchReplies(replyRecipients, 200);
  console.log(
    `replies during a broadcast to ${n(r.recipients)} Telegram chats at 30/s, 1/s a chat (the Bot API's limits, enforced by the fake): ` +
      `${r.residents} residents wrote over 10 s once ${r.broadcastSentBefore} broadcast messages had gone; webhook to first reply at the API p50 ${n(r.p50Ms)} ms, p95 ${n(r.p95Ms)} ms, max ${n(r.maxMs)} ms; ` +
      `${r.acknowledged} acknowledged, ${r.lost} lost; ${r.broadcastSentDuring} broadcast messages sent meanwhile; ${r.overLimit} calls over the limit, ${r.refused} refused (429), ${r.dead} dead letters; ` +
      `everything sent in ${r.drainSeconds.toFixed(1)} s — goal p95 < 2 s, 0 lost, 0 over: ${met(r.p95Ms < 2000 && r.lost === 0 && r.overLimit === 0 && r.refused === 0)}`,
  );
}
// Telegram inbound under the Bot API's limits: PlaceVoice and the plain grammY peer, the same residents.
const limitResidents = Number(process.env.BENCH_LIMITS ?? 60);
if (limitResidents > 0) {
  const l = await benchUnderLimits(limitResidents, 20);
  const side = (label: string, x: LimitsSide) =>
    `  ${label.padEnd(40)} ${n(x.updates)} updates, ${n(x.acknowledged)} acknowledged, ${n(x.refusedUpdates)} refused (non-2xx); ${n(x.repliesDelivered)} replies reached the Bot API, ${n(x.rejected429)} refused with 429; ${n(x.unanswered)} updates left without a reply, ${n(x.unsent)} still unsent; webhook to reply p50 ${n(x.p50Ms)} ms, p95 ${n(x.p95Ms)} ms`;
  console.log(
    `Telegram inbound under the Bot API's limits (30/s, 1/s a chat, enforced by the fake): ${l.residents} residents at once, each writing the whole conversation a message every 1.1 s, for ${l.seconds} s (load average ${load()}):`,
  );
  console.log(side("PlaceVoice (acknowledged on commit, paced)", l.placevoice));
  console.log(side("plain grammY + conversations + SQLite", l.peer));
  const p = l.placevoice;
  console.log(
    `  goals: PlaceVoice 0 lost, 0 over the limit: ${met(p.unanswered === 0 && p.unsent === 0 && p.rejected429 === 0 && p.refusedUpdates === 0)}`,
  );
}
console.log(`load average at end ${load()}`);
