// Signpost matching: one resident's need against 10,000 services (the Stoke sample, copied
// with new ids across districts and themes), in memory.
import { DirectoryIndex } from "../src/directory/match.js";
import { importDirectory, loadDirectoryConfig, toDirectorySettings } from "../src/directory/import/index.js";
import { THEMES } from "../src/directory/themes.js";
import type { DirectoryService } from "../src/directory/types.js";
import { sampleDirectoryDir } from "../src/runtime-node/paths.js";

// Schedules are judged against this day, not the machine's.
const NOW = new Date("2025-06-01T12:00:00Z");

export interface MatchingBenchResult {
  readonly services: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly buildMs: number;
}

export async function benchMatching(count = 10_000, requests = 1_000): Promise<MatchingBenchResult> {
  const sample = await importDirectory(sampleDirectoryDir, { now: NOW });
  const settings = toDirectorySettings((await loadDirectoryConfig(sampleDirectoryDir)).config);
  const districts = ["ST1", "ST2", "ST3", "ST4", "ST6", "ST7", "ST8", "ST5", "ST10", "WS1"];
  const services: DirectoryService[] = [];
  for (let i = 0; services.length < count; i++) {
    const base = sample.services[i % sample.services.length]!;
    services.push({
      ...base,
      id: `${base.id}-${i}`,
      themes: [...new Set([...base.themes, THEMES[i % THEMES.length]!])],
      coverage: base.national ? [] : [districts[i % districts.length]!],
    });
  }
  const started = performance.now();
  const index = new DirectoryIndex(services, settings);
  const buildMs = performance.now() - started;
  const times: number[] = [];
  const now = new Date("2026-11-24T10:30:00Z");
  const request = (r: number) =>
    index.match({
      themes: [THEMES[r % THEMES.length]!, "cost_of_living"],
      text: "help with my energy bills and rent",
      area: districts[r % 7]!,
      exclude: [],
      limit: 3,
      language: "en",
      now,
    });
  // Warm, as the server's long-lived index is: the first calls run before V8 has compiled them.
  for (let r = 0; r < 100; r++) request(r);
  for (let r = 0; r < requests; r++) {
    const t = performance.now();
    request(r);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    services: services.length,
    medianMs: times[Math.floor(times.length / 2)]!,
    p99Ms: times[Math.floor(times.length * 0.99)]!,
    buildMs,
  };
}
