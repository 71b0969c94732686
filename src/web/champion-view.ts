// GET /champions/:code?key=… — a champion's own page: how many residents their codes brought
// in, how many finished, their top priorities and what they could offer. Aggregates only;
// every number under the threshold reads "fewer than K". A wrong code or key gets the same 404
// as no champion at all; a retired champion's page says they are retired, and nothing more.
import type { Hono } from "hono";
import { html } from "hono/html";
import type { ChampionStore, PublishedCount } from "../champions/champion-store.js";
import type { ShareLinks } from "../champions/codes.js";
import type { Clock } from "../clock.js";
import { page } from "./layout.js";

export interface ChampionViewDeps {
  readonly champions: ChampionStore;
  /** Records refused look-ups (wrong key, another champion's code). */
  readonly audit?: (actor: string, action: string, detail: Record<string, unknown>) => Promise<void>;
  readonly kThreshold: number;
  readonly entryFlowId: string;
  readonly organisationName: string;
  readonly themeLabel: (id: string) => string;
  /** "Figures as of …". */
  readonly now: Clock;
  /** What a champion shares for a code: the Telegram link and the SMS instruction (channels that are on). */
  readonly share: (code: string) => ShareLinks;
  /** The Telegram link as a QR code (SVG), where the runtime can draw one. */
  readonly qrSvg?: (text: string) => Promise<string>;
  /** The areas heard least for their population over the last 52 weeks (names only), when a baseline is imported. */
  readonly areasNeedingVoices?: () => Promise<readonly string[]>;
}

function shown(count: PublishedCount): string {
  return "value" in count ? count.value.toLocaleString("en-GB") : `fewer than ${count.fewerThan}`;
}

export function registerChampionView(app: Hono, deps: ChampionViewDeps): void {
  // The Telegram link of one of the champion's codes as a QR code, for posters; same key as the page.
  app.get("/champions/:code/qr.svg", async (c) => {
    const code = c.req.param("code");
    const key = c.req.query("key") ?? "";
    const view =
      deps.qrSvg && /^[A-Za-z0-9]{4,12}$/.test(code) && key.length > 0 && key.length < 100
        ? await deps.champions.view(code, key, deps.kThreshold, deps.entryFlowId)
        : null;
    const live =
      view && !view.retired && view.codes.some((entry) => entry.code === code.toUpperCase() && !entry.retired);
    const link = live ? deps.share(code.toUpperCase()).telegram : undefined;
    if (!view || !link || !deps.qrSvg) return c.text("Not found", 404);
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    return c.body(await deps.qrSvg(link), 200, { "Content-Type": "image/svg+xml" });
  });

  app.get("/champions/:code", async (c) => {
    const code = c.req.param("code");
    const key = c.req.query("key") ?? "";
    const view =
      /^[A-Za-z0-9]{4,12}$/.test(code) && key.length > 0 && key.length < 100
        ? await deps.champions.view(code, key, deps.kThreshold, deps.entryFlowId)
        : null;
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Robots-Tag", "noindex");
    if (!view) await deps.audit?.("unknown", "denied: champion view", { code: code.slice(0, 12) });
    if (!view)
      return c.html(
        page(
          "Link not valid",
          html`<main id="main" tabindex="-1"><h1>Link not valid</h1><p>This link is not valid. Ask ${deps.organisationName} for your champion link.</p></main>`,
          { site: deps.organisationName },
        ),
        404,
      );
    if (view.retired)
      return c.html(
        page(
          `${view.name}: retired`,
          html`<main id="main" tabindex="-1">
<h1>${view.name}${view.organisation ? html` <small>(${view.organisation})</small>` : ""}</h1>
<p data-testid="retired"><strong>Retired:</strong> your champion codes no longer bring anyone in, and this page no longer shows figures. Thank you for sharing PlaceVoice. The residents your codes brought are still counted in ${deps.organisationName}'s results.</p>
<p>If you think this is a mistake, ask ${deps.organisationName}.</p>
</main>`,
          { site: deps.organisationName },
        ),
      );
    const k = deps.kThreshold;
    const needing = deps.areasNeedingVoices ? await deps.areasNeedingVoices() : [];
    return c.html(
      page(
        `${view.name}: your PlaceVoice reach`,
        html`<main id="main" tabindex="-1">
<h1>${view.name}${view.organisation ? html` <small>(${view.organisation})</small>` : ""}</h1>
<p>Thank you for sharing PlaceVoice. These are totals for everyone who arrived through your codes.</p>
<dl class="counts">
  <dt>Residents reached</dt><dd data-count="reached">${shown(view.reached)}</dd>
  <dt>Finished the priorities questions</dt><dd data-count="finished">${shown(view.finished)}</dd>
  ${view.codes.length > 1 ? html`<dt>Came back through another of your codes</dt><dd data-count="touches">${shown(view.laterTouches)}</dd>` : ""}
</dl>
<p class="note" data-testid="as-of">Figures as of ${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" }).format(deps.now())}.</p>
<h2>What matters most to them</h2>
${
  view.topPriorities.length === 0
    ? html`<p data-count="priorities">Not enough answers yet to show without risking anyone being identified.</p>`
    : html`<table><thead><tr><th scope="col">Priority</th><th scope="col">Residents</th></tr></thead><tbody>${view.topPriorities.map((p) => html`<tr><td>${deps.themeLabel(p.theme)}</td><td>${shown(p.count)}</td></tr>`)}</tbody></table>`
}
<h2>What they could offer</h2>
${
  view.couldOffer.length === 0
    ? html`<p data-count="offers">Not enough offers yet to show without risking anyone being identified.</p>`
    : html`<table data-testid="could-offer"><thead><tr><th scope="col">Could offer</th><th scope="col">Residents</th></tr></thead><tbody>${view.couldOffer.map((o) => html`<tr><td>${deps.themeLabel(o.kind)}</td><td>${shown(o.count)}</td></tr>`)}</tbody></table>`
}
${
  needing.length > 0
    ? html`<h2>Where voices are most needed</h2>
<p>For the number of people who live there, we have heard least from these areas over the last 52 weeks. Sharing your codes there helps most.</p>
<ol data-testid="areas-needing-voices">${needing.map((a) => html`<li>${a}</li>`)}</ol>`
    : ""
}
<h2>Share it</h2>
${view.codes.map((entry) => {
  if (entry.retired)
    return html`<section class="share" data-code="${entry.code}"><h3><code>${entry.code}</code>${entry.campaign ? html` — ${entry.campaign}` : " — your own code"}</h3><p>Retired: this code no longer brings anyone in. The residents it brought are still counted above.</p></section>`;
  const links = deps.share(entry.code);
  return html`<section class="share" data-code="${entry.code}"><h3><code>${entry.code}</code>${entry.campaign ? html` — ${entry.campaign}` : " — your own code"}</h3>
${links.telegram ? html`<p>Telegram link: <a href="${links.telegram}">${links.telegram}</a></p>` : ""}
${links.sms ? html`<p>By text: ${links.sms}</p>` : ""}
${links.telegram && deps.qrSvg ? html`<p><img src="/champions/${entry.code}/qr.svg?key=${key}" alt="QR code for the Telegram link with code ${entry.code}" width="160" height="160"></p>` : ""}
${!links.telegram && !links.sms ? html`<p>Residents reach PlaceVoice with this code once a channel is set up.</p>` : ""}</section>`;
})}
<p class="note">To protect residents, no number under ${k} is ever shown (it reads “fewer than ${k}”), and nothing here says who took part.</p>
</main>`,
        { site: deps.organisationName },
      ),
    );
  });
}
