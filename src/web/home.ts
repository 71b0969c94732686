// The front door: GET / says what this service is, who runs it, how residents reach it (only
// the channels that are on), and where the privacy notice, the dashboard and the API are. In
// English and Welsh (/?lang=cy). Also the favicon, robots.txt and the HTML 404 browsers see.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { displayPhone } from "../champions/codes.js";
import { page } from "./layout.js";

export interface HomeDeps {
  readonly organisationName: string;
  /** The bot's @name when Telegram is on and it is known. */
  readonly telegramUsername?: string;
  /** The number residents text when SMS is on and sends from a number (not a messaging service). */
  readonly smsNumber?: string;
}

type Lang = "en" | "cy";
const langOf = (c: Context): Lang => (c.req.query("lang") === "cy" ? "cy" : "en");

// A speech bubble in the house blue; an SVG favicon every current browser shows.
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1d70b8" d="M4 4h24a2 2 0 0 1 2 2v15a2 2 0 0 1-2 2H13l-7 6v-6H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/><circle cx="10" cy="13.5" r="2" fill="#fff"/><circle cx="16" cy="13.5" r="2" fill="#fff"/><circle cx="22" cy="13.5" r="2" fill="#fff"/></svg>`;

// Partners' and champions' pages are private; the webhooks and API are not for search engines.
const ROBOTS = [
  "User-agent: *",
  "Disallow: /dashboard",
  "Disallow: /champions",
  "Disallow: /api/",
  "Disallow: /webhooks/",
  "",
].join("\n");

export function registerHome(app: Hono, deps: HomeDeps): void {
  app.get("/", (c) => {
    const lang = langOf(c);
    const en = lang === "en";
    const org = deps.organisationName;
    const channels = [
      deps.telegramUsername
        ? html`<li><strong>Telegram:</strong> <a href="https://t.me/${deps.telegramUsername}">t.me/${deps.telegramUsername}</a> — ${en ? "open the link and press Start." : "agorwch y ddolen a phwyswch Start."}</li>`
        : "",
      deps.smsNumber
        ? html`<li><strong>${en ? "Text message" : "Neges destun"}:</strong> ${en ? "text HELLO to" : "anfonwch HELO at"} <a href="sms:${deps.smsNumber}">${displayPhone(deps.smsNumber)}</a>. ${en ? "Normal text charges apply." : "Mae'r gost arferol am neges destun."}</li>`
        : "",
    ].filter((x) => x !== "");
    return c.html(
      page(
        en ? "Have your say" : "Dweud eich dweud",
        html`<header><p><strong>${org}</strong></p><p><a href="${en ? "/?lang=cy" : "/"}" hreflang="${en ? "cy" : "en"}" lang="${en ? "cy" : "en"}">${en ? "Cymraeg" : "English"}</a></p></header>
<main id="main" tabindex="-1">
<h1>${en ? "Tell us what matters where you live" : "Dywedwch wrthon ni beth sy'n bwysig lle rydych chi'n byw"}</h1>
<p>${
          en
            ? html`${org} runs this short chat to hear what residents want to change in their area. It takes about two minutes. We point you to local help on the way, and share only anonymous totals with the council and local groups, so they can act on them.`
            : html`Mae ${org} yn cynnal y sgwrs fer hon i glywed beth mae trigolion eisiau ei newid yn eu hardal. Mae'n cymryd tua dau funud. Rydyn ni'n eich cyfeirio at help lleol ar y ffordd, ac yn rhannu cyfansymiau dienw yn unig gyda'r cyngor a grwpiau lleol, er mwyn iddyn nhw weithredu.`
        }</p>
<h2>${en ? "How to take part" : "Sut i gymryd rhan"}</h2>
${
  channels.length > 0
    ? html`<ul class="channels">${channels}</ul>`
    : html`<p>${en ? "The chat is not open yet. Please check back soon." : "Nid yw'r sgwrs ar agor eto. Dewch yn ôl cyn bo hir."}</p>`
}
<p>${en ? "Reply STOP at any time to stop messages, and HELP for help." : "Atebwch STOP unrhyw bryd i atal negeseuon, a CYMORTH am help."}</p>
<h2>${en ? "Results" : "Canlyniadau"}</h2>
<p><a href="${en ? "/results" : "/results?lang=cy"}">${en ? "See what residents have told us" : "Gweld beth mae trigolion wedi'i ddweud wrthon ni"}</a> ${en ? "and" : "a"} <a href="${en ? "/you-said-we-did" : "/you-said-we-did?lang=cy"}">${en ? "what has been done about it" : "beth sydd wedi'i wneud amdano"}</a>.</p>
<h2>${en ? "Your privacy" : "Eich preifatrwydd"}</h2>
<p><a href="${en ? "/privacy" : "/privacy?lang=cy"}">${en ? "Read the privacy notice" : "Darllenwch yr hysbysiad preifatrwydd"}</a>: ${en ? "what we keep, who sees it, and how to see or delete your data." : "beth rydyn ni'n ei gadw, pwy sy'n ei weld, a sut i weld neu ddileu eich data."}</p>
<h2>${en ? "For councils and partners" : "I gynghorau a phartneriaid"}</h2>
<ul><li><a href="/dashboard">${en ? "Sign in to the insight dashboard" : "Mewngofnodi i'r dangosfwrdd"}</a></li><li><a href="/api/v1/openapi.json">${en ? "The insight API (OpenAPI description)" : "Yr API (disgrifiad OpenAPI)"}</a></li></ul>
</main>`,
        { lang, site: org },
      ),
    );
  });
  app.get("/favicon.svg", (c) =>
    c.body(FAVICON, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" }),
  );
  app.get("/favicon.ico", (c) => c.redirect("/favicon.svg", 301));
  app.get("/robots.txt", (c) => c.text(ROBOTS, 200, { "Cache-Control": "public, max-age=86400" }));
}

/** Whether the client would rather read a page than JSON (a browser navigating, not an API client). */
export function wantsHtml(c: Context): boolean {
  return (
    (c.req.header("Accept") ?? "").includes("text/html") &&
    !c.req.path.startsWith("/api/") &&
    !c.req.path.startsWith("/webhooks/")
  );
}

export function notFoundPage(c: Context, organisationName: string) {
  const lang = langOf(c);
  const en = lang === "en";
  return c.html(
    page(
      en ? "Page not found" : "Heb ddod o hyd i'r dudalen",
      html`<main id="main" tabindex="-1"><h1>${en ? "Page not found" : "Heb ddod o hyd i'r dudalen"}</h1>
<p>${en ? "If you typed the address, check it is correct. If you followed a link, it may be out of date." : "Os teipioch chi'r cyfeiriad, gwiriwch ei fod yn gywir. Os dilynoch chi ddolen, efallai ei bod wedi dyddio."}</p>
<p><a href="${en ? "/" : "/?lang=cy"}">${en ? "Go to the home page" : "Mynd i'r hafan"}</a></p></main>`,
      { lang, site: organisationName },
    ),
    404,
  );
}
