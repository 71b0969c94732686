// The operator's admin view shows the same status as `placevoice status`, read as an operator
// would through the dashboard sign-in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient } from "../support/dashboard-client.js";
import { textUpdate } from "../support/fake-telegram.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The status table's rows as [part, state, detail], as a person reads them (tags removed, entities decoded). */
function statusRows(html: string): string[][] {
  const table = /<table class="records" data-testid="status">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
  return [...table.matchAll(/<tr><th scope="row">([\s\S]*?)<\/tr>/g)].map((m) =>
    `<th>${m[1]}`
      .split(/<\/t[hd]>/)
      .slice(0, 3)
      .map((cell) =>
        cell
          .replace(/<[^>]+>/g, "")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, "&")
          .trim(),
      ),
  );
}

describe("admin status", () => {
  it("shows Telegram's webhook error, the outbox, last inbound and backup to an operator", async () => {
    h.telegram.webhookInfo = {
      url: `${PUBLIC_URL}/webhooks/telegram`,
      has_custom_certificate: false,
      pending_update_count: 3,
      last_error_date: Math.floor(h.clock.now().getTime() / 1000) - 600,
      last_error_message: "Connection timed out",
    };
    await h.telegramUpdate(textUpdate(62_001, "/start"));
    const { token } = await h.services.partners.create("Platform team", [], { role: "operator" });
    const client = new DashboardClient(h.app);
    await client.signIn(token);
    const admin = await client.page("/dashboard/admin");
    expect(admin.status).toBe(200);
    expect(admin.html).toContain('<h2 id="status-heading">Status: needs attention</h2>');
    const rows = new Map(statusRows(admin.html).map(([part, state, detail]) => [part, { state, detail }]));
    expect(rows.get("Telegram")).toEqual({
      state: "needs attention",
      detail: expect.stringMatching(
        /^last error \d{4}-\d\d-\d\d \d\d:\d\d UTC, 10 min ago: Connection timed out \(webhook https:\/\/placevoice\.example\.org\/webhooks\/telegram, 3 pending update\(s\)\)$/,
      ),
    });
    expect(rows.get("Backup")).toEqual({
      state: "needs attention",
      detail: "never backed up (placevoice backup <file>)",
    });
    expect(rows.get("Outbox")?.state).toBe("ok");
    expect(rows.get("Last inbound (telegram)")?.detail).toMatch(/UTC, \d+ s ago$/);
    // Counts and times only: no chat id reaches the page.
    expect(admin.html).not.toContain("62001");
  });
});
