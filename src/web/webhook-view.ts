// /dashboard/webhook: a partner registers where new insight for its areas is POSTed (shown
// its signing secret once), sends it now, and sees the delivery log. Operators' and partners'
// own; every change is audited.
import type { Clock } from "../clock.js";
import type { Hono } from "hono";
import { html } from "hono/html";
import type { PartnerStore } from "../insights/partners.js";
import type { PartnerFeed } from "../updates/partner-feed.js";
import { sessionReader, sign, validCsrf, signInAgain, draftFrom } from "./session.js";
import { page, scrollRegion } from "./layout.js";

export interface WebhookViewDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly now: Clock;
  readonly feed: PartnerFeed;
}

export function registerWebhookView(app: Hono, deps: WebhookViewDeps): void {
  const session = sessionReader(deps);

  const view = async (partnerId: string, csrf: string, notice?: ReturnType<typeof html>, draftUrl?: string) => {
    const [registered, log] = await Promise.all([deps.feed.webhookUrl(partnerId), deps.feed.log(partnerId)]);
    const url = draftUrl ?? registered;
    return page(
      "Webhook",
      html`<header><h1>Insight webhook</h1><nav><a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
<p>Each week (and when you press Send now) PlaceVoice POSTs the aggregated insight for your areas as JSON to this address, signed with the header <code>X-PlaceVoice-Signature</code>. Failed deliveries are retried with backoff.</p>
<form class="filters" method="post" action="/dashboard/webhook">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="url">Webhook URL <input id="url" name="url" value="${url ?? ""}" placeholder="https://" size="50" required></label>
  <button type="submit">${registered ? "Replace" : "Register"}</button>
</form>
${registered ? html`<form method="post" action="/dashboard/webhook/send"><input type="hidden" name="csrf" value="${csrf}"><p><button type="submit">Send now</button></p></form>` : ""}
<h2>Deliveries</h2>
${scrollRegion(
  "Deliveries",
  html`<table data-testid="webhook-log"><thead><tr><th scope="col">Queued</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last response</th><th scope="col">Next try</th></tr></thead>
<tbody>${log.map(
    (d) =>
      html`<tr><td>${d.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td><td>${d.kind}</td><td>${d.status}</td><td class="num">${d.attempts}</td><td>${d.status === "delivered" ? "delivered" : (d.lastError ?? "")}</td><td>${d.status === "pending" ? d.nextAttemptAt.toISOString().slice(0, 16).replace("T", " ") : ""}</td></tr>`,
  )}</tbody></table>`,
)}
</main>`,
    );
  };

  app.get("/dashboard/webhook", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    c.header("Cache-Control", "no-store");
    return c.html(await view(current.partner.id, sign(deps.sessionSecret, current.raw), undefined, draftFrom(c).url));
  });

  app.post("/dashboard/webhook", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    c.header("Cache-Control", "no-store");
    const form = await c.req.parseBody();
    if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    const url = typeof form.url === "string" ? form.url.trim().slice(0, 500) : "";
    const csrf = sign(deps.sessionSecret, current.raw);
    const refused = url ? await deps.feed.vet(url) : "Give the address to send to, starting with https://";
    if (refused) {
      await deps.partners.audit(current.partner.id, "denied: webhook address", { reason: refused });
      return c.html(await view(current.partner.id, csrf, html`<p class="error" role="alert">${refused}</p>`), 400);
    }
    const secret = await deps.feed.register(current.partner.id, url);
    await deps.partners.audit(current.partner.id, "webhook.register", { host: new URL(url).host });
    return c.html(
      await view(
        current.partner.id,
        csrf,
        html`<div role="status"><p>Registered. Your signing secret, shown only this once:</p><p><code data-testid="webhook-secret">${secret}</code></p></div>`,
      ),
    );
  });

  app.post("/dashboard/webhook/send", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    const form = await c.req.parseBody();
    if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    const id = await deps.feed.enqueue(current.partner, "on_demand");
    await deps.partners.audit(current.partner.id, "webhook.send", { delivery: id });
    if (id) await deps.feed.deliverDue();
    return c.redirect("/dashboard/webhook", 303);
  });
}
