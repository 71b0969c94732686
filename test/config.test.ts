import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration from environment variables", () => {
  it("needs nothing to run locally", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      databaseUrl: "file:./data/placevoice.db",
      appSecret: undefined,
      publicUrl: undefined,
      logLevel: "info",
      flowsDir: undefined,
      entryFlow: "priorities",
      helpFlow: "help",
      languages: ["en", "cy"],
      privacyUrl: "http://localhost:8080/privacy",
    });
  });

  it("turns alerts on with somewhere to send them, and says so plainly when a rule has nowhere to go", () => {
    expect(loadConfig({}).alerts).toBeUndefined();
    expect(loadConfig({ ALERT_WEBHOOK_URL: "https://hooks.example.org/pv" }).alerts).toEqual({
      telegramChatId: undefined,
      webhookUrl: "https://hooks.example.org/pv",
      deadLetters: 1,
      webhookErrors: 5,
      noInboundHours: 0,
      dayHours: { start: "08:00", end: "20:00" },
      outboxMinutes: 15,
      repeatMinutes: 60,
    });
    expect(loadConfig({ ALERT_OUTBOX_MINUTES: "30" }).warnings).toEqual([
      "ALERT_OUTBOX_MINUTES is set but alerts go nowhere: set ALERT_TELEGRAM_CHAT_ID or ALERT_WEBHOOK_URL too",
    ]);
    let error: unknown;
    try {
      loadConfig({ ALERT_TELEGRAM_CHAT_ID: "@operators", ALERT_DAY_HOURS: "8-20" });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      "ALERT_TELEGRAM_CHAT_ID is a chat id, such as -1001234567890 for a group",
      'ALERT_DAY_HOURS is "HH:MM-HH:MM", e.g. 08:00-20:00',
    ]);
    expect(() => loadConfig({ ALERT_TELEGRAM_CHAT_ID: "-1001234567890" })).toThrow(
      "ALERT_TELEGRAM_CHAT_ID: alerts to Telegram go through the bot: set TELEGRAM_BOT_TOKEN too",
    );
  });

  it("treats empty variables as unset and trims PUBLIC_URL's trailing slash", () => {
    const config = loadConfig({
      PORT: "",
      APP_SECRET: "",
      PUBLIC_URL: "https://voice.example.org/",
      LANGUAGES: "cy, en",
    });
    expect(config.port).toBe(8080);
    expect(config.appSecret).toBeUndefined();
    expect(config.publicUrl).toBe("https://voice.example.org");
    expect(config.privacyUrl).toBe("https://voice.example.org/privacy");
    expect(config.languages).toEqual(["cy", "en"]);
  });

  it("reports every invalid variable at once, by name", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "eighty",
        APP_SECRET: "short",
        PUBLIC_URL: "not a url",
        LOG_LEVEL: "loud",
        LOG_FORMAT: "xml",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // Each line names its variable once, says what is wrong and what right looks like.
    expect((error as ConfigError).problems).toEqual([
      "PORT: expected a port number such as 8080",
      "APP_SECRET must be at least 32 characters (use `openssl rand -hex 32`)",
      "PUBLIC_URL must be a URL such as https://placevoice.example.org",
      "LOG_LEVEL: expected one of debug, info, warn, error, silent",
      "LOG_FORMAT: expected text or json",
    ]);
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it("lets public pages be stricter than partners' threshold, never looser", () => {
    expect(loadConfig({}).publicKThreshold).toBe(10);
    expect(loadConfig({ K_THRESHOLD: "12" }).publicKThreshold).toBe(12);
    expect(loadConfig({ PUBLIC_K_THRESHOLD: "20" }).publicKThreshold).toBe(20);
    expect(() => loadConfig({ K_THRESHOLD: "10", PUBLIC_K_THRESHOLD: "5" })).toThrow(
      "PUBLIC_K_THRESHOLD: must be at least K_THRESHOLD (10); public pages may be stricter, never looser",
    );
  });
});
