// `placevoice status` as cron runs it, against the fake Bot API: what it shows and its exit code.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, type Harness } from "../support/channel-harness.js";
import { runCliInProcess } from "../support/cli.js";
import { textUpdate } from "../support/fake-telegram.js";
import { tempDir } from "../support/temp-db.js";

let h: Harness;
let scratch: ReturnType<typeof tempDir>;
let env: Record<string, string>;
beforeAll(async () => {
  h = await startHarness();
  scratch = tempDir();
  const telegram = h.services.config.telegram!;
  env = {
    DATABASE_URL: `file:${h.services.databaseFile}`,
    APP_SECRET: "channel-tests-app-secret-0123456789abcdef",
    PUBLIC_URL,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_WEBHOOK_SECRET: telegram.webhookSecret,
    TELEGRAM_API_ROOT: telegram.apiRoot,
  };
});
afterAll(async () => {
  await h.close();
  scratch.cleanup();
});

const cli = (args: string[]) => runCliInProcess(args, { env, now: h.clock.now });
const line = (stdout: string, name: string) => stdout.split("\n").find((l) => l.slice(2).startsWith(name)) ?? "";

describe("placevoice status", () => {
  it("shows each part's state, and exits 1 until the database has been backed up", async () => {
    expect((await cli(["telegram", "set-webhook"])).code).toBe(0);
    await h.telegramUpdate(textUpdate(61_001, "/start"));

    const before = await cli(["status"]);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/^PlaceVoice status at .* UTC: NEEDS ATTENTION/);
    expect(line(before.stdout, "Backup")).toMatch(/^! Backup +never backed up \(placevoice backup <file>\)$/);
    expect(line(before.stdout, "Telegram")).toMatch(
      /^ {2}Telegram +webhook https:\/\/placevoice\.example\.org\/webhooks\/telegram, 0 pending update\(s\)$/,
    );
    expect(line(before.stdout, "Last inbound (telegram)")).toMatch(
      / {2}Last inbound \(telegram\) +\d{4}-\d\d-\d\d \d\d:\d\d UTC, \d+ s ago/,
    );
    expect(line(before.stdout, "Outbox")).toMatch(/^ {2}Outbox +sent \d+/);
    expect(line(before.stdout, "Migrations")).toMatch(/^ {2}Migrations +\d+ applied, latest \d{14}_\w+/);
    expect(line(before.stdout, "SMS")).toMatch(/^- SMS +not configured$/);

    expect((await cli(["backup", path.join(scratch.dir, "status.db")])).code).toBe(0);
    h.clock.advance(5 * 60_000);
    const after = await cli(["status"]);
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^PlaceVoice status at .* UTC: ok/);
    expect(line(after.stdout, "Backup")).toMatch(/^ {2}Backup +last .* UTC, 5 min ago$/);
  });

  it("shows Telegram's last webhook error and exits 1 while it is recent", async () => {
    const errorAt = Math.floor(h.clock.now().getTime() / 1000) - 120;
    h.telegram.webhookInfo = {
      ...h.telegram.webhookInfo,
      pending_update_count: 7,
      last_error_date: errorAt,
      last_error_message: "Wrong response from the webhook: 502 Bad Gateway",
    };
    const result = await cli(["status"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("NEEDS ATTENTION");
    expect(line(result.stdout, "Telegram")).toMatch(
      /^! Telegram +last error .* UTC, 2 min ago: Wrong response from the webhook: 502 Bad Gateway \(webhook https:\/\/placevoice\.example\.org\/webhooks\/telegram, 7 pending update\(s\)\)$/,
    );

    h.clock.advance(2 * 60 * 60_000); // an error from two hours ago is history, shown but not alarming
    const later = await cli(["status"]);
    expect(line(later.stdout, "Telegram")).toMatch(
      /^ {2}Telegram .*last error .* ago: Wrong response from the webhook/,
    );
    expect(later.code).toBe(0);
  });

  it("takes no arguments", async () => {
    const result = await cli(["status", "--verbose"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("Usage: placevoice status\n");
  });
});
