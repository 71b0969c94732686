// Broadcasts from the dashboard, at /dashboard/admin/broadcasts: an operator picks a flow, an
// optional area (postcode districts) and channel, sees the audience's size through the
// disclosure gate and whether quiet hours hold the messages back, starts it, watches its
// progress and can cancel what is not yet sent. Starting runs `runBroadcast`, as `placevoice
// broadcast` does: it queues, and the outbox sends (the running server's outbox loop on Node, the
// Cron Trigger on Workers). Operators only, CSRF-checked, every view and action in the audit log.
//
// Every number on these pages is a count of residents passed through `publishTally`: a count
// under K reads "fewer than K". Messages are shown without their text or recipient.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import { queueBroadcastPage, runBroadcast } from "../conversation/broadcast.js";
import type { ConversationService, ReplyRenderer } from "../conversation/handle-inbound.js";
import { nextSendTime, type QuietHours } from "../conversation/quiet-hours.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { FlowRegistry } from "../engine/types.js";
import { publishTally, type Tally } from "../insights/disclosure.js";
import type { PartnerStore } from "../insights/partners.js";
import type { BroadcastQueues } from "../store/broadcast-queues.js";
import type { SqlOutboxStore } from "../store/outbox.js";
import type { ConversationStore } from "../store/types.js";
import { page } from "./layout.js";
import { operatorForms, operatorReader, sign, type DashboardSession } from "./session.js";

export interface BroadcastViewDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly secureCookies?: boolean;
  readonly organisationName?: string;
  readonly now: Clock;
  readonly registry: FlowRegistry;
  readonly store: ConversationStore;
  /** The true size of an audience and its record keys' sum (SqlConversationStore.audienceTally). */
  readonly audienceTally: (query: { channel?: string; areas?: readonly string[] }) => Promise<Tally>;
  readonly outbox: SqlOutboxStore;
  readonly conversation: ConversationService;
  /** The channels that can send: only these are offered. */
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly quietHours: QuietHours;
  readonly timezone: string;
  /** K: a count under it is never shown. */
  readonly threshold: number;
  /**
   * Workers: a start queues only its first `pageSize` residents (one invocation may make only so
   * many D1 queries) and keeps the rest in `queues`, for the Cron Trigger to queue page by page.
   */
  readonly paged?: { readonly queues: BroadcastQueues; readonly pageSize: number };
}

const ROOT = "/dashboard/admin/broadcasts";
/** Broadcast ids the dashboard makes (and accepts): short, and safe in a URL and a key range. */
const BROADCAST_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const STATES: readonly (readonly [status: string, label: string])[] = [
  ["pending", "waiting to be sent"],
  ["sending", "being sent"],
  ["sent", "sent"],
  ["dead", "failed"],
  ["cancelled", "cancelled"],
];

interface BroadcastChoice {
  readonly flowId: string;
  readonly areas: readonly string[];
  readonly channel?: string;
}

export function registerBroadcasts(app: Hono, deps: BroadcastViewDeps): void {
  const operator = operatorReader(deps);
  const fewer = `fewer than ${deps.threshold}`;
  const gated = (tally: Tally): string => {
    const cell = publishTally(tally, deps.threshold);
    return cell.count === null ? fewer : String(cell.count);
  };
  const when = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

  /** The form's choice, or what is wrong with it. */
  const choose = (input: Record<string, unknown>): BroadcastChoice | { problem: string } => {
    const flowId = typeof input.flow === "string" ? input.flow : "";
    if (!deps.registry.flows.has(flowId)) return { problem: "Choose a flow." };
    const areas = (typeof input.areas === "string" ? input.areas : "")
      .split(",")
      .map((a) => a.trim().toUpperCase())
      .filter(Boolean);
    const bad = areas.filter((a) => !POSTCODE_DISTRICT.test(a));
    if (bad.length > 0) return { problem: `Not postcode districts: ${bad.join(", ")}.` };
    const channel = typeof input.channel === "string" && input.channel ? input.channel : undefined;
    if (channel !== undefined && !deps.renderers.has(channel))
      return { problem: "That channel cannot send: configure it first." };
    return { flowId, areas: [...new Set(areas)], ...(channel ? { channel } : {}) };
  };

  const recent = async () =>
    (await deps.partners.recentAudit(200))
      .filter((a) => a.action === "admin.broadcast.start")
      .map((a) => ({
        ...(JSON.parse(a.detail) as { id: string; flow: string; areas: string[]; channel?: string }),
        at: a.createdAt,
      }))
      .slice(0, 20);

  const chooser = async (c: Context, current: DashboardSession, query: Record<string, string>, problem?: string) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const choice = query.flow ? choose(query) : undefined;
    const picked = choice && !("problem" in choice) ? choice : undefined;
    const error = problem ?? (choice && "problem" in choice ? choice.problem : undefined);
    const now = deps.now();
    const sendFrom = nextSendTime(now, deps.quietHours, deps.timezone);
    const quiet = sendFrom.getTime() > now.getTime() + 1000;
    const audience = picked
      ? await deps.audienceTally({ ...(picked.channel ? { channel: picked.channel } : {}), areas: picked.areas })
      : undefined;
    const flows = [...deps.registry.flows.values()];
    const channels = [...deps.renderers.keys()];
    const past = await recent();
    if (error) c.status(400);
    return c.html(
      page(
        "Broadcasts",
        html`<header><h1>Broadcasts</h1><nav><a href="/dashboard/admin">Admin</a> · <a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p>A broadcast starts a flow for every resident who consented and has not stopped, in the area and on the channel you choose. Residents in the middle of a conversation are left alone. The outbox sends the messages at the platforms' pace${quiet ? "" : ", starting now"}.</p>
${channels.length === 0 ? html`<p class="error" role="alert">No channel can send: configure Telegram or Twilio first.</p>` : ""}
<form class="filters" method="get" action="${ROOT}" aria-label="Choose a broadcast">
  <label for="flow">Flow <select id="flow" name="flow" required>${flows.map((f) => html`<option value="${f.id}"${picked?.flowId === f.id ? " selected" : ""}>${f.id}: ${f.name}</option>`)}</select></label>
  <label for="areas">Areas (blank: all) <input id="areas" name="areas" placeholder="ST1, ST6" size="14" value="${picked?.areas.join(", ") ?? ""}"></label>
  <label for="channel">Channel <select id="channel" name="channel"><option value="">every channel</option>${channels.map((ch) => html`<option value="${ch}"${picked?.channel === ch ? " selected" : ""}>${ch}</option>`)}</select></label>
  <button type="submit">Preview</button>
</form>
${
  picked && audience
    ? html`<section aria-labelledby="preview-heading"><h2 id="preview-heading">Preview</h2>
<p data-testid="audience">Residents it would reach: <strong>${gated(audience)}</strong> (a number under ${deps.threshold} is never shown; residents mid-conversation are left alone when it starts).</p>
<p data-testid="quiet-hours">${
        quiet
          ? `Quiet hours (${deps.quietHours.start}-${deps.quietHours.end} ${deps.timezone}): sending would start ${when(sendFrom)}.`
          : `Not in quiet hours (${deps.quietHours.start}-${deps.quietHours.end} ${deps.timezone}): sending would start now.`
      }</p>
<form method="post" action="${ROOT}" aria-label="Start the broadcast">
  <input type="hidden" name="csrf" value="${csrf}">
  <input type="hidden" name="id" value="b-${crypto.randomUUID().slice(0, 13)}">
  <input type="hidden" name="flow" value="${picked.flowId}">
  <input type="hidden" name="areas" value="${picked.areas.join(",")}">
  <input type="hidden" name="channel" value="${picked.channel ?? ""}">
  <button type="submit">Start the broadcast</button>
</form></section>`
    : ""
}
<section aria-labelledby="recent-heading"><h2 id="recent-heading">Recent broadcasts</h2>
${
  past.length === 0
    ? html`<p class="note">None started from the dashboard yet.</p>`
    : html`<table class="records" data-testid="broadcasts"><thead><tr><th scope="col">Broadcast</th><th scope="col">Flow</th><th scope="col">Areas</th><th scope="col">Channel</th><th scope="col">Started</th></tr></thead>
<tbody>${past.map((b) => html`<tr><th scope="row"><a href="${ROOT}/${b.id}">${b.id}</a></th><td data-label="Flow">${b.flow}</td><td data-label="Areas">${b.areas.join(", ") || "all"}</td><td data-label="Channel">${b.channel ?? "every channel"}</td><td data-label="Started">${when(b.at)}</td></tr>`)}</tbody></table>`
}</section>
</main>`,
      ),
    );
  };

  app.get(ROOT, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const query = c.req.query();
    await deps.partners.audit(current.partner.id, "admin.broadcast.view", query.flow ? { preview: query.flow } : {});
    return chooser(c, current, query);
  });

  /** A POSTed broadcast form: operator, CSRF-checked. */
  const action = operatorForms(app, deps);

  action(ROOT, async (form, current, c) => {
    const choice = choose(form);
    const id = typeof form.id === "string" ? form.id : "";
    if ("problem" in choice || !BROADCAST_ID.test(id))
      return chooser(c, current, {}, "problem" in choice ? choice.problem : "Start the broadcast from its preview.");
    if (deps.renderers.size === 0)
      return chooser(c, current, {}, "No channel can send: configure Telegram or Twilio first.");
    // The id comes with the preview's form: posting it twice (a double click, a reload) queues
    // nothing new, as running the CLI twice with one --id does not.
    const already = (await recent()).some((b) => b.id === id);
    if (!already)
      await deps.partners.audit(current.partner.id, "admin.broadcast.start", {
        id,
        flow: choice.flowId,
        areas: choice.areas,
        ...(choice.channel ? { channel: choice.channel } : {}),
      });
    const broadcastDeps = {
      store: deps.store,
      conversation: deps.conversation,
      renderers: deps.renderers,
      quietHours: deps.quietHours,
      timezone: deps.timezone,
      now: deps.now,
    };
    const channel = choice.channel ? { channel: choice.channel } : {};
    if (deps.paged) {
      // The first page now; the rest is kept once this page is queued, so no page runs beside it.
      const plan = { id, flowId: choice.flowId, areas: choice.areas, ...channel };
      const { next } = await queueBroadcastPage(plan, { areaIndex: 0 }, broadcastDeps, deps.paged.pageSize);
      if (next) await deps.paged.queues.add(plan, next);
      return c.redirect(`${ROOT}/${id}`, 303);
    }
    if (choice.areas.length === 0) await runBroadcast({ id, flowId: choice.flowId, ...channel }, broadcastDeps);
    for (const area of choice.areas) await runBroadcast({ id, flowId: choice.flowId, area, ...channel }, broadcastDeps);
    return c.redirect(`${ROOT}/${id}`, 303);
  });

  app.get(`${ROOT}/:id`, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const id = c.req.param("id");
    if (!BROADCAST_ID.test(id)) return c.notFound();
    await deps.partners.audit(current.partner.id, "admin.broadcast.progress", { id });
    const csrf = sign(deps.sessionSecret, current.raw);
    const tallies = new Map(
      (await deps.outbox.broadcastProgress(id)).map((t) => [t.status, { count: t.residents, keySum: t.keySum }]),
    );
    const unsent = (tallies.get("pending")?.count ?? 0) + (tallies.get("sending")?.count ?? 0);
    const cancelled = c.req.query("cancelled") !== undefined;
    return c.html(
      page(
        `Broadcast ${id}`,
        html`<header><h1>Broadcast ${id}</h1><nav><a href="${ROOT}">Broadcasts</a> · <a href="/dashboard/admin">Admin</a></nav></header>
<main id="main" tabindex="-1">
${cancelled ? html`<p role="status">Cancelled: what was not yet sent will not be.</p>` : ""}
<table class="records" data-testid="progress"><thead><tr><th scope="col">Messages</th><th scope="col" class="num">Residents</th></tr></thead>
<tbody>${STATES.map(([status, label]) => html`<tr><th scope="row">${label}</th><td class="num" data-label="Residents" data-status="${status}">${gated(tallies.get(status) ?? { count: 0, keySum: 0 })}</td></tr>`)}</tbody></table>
<p class="note">Counts of residents, adjusted slightly and never under ${deps.threshold} (smaller counts read "${fewer}"). A resident whose first message was sent and whose second waits is counted in both rows. Messages waiting for the end of quiet hours count as waiting.</p>
${
  unsent > 0
    ? html`<form method="post" action="${ROOT}/${id}/cancel" aria-label="Cancel the broadcast"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Cancel what is not yet sent</button></form>`
    : ""
}
</main>`,
      ),
    );
  });

  action(`${ROOT}/:id/cancel`, async (_form, current, c) => {
    const id = c.req.param("id") ?? "";
    if (!BROADCAST_ID.test(id)) return c.notFound();
    // No more pages queued, then what was queued cancelled (a page being queued meanwhile cancels its own).
    await deps.paged?.queues.forget(id);
    await deps.outbox.cancelBroadcast(id, deps.now());
    await deps.partners.audit(current.partner.id, "admin.broadcast.cancel", { id });
    return c.redirect(`${ROOT}/${id}?cancelled`, 303);
  });
}
