// /dashboard/themes-review: an officer settles the themes of free-text answers the offline
// tagger left without a theme or found only faint clues in. Operators only (a partner gets
// 403); each answer shows its redacted text, area and month and nothing else about the
// resident. A review is CSRF-checked, written to the audit log with who made it, and counts in
// the running totals from then on (src/insights/theme-reviews.ts).
import type { Context, Hono } from "hono";
import type { Clock } from "../clock.js";
import { html } from "hono/html";
import { isTheme, THEMES, type ThemeId } from "../directory/themes.js";
import type { PartnerStore } from "../insights/partners.js";
import { ThemeReviewError, type ThemeReviews } from "../insights/theme-reviews.js";
import { page } from "./layout.js";
import { operatorReader, sign, validCsrf, type DashboardSession } from "./session.js";

export interface ThemesReviewDeps {
  readonly reviews: ThemeReviews;
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly themeLabel: (id: string) => string;
  readonly now: Clock;
}

const PATH = "/dashboard/themes-review";

export function registerThemesReview(app: Hono, deps: ThemesReviewDeps): void {
  const operator = operatorReader(deps);

  const view = async (c: Context, current: DashboardSession, notice?: string) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const items = await deps.reviews.pending();
    return c.html(
      page(
        "Review themes",
        html`<header><h1>Review themes</h1><nav><a href="/dashboard">Insight</a> · <a href="/dashboard/admin">Admin</a></nav></header>
<main id="main" tabindex="-1">
${notice ? html`<p role="status" data-testid="notice">${notice}</p>` : ""}
<p class="note"><a href="${PATH}/learned-phrases">Draft learned phrases from the reviews so far</a> (for src/nlp/learned-phrases.ts).</p>
<p class="note">Free-text answers the tagger found no theme in, or only faint clues. Tick the themes each one raises (or none) and save: the totals count your choice from then on, and the audit log records who made it. Only the redacted text, area and month are shown.</p>
${
  items.length === 0
    ? html`<p data-testid="nothing-to-review">Nothing to review.</p>`
    : items.map(
        (item, i) =>
          html`<form class="review" method="post" action="${PATH}" data-testid="review-item">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="answer" value="${item.answerId}">
<fieldset><legend><q data-testid="redacted">${item.redacted}</q> <span class="note">${item.area ?? "no area"} · ${item.month} · ${item.reason === "none" ? "no theme found" : "low confidence"}</span></legend>
${THEMES.map(
  (t) =>
    html`<label for="t${i}-${t}"><input type="checkbox" id="t${i}-${t}" name="themes" value="${t}"${item.themes.includes(t) ? html` checked` : ""}> ${deps.themeLabel(t)}</label> `,
)}
</fieldset>
<button type="submit">Save themes</button></form>`,
      )
}
</main>`,
      ),
    );
  };

  app.get(PATH, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "themes.review.view", {});
    return view(c, current);
  });

  // A draft for src/nlp/learned-phrases.ts: each reviewed answer's redacted text (placeholders
  // dropped) with the themes the officer settled on, to be cut down and committed by hand.
  app.get(`${PATH}/learned-phrases`, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "themes.review.learned-phrases", {});
    const lines = (await deps.reviews.reviewed())
      .filter((r) => r.themes.length > 0)
      .map((r) => {
        const phrase = r.redacted
          .replace(/\[[a-z-]+\]/g, " ")
          .replace(/\s+/g, " ")
          .trim()
          .toLowerCase();
        return `  [${JSON.stringify(phrase)}, ${JSON.stringify(r.themes)}],`;
      });
    return c.text(
      [
        "// Draft learned phrases from officers' reviews: cut each to the words that carry the theme,",
        "// check with `npm run eval:themes`, then add to LEARNED_PHRASES in src/nlp/learned-phrases.ts.",
        ...lines,
        "",
      ].join("\n"),
    );
  });

  app.post(PATH, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    const form = await c.req.parseBody({ all: true });
    if (!validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    const answer = typeof form.answer === "string" ? form.answer : "";
    const given = form.themes === undefined ? [] : Array.isArray(form.themes) ? form.themes : [form.themes];
    const unknown = given.find((t) => typeof t !== "string" || !isTheme(t));
    if (!answer) return c.text("Which answer? (answer is missing)", 400);
    if (unknown !== undefined) return c.text(`Unknown theme: ${String(unknown).slice(0, 40)}`, 400);
    const themes = given as ThemeId[];
    try {
      const { added, removed } = await deps.reviews.review(answer, themes, current.partner.id);
      await deps.partners.audit(current.partner.id, "themes.review", { themes, added, removed });
      return view(
        c,
        current,
        `Saved: ${themes.length === 0 ? "no theme" : themes.map((t) => deps.themeLabel(t)).join(", ")}.`,
      );
    } catch (error) {
      if (error instanceof ThemeReviewError) return c.text("No such answer to review", 404);
      throw error;
    }
  });
}
