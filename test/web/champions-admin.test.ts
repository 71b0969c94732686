// Champions from the browser (/dashboard/champions): an operator creates a champion and
// campaign codes, downloads QR codes and a poster, sees reach through the disclosure gate and
// retires a code, as a browser would (app.request with the session cookie and CSRF token);
// residents arrive through the webhooks as Telegram and Twilio send them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PUBLIC_URL,
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  published,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { DashboardClient, csrfOf, operatorAndPartner } from "../support/dashboard-client.js";
import { textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import { MARGIN, decodePng, modulesOf, svgModules } from "../support/qr-image.js";

const BOT = "placevoice_test_bot";
let h: Harness;
let operator: DashboardClient;
let partner: DashboardClient;
let phone = 700;

async function sms(from: string, body: string): Promise<string> {
  const response = await h.sms(
    inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
  );
  expect(response.status).toBe(200);
  return await response.text();
}

const attributedTo = (code: string) => h.services.prisma.contact.count({ where: { attribution: code } });

async function createChampion(name: string, org = ""): Promise<{ html: string; code: string; privateLink: string }> {
  const { html } = await operator.page("/dashboard/champions");
  const response = await operator.post("/dashboard/champions", { csrf: csrfOf(html), name, org });
  expect(response.status).toBe(200);
  const created = await response.text();
  const code = /data-testid="new-code">([A-Z0-9]+)</.exec(created)![1]!;
  const privateLink = /data-testid="private-link">([^<]+)</.exec(created)![1]!.replace(/&amp;/g, "&");
  return { html: created, code, privateLink };
}

async function addCampaign(champion: string, campaign: string, flow = ""): Promise<string> {
  const { html } = await operator.page("/dashboard/champions");
  const response = await operator.post("/dashboard/champions/campaign", {
    csrf: csrfOf(html),
    champion,
    campaign,
    flow,
  });
  expect(response.status).toBe(200);
  return /data-testid="new-code">([A-Z0-9]+)</.exec(await response.text())![1]!;
}

beforeAll(async () => {
  h = await startHarness();
  ({ operator, partner } = await operatorAndPartner(h));
});

afterAll(async () => {
  await h.close();
});

describe("/dashboard/champions", () => {
  it("creates a champion: the code, its links and the private page link, shown once and working", async () => {
    const created = await createChampion("Tunstall Library Friends", "TLF");
    expect(created.html).toContain(`https://t.me/${BOT}?start=c_${created.code}`);
    expect(created.html).toContain(`Text JOIN ${created.code} to 07700 900000`);
    expect(created.privateLink).toMatch(
      new RegExp(`^${PUBLIC_URL.replace(/\./g, "\\.")}/champions/${created.code}\\?key=[A-Za-z0-9_-]{32}$`),
    );
    const own = await h.app.request(created.privateLink.slice(PUBLIC_URL.length));
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("Tunstall Library Friends");
    // Shown once: the list afterwards has the champion, never the key.
    const key = new URL(created.privateLink).searchParams.get("key")!;
    const { html } = await operator.page("/dashboard/champions");
    expect(html).toContain("Tunstall Library Friends");
    expect(html).toContain(`data-code="${created.code}"`);
    expect(html).not.toContain(key);
    expect((await h.services.partners.recentAudit(5)).map((a) => a.action)).toContain("champions.create");
  });

  it("adds a campaign code that starts the offers flow, as `champion campaign --flow offers` does", async () => {
    const champion = await createChampion("Burslem Good Neighbours");
    const poster = await addCampaign(champion.code, "Poster: Burslem market", "offers");
    expect(poster).not.toBe(champion.code);
    const { html } = await operator.page("/dashboard/champions");
    expect(html).toMatch(
      new RegExp(
        `data-code="${poster}"><th scope="row"><code>${poster}</code></th><td[^>]*>Poster: Burslem market</td><td[^>]*>offers</td>`,
      ),
    );
    // The poster's Telegram link starts the offers flow for a new resident.
    await h.telegramUpdate(textUpdate(72_000_001, `/start c_${poster}`));
    expect(h.telegram.textsTo(72_000_001).join("\n")).toContain("Local groups need people like you.");
    expect(await attributedTo(poster)).toBe(1);
    // An unknown flow is refused, and nothing is added.
    const before = (await h.services.champions.list()).find((c) => c.name === "Burslem Good Neighbours")!.codes.length;
    const refused = await operator.post("/dashboard/champions/campaign", {
      csrf: csrfOf(html),
      champion: champion.code,
      campaign: "Poster: nowhere",
      flow: "no-such-flow",
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("No flow &quot;no-such-flow&quot;.");
    expect((await h.services.champions.list()).find((c) => c.name === "Burslem Good Neighbours")!.codes).toHaveLength(
      before,
    );
  });

  it("downloads a code's QR code as SVG and PNG, each the Telegram link", async () => {
    const champion = await createChampion("Middleport Pottery Volunteers");
    const campaign = await addCampaign(champion.code, "Poster: Middleport Pottery");
    const link = `https://t.me/${BOT}?start=c_${campaign}`;
    const expected = modulesOf(link);

    const svg = await h.app.request(`${PUBLIC_URL}/dashboard/champions/${campaign}/qr.svg`, {
      headers: { Cookie: operator.sessionCookie },
    });
    expect(svg.status).toBe(200);
    expect(svg.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(svg.headers.get("Content-Disposition")).toBe(`attachment; filename="${campaign}.svg"`);
    const drawn = svgModules(await svg.text());
    expect(drawn).toEqual(expected);
    expect(drawn).not.toEqual(modulesOf(`https://t.me/${BOT}?start=c_${champion.code}`));

    const png = await h.app.request(`${PUBLIC_URL}/dashboard/champions/${campaign}/qr.png`, {
      headers: { Cookie: operator.sessionCookie },
    });
    expect(png.status).toBe(200);
    expect(png.headers.get("Content-Type")).toBe("image/png");
    const image = decodePng(Buffer.from(await png.arrayBuffer()));
    expect(image.width).toBe(image.height);
    const scale = image.width / (expected.length + 2 * MARGIN);
    const sampled = expected.map((row, r) =>
      row.map((_, c) => image.dark(Math.floor((c + MARGIN + 0.5) * scale), Math.floor((r + MARGIN + 0.5) * scale))),
    );
    expect(sampled).toEqual(expected);
    // The quiet zone is light.
    expect(image.dark(1, 1)).toBe(false);
  });

  it("prints a poster with the code, the QR code, the Telegram link and the SMS instruction in English and Welsh", async () => {
    const champion = await createChampion("Fenton Youth Club");
    const { status, html } = await operator.page(`/dashboard/champions/${champion.code}/poster`);
    expect(status).toBe(200);
    expect(html).toContain(
      `data-testid="poster-code"><span lang="en">Code</span> / <span lang="cy">Cod</span>: ${champion.code}<`,
    );
    expect(html).toContain(`https://t.me/${BOT}?start=c_${champion.code}`);
    expect(html).toContain(`<strong>By text:</strong> Text JOIN ${champion.code} to 07700 900000`);
    expect(html).toContain(`<strong>Drwy neges destun:</strong> Tecstiwch JOIN ${champion.code} i 07700 900000`);
    expect(html).toContain('<h2 lang="en">Have your say on your area</h2>');
    expect(html).toContain('<h2 lang="cy" class="cy">Dweud eich dweud am eich ardal</h2>');
    expect(html).toContain("@page { size: A4 portrait;");
    const image = /<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html)![1]!;
    expect(svgModules(Buffer.from(image, "base64").toString("utf8"))).toEqual(
      modulesOf(`https://t.me/${BOT}?start=c_${champion.code}`),
    );
  });

  it("prints the same poster on A5 when asked: its own page size, linked from the list; no other sizes", async () => {
    const champion = await createChampion("Stoke Minster Welcome Team");
    const { html: list } = await operator.page("/dashboard/champions");
    expect(list).toContain(`href="/dashboard/champions/${champion.code}/poster?size=a5"`);
    const { status, html } = await operator.page(`/dashboard/champions/${champion.code}/poster?size=a5`);
    expect(status).toBe(200);
    expect(html).toContain("@page { size: A5 portrait;");
    expect(html).not.toContain("size: A4");
    expect(html).toContain(`<h1>A5 poster for code ${champion.code}</h1>`);
    expect(html).toContain('<h2 lang="cy" class="cy">Dweud eich dweud am eich ardal</h2>');
    expect(html).toContain(`Tecstiwch JOIN ${champion.code} i 07700 900000`);
    const wrong = await operator.page(`/dashboard/champions/${champion.code}/poster?size=a3`);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toBe("A poster is A4 or A5: ?size=a4 or ?size=a5");
    const audit = await h.services.prisma.auditEntry.findMany({ where: { action: "champions.poster" } });
    expect(audit.map((a) => a.detail)).toContain(JSON.stringify({ code: champion.code, size: "A5" }));
  });

  it("retires a whole champion: none of their codes brings anyone in, their page says retired, and it is audited", async () => {
    const champion = await createChampion("Bentilee Neighbourhood Watch", "BNW");
    const poster = await addCampaign(champion.code, "Poster: Bentilee shops");
    await sms(`+4477009${String(++phone).padStart(5, "0")}`, `JOIN ${poster}`);
    expect(await attributedTo(poster)).toBe(1);
    const key = new URL(champion.privateLink).searchParams.get("key")!;

    const { html } = await operator.page("/dashboard/champions");
    expect(
      (await operator.post("/dashboard/champions/retire-champion", { csrf: csrfOf(html), champion: "NOSUCH" })).status,
    ).toBe(400);
    const retired = await operator.post("/dashboard/champions/retire-champion", {
      csrf: csrfOf(html),
      champion: poster,
    });
    expect(retired.status).toBe(200);
    const after = await retired.text();
    expect(after).toContain("Bentilee Neighbourhood Watch is retired: none of their 2 code(s) brings anyone in");
    const section = after.slice(after.indexOf(`data-champion="${champion.code}"`)).split("</section>")[0]!;
    expect(section).toContain("Bentilee Neighbourhood Watch <small>(BNW)</small> (retired)</h3>");
    for (const code of [champion.code, poster])
      expect(section).toMatch(new RegExp(`data-code="${code}">.*<td data-label="Status">retired</td>`));
    expect(section).not.toContain("Add campaign code");
    expect(section).not.toContain("Retire this champion");

    // Neither code brings anyone in, by Telegram or by text; whom they brought stays counted.
    for (const code of [champion.code, poster]) {
      await h.telegramUpdate(textUpdate(72_000_201, `/start c_${code}`));
      await sms(`+4477009${String(++phone).padStart(5, "0")}`, `JOIN ${code}`);
    }
    expect(await attributedTo(champion.code)).toBe(0);
    expect(await attributedTo(poster)).toBe(1);
    expect((await operator.page(`/dashboard/champions/${poster}/poster`)).status).toBe(404);

    // Their private page says retired, and shows no figures, codes or QR codes; a wrong key is still a 404.
    const own = await h.app.request(`/champions/${champion.code}?key=${encodeURIComponent(key)}`);
    expect(own.status).toBe(200);
    const ownHtml = await own.text();
    expect(ownHtml).toContain(
      'data-testid="retired"><strong>Retired:</strong> your champion codes no longer bring anyone in',
    );
    expect(ownHtml).not.toContain("data-count");
    expect(ownHtml).not.toContain(poster);
    expect((await h.app.request(`/champions/${champion.code}/qr.svg?key=${encodeURIComponent(key)}`)).status).toBe(404);
    expect((await h.app.request(`/champions/${champion.code}?key=wrong-key`)).status).toBe(404);

    const entries = await h.services.prisma.auditEntry.findMany({ where: { action: "champions.retire-champion" } });
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.detail)).toEqual({ champion: poster, codes: [champion.code, poster].sort() });
    const op = (await h.services.partners.list()).find((p) => p.name === "Engagement team")!;
    expect(entries[0]!.actor).toBe(op.id);
  });

  it("lists each champion's reach through the disclosure gate, as their own page shows it", async () => {
    const champion = await createChampion("Abbey Hulton Pantry");
    const key = new URL(champion.privateLink).searchParams.get("key")!;
    const reachOnList = async () => {
      const { html } = await operator.page("/dashboard/champions");
      const section = html.slice(html.indexOf(`data-champion="${champion.code}"`));
      return /data-count="reached">([^<]*)</.exec(section)![1];
    };
    for (let i = 0; i < 9; i++) await sms(`+4477009${String(++phone).padStart(5, "0")}`, `JOIN ${champion.code}`);
    expect(await attributedTo(champion.code)).toBe(9);
    expect(await reachOnList()).toBe("fewer than 10");
    await sms(`+4477009${String(++phone).padStart(5, "0")}`, `JOIN ${champion.code}`);
    expect(await reachOnList()).toBe(String(published(10)));
    const own = await (await h.app.request(`/champions/${champion.code}?key=${encodeURIComponent(key)}`)).text();
    expect(own).toContain(`data-count="reached">${published(10)}<`);
    const { html } = await operator.page("/dashboard/champions");
    expect(html).not.toMatch(/\+44|07700 9007/);
  });

  it("retires a code: a resident who uses it afterwards, by Telegram or text, is not brought in by it", async () => {
    const champion = await createChampion("Longton Library");
    const poster = await addCampaign(champion.code, "Poster: Longton bus station", "offers");
    await h.telegramUpdate(textUpdate(72_000_101, `/start c_${poster}`));
    expect(await attributedTo(poster)).toBe(1);

    const { html } = await operator.page("/dashboard/champions");
    const retired = await operator.post("/dashboard/champions/retire", { csrf: csrfOf(html), code: poster });
    expect(retired.status).toBe(200);
    const after = await retired.text();
    expect(after).toContain(`Code <code>${poster}</code> (Longton Library) is retired`);
    expect(after).toMatch(new RegExp(`data-code="${poster}">.*<td data-label="Status">retired</td>`));

    await h.telegramUpdate(textUpdate(72_000_102, `/start c_${poster}`));
    const telegramTexts = h.telegram.textsTo(72_000_102).join("\n");
    expect(telegramTexts).not.toContain("Local groups need people like you.");
    const texted = await sms(`+4477009${String(++phone).padStart(5, "0")}`, `JOIN ${poster}`);
    expect(texted).not.toContain("Local groups need people like you.");
    expect(await attributedTo(poster)).toBe(1);
    // The champion's other code still works; the retired one offers no QR code or poster.
    await h.telegramUpdate(textUpdate(72_000_103, `/start c_${champion.code}`));
    expect(await attributedTo(champion.code)).toBe(1);
    // The champion's own page says the poster's code is retired, and draws no QR code for it.
    const key = new URL(champion.privateLink).searchParams.get("key")!;
    const own = await (await h.app.request(`/champions/${champion.code}?key=${encodeURIComponent(key)}`)).text();
    expect(own).toMatch(new RegExp(`data-code="${poster}">.*Retired: this code no longer brings anyone in`));
    expect(own).not.toContain(`/champions/${poster}/qr.svg`);
    expect((await h.app.request(`/champions/${poster}/qr.svg?key=${encodeURIComponent(key)}`)).status).toBe(404);
    expect((await operator.page(`/dashboard/champions/${poster}/poster`)).status).toBe(404);
    expect((await operator.page(`/dashboard/champions/${poster}/qr.svg`)).status).toBe(404);
    const audit = await h.services.partners.recentAudit(20);
    expect(audit.find((a) => a.action === "champions.retire")?.detail).toContain(poster);
  });

  it("is for operators only: a partner gets 403 for the page, the downloads and every form", async () => {
    const champion = await createChampion("Hanley Scouts");
    const before = (await h.services.champions.list()).length;
    for (const path of [
      "/dashboard/champions",
      `/dashboard/champions/${champion.code}/qr.svg`,
      `/dashboard/champions/${champion.code}/qr.png`,
      `/dashboard/champions/${champion.code}/poster`,
    ]) {
      const { status, html } = await partner.page(path);
      expect(status, path).toBe(403);
      expect(html).not.toContain(champion.code);
    }
    const { html: partnerPage } = await partner.page("/dashboard");
    const partnerCsrf = csrfOf(partnerPage);
    expect((await partner.post("/dashboard/champions", { csrf: partnerCsrf, name: "Sneaky" })).status).toBe(403);
    expect((await partner.post("/dashboard/champions/retire", { csrf: partnerCsrf, code: champion.code })).status).toBe(
      403,
    );
    expect(
      (await partner.post("/dashboard/champions/retire-champion", { csrf: partnerCsrf, champion: champion.code }))
        .status,
    ).toBe(403);
    expect((await h.services.champions.list()).find((c) => c.name === "Hanley Scouts")?.revoked).toBe(false);
    expect((await h.services.champions.list()).length).toBe(before);
    expect((await h.services.champions.code(champion.code))?.retired).toBe(false);
    expect((await h.services.partners.recentAudit(10)).map((a) => a.action)).toContain("denied: admin view");
  });

  it("refuses a form without this session's CSRF token, and changes nothing", async () => {
    const champion = await createChampion("Meir Community Choir");
    const before = (await h.services.champions.list()).length;
    expect((await operator.post("/dashboard/champions", { name: "No token" })).status).toBe(403);
    expect((await operator.post("/dashboard/champions", { csrf: "forged", name: "Forged" })).status).toBe(403);
    expect((await operator.post("/dashboard/champions/retire", { code: champion.code })).status).toBe(403);
    expect((await operator.post("/dashboard/champions/retire-champion", { champion: champion.code })).status).toBe(403);
    expect(
      (await operator.post("/dashboard/champions/campaign", { champion: champion.code, campaign: "Poster" })).status,
    ).toBe(403);
    expect((await h.services.champions.list()).length).toBe(before);
    expect((await h.services.champions.code(champion.code))?.retired).toBe(false);
  });
});
