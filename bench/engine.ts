// Pure engine throughput: full priorities conversations, step after step, no I/O.
import { step } from "../src/engine/step.js";
import type { EngineContext, EngineInput, SessionState } from "../src/engine/types.js";
import { loadRegistry } from "../src/runtime-node/flow-dir.js";
import { shippedFlowsDir } from "../src/runtime-node/paths.js";

export interface EngineBenchResult {
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
}

const CONVERSATION: EngineInput[] = [
  { type: "start" },
  { type: "text", text: "english" },
  { type: "text", text: "yes" },
  { type: "text", text: "ST6 1AA" },
  { type: "text", text: "2, 6 and housng" },
  { type: "text", text: "More buses in the evening so I can get to work" },
  { type: "text", text: "4" },
  { type: "text", text: "no" },
  { type: "text", text: "no" },
  { type: "text", text: "no" },
];

export function benchEngine(durationMs = 3000): EngineBenchResult {
  const registry = loadRegistry(shippedFlowsDir, "priorities", "help");
  const base: Omit<EngineContext, "contact"> = {
    registry,
    now: new Date("2026-01-05T10:00:00Z"),
    privacyNoticeVersion: "2026-11",
    variables: { privacy_url: "https://placevoice.example.org/privacy", organisation: "PlaceVoice" },
    languages: ["en", "cy"],
  };
  const run = (budgetMs: number) => {
    let steps = 0;
    const started = performance.now();
    while (performance.now() - started < budgetMs) {
      for (let n = 0; n < 100; n++) {
        let session: SessionState | null = null;
        let contact = { language: "en", area: null as string | null, consentVersion: null as string | null };
        for (const input of CONVERSATION) {
          const ctx: EngineContext = {
            registry: base.registry,
            now: base.now,
            contact,
            privacyNoticeVersion: base.privacyNoticeVersion,
            variables: base.variables,
            languages: base.languages,
          };
          const result = step(ctx, session, input);
          session = result.session;
          for (const e of result.effects) {
            if (e.type === "set_field") contact = { ...contact, [e.field]: e.value };
            if (e.type === "record_consent") contact = { ...contact, consentVersion: e.version };
          }
          steps++;
        }
        if (session !== null) throw new Error("conversation did not finish");
      }
    }
    return { steps, seconds: (performance.now() - started) / 1000 };
  };
  run(500); // warm up the JIT
  const { steps, seconds } = run(durationMs);
  return { steps, seconds, stepsPerSecond: steps / seconds };
}
