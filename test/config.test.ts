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
