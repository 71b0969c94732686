// Runs conversation scripts against a fresh SQLite file with a fixed clock and counted ids,
// through the same services the server uses.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../config.js";
import { parseScript, runScript, type ChatDriver } from "../conversation/conversation-script.js";
import type { FlowRegistry } from "../engine/types.js";
import { queueDueReminders } from "../conversation/reminders.js";
import type { OutboundEffect } from "../conversation/render-plain.js";
import { silentLogger } from "../log.js";
import { openNodeServices } from "./services.js";

/** How often a running service looks for due reminders, as the scripts see it (src/node.ts runs every minute). */
const CHORE_EVERY_MS = 15 * 60_000;

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
    // Proactive messages are stored as the replies themselves, in the order queued.
    const reminderDeps = {
      store: services.store,
      conversation: services.conversation,
      registry,
      renderers: new Map([[parsed.script.channel, (replies: readonly OutboundEffect[]) => replies]]),
      quietHours: config.quietHours,
      timezone: config.timezone,
    };
    const shown = new Set<string>();
    const driver: ChatDriver = {
      send: (input, languageHint) =>
        services.conversation.handle({
          channel: parsed.script.channel,
          address,
          input,
          ...(languageHint ? { languageHint } : {}),
        }),
      advanceClock: async (ms) => {
        // The clock moves on as a running service's would, the chores running every few minutes
        // on the way; what they queued for the resident and is due by the end is what they read.
        const until = clock + ms;
        while (clock < until) {
          clock = Math.min(clock + CHORE_EVERY_MS, until);
          await queueDueReminders({ ...reminderDeps, now: () => new Date(clock) });
        }
        const due = await services.prisma.outboxMessage.findMany({
          where: { status: "pending", nextAttemptAt: { lte: new Date(clock) }, id: { notIn: [...shown] } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        });
        for (const row of due) shown.add(row.id);
        return due.map((row) => JSON.parse(row.payload) as OutboundEffect);
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
