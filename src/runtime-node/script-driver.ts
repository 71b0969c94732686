// Runs conversation scripts against a fresh SQLite file with a fixed clock and counted ids,
// through the same services the server uses.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../config.js";
import { parseScript, runScript, type ChatDriver } from "../conversation/conversation-script.js";
import type { FlowRegistry } from "../engine/types.js";
import { silentLogger } from "../log.js";
import { openNodeServices } from "./services.js";

export interface ScriptRun {
  readonly file: string;
  readonly name: string;
  readonly failures: readonly string[];
}

export async function runScriptFile(
  file: string,
  registry: FlowRegistry,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ScriptRun> {
  const display = path.relative(process.cwd(), file) || file;
  const parsed = parseScript(readFileSync(file, "utf8"), display);
  const dir = mkdtempSync(path.join(tmpdir(), "placevoice-script-"));
  let clock = Date.parse(parsed.script.clock);
  let counter = 0;
  const config = loadConfig({
    ...env,
    DATABASE_URL: `file:${path.join(dir, "test.db")}`,
    APP_SECRET: "conversation-tests-secret-0123456789abcdef",
    PUBLIC_URL: "https://placevoice.example.org",
  });
  const services = await openNodeServices(config, {
    log: silentLogger,
    registry,
    now: () => new Date(clock),
    newId: () => `id-${String(++counter).padStart(6, "0")}`,
  });
  try {
    const address = "test-resident";
    const driver: ChatDriver = {
      send: (input, languageHint) =>
        services.conversation.handle({
          channel: parsed.script.channel,
          address,
          input,
          ...(languageHint ? { languageHint } : {}),
        }),
      advanceClock: (ms) => {
        clock += ms;
      },
      answers: (contactId) => services.store.answersOf(contactId),
      hasSession: async (contactId) => (await services.store.loadSession(contactId)) !== null,
    };
    return { file: display, name: parsed.script.name, failures: await runScript(parsed, display, driver) };
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
