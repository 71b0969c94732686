// Dashboard sign-in: a session row on the server (dashboard_sessions) named by a signed cookie
// (HttpOnly, SameSite=Strict, Secure over https, path /dashboard). Signing out ends the row, so a
// copied cookie stops working; revoking a partner ends all of theirs. A form posted after its
// session ended gets the sign-in page saying so, and signing in returns the person to that form
// with what they had typed (carried in the page and the redirect, never stored).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import type { PartnerIdentity, PartnerStore } from "../insights/partners.js";
import { page } from "./layout.js";

const COOKIE = "pv_session";
const SESSION_HOURS = 8;
/** Form fields a draft may carry back (longer text is cut): what partners type into dashboard forms. */
const DRAFT_FIELDS = [
  "we_did",
  "we_did_cy",
  "you_said",
  "you_said_cy",
  "link",
  "areas",
  "theme",
  "question_key",
  "url",
] as const;

export interface SessionDeps {
  readonly sessionSecret: string;
  readonly partners: PartnerStore;
  readonly now: Clock;
  readonly secureCookies?: boolean;
  readonly organisationName?: string;
}

export type DashboardSession = { partner: PartnerIdentity; raw: string };

/** The CSRF token for forms in a session: an HMAC of the session cookie's value. */
export function sign(secret: string, value: string): string {
  return createHmac("sha256", secret).update(`csrf:${value}`).digest("base64url");
}

/** Whether a posted form carries this session's CSRF token. */
export function validCsrf(secret: string, session: DashboardSession, given: unknown): boolean {
  const expected = sign(secret, session.raw);
  return (
    typeof given === "string" &&
    given.length === expected.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  );
}

/** The signed-in partner or operator, if the cookie names a session that is still open. */
export function sessionReader(deps: SessionDeps): (c: Context) => Promise<DashboardSession | null> {
  return async (c) => {
    const raw = await getSignedCookie(c, deps.sessionSecret, COOKIE);
    if (!raw) return null;
    const found = await deps.partners.sessionPartner(raw);
    return "partner" in found ? { partner: found.partner, raw } : null;
  };
}

export async function beginSession(c: Context, deps: SessionDeps, partner: PartnerIdentity): Promise<void> {
  const session = await deps.partners.startSession(partner.id, SESSION_HOURS);
  await setSignedCookie(c, COOKIE, session.id, deps.sessionSecret, {
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.secureCookies ?? false,
    path: "/dashboard",
    maxAge: SESSION_HOURS * 3600,
  });
}

export async function endSession(c: Context, deps: SessionDeps, current: DashboardSession): Promise<void> {
  await deps.partners.endSession(current.raw);
  deleteCookie(c, COOKIE, { path: "/dashboard", secure: deps.secureCookies ?? false });
}

/** Where to return after signing in: a dashboard page on this site, nothing else. */
export function safeNext(value: unknown): string | undefined {
  return typeof value === "string" &&
    /^\/dashboard(\/[\w./-]*)?(\?[^\s]*)?$/.test(value) &&
    !value.includes("//") &&
    !value.includes("..")
    ? value
    : undefined;
}

/** The page a form lives on, for a POST to one of its actions. */
function formPage(path: string): string {
  for (const root of [
    "/dashboard/updates",
    "/dashboard/webhook",
    "/dashboard/admin",
    "/dashboard/champions",
    "/dashboard/simulator",
  ])
    if (path.startsWith(root)) return root;
  return "/dashboard";
}

export interface SignInOptions {
  readonly error?: string;
  readonly notice?: string;
  readonly next?: string;
  readonly draft?: Readonly<Record<string, string>>;
}

export function signInPage(
  c: Context,
  deps: SessionDeps,
  options: SignInOptions = {},
  status: 200 | 401 = options.error ? 401 : 200,
) {
  c.header("Cache-Control", "no-store");
  return c.html(
    page(
      "Sign in",
      html`<main id="main" tabindex="-1"><h1>${deps.organisationName ?? "PlaceVoice"} insight</h1>
${options.notice ? html`<p class="error" role="status" data-testid="session-notice">${options.notice}</p>` : ""}
<p>Sign in with the partner token you were given.</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
<form method="post" action="/dashboard/login">
  <label for="token">Partner token <input id="token" name="token" type="password" autocomplete="off" required></label>
  ${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ""}
  ${Object.entries(options.draft ?? {}).map(([k, v]) => html`<input type="hidden" name="draft_${k}" value="${v}">`)}
  <p><button type="submit">Sign in</button></p>
</form>
${options.draft && Object.keys(options.draft).length > 0 ? html`<p class="note">What you typed is kept and will be back in the form after you sign in.</p>` : ""}</main>`,
    ),
    status,
  );
}

/**
 * The answer to a request without an open session: the sign-in page. When the cookie names a
 * session that has ended, it says so, returns the person to where they were, and carries back
 * what they had typed into a form.
 */
export async function signInAgain(c: Context, deps: SessionDeps): Promise<Response> {
  const raw = await getSignedCookie(c, deps.sessionSecret, COOKIE);
  const ended = raw ? await deps.partners.sessionPartner(raw) : undefined;
  if (!ended || "partner" in ended || ended.ended === "unknown")
    return c.req.method === "GET" && c.req.path === "/dashboard" ? signInPage(c, deps) : c.redirect("/dashboard", 303);
  const notice =
    ended.ended === "expired"
      ? "Your session has expired. Please sign in again."
      : "You signed out. Please sign in again.";
  if (c.req.method === "GET")
    return signInPage(c, deps, { notice, next: new URL(c.req.url).pathname + new URL(c.req.url).search });
  const form = await c.req.parseBody();
  const draft: Record<string, string> = {};
  for (const field of DRAFT_FIELDS) {
    const value = form[field];
    if (typeof value === "string" && value.trim()) draft[field] = value.slice(0, 2000);
  }
  return signInPage(c, deps, { notice, next: formPage(c.req.path), draft });
}

/** Where signing in sends the person: back where they were, with any draft as `draft_*` fields for the form to fill in. */
export function afterSignIn(form: Record<string, unknown>): string {
  const next = safeNext(form.next) ?? "/dashboard";
  const draft = new URLSearchParams();
  for (const field of DRAFT_FIELDS) {
    const value = form[`draft_${field}`];
    if (typeof value === "string" && value) draft.set(`draft_${field}`, value.slice(0, 2000));
  }
  const query = draft.toString();
  return query ? `${next}${next.includes("?") ? "&" : "?"}${query}` : next;
}

/** A form's earlier draft, from the query afterSignIn wrote. */
export function draftFrom(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of DRAFT_FIELDS) {
    const value = c.req.query(`draft_${field}`);
    if (value) out[field] = value;
  }
  return out;
}

/**
 * For the operator's views: the signed-in operator, or the response refusing the request (sign
 * in again; 403 for a partner, written to the audit log). Operator pages are never cached.
 */
export function operatorReader(deps: SessionDeps): (c: Context) => Promise<DashboardSession | Response> {
  const session = sessionReader(deps);
  return async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    c.header("Cache-Control", "no-store");
    if (current.partner.role !== "operator") {
      await deps.partners.audit(current.partner.id, "denied: admin view", { path: c.req.path });
      return c.html(
        page(
          "Not allowed",
          html`<main id="main" tabindex="-1"><h1>Not allowed</h1><p>The admin views are for operators. <a href="/dashboard">Back to your insight</a></p></main>`,
        ),
        403,
      );
    }
    return current;
  };
}

/**
 * What registers a page's POSTed operator forms: each checks the signed-in operator (or gives the
 * refusal operatorReader gives), then the session's CSRF token (403 without it), then runs the
 * action; an action that answers nothing redirects (to `redirectTo`, or back to its own path).
 */
export function operatorForms(
  app: Hono,
  deps: SessionDeps,
  redirectTo?: string,
): (
  pathname: string,
  run: (form: Record<string, unknown>, current: DashboardSession, c: Context) => Promise<Response | undefined>,
) => void {
  const operator = operatorReader(deps);
  return (pathname, run) =>
    app.post(pathname, async (c) => {
      const current = await operator(c);
      if (current instanceof Response) return current;
      const form = await c.req.parseBody();
      if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
      return (await run(form, current, c)) ?? c.redirect(redirectTo ?? pathname, 303);
    });
}
