// GET /privacy (and /privacy?lang=cy, /preifatrwydd): the privacy notice, generated from
// configuration, in English and Welsh. Its version is the one consent is recorded against.
import type { Hono } from "hono";
import { html } from "hono/html";
import { welshYears } from "../engine/text.js";
import { page } from "./layout.js";

export interface PrivacyDeps {
  readonly organisationName: string;
  /** The organisation's Welsh name (ORGANISATION_NAME_CY), for the Welsh notice. */
  readonly organisationNameCy?: string;
  readonly contact: string;
  readonly version: string;
  readonly retentionDays: number;
  readonly threshold: number;
  /** Who carries residents' messages or handles their words for us: the channels that are on, and the LLM provider when one is set. */
  readonly processors: readonly {
    readonly name: string;
    readonly role: { readonly en: string; readonly cy: string };
  }[];
}

export function registerPrivacyNotice(app: Hono, deps: PrivacyDeps): void {
  const years = Number((deps.retentionDays / 365).toFixed(deps.retentionDays % 365 === 0 ? 0 : 1));
  const k = deps.threshold;
  const render = (lang: "en" | "cy") => {
    const en = lang === "en";
    const org = en ? deps.organisationName : (deps.organisationNameCy ?? deps.organisationName);
    const processors = deps.processors.map(
      (p) => html`<li><strong>${p.name}</strong>: ${en ? p.role.en : p.role.cy}</li>`,
    );
    return page(
      en ? "Privacy notice" : "Hysbysiad preifatrwydd",
      html`<main id="main" tabindex="-1">
<p><a href="${en ? "/privacy?lang=cy" : "/privacy"}" hreflang="${en ? "cy" : "en"}" lang="${en ? "cy" : "en"}">${en ? "Cymraeg" : "English"}</a></p>
<h1>${en ? "Privacy notice" : "Hysbysiad preifatrwydd"}</h1>
<p>${org} · ${en ? "version" : "fersiwn"} ${deps.version}</p>
${
  en
    ? html`<h2>Who we are</h2><p>${org} runs this service and is responsible for your information (the data controller). Contact: ${deps.contact}</p>
<h2>What we do</h2><p>We ask residents what matters most where they live, point them to local services that can help, and share anonymous totals with the council and local partners so they can act on them.</p>
<h2>Why we may use your information</h2><p>Because you agree to it (UK GDPR Article 6(1)(a)). We ask before the first question. You can change your mind at any time by sending STOP or DELETE.</p>
<h2>What we keep</h2><ul><li>Your answers, the first part of your postcode only (like ST6), your language, and the code you came with, if any.</li><li>Your phone number or chat id, encrypted, only so we can reply. It is never shown to anyone or included in any report.</li><li>Anything you write is stored for analysis only with names, numbers, emails, addresses and postcodes removed.</li></ul>
<h2>Who sees it</h2><p>Councils and partners see totals only, never who said what. Numbers under ${k} are never shown, and the others are slightly adjusted so that no small group can be worked out. Quotes are shown with personal details removed, with only the area and the month, and only from areas where at least ${k} people wrote about that subject. Partners can look at the quotes of one age group, or of SMS or Telegram only: then a quote is shown only if at least ${k} people in that group, in that area, wrote about that subject. A local group sees what you could offer, when, and your area only if you ask that group to get in touch, never your number; its messages reach you through us, and NO THANKS or STOP ends them.</p>
<h2>Who carries the messages</h2><ul>${processors.length > 0 ? processors : html`<li>No messaging service is set up yet.</li>`}</ul>
<h2>How long</h2><p>After ${years} ${years === 1 ? "year" : "years"}, your answers are kept only as anonymous totals and text with personal details removed, with no link to you. Message ids used to avoid duplicates are deleted after 30 days.</p>
<h2>Your choices</h2><ul><li>Reply <strong>MYDATA</strong> (or /mydata on Telegram) to see everything we hold about you.</li><li>Reply <strong>DELETE</strong> (or /delete) to erase it. Totals already published keep their counts (numbers only, never names).</li><li>Reply <strong>STOP</strong> at any time to stop messages. Reply <strong>START</strong> to get messages again.</li><li>If you say yes to getting news, we send you a few updates on what changed in your area, and you can reply whether they helped. Reply <strong>UPDATES</strong> to see them again.</li></ul>
<h2>If you are not happy</h2><p>Contact us first: ${deps.contact} You can also complain to the Information Commissioner's Office (ICO): <a href="https://ico.org.uk/make-a-complaint/">ico.org.uk/make-a-complaint</a> or 0303 123 1113.</p>`
    : html`<h2>Pwy ydyn ni</h2><p>${org} sy'n rhedeg y gwasanaeth hwn ac sy'n gyfrifol am eich gwybodaeth (y rheolydd data). Cysylltu: ${deps.contact}</p>
<h2>Beth rydyn ni'n ei wneud</h2><p>Rydyn ni'n gofyn i drigolion beth sydd bwysicaf lle maen nhw'n byw, yn eu cyfeirio at wasanaethau lleol a allai helpu, ac yn rhannu cyfansymiau dienw gyda'r cyngor a phartneriaid lleol er mwyn iddyn nhw weithredu.</p>
<h2>Pam y cawn ni ddefnyddio eich gwybodaeth</h2><p>Oherwydd eich bod chi'n cytuno (Erthygl 6(1)(a) GDPR y DU). Rydyn ni'n gofyn cyn y cwestiwn cyntaf. Gallwch chi newid eich meddwl unrhyw bryd drwy anfon STOP neu DILEU.</p>
<h2>Beth rydyn ni'n ei gadw</h2><ul><li>Eich atebion, rhan gyntaf eich cod post yn unig (fel ST6), eich iaith, a'r cod y daethoch chi gydag ef, os o gwbl.</li><li>Eich rhif ffôn neu'ch ID sgwrs, wedi'i amgryptio, dim ond er mwyn i ni allu ateb. Nid yw byth yn cael ei ddangos i neb na'i gynnwys mewn unrhyw adroddiad.</li><li>Mae unrhyw beth rydych chi'n ei ysgrifennu yn cael ei storio ar gyfer dadansoddi yn unig, heb enwau, rhifau, e-byst, cyfeiriadau na chodau post.</li></ul>
<h2>Pwy sy'n ei weld</h2><p>Dim ond cyfansymiau mae cynghorau a phartneriaid yn eu gweld, byth pwy ddywedodd beth. Dydy rhifau dan ${k} byth yn cael eu dangos, ac mae'r lleill wedi'u haddasu ychydig fel na all neb weithio allan grŵp bach. Mae dyfyniadau'n cael eu dangos heb fanylion personol, gyda'r ardal a'r mis yn unig, a dim ond o ardaloedd lle mae o leiaf ${k} o bobl wedi ysgrifennu am y pwnc. Gall partneriaid edrych ar ddyfyniadau un grŵp oedran, neu SMS neu Telegram yn unig: yna dim ond os yw o leiaf ${k} o bobl yn y grŵp hwnnw, yn yr ardal honno, wedi ysgrifennu am y pwnc y caiff dyfyniad ei ddangos. Dim ond os byddwch chi'n gofyn i grŵp lleol gysylltu y bydd y grŵp hwnnw'n gweld beth allech chi ei gynnig, pryd, a'ch ardal, byth eich rhif; mae ei negeseuon yn dod atoch chi drwyddon ni, ac mae DIM DIOLCH neu STOP yn eu hatal.</p>
<h2>Pwy sy'n cario'r negeseuon</h2><ul>${processors.length > 0 ? processors : html`<li>Does dim gwasanaeth negeseuon wedi'i osod eto.</li>`}</ul>
<h2>Am ba hyd</h2><p>Ar ôl ${welshYears(years)}, dim ond fel cyfansymiau dienw a thestun heb fanylion personol y cedwir eich atebion, heb gysylltiad â chi. Mae'r rhifau neges a ddefnyddiwn i osgoi dyblygu yn cael eu dileu ar ôl 30 diwrnod.</p>
<h2>Eich dewisiadau</h2><ul><li>Atebwch <strong>FY NATA</strong> (neu /mydata ar Telegram) i weld popeth sydd gennym amdanoch chi.</li><li>Atebwch <strong>DILEU</strong> (neu /delete) i'w ddileu. Mae cyfansymiau sydd eisoes wedi'u cyhoeddi yn cadw eu rhifau (rhifau yn unig, byth enwau).</li><li>Atebwch <strong>STOP</strong> unrhyw bryd i atal negeseuon. Atebwch <strong>DECHRAU</strong> i gael negeseuon eto.</li><li>Os byddwch chi'n dweud ie i gael newyddion, byddwn ni'n anfon ychydig o ddiweddariadau atoch chi am yr hyn a newidiodd yn eich ardal, a gallwch chi ateb a oedden nhw'n ddefnyddiol. Atebwch <strong>DIWEDDARIADAU</strong> i'w gweld eto.</li></ul>
<h2>Os nad ydych chi'n hapus</h2><p>Cysylltwch â ni yn gyntaf: ${deps.contact} Gallwch chi hefyd gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO): <a href="https://ico.org.uk/make-a-complaint/">ico.org.uk/make-a-complaint</a> neu 0303 123 1113.</p>`
}
</main>`,
      { lang, site: org },
    );
  };
  app.get("/privacy", (c) => {
    return c.html(render(c.req.query("lang") === "cy" ? "cy" : "en"));
  });
  app.get("/preifatrwydd", (c) => c.redirect("/privacy?lang=cy", 301));
}
