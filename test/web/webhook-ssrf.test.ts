// A signed-in partner (not an operator) tries to make the server send requests into its own
// network through the webhook form: internal addresses in every spelling, and a name that
// points somewhere public when registered and at 127.0.0.1 when delivered. All are refused and
// nothing reaches the listener; the delivery log says only "could not connect".
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWebhookUrl, isPublicAddress } from "../../src/net/public-address.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { testClock } from "../support/clock.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";

let h: Harness;
let listener: Server;
let port: number;
const hits: string[] = [];
// What the (fake) DNS says for each name, changeable mid-test: "re-pointed after registration".
const dns = new Map<string, string[]>([["hooks.partner.example", ["93.184.216.34"]]]);

beforeAll(async () => {
  listener = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(303, { Location: "/" }).end();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  port = (listener.address() as AddressInfo).port;
  h = await startHarness({}, testClock(), {
    resolveHost: async (name) => {
      const addresses = dns.get(name);
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      return addresses;
    },
  });
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => listener.close(r));
});

async function signedIn() {
  const { token } = await h.services.partners.create(`Curious partner ${Math.random()}`, ["ST6"]);
  const client = new DashboardClient(h.app);
  await client.signIn(token);
  const csrf = csrfOf((await client.page("/dashboard/webhook")).html);
  return { client, csrf };
}

describe("the webhook form refuses internal addresses", () => {
  it.each([
    "https://169.254.169.254/latest/meta-data/",
    "https://10.1.2.3:8443/x",
    "https://192.168.0.1/x",
    "https://172.16.5.4/x",
    "https://[::1]/x",
    "https://0.0.0.0/x",
    "https://100.64.0.1/x",
    "https://224.0.0.1/x",
    "https://[fe80::1]/x",
    "https://[fc00::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:7f00:1]/x",
    // 127.0.0.1 in decimal, octal, hex and short forms.
    "https://2130706433/x",
    "https://0177.0.0.1/x",
    "https://0x7f.0.0.1/x",
    "https://127.1/x",
    "https://localhost/x",
    "https://app.localhost/x",
  ])("%s: refused with a clear message, nothing sent", async (url) => {
    const { client, csrf } = await signedIn();
    const before = hits.length;
    const res = await client.post("/dashboard/webhook", { csrf, url });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("private or local network");
    expect(hits.length).toBe(before);
  });

  it.each([`http://127.0.0.1:${"PORT"}/hook`, "http://localhost:22/", "http://hooks.partner.example/x"])(
    "%s: plain http is refused",
    async (template) => {
      const { client, csrf } = await signedIn();
      const res = await client.post("/dashboard/webhook", { csrf, url: template.replace("PORT", String(port)) });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("must start with https://");
    },
  );

  it("a name that resolves to a private address is refused at registration", async () => {
    dns.set("intranet.partner.example", ["10.0.0.5"]);
    const { client, csrf } = await signedIn();
    const res = await client.post("/dashboard/webhook", { csrf, url: "https://intranet.partner.example/hook" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("private or local network");
  });

  it("a name re-pointed at 127.0.0.1 after registration is refused at delivery: nothing sent, the log says only 'could not connect'", async () => {
    dns.set("hooks.partner.example", ["93.184.216.34"]);
    const { client, csrf } = await signedIn();
    const registered = await client.post("/dashboard/webhook", {
      csrf,
      url: `https://hooks.partner.example:${port}/hook`,
    });
    expect(registered.status).toBe(200);
    dns.set("hooks.partner.example", ["127.0.0.1"]);
    const before = hits.length;
    expect((await client.post("/dashboard/webhook/send", { csrf })).status).toBe(303);
    expect(hits.length).toBe(before);
    const log = (await client.page("/dashboard/webhook")).html;
    expect(log).toContain("<td>could not connect</td>");
    expect(log).not.toMatch(/ECONNREFUSED|EREFUSEDADDRESS|127\.0\.0\.1/);
  });

  it("an operator may allow a host for local testing; partners cannot change that", async () => {
    expect(checkWebhookUrl(`http://127.0.0.1:${port}/hook`, ["127.0.0.1"]).ok).toBe(true);
    expect(checkWebhookUrl(`http://127.0.0.1:${port}/hook`, []).ok).toBe(false);
    for (const public_ of ["8.8.8.8", "2606:4700:4700::1111"]) expect(isPublicAddress(public_)).toBe(true);
    for (const internal of [
      "127.0.0.1",
      "10.0.0.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "100.64.0.1",
      "0.0.0.0",
      "::ffff:10.0.0.1",
      "2002:7f00:1::1",
    ])
      expect(isPublicAddress(internal), internal).toBe(false);
  });
});
