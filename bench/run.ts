// `npm run bench`: prints each benchmark with the machine it ran on. Figures go in README.md.
import os from "node:os";
import { benchEngine } from "./engine.js";
import { benchMatching } from "./matching.js";

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
