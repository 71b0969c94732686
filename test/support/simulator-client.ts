// The simulator (/dashboard/simulator) as an officer's browser drives it, over any transport
// (app.request on Node, fetch to wrangler dev): the page it is on and its forms.
import { expect } from "vitest";

/** How the client reaches the dashboard, signed in. */
export interface SignedIn {
  page(path: string): Promise<string>;
  post(path: string, fields: Record<string, string>): Promise<Response>;
}

export const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

export class SimulatorClient {
  html = "";
  status = 0;
  constructor(private readonly client: SignedIn) {}

  private async submit(path: string, fields: Record<string, string>) {
    const response = await this.client.post(path, fields);
    this.status = response.status;
    this.html = await response.text();
    return this;
  }

  get state(): string {
    return unescapeHtml(/name="state" value="([^"]+)"/.exec(this.html)![1]!);
  }

  get csrf(): string {
    return csrfOf(this.html);
  }

  async start(flow: string, language: string, channel: "telegram" | "sms") {
    const html = await this.client.page("/dashboard/simulator");
    return this.submit("/dashboard/simulator/start", { csrf: csrfOf(html), flow, language, channel });
  }

  say(text: string, state = this.state) {
    return this.submit("/dashboard/simulator/say", { csrf: this.csrf, state, text });
  }

  /** Presses the latest button with this label, as a resident taps it. */
  press(label: string) {
    const buttons = [
      ...this.html.matchAll(/<button type="submit" form="sim-press" name="press" value="([^"]+)">([^<]+)</g),
    ];
    const button = buttons.reverse().find((b) => unescapeHtml(b[2]!) === label);
    expect(button, `no button "${label}" in:\n${this.botMessages().slice(-2).join("\n---\n")}`).toBeDefined();
    return this.submit("/dashboard/simulator/press", {
      csrf: this.csrf,
      state: this.state,
      press: unescapeHtml(button![1]!),
    });
  }

  botMessages(): string[] {
    return [...this.html.matchAll(/<pre data-testid="bot-message">([\s\S]*?)<\/pre>/g)].map((m) => unescapeHtml(m[1]!));
  }

  lastBot(): string {
    return this.botMessages().at(-1) ?? "";
  }

  segments(): string[] {
    return [...this.html.matchAll(/data-testid="segments">([^<]+)</g)].map((m) => m[1]!);
  }

  /** The answers table: question -> [answer, kept for analysis, would count towards]. */
  answers(): Record<string, string[]> {
    const table = /data-testid="answers">([\s\S]*?)<\/table>/.exec(this.html)?.[1] ?? "";
    const rows: Record<string, string[]> = {};
    for (const row of table.matchAll(
      /<tr data-key="[^"]*"><th scope="row"><code>([^<]+)<\/code><\/th>([\s\S]*?)<\/tr>/g,
    ))
      rows[row[1]!] = [...row[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => unescapeHtml(c[1]!));
    return rows;
  }

  field(testId: string): string {
    return unescapeHtml(new RegExp(`data-testid="${testId}">([^<]*)<`).exec(this.html)?.[1] ?? "");
  }

  /** The Welsh priorities conversation on Telegram's buttons, from the language question to the end. */
  async welshPriorities(idea: string) {
    await this.start("priorities", "cy", "telegram");
    expect(this.lastBot()).toContain("Helo, PlaceVoice sydd yma");
    await this.press("Cymraeg");
    expect(this.lastBot()).toContain("Mae'n 7 o gwestiynau cyflym");
    await this.press("Ie");
    expect(this.lastBot()).toContain("Beth yw eich cod post?");
    await this.say("ST6 1AA");
    expect(this.lastBot()).toContain("Beth sydd bwysicaf i chi yn eich ardal?");
    // A tick edits the keyboard in place, as on Telegram; Done confirms.
    await this.press("Tai");
    expect(this.html).toContain(">✅ Tai<");
    await this.press("Bysiau a thrafnidiaeth");
    await this.press("Gorffen ✔");
    expect(this.lastBot()).toContain("Pa un peth fyddai'n gwneud y gwahaniaeth mwyaf");
    // HELP in the middle, in Welsh, then back to the question that waited.
    await this.say("HELP");
    expect(this.lastBot()).toContain("Pa un peth fyddai'n gwneud y gwahaniaeth mwyaf");
    await this.say(idea);
    expect(this.lastBot()).toContain("faint yw eich oed chi?");
    await this.press("25-34");
    await this.press("Na");
    await this.press("Ie");
    await this.press("Na");
    expect(this.field("conversation")).toMatch(/^ended; completed: .*priorities/);
    return this;
  }
}
