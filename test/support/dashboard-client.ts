// Using the dashboard as a browser would, through app.request(): sign in, read pages, post
// forms with the session cookie and the CSRF token the page carries.
import type { Hono } from "hono";
import { expect } from "vitest";
import { PUBLIC_URL, type Harness } from "./channel-harness.js";

export class DashboardClient {
  private cookie = "";

  constructor(private readonly app: Hono) {}

  /** The session cookie as the browser holds it ("pv_session=…"), to replay later. */
  get sessionCookie(): string {
    return this.cookie;
  }

  set sessionCookie(value: string) {
    this.cookie = value;
  }

  async signIn(token: string): Promise<void> {
    const response = await this.app.request(`${PUBLIC_URL}/dashboard/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(response.status).toBe(303);
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^pv_session=/);
    this.cookie = cookie.split(";")[0]!;
  }

  async page(path: string): Promise<{ status: number; html: string; headers: Headers }> {
    const response = await this.app.request(`${PUBLIC_URL}${path}`, { headers: { Cookie: this.cookie } });
    return { status: response.status, html: await response.text(), headers: response.headers };
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.app.request(`${PUBLIC_URL}${path}`, {
      method: "POST",
      headers: { Cookie: this.cookie, "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** A form with a file, as a browser posts it (multipart/form-data). */
  async postFile(
    path: string,
    fields: Record<string, string>,
    file: { field: string; name: string; bytes: Uint8Array; type?: string },
  ): Promise<Response> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set(
      file.field,
      new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type ?? "application/octet-stream" }),
    );
    return this.app.request(`${PUBLIC_URL}${path}`, {
      method: "POST",
      headers: { Cookie: this.cookie, Origin: PUBLIC_URL },
      body: form,
    });
  }
}

export const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

/** An operator ("Engagement team") and a partner for ST6 ("Housing association"), each signed in. */
export async function operatorAndPartner(
  h: Harness,
): Promise<{ operator: DashboardClient; partner: DashboardClient; operatorId: string }> {
  const op = await h.services.partners.create("Engagement team", [], { role: "operator" });
  const operator = new DashboardClient(h.app);
  await operator.signIn(op.token);
  const p = await h.services.partners.create("Housing association", ["ST6"]);
  const partner = new DashboardClient(h.app);
  await partner.signIn(p.token);
  return { operator, partner, operatorId: op.partner.id };
}
