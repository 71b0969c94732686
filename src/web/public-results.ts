// Public results, opt-in per area: no sign-in, in English and Welsh (?lang=cy).
// - GET /results: the areas an operator has made public, and what was asked;
// - GET /results/<area>: that area's priorities over the last 52 weeks (chart and table, period,
//   base, units, source), every number through the disclosure gate at the public threshold;
// - GET /you-said-we-did: "We asked, you said, we did": the updates sent to public areas;
// - GET/POST /dashboard/public: where an operator publishes an area or withdraws it (CSRF,
//   audit log).
// An area that is not public reads exactly as an unknown page: a 404 says nothing about it.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import { areaLabel } from "../directory/settings.js";
import { THEMES } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { PartnerStore } from "../insights/partners.js";
import { periodLabel } from "../insights/periods.js";
import type { PublicAreas } from "../insights/public-areas.js";
import type { InsightQueries, ThemeRow } from "../insights/queries.js";
import type { UpdateService } from "../updates/updates.js";
import { barChart } from "./charts.js";
import { notFoundPage } from "./home.js";
import { page } from "./layout.js";
import { operatorReader, sign, validCsrf } from "./session.js";

export interface PublicResultsDeps {
  readonly publicAreas: PublicAreas;
  /** Insight at the public threshold. */
  readonly queries: InsightQueries;
  readonly threshold: number;
  readonly themeLabel: (id: string, language?: string) => string;
  readonly updates: UpdateService;
  readonly organisationName: string;
  readonly now: Clock;
  /** For the operator's page: sessions and the audit log. */
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  /** The names districts are known by ("ST6 Burslem"), from the directory's placevoice.yaml. */
  readonly areaNames?: () => Promise<Readonly<Record<string, string>>>;
}

type Lang = "en" | "cy";
const langOf = (c: Context): Lang => (c.req.query("lang") === "cy" ? "cy" : "en");
const withLang = (path: string, lang: Lang) => (lang === "cy" ? `${path}?lang=cy` : path);
const number = (n: number) => n.toLocaleString("en-GB");

/** The English and Welsh of every public page; Welsh follows docs/glossary.md. */
const TEXT = {
  en: {
    results: "Results",
    intro: (org: string) =>
      `${org} asks residents what matters most in their area. These are the results for the areas that have been published.`,
    asked: "We asked: what matters most to you in your area? Each resident could choose up to three priorities.",
    none: "No results have been published yet.",
    areaTitle: (area: string) => `What residents in ${area} told us`,
    period: (label: string) => `Answers from ${label} (the last 52 weeks).`,
    base: "Residents who answered:",
    caption: (area: string, label: string, n: string, source: string) =>
      `Residents per priority in ${area}, ${label}, of ${n} residents who answered. Number of residents; each could choose up to three. Source: ${source}.`,
    priority: "Priority",
    residents: "Residents",
    share: "Share",
    noResponses: (area: string) => `No responses yet in ${area}.`,
    withheld: (area: string, k: number) =>
      `Fewer than ${k} residents in ${area} answered in the last 52 weeks, so the figures are withheld to protect them.`,
    fewer: (k: number) => `fewer than ${k}`,
    note: (k: number) =>
      `To protect residents, numbers under ${k} are withheld and the others are slightly adjusted, so that no small group can be worked out from them. Each resident could pick up to three priorities, so the numbers do not add up to the total.`,
    source: (org: string) =>
      org === "PlaceVoice" ? "residents' answers to PlaceVoice" : `residents' answers to ${org}, through PlaceVoice`,
    updatesLink: "We asked, you said, we did",
    updatesTitle: "We asked, you said, we did",
    updatesIntro: "What residents told us, and what has been done about it, in the areas whose results are public.",
    noUpdates: "Nothing has been published here yet.",
    youSaid: "You said",
    weDid: "We did",
    areas: "Areas",
    moreInfo: "More information",
    allResults: "All results",
    giveTitle: "What people could give",
    giveBase: "Residents who said what they could offer their area (each could pick up to three):",
    couldOffer: "Could offer",
    giveNone: (area: string) => `No one in ${area} has said yet what they could offer.`,
    giveWithheld: (area: string, k: number) =>
      `What residents in ${area} could offer is withheld to protect them: fewer than ${k} said, or showing it would let a small group be worked out.`,
    other: "Cymraeg",
  },
  cy: {
    results: "Canlyniadau",
    intro: (org: string) =>
      `Mae ${org} yn gofyn i drigolion beth sydd bwysicaf yn eu hardal. Dyma'r canlyniadau ar gyfer yr ardaloedd sydd wedi'u cyhoeddi.`,
    asked:
      "Fe ofynnon ni: beth sydd bwysicaf i chi yn eich ardal? Gallai pob preswylydd ddewis hyd at dair blaenoriaeth.",
    none: "Does dim canlyniadau wedi'u cyhoeddi eto.",
    areaTitle: (area: string) => `Beth ddywedodd trigolion ${area} wrthon ni`,
    period: (label: string) => `Atebion o ${label} (y 52 wythnos diwethaf).`,
    base: "Trigolion a atebodd:",
    caption: (area: string, label: string, n: string, source: string) =>
      `Trigolion fesul blaenoriaeth yn ${area}, ${label}, o'r ${n} o drigolion a atebodd. Nifer y trigolion; gallai pob un ddewis hyd at dair. Ffynhonnell: ${source}.`,
    priority: "Blaenoriaeth",
    residents: "Trigolion",
    share: "Cyfran",
    noResponses: (area: string) => `Dim ymatebion eto yn ${area}.`,
    withheld: (area: string, k: number) =>
      `Atebodd llai na ${k} o drigolion yn ${area} yn y 52 wythnos diwethaf, felly rydyn ni'n cadw'r ffigurau'n ôl i'w diogelu.`,
    fewer: (k: number) => `llai na ${k}`,
    note: (k: number) =>
      `I ddiogelu trigolion, dydyn ni ddim yn dangos rhifau o dan ${k}, ac mae'r lleill wedi'u haddasu ychydig, fel na ellir adnabod grŵp bach. Gallai pob preswylydd ddewis hyd at dair blaenoriaeth, felly dydy'r rhifau ddim yn adio i'r cyfanswm.`,
    source: (org: string) =>
      org === "PlaceVoice" ? "atebion trigolion i PlaceVoice" : `atebion trigolion i ${org}, drwy PlaceVoice`,
    updatesLink: "Fe ofynnon ni, dywedoch chi, fe wnaethon ni",
    updatesTitle: "Fe ofynnon ni, dywedoch chi, fe wnaethon ni",
    updatesIntro:
      "Beth ddywedodd trigolion wrthon ni, a beth sydd wedi'i wneud amdano, yn yr ardaloedd y mae eu canlyniadau'n gyhoeddus.",
    noUpdates: "Does dim byd wedi'i gyhoeddi yma eto.",
    youSaid: "Dywedoch chi",
    weDid: "Fe wnaethon ni",
    areas: "Ardaloedd",
    moreInfo: "Rhagor o wybodaeth",
    allResults: "Pob canlyniad",
    giveTitle: "Beth allai pobl ei roi",
    giveBase: "Trigolion a ddywedodd beth allen nhw ei gynnig i'w hardal (gallai pob un ddewis hyd at dri):",
    couldOffer: "Gallai gynnig",
    giveNone: (area: string) => `Does neb yn ${area} wedi dweud eto beth allen nhw ei gynnig.`,
    giveWithheld: (area: string, k: number) =>
      `Rydyn ni'n cadw'r ffigurau am beth allai trigolion ${area} ei gynnig yn ôl i'w diogelu: llai na ${k} a ddywedodd, neu byddai eu dangos yn gadael i rywun adnabod grŵp bach.`,
    other: "English",
  },
} as const;

const dateIn = (d: Date, lang: Lang) =>
  new Intl.DateTimeFormat(lang === "cy" ? "cy-GB" : "en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(d);

export function registerPublicResults(app: Hono, deps: PublicResultsDeps): void {
  const k = deps.threshold;
  const namesOf = async (): Promise<Readonly<Record<string, string>>> => (deps.areaNames ? deps.areaNames() : {});
  // Public pages may be cached briefly by browsers; they change when residents answer.
  const publicCache = (c: Context) => c.header("Cache-Control", "public, max-age=300");
  const switcher = (path: string, lang: Lang) =>
    html`<p><a href="${withLang(path, lang === "en" ? "cy" : "en")}" hreflang="${lang === "en" ? "cy" : "en"}" lang="${lang === "en" ? "cy" : "en"}">${TEXT[lang].other}</a></p>`;
  const header = (path: string, lang: Lang) =>
    html`<header><p><a href="${withLang("/", lang)}"><strong>${deps.organisationName}</strong></a></p>${switcher(path, lang)}</header>`;

  app.get("/results", async (c) => {
    const lang = langOf(c);
    const t = TEXT[lang];
    const [areas, names] = await Promise.all([deps.publicAreas.list(), namesOf()]);
    publicCache(c);
    return c.html(
      page(
        t.results,
        html`${header("/results", lang)}<main id="main" tabindex="-1"><h1>${t.results}</h1>
<p>${t.intro(deps.organisationName)}</p><p>${t.asked}</p>
${
  areas.length === 0
    ? html`<p data-testid="no-results">${t.none}</p>`
    : html`<ul data-testid="public-areas">${areas.map((a) => html`<li><a href="${withLang(`/results/${a.area}`, lang)}">${areaLabel(a.area, names)}</a></li>`)}</ul>`
}
<p><a href="${withLang("/you-said-we-did", lang)}">${t.updatesLink}</a></p></main>`,
        { lang, site: deps.organisationName },
      ),
    );
  });

  app.get("/results/:area", async (c) => {
    const lang = langOf(c);
    const t = TEXT[lang];
    const code = c.req.param("area").toUpperCase();
    if (!POSTCODE_DISTRICT.test(code) || !(await deps.publicAreas.isPublic(code)))
      return notFoundPage(c, deps.organisationName);
    // "ST6 Burslem" in what people read; the code in queries and addresses.
    const area = areaLabel(code, await namesOf());
    const today = deps.now();
    const period = await deps.queries.resolvePeriod({ kind: "year" }, today);
    const [table, offered] = await Promise.all([
      deps.queries.themeTable({ allowedAreas: [], area: code, period }, "choice", THEMES),
      deps.queries.offerTable({ allowedAreas: [], area: code, period }),
    ]);
    const rows = [...table.rows].sort((a, b) => (b.count ?? -1) - (a.count ?? -1));
    const label = periodLabel(period, lang);
    const label$ = (theme: string) => deps.themeLabel(theme, lang);
    /** One row of a published table: withheld counts read "fewer than K". */
    const tableRow = (r: ThemeRow) =>
      html`<tr><th scope="row">${label$(r.theme)}</th><td class="num ${r.count === null ? "suppressed" : ""}" data-label="${t.residents}">${r.count === null ? t.fewer(k) : number(r.count)}</td><td class="num" data-label="${t.share}">${r.share === null ? "–" : `${r.share}%`}</td></tr>`;
    publicCache(c);
    let body;
    if (table.noResponses)
      body = html`<p class="note" role="status" data-testid="empty-state">${t.noResponses(area)}</p>`;
    else if (table.respondents.count === null)
      body = html`<p class="note" role="status" data-testid="empty-state">${t.withheld(area, k)}</p>`;
    else {
      const n = number(table.respondents.count);
      body = html`<p>${t.base} <strong data-testid="respondents">${n}</strong></p>
<figure><figcaption>${t.caption(area, label, n, t.source(deps.organisationName))}</figcaption>
${barChart(
  t.caption(area, label, n, t.source(deps.organisationName)),
  rows.map((r) => ({ label: label$(r.theme), value: r.count })),
  k,
)}</figure>
<table class="records" data-testid="public-table"><thead><tr><th scope="col">${t.priority}</th><th scope="col" class="num">${t.residents}</th><th scope="col" class="num">${t.share}</th></tr></thead>
<tbody>${rows.map(tableRow)}</tbody></table>`;
    }
    // What people say is needed, then what people could give: the same gate, the same period.
    const give = html`<section aria-labelledby="give-heading"><h2 id="give-heading">${t.giveTitle}</h2>${
      offered.noResponses
        ? html`<p class="note" data-testid="give-empty">${t.giveNone(area)}</p>`
        : offered.respondents.count === null
          ? html`<p class="note" data-testid="give-empty">${t.giveWithheld(area, k)}</p>`
          : html`<p>${t.giveBase} <strong data-testid="offerers">${number(offered.respondents.count)}</strong></p>
<table class="records" data-testid="give-table"><thead><tr><th scope="col">${t.couldOffer}</th><th scope="col" class="num">${t.residents}</th><th scope="col" class="num">${t.share}</th></tr></thead>
<tbody>${[...offered.rows].sort((a, b) => (b.count ?? -1) - (a.count ?? -1)).map(tableRow)}</tbody></table>`
    }</section>`;
    return c.html(
      page(
        t.areaTitle(area),
        html`${header(`/results/${code}`, lang)}<main id="main" tabindex="-1"><h1>${t.areaTitle(area)}</h1>
<p>${t.asked}</p><p data-testid="period">${t.period(label)}</p>
${body}
${give}
<p class="note" data-testid="disclosure-note">${t.note(k)}</p>
<p><a href="${withLang("/you-said-we-did", lang)}">${t.updatesLink}</a> · <a href="${withLang("/results", lang)}">${t.allResults}</a></p></main>`,
        { lang, site: deps.organisationName },
      ),
    );
  });

  app.get("/you-said-we-did", async (c) => {
    const lang = langOf(c);
    const t = TEXT[lang];
    const [listed, names] = await Promise.all([deps.publicAreas.list(), namesOf()]);
    const areas = listed.map((a) => a.area);
    const updates = await deps.updates.forAreas(areas, 50);
    const pick = (text: { en: string; cy?: string | undefined }) => (lang === "cy" && text.cy ? text.cy : text.en);
    publicCache(c);
    return c.html(
      page(
        t.updatesTitle,
        html`${header("/you-said-we-did", lang)}<main id="main" tabindex="-1"><h1>${t.updatesTitle}</h1>
<p>${t.updatesIntro}</p><p>${t.asked}</p>
${
  updates.length === 0
    ? html`<p data-testid="no-updates">${t.noUpdates}</p>`
    : updates.map(
        (u) => html`<article class="update" data-testid="update"><h2>${dateIn(u.createdAt, lang)}</h2>
<p><strong>${t.areas}:</strong> ${u.areas
          .filter((a) => areas.includes(a))
          .map((a) => areaLabel(a, names))
          .join(", ")}</p>
<p><strong>${t.youSaid}:</strong> ${pick(u.youSaid)}</p><p><strong>${t.weDid}:</strong> ${pick(u.weDid)}</p>
${u.link && /^https?:\/\//.test(u.link) ? html`<p><a href="${u.link}">${t.moreInfo}</a></p>` : ""}</article>`,
      )
}
<p><a href="${withLang("/results", lang)}">${t.allResults}</a></p></main>`,
        { lang, site: deps.organisationName },
      ),
    );
  });

  // The operator's switch: which areas are public.
  const operator = operatorReader(deps);
  const adminView = async (c: Context, csrf: string, notice?: string, status: 200 | 400 = 200) => {
    const [areas, names] = await Promise.all([deps.publicAreas.list(), namesOf()]);
    return c.html(
      page(
        "Public results",
        html`<header><h1>Public results</h1><nav><a href="/dashboard/admin">Admin</a> · <a href="/results">The public results page</a></nav></header>
<main id="main" tabindex="-1">
${notice ? html`<p class="${status === 200 ? "note" : "error"}" role="${status === 200 ? "status" : "alert"}">${notice}</p>` : ""}
<p>Publishing an area shows its priorities over the last 52 weeks at <a href="/results">/results</a>, and its "you said, we did" updates at <a href="/you-said-we-did">/you-said-we-did</a>, to anyone, without signing in. Numbers under ${k} are withheld there and the others slightly adjusted, as for partners.</p>
<form method="post" action="/dashboard/public" class="filters"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="publish">
<label for="area">Postcode district <input id="area" name="area" required pattern="[A-Za-z]{1,2}[0-9][A-Za-z0-9]?" size="6"></label>
<button type="submit">Publish</button></form>
<h2>Public now</h2>
${
  areas.length === 0
    ? html`<p data-testid="no-public-areas">No area is public.</p>`
    : html`<table class="records" data-testid="public-areas"><thead><tr><th scope="col">Area</th><th scope="col">Public since</th><th scope="col">Action</th></tr></thead><tbody>${areas.map(
        (a) =>
          html`<tr><td data-label="Area"><a href="/results/${a.area}">${areaLabel(a.area, names)}</a></td><td data-label="Public since">${dateIn(a.publishedAt, "en")}</td><td data-label="Action"><form method="post" action="/dashboard/public"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="withdraw"><input type="hidden" name="area" value="${a.area}"><button type="submit" aria-label="Withdraw ${a.area}">Withdraw</button></form></td></tr>`,
      )}</tbody></table>`
}
</main>`,
      ),
      status,
    );
  };

  app.get("/dashboard/public", async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "admin.public.view", {});
    return adminView(c, sign(deps.sessionSecret, current.raw));
  });

  app.post("/dashboard/public", async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const form = await c.req.parseBody();
    if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    const csrf = sign(deps.sessionSecret, current.raw);
    const area = typeof form.area === "string" ? form.area.trim().toUpperCase() : "";
    if (!POSTCODE_DISTRICT.test(area)) return adminView(c, csrf, "Area must be a postcode district such as ST6.", 400);
    if (form.action === "withdraw") {
      const withdrawn = await deps.publicAreas.withdraw(area);
      await deps.partners.audit(current.partner.id, "admin.public.withdraw", { area });
      return adminView(c, csrf, withdrawn ? `${area} is no longer public.` : `${area} was not public.`);
    }
    await deps.publicAreas.publish(area, current.partner.id);
    await deps.partners.audit(current.partner.id, "admin.public.publish", { area });
    return adminView(c, csrf, `${area} is public: /results/${area}`);
  });
}
