// A person's mistake at the command line gets plain lines they can act on and exit code 2,
// never a stack trace (unless they ask for one with LOG_LEVEL=debug); a variable that is set
// but does nothing gets one warning line.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
const base = {
  DATABASE_URL: `file:${path.join(t.dir, "errors.db")}`,
  APP_SECRET: "cli-errors-test-secret-0123456789abcdef",
};
afterAll(() => t.cleanup());

const STACK = /\n\s+at \S+ \(/;

describe("configuration mistakes", () => {
  it("a partly configured channel is named, with what to do, in every command (a real process, no stack trace)", async () => {
    const result = await runCli(["services", "import", "directories/stoke-on-trent"], {
      env: { ...base, TWILIO_FROM: "+447700900000", LOG_LEVEL: "" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM: set all three to enable SMS, or none",
    );
    expect(result.stderr).not.toMatch(STACK);
    expect(result.stderr).not.toContain("ConfigError");
  });

  it.each([
    [["partner", "list"], { PORT: "eighty" }, "PORT: expected a port number such as 8080"],
    [["champion", "list"], { QUIET_HOURS: "9pm-9am" }, 'QUIET_HOURS is "HH:MM-HH:MM", e.g. 21:00-09:00'],
    [
      ["retention", "run", "--dry-run"],
      { APP_SECRET: "short" },
      "APP_SECRET must be at least 32 characters (use `openssl rand -hex 32`)",
    ],
    [
      ["outbox"],
      { TELEGRAM_BOT_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" },
      "TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN",
    ],
    [["migrate"], { K_THRESHOLD: "1" }, "K_THRESHOLD: expected a whole number of at least 2, such as 10"],
  ])("placevoice %j with %j: exit 2 and %j", async (args, env, line) => {
    const result = await runCliInProcess(args, { env: { ...base, ...env } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(line);
    expect(result.stderr).toContain("README.md lists them with examples");
    expect(result.stderr).not.toMatch(STACK);
  });

  it("shows where with LOG_LEVEL=debug", async () => {
    const result = await runCliInProcess(["partner", "list"], { env: { ...base, PORT: "eighty", LOG_LEVEL: "debug" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(STACK);
  });
});

describe("usage mistakes", () => {
  it.each([
    [["partner", "create", "--nme", "x"], "Unknown option '--nme'"],
    [["flows", "check"], 'Unknown flows command "check"'],
    [["chat"], "Which flow? e.g. placevoice chat priorities"],
    [["frobnicate"], 'Unknown command "frobnicate"'],
  ])("placevoice %j: exit 2 and %j", async (args, line) => {
    const result = await runCliInProcess(args, { env: base });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(line);
    expect(result.stderr).not.toMatch(STACK);
  });
});

describe("variables that do nothing", () => {
  it("get one warning line each group, and the command still runs", async () => {
    const result = await runCliInProcess(["partner", "list"], {
      env: { ...base, TELEGRAM_BOT_USERNAME: "placevoice_bot", TELEGRAM_MAX_PER_SECOND: "10", LLM_MODEL: "small" },
    });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      "warning: TELEGRAM_BOT_USERNAME, TELEGRAM_MAX_PER_SECOND are set but Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET too, or unset them",
      "warning: LLM_MODEL is set but no LLM is configured: set LLM_PROVIDER too, or unset it",
    ]);
  });

  it("a webhook secret without its bot token is one of them", async () => {
    const result = await runCliInProcess(["partner", "list"], {
      env: { ...base, TELEGRAM_WEBHOOK_SECRET: "telegram-webhook-secret-0123456789" },
    });
    expect(result.stderr).toContain(
      "warning: TELEGRAM_WEBHOOK_SECRET is set but Telegram is off: set TELEGRAM_BOT_TOKEN too, or unset it",
    );
  });

  it("nothing is warned about when the channel is on", async () => {
    const result = await runCliInProcess(["partner", "list"], { env: base });
    expect(result.stderr).not.toContain("warning:");
  });
});
