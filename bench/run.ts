// `npm run bench`: prints each benchmark with the machine it ran on. Figures go in README.md.
import os from "node:os";
import { benchEngine } from "./engine.js";
import { benchMatching } from "./matching.js";
import { benchInsights } from "./insights.js";

const cpu = os.cpus();
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`);

const engine = benchEngine();
const goal = 50_000;
console.log(
  `engine: ${Math.round(engine.stepsPerSecond).toLocaleString("en-GB")} steps/s (${engine.steps.toLocaleString("en-GB")} steps of the priorities flow in ${engine.seconds.toFixed(2)} s, one core) — goal ≥ ${goal.toLocaleString("en-GB")}: ${engine.stepsPerSecond >= goal ? "met" : "NOT MET"}`,
);

const matching = await benchMatching();
console.log(
  `signpost matching: ${matching.services.toLocaleString("en-GB")} services, median ${matching.medianMs.toFixed(2)} ms, p99 ${matching.p99Ms.toFixed(2)} ms per request (index built in ${matching.buildMs.toFixed(0)} ms) — goal < 20 ms: ${matching.p99Ms < 20 ? "met" : "NOT MET"}`,
);

// Insight queries at 10k, 100k and 1M stored residents (BENCH_INSIGHTS=10000,100000 to shorten).
const sizes = (process.env.BENCH_INSIGHTS ?? "10000,100000,1000000").split(",").map(Number);
for (const n of sizes) {
  const result = await benchInsights(n);
  const worst = Math.max(...result.rows.map((r) => r.medianMs));
  console.log(`insights over ${n.toLocaleString("en-GB")} residents (${Math.round(n * 2).toLocaleString("en-GB")}-odd theme facts, seeded in ${result.seedSeconds.toFixed(0)} s): slowest query ${worst.toFixed(1)} ms warm — goal < 100 ms: ${worst < 100 ? "met" : "NOT MET"}`);
  for (const r of result.rows) console.log(`  ${r.query.padEnd(48)} ${r.medianMs.toFixed(1)} ms`);
}
