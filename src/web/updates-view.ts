// "You said, we did" on the dashboard: a partner (in its own areas) or an operator drafts an
// update, sees how many residents it would reach (never a number under the threshold) and the
// message as each channel will show it, then sends it; past updates show delivered / read /
// replies under the same disclosure control. Every publish is audited.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { THEMES } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { Cell } from "../insights/disclosure.js";
import type { Clock } from "../clock.js";
import type { PartnerStore } from "../insights/partners.js";
import type { UpdateRequest, UpdateService } from "../updates/updates.js";
import { sessionReader, sign, validCsrf, type DashboardSession, signInAgain, draftFrom } from "./session.js";
import { page, scrollRegion } from "./layout.js";

export interface UpdatesViewDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly now: Clock;
  readonly updates: UpdateService;
  readonly themeLabel: (id: string) => string;
  readonly threshold: number;
}

export function registerUpdatesView(app: Hono, deps: UpdatesViewDeps): void {
  const session = sessionReader(deps);
  const fewer = `fewer than ${deps.threshold}`;
  const cell = (c: Cell) =>
    c.count === null ? html`<span class="suppressed">${fewer}</span>` : c.count.toLocaleString("en-GB");

  /** The request a form describes, or what is wrong with it (areas outside the partner's are refused). */
  const requestFrom = (
    form: Record<string, unknown>,
    current: DashboardSession,
  ): { request: UpdateRequest } | { problem: string; forbidden?: boolean } => {
    const text = (key: string, max: number) =>
      typeof form[key] === "string" ? (form[key] as string).trim().slice(0, max) : "";
    const areas = [
      ...new Set(
        text("areas", 200)
          .toUpperCase()
          .split(/[\s,]+/)
          .filter(Boolean),
      ),
    ];
    if (areas.length === 0 || areas.some((a) => !POSTCODE_DISTRICT.test(a)))
      return { problem: "Areas are postcode districts, such as ST6." };
    const own = current.partner.areas;
    if (own.length > 0 && areas.some((a) => !own.includes(a)))
      return { problem: `You can publish only for your areas (${own.join(", ")}).`, forbidden: true };
    const theme = text("theme", 40);
    if (!(THEMES as readonly string[]).includes(theme)) return { problem: "Choose a theme." };
    const weDid = { en: text("we_did", 320), cy: text("we_did_cy", 320) };
    if (!weDid.en) return { problem: 'Say what was done ("we did / we will").' };
    const youSaid = { en: text("you_said", 320), cy: text("you_said_cy", 320) };
    const link = text("link", 300);
    if (link && !/^https:\/\/[^\s]+$/.test(link)) return { problem: "The link must start with https://" };
    return {
      request: {
        author: current.partner.id,
        theme,
        areas,
        weDid: weDid.cy ? weDid : { en: weDid.en },
        ...(youSaid.en ? { youSaid: youSaid.cy ? youSaid : { en: youSaid.en } } : {}),
        ...(link ? { link } : {}),
      },
    };
  };

  const form = (
    csrf: string,
    current: DashboardSession,
    values: Record<string, string> = {},
  ) => html`<form class="filters" method="post" action="/dashboard/updates/preview" aria-label="New update">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="theme">Theme <select id="theme" name="theme">${THEMES.map((t) => html`<option value="${t}" ${values.theme === t ? "selected" : ""}>${deps.themeLabel(t)}</option>`)}</select></label>
  <label for="areas">Areas <input id="areas" name="areas" required value="${values.areas ?? current.partner.areas.join(", ")}" placeholder="ST6" size="14"></label>
  <label for="we_did">We did / we will (English) <textarea id="we_did" name="we_did" required maxlength="320" rows="3" cols="40">${values.we_did ?? ""}</textarea></label>
  <label for="we_did_cy">Welsh (optional) <textarea id="we_did_cy" name="we_did_cy" maxlength="320" rows="3" cols="40">${values.we_did_cy ?? ""}</textarea></label>
  <label for="link">Link (optional) <input id="link" name="link" value="${values.link ?? ""}" placeholder="https://" size="30"></label>
  <button type="submit">Preview</button>
</form>`;

  app.get("/dashboard/updates", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    c.header("Cache-Control", "no-store");
    await deps.partners.audit(current.partner.id, "updates.view", {});
    const stats = await deps.updates.stats(current.partner.areas);
    const notice = c.req.query("sent");
    return c.html(
      page(
        "Updates",
        html`<header><h1>You said, we did</h1><nav><a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
${notice ? html`<p role="status">${notice === "refused" ? `Not sent: it would reach ${fewer} residents.` : "Sent. It goes out through the outbox, outside quiet hours."}</p>` : ""}
<p>Tell residents what changed because of what they said. It goes to residents in those areas who chose the theme and agreed to hear back.</p>
${form(sign(deps.sessionSecret, current.raw), current, draftFrom(c))}
<h2>Published</h2>
${
  stats.length === 0
    ? html`<p class="note">No updates yet.</p>`
    : scrollRegion(
        "Published updates",
        html`<table data-testid="updates"><thead><tr><th scope="col">Date</th><th scope="col">Areas</th><th scope="col">Theme</th><th scope="col">We did</th><th scope="col" class="num">Sent to</th><th scope="col" class="num">Delivered</th><th scope="col" class="num">Read</th><th scope="col" class="num">Helpful</th><th scope="col" class="num">Not helpful</th></tr></thead>
<tbody>${stats.map(
          (u) =>
            html`<tr><td>${u.createdAt.toISOString().slice(0, 10)}</td><td>${u.areas.join(", ")}</td><td>${u.theme ? deps.themeLabel(u.theme) : (u.questionKey ?? "")}</td><td>${u.weDid.en}</td><td class="num">${cell(u.audience)}</td><td class="num">${cell(u.delivered)}</td><td class="num">${cell(u.read)}</td><td class="num">${cell(u.helpful)}</td><td class="num">${cell(u.notHelpful)}</td></tr>`,
        )}</tbody></table>`,
      )
}
<p class="note">Telegram does not report reads; SMS rarely does. No number under ${deps.threshold} is shown.</p>
</main>`,
      ),
    );
  });

  /** POSTed forms: signed in, CSRF-checked, and a request within the partner's areas. */
  const post = (
    pathname: string,
    run: (
      c: Context,
      current: DashboardSession,
      request: UpdateRequest,
      form: Record<string, unknown>,
    ) => Promise<Response>,
  ) =>
    app.post(pathname, async (c) => {
      const current = await session(c);
      if (!current) return signInAgain(c, deps);
      c.header("Cache-Control", "no-store");
      const body = await c.req.parseBody();
      if (!validCsrf(deps.sessionSecret, current, body.csrf)) return c.text("Invalid form", 403);
      const parsed = requestFrom(body, current);
      if ("problem" in parsed) {
        if (parsed.forbidden)
          await deps.partners.audit(current.partner.id, "denied: update outside own areas", {
            areas: String(body.areas ?? "").slice(0, 100),
          });
        return c.html(
          page(
            "Updates",
            html`<main id="main" tabindex="-1"><h1>You said, we did</h1><p class="error" role="alert">${parsed.problem}</p><p><a href="/dashboard/updates">Back</a></p></main>`,
          ),
          parsed.forbidden ? 403 : 400,
        );
      }
      return run(c, current, parsed.request, body);
    });

  post("/dashboard/updates/preview", async (c, current, request) => {
    const draft = await deps.updates.draft(request);
    const csrf = sign(deps.sessionSecret, current.raw);
    const hidden = (name: string, value: string | undefined) =>
      html`<input type="hidden" name="${name}" value="${value ?? ""}">`;
    return c.html(
      page(
        "Preview update",
        html`<header><h1>Preview</h1><nav><a href="/dashboard/updates">Updates</a></nav></header>
<main id="main" tabindex="-1">
<p>It would reach <strong data-testid="audience">${cell(draft.audience)}</strong> residents.</p>
${draft.previews.map(
  (p) =>
    html`<section><h2>${p.channel === "sms" ? "SMS" : "Telegram"} · ${p.language === "cy" ? "Cymraeg" : "English"}${p.segments ? ` · ${p.segments} SMS segment${p.segments === 1 ? "" : "s"}` : ""}</h2><pre data-testid="preview-${p.channel}-${p.language}">${p.text}</pre></section>`,
)}
<form method="post" action="/dashboard/updates/publish">
  ${hidden("csrf", csrf)}${hidden("theme", request.theme)}${hidden("areas", request.areas.join(", "))}${hidden("we_did", request.weDid.en)}${hidden("we_did_cy", request.weDid.cy)}${hidden("link", request.link)}
  <label for="you_said">You said (English; pre-filled from the published figures) <textarea id="you_said" name="you_said" rows="2" cols="60" maxlength="320">${draft.youSaid.en}</textarea></label>
  <label for="you_said_cy">You said (Welsh) <textarea id="you_said_cy" name="you_said_cy" rows="2" cols="60" maxlength="320">${draft.youSaid.cy}</textarea></label>
  <p><button type="submit">Send</button></p>
</form>
</main>`,
      ),
    );
  });

  post("/dashboard/updates/publish", async (c, current, request) => {
    const result = await deps.updates.publish(request);
    await deps.partners.audit(current.partner.id, "update.publish", {
      update: result.id,
      theme: request.theme ?? null,
      areas: [...request.areas],
      refused: result.refused ?? false,
    });
    return c.redirect(`/dashboard/updates?sent=${result.refused ? "refused" : "ok"}`, 303);
  });
}
