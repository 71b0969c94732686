// Warm handoffs (docs/relays.md), from both sides of the dashboard.
// - A local group's partner account (linked to its directory service id) sees, at
//   /dashboard/relays, only the offers residents asked it about: area, what and when, never a
//   number or chat id; and answers through PlaceVoice with a form there, or with the partner API
//   (GET /api/v1/relays, POST /api/v1/relays/{id}/messages). Another group's relay answers 404,
//   exactly like one that does not exist.
// - An operator, at /dashboard/admin/relays, links a partner account to its group and suspends
//   or resumes a group's relays.
// Same sign-in, CSRF check and audit log as the other dashboard pages.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import { localise } from "../engine/text.js";
import type { FlowRegistry } from "../engine/types.js";
import { hashPartnerToken, type PartnerIdentity, type PartnerStore } from "../insights/partners.js";
import { RateLimiter } from "../rate-limit.js";
import type { RelayStore } from "../store/relay-store.js";
import { RELAY_MAX_TEXT, relayRefusals, type GroupRelay, type RelayService } from "../updates/relays.js";
import { page } from "./layout.js";
import {
  operatorForms,
  operatorReader,
  sessionReader,
  signInAgain,
  sign,
  validCsrf,
  type DashboardSession,
} from "./session.js";

export interface RelaysViewDeps {
  readonly relays: RelayService;
  readonly relayStore: RelayStore;
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly secureCookies?: boolean;
  readonly registry: FlowRegistry;
  readonly now: Clock;
}

const PATH = "/dashboard/relays";
const ADMIN = "/dashboard/admin/relays";
/** Directory service ids as the importer keeps them. */
const GROUP_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$/;
const RELAY_ID = /^[A-Za-z0-9_-]{1,64}$/;

const text = (value: unknown, max: number) => (typeof value === "string" ? value.trim().slice(0, max) : "");

/** An option's English label from the flows' questions saved under `key`. */
function optionLabel(registry: FlowRegistry, key: string, id: string): string {
  for (const flow of registry.flows.values())
    for (const node of flow.nodes)
      if (node.type === "question" && node.key === key && "options" in node.input) {
        const option = node.input.options.find((o) => o.id === id);
        if (option) return localise(option.label, "en");
      }
  return id;
}

/** A relay as the API gives it: the offer and the messages, nothing about who. */
function relayJson(registry: FlowRegistry, r: GroupRelay) {
  return {
    id: r.id,
    status: r.status,
    openedAt: r.openedAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
    offer: {
      area: r.offer.area,
      what: r.offer.kinds.map((k) => optionLabel(registry, "offer_kinds", k)),
      when: r.offer.when ? optionLabel(registry, "offer_when", r.offer.when) : null,
    },
    messages: r.messages.map((m) => ({ from: m.from, text: m.text, at: m.createdAt.toISOString() })),
  };
}

export function registerRelaysView(app: Hono, deps: RelaysViewDeps): void {
  const session = sessionReader(deps);
  const operator = operatorReader(deps);
  const ended = { declined: "ended: the resident said no thanks", stopped: "ended: the resident sent STOP" };

  const groupView = async (c: Context, current: DashboardSession, notice?: ReturnType<typeof html>) => {
    const { partner } = current;
    const csrf = sign(deps.sessionSecret, current.raw);
    const relays = await deps.relays.view(partner);
    const suspended = partner.groupId ? await deps.relayStore.suspended(partner.groupId) : false;
    c.header("Cache-Control", "no-store");
    return c.html(
      page(
        "Residents who asked you to get in touch",
        html`<header><h1>Residents who asked you to get in touch</h1><nav><a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
${suspended ? html`<p class="error" role="alert" data-testid="suspended">${relayRefusals.suspended.message}</p>` : ""}
${
  !partner.groupId
    ? html`<p data-testid="not-linked">${relayRefusals.not_linked.message}</p>`
    : html`<p class="note">Each resident here asked your group to get in touch after saying what they could offer. You see their area, what and when; never their number. Write to them here: they get your message on their phone, and can answer, say no thanks or STOP.</p>
${
  relays.length === 0
    ? html`<p data-testid="no-relays">No one has asked your group to get in touch yet.</p>`
    : relays.map((r, i) => {
        const offer = relayJson(deps.registry, r).offer;
        return html`<section class="relay" data-relay="${r.id}" aria-labelledby="relay-${i}"><h2 id="relay-${i}">${offer.what.join(", ") || "An offer"} in ${offer.area ?? "an area not given"}</h2>
<p>When: ${offer.when ?? "not said"}. Status: <strong data-testid="status">${r.status === "open" ? "open" : ended[r.status as "declined" | "stopped"]}</strong></p>
${
  r.messages.length === 0
    ? html`<p>No messages yet.</p>`
    : html`<ol class="thread">${r.messages.map((m) => html`<li><strong>${m.from === "group" ? "You" : "Resident"}</strong> (${m.createdAt.toISOString().slice(0, 16).replace("T", " ")}): ${m.text}</li>`)}</ol>`
}
${
  r.status === "open"
    ? html`<form class="filters" method="post" action="${PATH}/${r.id}/reply" aria-label="Write to this resident">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="message-${i}">Your message (up to ${RELAY_MAX_TEXT} characters) <textarea id="message-${i}" name="text" required maxlength="${RELAY_MAX_TEXT}" rows="3"></textarea></label>
  <button type="submit">Send</button>
</form>`
    : ""
}</section>`;
      })
}`
}
</main>`,
      ),
    );
  };

  app.get(PATH, async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    await deps.partners.audit(current.partner.id, "relays.view", {});
    return groupView(c, current);
  });

  app.post(`${PATH}/:id/reply`, async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    const form = await c.req.parseBody();
    if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    const id = c.req.param("id");
    const result = RELAY_ID.test(id)
      ? await deps.relays.send(current.partner, id, text(form.text, 2000))
      : ({ ok: false, refusal: "not_found" } as const);
    if (!result.ok) {
      c.status(relayRefusals[result.refusal].status);
      return groupView(
        c,
        current,
        html`<p class="error" role="alert" data-testid="refused">${relayRefusals[result.refusal].message}</p>`,
      );
    }
    return groupView(
      c,
      current,
      html`<p role="status" data-testid="sent">Sent. The resident gets it ${result.sendFrom.getTime() > deps.now().getTime() ? "after quiet hours" : "now"}.</p>`,
    );
  });

  // The partner API: the same relays, for a group's own systems.
  const perToken = new RateLimiter(120, 60_000, () => deps.now().getTime());
  const bearer = async (c: Context): Promise<PartnerIdentity | Response> => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    // Limited before the token is checked (by its hash: no token is held in memory), so guessing costs as much as using.
    if (!perToken.take(token ? hashPartnerToken(token) : "no-token").allowed)
      return c.json({ error: "rate_limited", message: "Too many requests; try again in a minute." }, 429);
    const partner = token ? await deps.partners.authenticate(token) : null;
    if (!partner) {
      c.header("WWW-Authenticate", 'Bearer realm="placevoice"');
      return c.json(
        { error: "unauthorized", message: "A valid partner token is required (Authorization: Bearer …)" },
        401,
      );
    }
    await deps.partners.audit(partner.id, `${c.req.method} /api/v1/relays`, {});
    return partner;
  };

  app.get("/api/v1/relays", async (c) => {
    const partner = await bearer(c);
    if (partner instanceof Response) return partner;
    if (!partner.groupId) return c.json({ error: "not_linked", message: relayRefusals.not_linked.message }, 403);
    return c.json({ relays: (await deps.relays.view(partner)).map((r) => relayJson(deps.registry, r)) });
  });

  app.post("/api/v1/relays/:id/messages", async (c) => {
    const partner = await bearer(c);
    if (partner instanceof Response) return partner;
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "invalid_json", message: 'Send JSON: {"text": "…"}' }, 400);
    }
    const message = (body as { text?: unknown } | null)?.text;
    if (typeof message !== "string")
      return c.json({ error: "invalid_request", message: 'Send JSON: {"text": "…"}' }, 400);
    const id = c.req.param("id");
    const result = RELAY_ID.test(id)
      ? await deps.relays.send(partner, id, message)
      : ({ ok: false, refusal: "not_found" } as const);
    if (!result.ok)
      return c.json(
        { error: result.refusal, message: relayRefusals[result.refusal].message },
        relayRefusals[result.refusal].status,
      );
    return c.json({ status: "queued", sendFrom: result.sendFrom.toISOString() }, 202);
  });

  // The operator's side: which account speaks for which group, and suspensions.
  const adminView = async (c: Context, current: DashboardSession, notice?: ReturnType<typeof html>) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const [groups, partners] = await Promise.all([deps.relayStore.groups(), deps.partners.list()]);
    const accounts = partners.filter((p) => !p.revoked && p.role === "partner");
    return c.html(
      page(
        "Relays",
        html`<header><h1>Relays to local groups</h1><nav><a href="/dashboard">Insight</a> · <a href="/dashboard/admin">Admin</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
<p class="note">A group reaches residents who asked it to get in touch only through a partner account linked to its directory id. Suspending a group stops every message from it until it is resumed. Each message is in the audit log (who, when, which relay), never its text.</p>
<section aria-labelledby="link-heading"><h2 id="link-heading">Link an account to its group</h2>
<form class="filters" method="post" action="${ADMIN}/link" aria-label="Link an account to its group">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="link-partner">Partner account <select id="link-partner" name="partner">${accounts.map((p) => html`<option value="${p.id}">${p.name}${p.groupId ? ` (now ${p.groupId})` : ""}</option>`)}</select></label>
  <label for="link-group">Group's directory id (empty to unlink) <input id="link-group" name="group" maxlength="120"></label>
  <button type="submit">Link</button>
</form></section>
<section aria-labelledby="groups-heading"><h2 id="groups-heading">Groups</h2>
<form class="filters" method="post" action="${ADMIN}/suspend" aria-label="Suspend a group">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="suspend-group">Group's directory id <input id="suspend-group" name="group" required maxlength="120"></label>
  <button type="submit">Suspend</button>
</form>
${
  groups.length === 0
    ? html`<p data-testid="no-groups">No resident has asked a group to get in touch yet.</p>`
    : html`<table class="records"><thead><tr><th scope="col">Group</th><th scope="col">Directory id</th><th scope="col">Relays</th></tr></thead>
<tbody>${groups.map(
        (g) =>
          html`<tr data-group="${g.groupId}"><th scope="row">${g.groupName}</th><td data-label="Directory id"><code>${g.groupId}</code></td><td data-label="Relays"><form method="post" action="${ADMIN}/${g.suspended ? "resume" : "suspend"}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="group" value="${g.groupId}">${g.suspended ? "suspended " : "allowed "}<button type="submit" aria-label="${g.suspended ? "Resume" : "Suspend"} ${g.groupName}">${g.suspended ? "Resume" : "Suspend"}</button></form></td></tr>`,
      )}</tbody></table>`
}</section>
</main>`,
      ),
    );
  };

  app.get(ADMIN, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "relays.admin.view", {});
    return adminView(c, current);
  });

  const action = operatorForms(app, deps);
  const problem = (c: Context, current: DashboardSession, message: string) => {
    c.status(400);
    return adminView(c, current, html`<p class="error" role="alert">${message}</p>`);
  };
  const done = (c: Context, current: DashboardSession, message: string) =>
    adminView(c, current, html`<p role="status" data-testid="notice">${message}</p>`);

  for (const verb of ["suspend", "resume"] as const)
    action(`${ADMIN}/${verb}`, async (form, current, c) => {
      const group = text(form.group, 120);
      if (!GROUP_ID.test(group))
        return problem(c, current, "Give the group's directory id (letters, digits, - . _ :).");
      const changed =
        verb === "suspend"
          ? await deps.relayStore.suspend(group, current.partner.id, deps.now())
          : await deps.relayStore.resume(group);
      await deps.partners.audit(current.partner.id, `relays.${verb}`, { group, changed });
      return done(
        c,
        current,
        verb === "suspend"
          ? changed
            ? `${group} is suspended: it can send residents nothing until resumed.`
            : `${group} was already suspended.`
          : changed
            ? `${group} can use relays again.`
            : `${group} was not suspended.`,
      );
    });

  action(`${ADMIN}/link`, async (form, current, c) => {
    const partner = text(form.partner, 64);
    const group = text(form.group, 120);
    if (group && !GROUP_ID.test(group))
      return problem(c, current, "Give the group's directory id (letters, digits, - . _ :).");
    const target = (await deps.partners.list()).find((p) => p.id === partner && !p.revoked && p.role === "partner");
    if (!target) return problem(c, current, "No such partner account.");
    await deps.partners.linkGroup(target.id, group || null, current.partner.id);
    return done(
      c,
      current,
      group ? `${target.name} now speaks for ${group}.` : `${target.name} is linked to no group.`,
    );
  });
}
