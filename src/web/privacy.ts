// GET /privacy (and /privacy?lang=cy, /preifatrwydd): the privacy notice, generated from
// configuration, in English and Welsh. Its version is the one consent is recorded against.
import type { Hono } from "hono";
import { html } from "hono/html";
import { welshYears } from "../engine/text.js";

export interface PrivacyDeps {
  readonly organisationName: string;
  readonly contact: string;
  readonly version: string;
  readonly retentionDays: number;
  readonly threshold: number;
}

export function registerPrivacyNotice(app: Hono, deps: PrivacyDeps): void {
  const years = (deps.retentionDays / 365).toFixed(deps.retentionDays % 365 === 0 ? 0 : 1);
  const render = (lang: "en" | "cy") => {
    const en = lang === "en";
    return html`<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${en ? "Privacy notice" : "Hysbysiad preifatrwydd"} · ${deps.organisationName}</title>
<style>body{font:1.05rem/1.55 system-ui,sans-serif;max-width:42rem;margin:1.5rem auto;padding:0 1rem;color:#0b0c0c}h2{margin-top:1.5rem}a{color:#1d70b8}</style></head>
<body><main>
<p><a href="${en ? "/privacy?lang=cy" : "/privacy"}" hreflang="${en ? "cy" : "en"}">${en ? "Cymraeg" : "English"}</a></p>
<h1>${en ? "Privacy notice" : "Hysbysiad preifatrwydd"}</h1>
<p>${deps.organisationName} · ${en ? "version" : "fersiwn"} ${deps.version}</p>
${
  en
    ? html`<h2>What we do</h2><p>We ask residents what matters most where they live, point them to local services that can help, and share anonymous totals with the council and local partners so they can act on them.</p>
<h2>What we keep</h2><ul><li>Your answers, the first part of your postcode only (like ST6), your language, and the code you came with, if any.</li><li>Your phone number or chat id, encrypted, only so we can reply. It is never shown to anyone or included in any report.</li><li>Anything you write is stored for analysis only with names, numbers, emails, addresses and postcodes removed.</li></ul>
<h2>Who sees it</h2><p>Councils and partners see totals only, never who said what, and never a number smaller than ${deps.threshold}. Quotes are shown without personal details and without the date, only from areas where at least ${deps.threshold} people took part.</p>
<h2>How long</h2><p>After ${years} years your answers are kept only as anonymous totals and redacted text, with no link to you. Message ids used to avoid duplicates are deleted after 30 days.</p>
<h2>Your choices</h2><ul><li>Reply <strong>MYDATA</strong> (or /mydata on Telegram) to see everything we hold about you.</li><li>Reply <strong>DELETE</strong> (or /delete) to erase it. Totals already published keep their counts (numbers only, never names).</li><li>Reply <strong>STOP</strong> at any time to stop messages; <strong>START</strong> to come back.</li><li>If you say yes to hearing back, we send you a few updates on what changed in your area, and you can reply whether they helped. Reply <strong>UPDATES</strong> to see them again.</li></ul>
<h2>Contact</h2><p>${deps.contact}</p>`
    : html`<h2>Beth rydyn ni'n ei wneud</h2><p>Rydyn ni'n gofyn i breswylwyr beth sydd bwysicaf lle maen nhw'n byw, yn eu cyfeirio at wasanaethau lleol, ac yn rhannu cyfansymiau dienw gyda'r cyngor a phartneriaid lleol er mwyn iddyn nhw weithredu.</p>
<h2>Beth rydyn ni'n ei gadw</h2><ul><li>Eich atebion, rhan gyntaf eich cod post yn unig (fel ST6), eich iaith, a'r cod y daethoch chi gydag ef, os o gwbl.</li><li>Eich rhif ffôn neu'ch ID sgwrs, wedi'i amgryptio, dim ond er mwyn i ni allu ateb. Nid yw byth yn cael ei ddangos i neb.</li><li>Mae unrhyw beth rydych chi'n ei ysgrifennu yn cael ei storio ar gyfer dadansoddi heb enwau, rhifau, e-byst, cyfeiriadau na chodau post.</li></ul>
<h2>Pwy sy'n ei weld</h2><p>Dim ond cyfansymiau mae cynghorau a phartneriaid yn eu gweld, byth pwy ddywedodd beth, a byth rif llai na ${deps.threshold}.</p>
<h2>Am ba hyd</h2><p>Ar ôl ${welshYears(Number(years))}, dim ond fel cyfansymiau dienw a thestun wedi'i olygu y cedwir eich atebion, heb gysylltiad â chi.</p>
<h2>Eich dewisiadau</h2><ul><li>Atebwch <strong>MYDATA</strong> i weld popeth sydd gennym amdanoch chi.</li><li>Atebwch <strong>DILEU</strong> i'w ddileu. Mae cyfansymiau sydd eisoes wedi'u cyhoeddi yn cadw eu rhifau.</li><li>Atebwch <strong>STOP</strong> unrhyw bryd i atal negeseuon; <strong>START</strong> i ddod yn ôl.</li><li>Os byddwch chi'n dweud ie i glywed yn ôl, byddwn ni'n anfon ychydig o ddiweddariadau atoch chi am yr hyn a newidiodd yn eich ardal. Atebwch <strong>DIWEDDARIADAU</strong> i'w gweld eto.</li></ul>
<h2>Cysylltu</h2><p>${deps.contact}</p>`
}
</main></body></html>`;
  };
  app.get("/privacy", (c) => {
    return c.html(render(c.req.query("lang") === "cy" ? "cy" : "en"));
  });
  app.get("/preifatrwydd", (c) => c.redirect("/privacy?lang=cy", 301));
}
