// Sessions a person can end, expired sessions that lose nothing, and areas outside a partner's
// refused on every dashboard route as the API refuses them: through app.request() as a browser
// sends it (cookies, forms with CSRF tokens, redirects).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";

let h: Harness;
let st6: string;

beforeAll(async () => {
  h = await startHarness();
  st6 = (await h.services.partners.create("Burslem Partnership", ["ST6"])).token;
});
afterAll(async () => {
  await h.close();
});

const signedInPage = (html: string) => html.includes("<h1>Insight for Burslem Partnership</h1>");

describe("signing out", () => {
  it("ends the session on the server: the cookie captured before it no longer opens the dashboard", async () => {
    const client = new DashboardClient(h.app);
    await client.signIn(st6);
    const captured = client.sessionCookie;
    const page = await client.page("/dashboard");
    expect(signedInPage(page.html)).toBe(true);
    expect((await client.post("/dashboard/logout", { csrf: csrfOf(page.html) })).status).toBe(303);

    const attacker = new DashboardClient(h.app);
    attacker.sessionCookie = captured;
    const replay = await attacker.page("/dashboard");
    expect(signedInPage(replay.html)).toBe(false);
    expect(replay.html).toContain("Sign in with the partner token");
    expect((await attacker.page("/dashboard/priorities.csv")).html).not.toContain("theme,label");
    expect((await attacker.page("/dashboard/webhook")).html).not.toContain("Insight webhook");
  });

  it("revoking the partner ends every session it has", async () => {
    const { token } = await h.services.partners.create("Short-lived partner", ["ST6"]);
    const client = new DashboardClient(h.app);
    await client.signIn(token);
    await h.services.partners.revoke("Short-lived partner");
    expect((await client.page("/dashboard")).html).toContain("Sign in with the partner token");
  });

  it("refuses a sign-in posted from another site, or with a null Origin", async () => {
    for (const origin of ["https://evil.example", "null"]) {
      const res = await h.app.request(`${PUBLIC_URL}/dashboard/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
        body: new URLSearchParams({ token: st6 }).toString(),
      });
      expect(res.status, origin).toBe(403);
      expect(res.headers.get("Set-Cookie"), origin).toBeNull();
    }
  });

  it("sets the cookie HttpOnly, SameSite=Strict, Secure over https, on /dashboard only", async () => {
    const res = await h.app.request(`${PUBLIC_URL}/dashboard/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL },
      body: new URLSearchParams({ token: st6 }).toString(),
    });
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\/dashboard/);
  });
});

describe("a session that expires while a form is open", () => {
  it("says so, returns the partner to the form after signing in, with the draft they typed", async () => {
    const client = new DashboardClient(h.app);
    await client.signIn(st6);
    const form = await client.page("/dashboard/updates");
    const csrf = csrfOf(form.html);
    h.clock.advance(8 * 3_600_000 + 60_000);
    const draft = "We have asked for the 98 bus to run until 11pm on weekdays & Saturdays.";
    const expired = await client.post("/dashboard/updates/preview", {
      csrf,
      areas: "ST6",
      theme: "transport",
      we_did: draft,
    });
    expect(expired.status).toBe(200);
    const html = await expired.text();
    expect(html).toContain("Your session has expired. Please sign in again.");
    expect(html).toContain('name="next" value="/dashboard/updates"');
    expect(html).toContain('name="draft_we_did"');
    expect(html).toContain("What you typed is kept");

    // Signing in from that page, with what it carries.
    const login = await h.app.request(`${PUBLIC_URL}/dashboard/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL },
      body: new URLSearchParams({
        token: st6,
        next: "/dashboard/updates",
        draft_we_did: draft,
        draft_areas: "ST6",
        draft_theme: "transport",
      }).toString(),
    });
    expect(login.status).toBe(303);
    const location = login.headers.get("Location")!;
    expect(new URL(location, PUBLIC_URL).pathname).toBe("/dashboard/updates");
    client.sessionCookie = login.headers.get("Set-Cookie")!.split(";")[0]!;
    const back = await client.page(location.replace(PUBLIC_URL, ""));
    expect(back.html).toContain(
      "We have asked for the 98 bus to run until 11pm on weekdays &amp; Saturdays.</textarea>",
    );
    expect(back.html).toMatch(/<option value="transport" selected>/);
  });

  it("never sends anyone off the site after signing in", async () => {
    for (const next of ["https://evil.example/", "//evil.example/", "/dashboard/../../x", "javascript:alert(1)"]) {
      const login = await h.app.request(`${PUBLIC_URL}/dashboard/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL },
        body: new URLSearchParams({ token: st6, next }).toString(),
      });
      expect(login.headers.get("Location"), next).toBe("/dashboard");
    }
  });
});

describe("areas outside the partner's", () => {
  it.each(["/dashboard?area=ST4", "/dashboard/priorities.csv?area=ST4"])(
    "%s: 403 naming the partner's areas, audited",
    async (path) => {
      const client = new DashboardClient(h.app);
      await client.signIn(st6);
      const res = await client.page(path);
      expect(res.status).toBe(403);
      expect(res.html).toContain("ST4 is not one of your areas (ST6).");
      expect(res.html).not.toContain("theme,label");
      const audit = await h.services.prisma.auditEntry.findMany({
        where: { action: "denied: area outside partner's areas" },
      });
      expect(audit.some((a) => a.detail.includes(path.split("?")[0]!))).toBe(true);
    },
  );
});
