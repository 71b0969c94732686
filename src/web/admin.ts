// The operator's admin views at /dashboard/admin: the flows that are loaded, the outbox and its
// dead letters (retry), partner and operator accounts (create, revoke) and the audit log.
// Signed in through the same dashboard session, but only for accounts with the operator role;
// a partner who tries gets 403, and every view and action is written to the audit log.
import type { Clock } from "../clock.js";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { FlowRegistry } from "../engine/types.js";
import type { PartnerStore } from "../insights/partners.js";
import type { StatusReport } from "../ops/status.js";
import type { SqlOutboxStore } from "../store/outbox.js";
import { operatorForms, operatorReader, sign, type DashboardSession } from "./session.js";
import { page } from "./layout.js";

export interface AdminDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly registry: FlowRegistry;
  readonly outbox: SqlOutboxStore;
  readonly now: Clock;
  /** Status at a glance (src/ops/status.ts): the same checks as `placevoice status`. */
  readonly status?: () => Promise<StatusReport>;
  /** /metrics in the Prometheus text format (src/ops/metrics.ts), for operator tokens only. */
  readonly metrics?: () => Promise<string>;
}

const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");

export function registerAdmin(app: Hono, deps: AdminDeps): void {
  const operator = operatorReader(deps);
  const now = deps.now;

  const view = async (c: Context, current: DashboardSession, notice?: ReturnType<typeof html>) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const [status, counts, dead, accounts, audit] = await Promise.all([
      deps.status?.(),
      deps.outbox.counts(),
      deps.outbox.deadLetters(50),
      deps.partners.list(),
      deps.partners.recentAudit(50),
    ]);
    const flows = [...deps.registry.flows.values()];
    return c.html(
      page(
        "Admin",
        html`<header><h1>Admin</h1><nav><a href="/dashboard">Insight</a> · <a href="/dashboard/champions">Champions</a> · <a href="/dashboard/public">Public results</a> · <a href="/dashboard/admin/broadcasts">Broadcasts</a> · <a href="/dashboard/simulator">Simulator</a> · <a href="/dashboard/admin/directory">Services directory</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
${
  status
    ? html`<section aria-labelledby="status-heading"><h2 id="status-heading">Status: ${status.needsAttention ? "needs attention" : "ok"}</h2>
<table class="records" data-testid="status"><thead><tr><th scope="col">Part</th><th scope="col">State</th><th scope="col">Detail</th></tr></thead>
<tbody>${status.checks.map((check) => html`<tr><th scope="row">${check.name}</th><td data-label="State">${check.state === "attention" ? html`<strong>needs attention</strong>` : check.state}</td><td data-label="Detail">${check.detail}</td></tr>`)}</tbody></table></section>`
    : ""
}
<section aria-labelledby="flows-heading"><h2 id="flows-heading">Flows</h2>
<p><a href="/dashboard/admin/flows">Flows at a glance</a>: each flow's steps and branches in every language, with its lint problems and conversation tests.</p>
<table class="records" data-testid="flows"><thead><tr><th scope="col">Flow</th><th scope="col">Name</th><th scope="col">Languages</th><th scope="col" class="num">Steps</th><th scope="col">Forgets after</th><th scope="col">File</th></tr></thead>
<tbody>${flows.map(
          (f) =>
            html`<tr><th scope="row">${f.id}${f.id === deps.registry.entryFlowId ? " (entry)" : ""}${f.id === deps.registry.helpFlowId ? " (help)" : ""}</th><td>${f.name}</td><td>${f.languages.join(", ")}</td><td class="num" data-label="Steps">${f.nodes.length}</td><td data-label="Forgets after">${Math.round(f.expiresAfterMs / 3_600_000)} h</td><td data-label="File">${f.file ? f.file.split(/[\\/]/).pop() : "-"}</td></tr>`,
        )}</tbody></table></section>

<section aria-labelledby="outbox-heading"><h2 id="outbox-heading">Outbox</h2>
<p data-testid="outbox-counts">${
          Object.entries(counts).length === 0
            ? "Empty."
            : Object.entries(counts)
                .map(([status, n]) => `${status}: ${n}`)
                .join(" · ")
        }</p>
<h3>Dead letters</h3>
${
  dead.length === 0
    ? html`<p class="note">None: every message was sent or is still being tried.</p>`
    : html`<form method="post" action="/dashboard/admin/outbox/retry"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="id" value="all"><button type="submit">Retry all dead letters</button></form>
<table class="records" data-testid="dead-letters"><thead><tr><th scope="col">Message</th><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Queued</th><th scope="col">Action</th></tr></thead>
<tbody>${dead.map(
        (d) =>
          html`<tr><td data-label="Message"><code>${d.id}</code></td><td data-label="Channel">${d.channel}</td><td data-label="Kind">${d.kind}</td><td class="num" data-label="Attempts">${d.attempts}</td><td data-label="Last error">${(d.lastError ?? "").slice(0, 160)}</td><td data-label="Queued">${when(d.createdAt)}</td><td><form method="post" action="/dashboard/admin/outbox/retry"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="id" value="${d.id}"><button type="submit">Retry</button></form></td></tr>`,
      )}</tbody></table>`
}
<p class="note">Messages are shown without their text or recipient.</p>
</section>

<section aria-labelledby="partners-heading"><h2 id="partners-heading">Partners and operators</h2>
<table class="records" data-testid="partners"><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Areas</th><th scope="col">Created</th><th scope="col">Status</th></tr></thead>
<tbody>${accounts.map(
          (p) =>
            html`<tr><th scope="row">${p.name}</th><td data-label="Role">${p.role}</td><td data-label="Areas">${p.areas.join(", ") || "all"}</td><td data-label="Created">${when(p.createdAt)}</td><td data-label="Status">${
              p.revoked
                ? "revoked"
                : p.id === current.partner.id
                  ? "active (you)"
                  : html`<form method="post" action="/dashboard/admin/partners/revoke"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="id" value="${p.id}"><button type="submit">Revoke</button></form>`
            }</td></tr>`,
        )}</tbody></table>
<form class="filters" method="post" action="/dashboard/admin/partners" aria-label="New partner">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="name">Name <input id="name" name="name" required maxlength="120"></label>
  <label for="areas">Areas (blank: all) <input id="areas" name="areas" placeholder="ST1, ST6" size="14"></label>
  <label for="role">Role <select id="role" name="role"><option value="partner">partner</option><option value="operator">operator</option></select></label>
  <button type="submit">Create token</button>
</form></section>

<section aria-labelledby="audit-heading"><h2 id="audit-heading">Audit log (latest 50)</h2>
<table class="records" data-testid="audit"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
<tbody>${audit.map((a) => html`<tr><td data-label="When">${when(a.createdAt)}</td><td data-label="Who">${a.actor}</td><td data-label="What">${a.action}</td><td data-label="Detail"><code>${a.detail.slice(0, 200)}</code></td></tr>`)}</tbody></table></section>
</main>`,
      ),
    );
  };

  const metrics = deps.metrics;
  if (metrics)
    app.get("/metrics", async (c) => {
      const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
      const who = token ? await deps.partners.authenticate(token) : null;
      if (!who) {
        c.header("WWW-Authenticate", 'Bearer realm="placevoice"');
        return c.text("An operator token is required (Authorization: Bearer …)\n", 401);
      }
      if (who.role !== "operator") {
        await deps.partners.audit(who.id, "denied: metrics", {});
        return c.text("Operators only\n", 403);
      }
      return c.body(await metrics(), 200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
        "Cache-Control": "no-store",
      });
    });

  app.get("/dashboard/admin", async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "admin.view", {});
    return view(c, current);
  });

  /** A POSTed admin form: operator, CSRF-checked; the action's own response or a redirect back. */
  const action = operatorForms(app, deps, "/dashboard/admin");

  action("/dashboard/admin/outbox/retry", async (form, current) => {
    const id = typeof form.id === "string" ? form.id : "";
    if (!id) return undefined;
    const count = await deps.outbox.retryDead(id === "all" ? "all" : { id }, now());
    await deps.partners.audit(current.partner.id, "admin.outbox.retry", { target: id, queued: count });
    return undefined;
  });

  action("/dashboard/admin/partners/revoke", async (form, current) => {
    const id = typeof form.id === "string" ? form.id : "";
    // Revoked by id only (names can repeat), and never the operator's own account.
    if (id && id !== current.partner.id && (await deps.partners.list()).some((p) => p.id === id))
      await deps.partners.revoke(id, current.partner.id);
    return undefined;
  });

  action("/dashboard/admin/partners", async (form, current, c) => {
    const name = typeof form.name === "string" ? form.name.trim().slice(0, 120) : "";
    const role = form.role === "operator" ? "operator" : "partner";
    const areas = (typeof form.areas === "string" ? form.areas : "")
      .split(",")
      .map((a) => a.trim().toUpperCase())
      .filter(Boolean);
    const bad = areas.filter((a) => !POSTCODE_DISTRICT.test(a));
    if (!name || bad.length > 0 || (role === "operator" && areas.length > 0)) {
      const problem = !name
        ? "A name is needed."
        : bad.length > 0
          ? `Not postcode districts: ${bad.join(", ")}.`
          : "An operator sees every area: leave Areas blank.";
      c.status(400);
      return view(c, current, html`<p class="error" role="alert">${problem}</p>`);
    }
    const { partner, token } = await deps.partners.create(name, areas, { role, actor: current.partner.id });
    return view(
      c,
      current,
      html`<div role="status" class="created"><p><strong>${partner.name}</strong> (${role}) can now sign in with this token. It is shown only this once: copy it now and send it safely.</p><p><code data-testid="new-token">${token}</code></p></div>`,
    );
  });
}
