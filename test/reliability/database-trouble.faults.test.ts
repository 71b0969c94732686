// The database in trouble under a running `placevoice serve`: another process holds SQLite's
// write lock for longer than the busy timeout, then the disk is full. While it lasts, every
// webhook is answered 503 with Retry-After (so Telegram and Twilio deliver it again) and
// nothing of it is written — no message id, no contact, no answer, no reply. When the trouble
// ends the same server, without a restart, processes the redeliveries exactly once.
//
// "Disk full" without root: the server process's file-size limit (RLIMIT_FSIZE, set on the
// running process with util-linux `prlimit`, which needs no privilege for one's own processes)
// is lowered to one byte, so every write SQLite makes fails in the kernel (EFBIG; Node ignores
// SIGXFSZ) just as it would on a full disk, and is raised again afterwards. SQLite reports it
// as SQLITE_IOERR_WRITE or SQLITE_FULL.
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textUpdate } from "../support/fake-telegram.js";
import { startPlaceVoice, waitFor, type Delivery, type PlaceVoiceProcess } from "../support/placevoice-process.js";

let p: PlaceVoiceProcess;
let pid: number;
beforeAll(async () => {
  p = await startPlaceVoice(
    { CONTACT_RATE_LIMIT: "10000", TELEGRAM_MAX_PER_CHAT_PER_SECOND: "100" },
    { notesFlow: true },
  );
  pid = p.child.pid!;
});
afterAll(async () => {
  await p?.close();
});

/** Residents who write while the database is in trouble: some known already, some new. */
interface Message {
  readonly label: string;
  send(): Promise<Delivery>;
  /** `sms:<MessageSid>` / `telegram:<update_id>`, as the server records it. */
  readonly inboundId: string;
  readonly note?: string;
  readonly chat?: number;
}

let counter = 0;
function messages(round: string, knownPhone: string, knownChat: number, count: number): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++counter;
    const sid = `SM${(0xdb000 + n).toString(16).padStart(32, "0")}`;
    const updateId = 990_000 + n;
    const note = `${round}${n}-note`;
    const newPhone = `+4477009${String(60_000 + n)}`;
    const newSid = `SM${(0xdb800 + n).toString(16).padStart(32, "0")}`;
    const newChat = 99_000 + n;
    const telegramNote = `${round}${n}-tg-note`;
    const update = textUpdate(knownChat, telegramNote, { updateId });
    const start = textUpdate(newChat, "/start", { updateId: updateId + 500 });
    out.push(
      { label: `known SMS resident, ${note}`, send: () => p.sms(knownPhone, note, sid), inboundId: `sms:${sid}`, note },
      { label: "new SMS resident", send: () => p.sms(newPhone, "hi", newSid), inboundId: `sms:${newSid}` },
      {
        label: `known Telegram resident, ${telegramNote}`,
        send: () => p.update(update),
        inboundId: `telegram:${updateId}`,
        note: telegramNote,
        chat: knownChat,
      },
      {
        label: "new Telegram resident",
        send: () => p.update(start),
        inboundId: `telegram:${updateId + 500}`,
        chat: newChat,
      },
    );
  }
  return out;
}

function snapshot() {
  const count = (table: string) => p.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;
  return {
    contacts: count("contacts"),
    sessions: count("sessions"),
    answers: count("answers"),
    facts: count("theme_facts"),
    inbound: count("inbound_messages"),
    outbox: count("outbox"),
  };
}

/**
 * Replies to messages already acknowledged go out after their webhook answered, paced (one a
 * second per chat): wait until the fake Bot API has heard nothing new for 1.5 s.
 */
async function repliesSent(): Promise<void> {
  for (let seen = -1; seen !== p.telegram.calls.length;) {
    seen = p.telegram.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
}

/** While the trouble lasts: 503 + Retry-After for all, and nothing of them written or sent. */
async function expectRefusedAndNothingWritten(
  batch: Message[],
  before: ReturnType<typeof snapshot>,
  telegramCallsBefore: number,
) {
  const results = await Promise.all(batch.map((m) => m.send()));
  // Retry-After tells the platform when to come back.
  results.forEach((r, i) =>
    expect(`${batch[i]!.label}: ${r.status} Retry-After ${r.retryAfter}`).toBe(`${batch[i]!.label}: 503 Retry-After 5`),
  );
  expect(snapshot()).toEqual(before);
  const recorded = new Set(p.query<{ id: string }>(`SELECT id FROM inbound_messages`).map((r) => r.id));
  for (const m of batch) expect(recorded.has(m.inboundId), m.inboundId).toBe(false);
  expect(p.telegram.calls.length).toBe(telegramCallsBefore);
}

/** After it: the platform's redeliveries are processed, once each, by the same process. */
async function expectRedeliveriesProcessedOnce(batch: Message[]) {
  const results = await Promise.all(batch.map((m) => m.send()));
  results.forEach((r, i) => expect(`${batch[i]!.label}: ${r.status}`).toBe(`${batch[i]!.label}: 200`));
  batch.forEach((m, i) => {
    if (m.label.startsWith("known SMS")) expect(results[i]!.body).toContain(`Noted: ${m.note}`);
    if (m.label === "new SMS resident") expect(results[i]!.body).toContain("Send notes, one a message.");
  });
  for (const m of batch.filter((x) => x.chat !== undefined)) {
    await waitFor(
      `reply to ${m.label}`,
      () =>
        p.telegram.textsTo(m.chat!).some((t) => t.includes(m.note ? `Noted: ${m.note}` : "Send notes, one a message.")),
      10_000,
    );
  }
  // Delivered again: acknowledged, nothing new.
  const again = await Promise.all(batch.map((m) => m.send()));
  expect(again.map((r) => r.status)).toEqual(batch.map(() => 200));
  const notes = p.query<{ value: string }>(`SELECT value FROM answers`).map((r) => JSON.parse(r.value) as string);
  for (const m of batch.filter((x) => x.note))
    expect(
      notes.filter((n) => n === m.note),
      m.note,
    ).toHaveLength(1);
  expect(p.child.pid).toBe(pid);
  expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
}

describe("database trouble", () => {
  const knownPhone = "+447700980001";
  const knownChat = 98_001;

  beforeAll(async () => {
    expect((await p.sms(knownPhone, "hi")).status).toBe(200);
    expect((await p.update(textUpdate(knownChat, "/start"))).status).toBe(200);
  });

  it("locked by another process beyond the busy timeout: 503 + Retry-After, nothing written; then processed once", async () => {
    // Messages from one resident wait their turn, each up to the busy timeout: two of each.
    const batch = messages("lock", knownPhone, knownChat, 2);
    await repliesSent();
    const before = snapshot();
    const telegramCalls = p.telegram.calls.length;
    // Another process takes the write lock and keeps it past the server's 5 s busy timeout.
    const locker = new Database(p.databaseFile);
    locker.exec("BEGIN EXCLUSIVE");
    try {
      await expectRefusedAndNothingWritten(batch, before, telegramCalls);
    } finally {
      locker.exec("COMMIT");
      locker.close();
    }
    await expectRedeliveriesProcessedOnce(batch);
  }, 120_000);

  it("disk full: 503 + Retry-After, nothing half-written; when space is back it recovers by itself", async () => {
    const batch = messages("disk", knownPhone, knownChat, 5);
    await repliesSent();
    const before = snapshot();
    const telegramCalls = p.telegram.calls.length;
    execFileSync("prlimit", ["--pid", String(pid), "--fsize=1:"]);
    try {
      await expectRefusedAndNothingWritten(batch, before, telegramCalls);
    } finally {
      execFileSync("prlimit", ["--pid", String(pid), "--fsize=unlimited:"]);
    }
    await expectRedeliveriesProcessedOnce(batch);
    // Nothing torn in the file.
    const db = new Database(p.databaseFile, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  }, 120_000);
});
