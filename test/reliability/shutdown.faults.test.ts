// Graceful shutdown: SIGTERM (what a container platform or systemd sends) while webhooks are
// in flight and the outbox worker is half-way through a paced batch. Every request already
// received is answered, its reply reaches the platform, the batch is sent to the end, nothing
// is left claimed in the outbox, and the process exits 0.
import { afterAll, describe, expect, it } from "vitest";
import { textUpdate } from "../support/fake-telegram.js";
import { runCli } from "../support/cli.js";
import {
  seedContacts,
  startPlaceVoice,
  waitFor,
  type Delivery,
  type PlaceVoiceProcess,
} from "../support/placevoice-process.js";

// The batch (40 at 8/s: five seconds) outlasts the in-flight webhooks (about a second and a
// half), so the worker's batch, not the HTTP server, is what the exit has to wait for.
const BROADCAST = 40;
const SMS_PER_SECOND = 8;
let p: PlaceVoiceProcess | undefined;
afterAll(async () => {
  await p?.close();
});

describe("SIGTERM", () => {
  it("finishes in-flight webhooks and the outbox batch, then exits 0", async () => {
    const phones = Array.from({ length: BROADCAST }, (_, i) => `+4477009${String(20_000 + i)}`);
    p = await startPlaceVoice(
      // Slow pacing, so a batch and the webhooks' replies are still under way when the signal comes.
      {
        TWILIO_MAX_PER_SECOND: String(SMS_PER_SECOND),
        TELEGRAM_MAX_PER_SECOND: "4",
        TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1",
      },
      {
        before: async ({ databaseFile, env }) => {
          await seedContacts(databaseFile, "sms", phones);
          const queued = await runCli(["broadcast", "--flow", "feedback", "--id", "shutdown"], { env });
          expect(queued.stdout).toContain(`${BROADCAST} queued`);
        },
      },
    );
    const server = p;
    // The worker has claimed the broadcast and is sending it, paced.
    await waitFor("the broadcast to start", () => server.twilio.sent.length >= 3);

    // Six residents open the bot on Telegram (each reply waits for the 4/s pacing, so the last
    // is answered about a second and a half later) and five text in.
    const chats = Array.from({ length: 6 }, (_, i) => 61_000 + i);
    const inFlight: Promise<Delivery>[] = [
      ...chats.map((chat) => server.update(textUpdate(chat, "/start"))),
      ...Array.from({ length: 5 }, (_, i) => server.sms(`+4477009${30_000 + i}`, "hi")),
    ];
    await waitFor("the first Telegram reply", () => server.telegram.callsOf("sendMessage").length >= 1, 10_000, 10);
    expect(server.telegram.callsOf("sendMessage").length).toBeLessThan(chats.length);
    const sentBeforeSignal = server.twilio.sent.length;
    expect(sentBeforeSignal).toBeLessThan(BROADCAST);

    const started = Date.now();
    const exitCode = await server.signal("SIGTERM");
    const deliveries = await Promise.all(inFlight);

    expect(exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Every request that was in flight was answered, with its reply.
    expect(deliveries.map((d) => d.status)).toEqual(Array(deliveries.length).fill(200));
    for (const d of deliveries.slice(chats.length)) expect(d.body).toContain("<Message>Hi, this is PlaceVoice.");
    for (const chat of chats)
      expect(server.telegram.textsTo(chat)).toEqual([expect.stringContaining("Hi, this is PlaceVoice.")]);
    // The batch (the feedback flow's first question: these residents consented earlier) was sent to the end, each resident once, and nothing is left claimed or pending.
    const broadcastTo = server.twilio.sent
      .filter((s) => s.body.startsWith("From 1 to 5, how easy was it to take part?"))
      .map((s) => s.to);
    expect(broadcastTo.sort()).toEqual([...phones].sort());
    const outbox = server.query<{ status: string; n: number }>(
      `SELECT status, count(*) AS n FROM outbox GROUP BY status`,
    );
    expect(outbox).toEqual([{ status: "sent", n: BROADCAST + chats.length }]);
    const logs = server.logs();
    expect(logs).toContain("shutting down signal=SIGTERM");
    expect(logs).not.toMatch(/\bERROR\b/);
  }, 60_000);
});
