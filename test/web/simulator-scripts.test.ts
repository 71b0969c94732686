// The simulator behaves as the real thing: every conversation script in flows/tests that does not
// expect a reminder (sent by a chore over the database's idle sessions) passes when its resident is
// the simulator's practice resident, run by the host the simulator gets (AppDeps.simulator) over
// a scratch store, with the script's fixed clock. The same scripts pass on the database in
// test/flows/conversations.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { parseScript, runScript, type ChatDriver } from "../../src/conversation/conversation-script.js";
import { silentLogger } from "../../src/log.js";
import { listScriptFiles, loadRegistry } from "../../src/runtime-node/flow-dir.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { ScratchRelays } from "../../src/store/scratch-relays.js";
import { ScratchConversationStore } from "../../src/store/scratch-store.js";
import { tempDir } from "../support/temp-db.js";

const flowsDir = path.join(packageRoot, "flows");
const registry = loadRegistry(flowsDir, "priorities", "help");
/** Reminders are sent by a chore over the database's idle sessions: the simulator sends none. */
const remindedIn = (file: string) =>
  /bot:.*(A quick reminder|Nodyn bach i'ch atgoffa)/.test(readFileSync(file, "utf8"));
const scripts = listScriptFiles(flowsDir).filter((file) => !remindedIn(file));
const dir = tempDir();
let clock = 0;
let services: NodeServices;

beforeAll(async () => {
  // As the script runner configures the service (src/runtime-node/script-driver.ts).
  const config = loadConfig({
    DATABASE_URL: `file:${path.join(dir.dir, "scripts.db")}`,
    APP_SECRET: "conversation-tests-secret-0123456789abcdef",
    PUBLIC_URL: "https://placevoice.example.org",
  });
  services = await openNodeServices(config, { log: silentLogger, registry, now: () => new Date(clock) });
});

afterAll(async () => {
  await services.close();
  dir.cleanup();
});

describe("conversation scripts on the simulator's practice resident", () => {
  it("are every script but the two that expect a reminder", () => {
    const left = listScriptFiles(flowsDir).filter(remindedIn);
    expect(left.map((f) => path.basename(f))).toEqual(["priorities-expiry.yaml", "priorities-reminder.yaml"]);
    expect(scripts.length).toBeGreaterThan(20);
  });

  for (const file of scripts) {
    it(path.basename(file), async () => {
      const parsed = parseScript(readFileSync(file, "utf8"), file);
      clock = Date.parse(parsed.script.clock);
      const store = new ScratchConversationStore();
      let ids = 0;
      const conversation = services.appDeps.simulator!.conversationOver(
        store,
        new ScratchRelays([], () => `practice-relay-${++ids}`),
      );
      const driver: ChatDriver = {
        send: (input, languageHint) =>
          conversation.handle({
            channel: parsed.script.channel,
            address: "practice-resident",
            input,
            ...(languageHint ? { languageHint } : {}),
          }),
        advanceClock: async (ms) => {
          clock += ms;
          return [];
        },
        answers: (contactId) => store.answersOf(contactId),
        hasSession: async (contactId) => (await store.loadSession(contactId)) !== null,
      };
      const failures = await runScript(parsed, file, driver);
      expect(failures, failures.join("\n")).toEqual([]);
      // And none of it reached the database: no contact, and no group asked to get in touch.
      expect(await services.prisma.contact.count()).toBe(0);
      expect(await services.prisma.relay.count()).toBe(0);
    });
  }
});
