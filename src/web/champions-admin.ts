// /dashboard/champions: the operator's champions from the browser, as `placevoice champion` does
// from a terminal, over the same store (src/champions/champion-store.ts) and share links
// (src/champions/codes.ts). Create a champion (their private page link is shown once), add
// campaign codes (one per poster or venue, optionally starting another flow), download a code's
// QR code as SVG or PNG, print an A4 or A5 poster in English and Welsh, retire a code or a whole
// champion, and see each champion's reach through the disclosure gate. Operators only (a partner gets 403); every
// form is CSRF-checked and every view and action is written to the audit log.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { ChampionStore, PublishedCount } from "../champions/champion-store.js";
import { CODE_PATTERN, type ShareLinks } from "../champions/codes.js";
import type { Clock } from "../clock.js";
import type { FlowRegistry } from "../engine/types.js";
import type { PartnerStore } from "../insights/partners.js";
import { page } from "./layout.js";
import { operatorForms, operatorReader, sign, type DashboardSession } from "./session.js";

export interface ChampionsAdminDeps {
  readonly champions: ChampionStore;
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly registry: FlowRegistry;
  readonly kThreshold: number;
  /** Where the champion's private page lives; without it, the address the operator used. */
  readonly publicUrl: string | undefined;
  /** The Telegram link and SMS instructions of a code (channels that are on). */
  readonly share: (code: string) => ShareLinks;
  /** The Telegram link as an SVG QR code, where the runtime can draw one. */
  readonly qrSvg?: (text: string) => Promise<string>;
  /** The Telegram link as a PNG QR code, where the runtime can draw one (Node). */
  readonly qrPng?: (text: string) => Promise<Uint8Array>;
  readonly now: Clock;
}

const PATH = "/dashboard/champions";

/** The poster's paper sizes: the sheet, its margin and the print measures that fit it on one page. */
const POSTER_SIZES = {
  a4: { name: "A4", page: "A4", margin: "12mm", rootFont: "16px", qr: "11cm" },
  a5: { name: "A5", page: "A5", margin: "8mm", rootFont: "11px", qr: "7cm" },
} as const;

function shown(count: PublishedCount | undefined): string {
  if (!count) return "-";
  return "value" in count ? count.value.toLocaleString("en-GB") : `fewer than ${count.fewerThan}`;
}

/** A code from a form or a path, in its stored form, or undefined if it cannot be one. */
function codeFrom(value: unknown): string | undefined {
  const code = typeof value === "string" ? value.trim().toUpperCase() : "";
  return CODE_PATTERN.test(code) ? code : undefined;
}

const text = (value: unknown, max: number) => (typeof value === "string" ? value.trim().slice(0, max) : "");

export function registerChampionsAdmin(app: Hono, deps: ChampionsAdminDeps): void {
  const operator = operatorReader(deps);
  const audit = (current: DashboardSession, action: string, detail: Record<string, unknown> = {}) =>
    deps.partners.audit(current.partner.id, action, detail);

  const downloads = (code: string) => {
    const link = deps.share(code).telegram;
    return html`${link && deps.qrSvg ? html`<a href="${PATH}/${code}/qr.svg" download="${code}.svg">QR code (SVG)</a> · ` : ""}${link && deps.qrPng ? html`<a href="${PATH}/${code}/qr.png" download="${code}.png">QR code (PNG)</a> · ` : ""}Poster: <a href="${PATH}/${code}/poster" aria-label="Poster for ${code}, A4">A4</a>, <a href="${PATH}/${code}/poster?size=a5" aria-label="Poster for ${code}, A5">A5</a>`;
  };

  const view = async (c: Context, current: DashboardSession, notice?: ReturnType<typeof html>) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const champions = await deps.champions.list({ k: deps.kThreshold });
    const flows = [...deps.registry.flows.values()].filter((f) => f.id !== deps.registry.helpFlowId);
    return c.html(
      page(
        "Champions",
        html`<header><h1>Champions</h1><nav><a href="/dashboard">Insight</a> · <a href="/dashboard/admin">Admin</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
<p class="note">Champions share codes that bring residents in. Reach counts residents who arrived through any of a champion's codes, retired ones included; no number under ${deps.kThreshold} is shown.</p>
<section aria-labelledby="new-heading"><h2 id="new-heading">New champion</h2>
<form class="filters" method="post" action="${PATH}" aria-label="New champion">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="champion-name">Name <input id="champion-name" name="name" required maxlength="120"></label>
  <label for="champion-org">Organisation (optional) <input id="champion-org" name="org" maxlength="120"></label>
  <button type="submit">Create champion</button>
</form></section>
<section aria-labelledby="list-heading"><h2 id="list-heading">Champions and their codes</h2>
${
  champions.length === 0
    ? html`<p data-testid="no-champions">No champions yet.</p>`
    : champions.map((champion, i) => {
        const own = champion.codes.find((code) => code.campaign === null) ?? champion.codes[0];
        return html`<section class="champion" data-champion="${own?.code ?? ""}" aria-labelledby="champion-${i}"><h3 id="champion-${i}">${champion.name}${champion.organisation ? html` <small>(${champion.organisation})</small>` : ""}${champion.revoked ? " (retired)" : ""}</h3>
<p>Residents reached: <strong data-count="reached">${shown(champion.reached)}</strong></p>
<table class="records"><thead><tr><th scope="col">Code</th><th scope="col">Campaign</th><th scope="col">Starts</th><th scope="col">Share</th><th scope="col">Status</th></tr></thead>
<tbody>${champion.codes.map(
          (code) =>
            html`<tr data-code="${code.code}"><th scope="row"><code>${code.code}</code></th><td data-label="Campaign">${code.campaign ?? "their own code"}</td><td data-label="Starts">${code.flowId ?? "the entry flow"}</td><td data-label="Share">${code.retired || champion.revoked ? "-" : downloads(code.code)}</td><td data-label="Status">${
              code.retired
                ? "retired"
                : champion.revoked
                  ? "retired"
                  : html`<form method="post" action="${PATH}/retire"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="code" value="${code.code}"><button type="submit" aria-label="Retire code ${code.code}">Retire</button></form>`
            }</td></tr>`,
        )}</tbody></table>
${
  own && !champion.revoked
    ? html`<form class="filters" method="post" action="${PATH}/campaign" aria-label="New campaign code for ${champion.name} (${own.code})">
  <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="champion" value="${own.code}">
  <label for="campaign-${i}">Campaign (a poster or venue) <input id="campaign-${i}" name="campaign" required maxlength="120" placeholder="Poster: Abbey Hulton library"></label>
  <label for="flow-${i}">Starts <select id="flow-${i}" name="flow"><option value="">the entry flow (${deps.registry.entryFlowId})</option>${flows
    .filter((f) => f.id !== deps.registry.entryFlowId)
    .map((f) => html`<option value="${f.id}">${f.id}: ${f.name}</option>`)}</select></label>
  <button type="submit">Add campaign code</button>
</form>
<form method="post" action="${PATH}/retire-champion"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="champion" value="${own.code}"><button type="submit" aria-label="Retire this champion: ${champion.name} (${own.code}) and all their codes">Retire this champion</button></form>`
    : ""
}</section>`;
      })
}</section>
</main>`,
      ),
    );
  };

  /** The share links of a new code, with its downloads. */
  const shareNotice = (code: string) => {
    const links = deps.share(code);
    return html`<p>Code <code data-testid="new-code">${code}</code></p>
<ul>${links.telegram ? html`<li>Telegram: <a href="${links.telegram}">${links.telegram}</a></li>` : ""}${links.sms ? html`<li>By text: ${links.sms}</li>` : ""}${!links.telegram && !links.sms ? html`<li>Residents can use this code once Telegram or SMS is set up.</li>` : ""}</ul>
<p>${downloads(code)}</p>`;
  };

  app.get(PATH, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await audit(current, "champions.view");
    return view(c, current);
  });

  /** A POSTed form: operator, CSRF-checked, then the action's page. */
  const action = operatorForms(app, deps);

  const problem = (c: Context, current: DashboardSession, message: string) => {
    c.status(400);
    return view(c, current, html`<p class="error" role="alert">${message}</p>`);
  };

  action(PATH, async (form, current, c) => {
    const name = text(form.name, 120);
    const organisation = text(form.org, 120);
    if (!name) return problem(c, current, "A name is needed.");
    const created = await deps.champions.create(name, organisation || undefined);
    await audit(current, "champions.create", { champion: created.id, code: created.code });
    const base = deps.publicUrl ?? new URL(c.req.url).origin;
    const privateLink = `${base}/champions/${created.code}?key=${encodeURIComponent(created.viewToken)}`;
    return view(
      c,
      current,
      html`<div role="status" class="created" data-testid="created"><p><strong>${created.name}</strong> is a champion.</p>
${shareNotice(created.code)}
<p>Their private page shows how many residents their codes brought in. Send them this link safely: it is shown only this once.</p>
<p><code data-testid="private-link">${privateLink}</code></p></div>`,
    );
  });

  action(`${PATH}/campaign`, async (form, current, c) => {
    const owner = codeFrom(form.champion);
    const campaign = text(form.campaign, 120);
    const flow = text(form.flow, 60);
    if (!owner || !(await deps.champions.code(owner))) return problem(c, current, "No such champion.");
    if (!campaign) return problem(c, current, "Name the campaign (the poster or venue).");
    if (flow && !deps.registry.flows.has(flow)) return problem(c, current, `No flow "${flow}".`);
    const added = await deps.champions.addCampaign(owner, campaign, flow || undefined);
    await audit(current, "champions.campaign", { champion: owner, code: added.code, ...(flow ? { flow } : {}) });
    return view(
      c,
      current,
      html`<div role="status" class="created" data-testid="created"><p>Campaign <strong>${campaign}</strong> for ${added.champion}${flow ? ` (starts the ${flow} flow)` : ""}.</p>
${shareNotice(added.code)}</div>`,
    );
  });

  action(`${PATH}/retire`, async (form, current, c) => {
    const code = codeFrom(form.code);
    const retired = code ? await deps.champions.retireCode(code) : null;
    if (!retired) return problem(c, current, "No such code.");
    await audit(current, "champions.retire", { code: retired.code });
    return view(
      c,
      current,
      html`<p role="status" data-testid="notice">Code <code>${retired.code}</code> (${retired.champion}) is retired: it no longer brings anyone in. The residents it brought stay counted.</p>`,
    );
  });

  action(`${PATH}/retire-champion`, async (form, current, c) => {
    const code = codeFrom(form.champion);
    const retired = code ? await deps.champions.retireChampion(code) : null;
    if (!retired) return problem(c, current, "No such champion.");
    await audit(current, "champions.retire-champion", { champion: code, codes: retired.codes });
    return view(
      c,
      current,
      html`<p role="status" data-testid="notice">${retired.name} is retired: none of their ${retired.codes.length} code(s) brings anyone in, and their private page says so. The residents they brought stay counted.</p>`,
    );
  });

  /** A live code's Telegram link, or the 404 page an operator gets for a code that cannot be shared. */
  const liveLink = async (c: Context): Promise<{ code: string; link: string | undefined } | Response> => {
    const code = codeFrom(c.req.param("code"));
    const found = code ? await deps.champions.code(code) : null;
    if (!code || !found || found.retired) return c.text("No such code, or it is retired", 404);
    return { code, link: deps.share(code).telegram };
  };

  app.get(`${PATH}/:code/qr.svg`, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const live = await liveLink(c);
    if (live instanceof Response) return live;
    if (!live.link || !deps.qrSvg) return c.text("No Telegram link to draw, or no QR codes on this runtime", 404);
    await audit(current, "champions.qr", { code: live.code, format: "svg" });
    return c.body(await deps.qrSvg(live.link), 200, {
      "Content-Type": "image/svg+xml",
      "Content-Disposition": `attachment; filename="${live.code}.svg"`,
    });
  });

  app.get(`${PATH}/:code/qr.png`, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const live = await liveLink(c);
    if (live instanceof Response) return live;
    if (!live.link || !deps.qrPng) return c.text("No Telegram link to draw, or no PNG on this runtime", 404);
    await audit(current, "champions.qr", { code: live.code, format: "png" });
    const png = await deps.qrPng(live.link);
    return c.body(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer, 200, {
      "Content-Type": "image/png",
      "Content-Disposition": `attachment; filename="${live.code}.png"`,
    });
  });

  // A poster to print on A4 or A5: the QR code, the code, the Telegram link and the SMS
  // instruction, in English and Welsh. The QR code is inlined (a data: image), so the printout
  // needs nothing else. Each size has its own @page rule and print measures, so that Chromium
  // lays it out on one sheet of that size (test/web/poster-print.browser.test.ts).
  app.get(`${PATH}/:code/poster`, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const sizeParam = (c.req.query("size") ?? "a4").toLowerCase();
    if (!(sizeParam in POSTER_SIZES)) return c.text("A poster is A4 or A5: ?size=a4 or ?size=a5", 400);
    const size = POSTER_SIZES[sizeParam as keyof typeof POSTER_SIZES];
    const live = await liveLink(c);
    if (live instanceof Response) return live;
    await audit(current, "champions.poster", { code: live.code, size: size.name });
    const links = deps.share(live.code);
    const svg = live.link && deps.qrSvg ? await deps.qrSvg(live.link) : undefined;
    const image = svg ? `data:image/svg+xml;base64,${btoa(svg)}` : undefined;
    const other = size.name === "A4" ? "a5" : "a4";
    return c.html(
      page(
        `${size.name} poster for ${live.code}`,
        html`<style>
  .poster { text-align: center; border: 4px solid #1d70b8; padding: 1.5rem 1rem; }
  .poster h2 { font-size: 2rem; line-height: 1.2; margin: .25rem 0; }
  .poster .cy { color: #0b0c0c; font-weight: 400; }
  .poster img { width: min(70vw, 12cm); height: auto; }
  .poster .code { font-size: 2.5rem; letter-spacing: .2em; font-weight: 700; margin: .5rem 0; }
  .poster .ways { display: grid; gap: 1rem; text-align: left; } .poster .ways p { margin: .25rem 0; }
  @media (min-width: 40rem) { .poster .ways { grid-template-columns: 1fr 1fr; } }
  @page { size: ${size.page} portrait; margin: ${size.margin}; }
  @media print {
    :root { font-size: ${size.rootFont}; }
    body { max-width: none; padding: 0; margin: 0; } .no-print, .skip { display: none !important; }
    .poster { border: 0; padding: 0; page-break-inside: avoid; break-inside: avoid; } .poster img { width: ${size.qr}; }
    .poster h2 { font-size: 1.8rem; } .poster .code { font-size: 2rem; margin: .25rem 0; }
    .poster p { margin: .35rem 0; } .poster .ways { grid-template-columns: 1fr 1fr; gap: .75rem; }
  }
</style>
<header class="no-print"><h1>${size.name} poster for code ${live.code}</h1><nav><a href="${PATH}">Champions</a> · <a href="${PATH}/${live.code}/poster?size=${other}">The ${other.toUpperCase()} poster</a></nav></header>
<main id="main" tabindex="-1">
<p class="no-print note">Print this page on ${size.name} paper (your browser's Print, paper size ${size.name}). It shows no one's details.</p>
<article class="poster" aria-label="Poster">
<h2 lang="en">Have your say on your area</h2>
<h2 lang="cy" class="cy">Dweud eich dweud am eich ardal</h2>
<p lang="en">Tell us what matters most where you live, and find local help that is there now.</p>
<p lang="cy">Dywedwch wrthym beth sydd bwysicaf lle rydych chi'n byw, a dewch o hyd i help lleol sydd ar gael nawr.</p>
${image ? html`<p><img src="${image}" alt="QR code: scan it to chat on Telegram with code ${live.code}" width="400" height="400"></p>` : ""}
<p class="code" data-testid="poster-code"><span lang="en">Code</span> / <span lang="cy">Cod</span>: ${live.code}</p>
<div class="ways">
${
  links.telegram
    ? html`<div data-testid="poster-telegram"><p lang="en"><strong>On Telegram:</strong> scan the code with your phone's camera, or open ${links.telegram}</p>
<p lang="cy"><strong>Ar Telegram:</strong> sganiwch y cod gyda chamera eich ffôn, neu agorwch ${links.telegram}</p></div>`
    : ""
}
${
  links.sms && links.smsCy
    ? html`<div data-testid="poster-sms"><p lang="en"><strong>By text:</strong> ${links.sms}</p>
<p lang="cy"><strong>Drwy neges destun:</strong> ${links.smsCy}</p></div>`
    : ""
}
</div>
<p class="note" lang="en">Send STOP at any time to stop the messages.</p>
<p class="note" lang="cy">Anfonwch STOP unrhyw bryd i atal y negeseuon.</p>
</article>
</main>`,
      ),
    );
  });
}
