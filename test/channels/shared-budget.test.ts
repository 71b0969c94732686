// One rate budget per channel, whoever sends: the running server sends one broadcast while an
// operator runs `placevoice broadcast --send` for another from the CLI, on the same database, and
// both processes send at the same time. The fake platforms refuse (429) anything beyond the
// account's rate, as Twilio and Telegram do. Each process paces at its share of the limit
// (src/store/send-shares.ts), so together they never go over: nothing refused, everyone
// reached exactly once, by both processes.
import { afterAll, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedContacts, startPlaceVoice, waitFor, type PlaceVoiceProcess } from "../support/placevoice-process.js";

const PER_SECOND = 8;
/** Recipients per channel of the server's broadcast (long enough to be under way throughout) and of the CLI's. */
const SERVER_EACH = 80;
const CLI_EACH = 24;

let p: PlaceVoiceProcess | undefined;
afterAll(async () => {
  await p?.close();
});

it("keeps the server and the CLI, sending at once, within each platform's limit together", async () => {
  const count = (area: number) => (area === 60 ? SERVER_EACH : CLI_EACH);
  const phones = (area: number) => Array.from({ length: count(area) }, (_, i) => `+4477009${String(area * 1000 + i)}`);
  const chats = (area: number) => Array.from({ length: count(area) }, (_, i) => String(880_000 + area * 1000 + i));
  p = await startPlaceVoice(
    { TWILIO_MAX_PER_SECOND: String(PER_SECOND), TELEGRAM_MAX_PER_SECOND: String(PER_SECOND) },
    {
      before: async ({ databaseFile }) => {
        for (const [n, area] of [
          [60, "ST6"],
          [30, "ST3"],
        ] as const) {
          await seedContacts(databaseFile, "sms", phones(n), { area, idPrefix: area });
          await seedContacts(databaseFile, "telegram", chats(n), { area, idPrefix: area });
        }
      },
    },
  );
  const server = p;
  // The server's broadcast: queued by the CLI, sent by the running server.
  const queued = await runCli(["broadcast", "--flow", "feedback", "--area", "ST6", "--id", "server-sends"], {
    env: server.env,
  });
  expect(queued.stdout).toContain(`${SERVER_EACH * 2} queued`);
  await waitFor("the server to start sending", () => server.twilio.sent.length + server.telegram.calls.length > 0);
  // Meanwhile, from the CLI: another broadcast, sent by the CLI process itself.
  const cli = await runCli(["broadcast", "--flow", "feedback", "--area", "ST3", "--id", "cli-sends", "--send"], {
    env: server.env,
  });
  expect(cli.code, cli.stderr).toBe(0);
  const sentByCli = Number(/Sent (\d+)\./.exec(cli.stdout)?.[1] ?? NaN);
  await waitFor(
    "every message sent",
    () => server.query<{ n: number }>(`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`)[0]!.n === 0,
    60_000,
    200,
  );

  // Both processes sent, at the same time.
  expect(sentByCli).toBeGreaterThan(0);
  expect(sentByCli).toBeLessThan((SERVER_EACH + CLI_EACH) * 2);
  // Nothing over the limit: the fakes refused nothing (they refuse what a platform would).
  expect(server.twilio.refused).toEqual([]);
  expect(server.telegram.refused).toEqual([]);
  // Everyone reached, exactly once.
  const texts = server.twilio.sent.map((m) => m.to).sort();
  expect(texts).toEqual([...phones(60), ...phones(30)].sort());
  const telegramSends = server.telegram.callsOf("sendMessage").map((c) => String(c.params.chat_id));
  expect(telegramSends.sort()).toEqual([...chats(60), ...chats(30)].sort());
}, 120_000);
