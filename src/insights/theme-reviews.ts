// An officer in the loop: the free-text answers the offline tagger left without a theme, or
// found only faint clues in, for an operator to settle (/dashboard/themes-review). A review
// replaces the answer's text themes: its `theme_facts` rows and the running totals
// (theme_counts, with the resident's record key in key_sum) move in one batch with the review
// row, so the totals stay the sum of the facts. Only the redacted text, area and month are
// ever read out.
import type { Clock } from "../clock.js";
import { THEMES, type ThemeId } from "../directory/themes.js";
import { findThemeClues } from "../nlp/offline-theme-tagger.js";
import { newRowId } from "../store/ids.js";
import { themeCountUpsert, type FactKey } from "../store/rollups.js";
import type { SqlPort, SqlStatement } from "../store/sql-port.js";
import { sqlDate } from "../store/step-statements.js";
import { isoWeek } from "../store/week.js";

export interface ReviewItem {
  readonly answerId: string;
  readonly redacted: string;
  readonly area: string | null;
  /** YYYY-MM: never the day. */
  readonly month: string;
  /** What the tagger found (or an earlier review settled). */
  readonly themes: readonly ThemeId[];
  /** "none" (nothing found) or "low" (only clues that barely added up). */
  readonly reason: "none" | "low";
}

interface AnswerRow {
  id: string;
  redacted: string;
  area: string | null;
  created_at: string;
  themes: string | null;
}

interface TargetRow {
  id: string;
  flow_id: string;
  question_key: string;
  area: string | null;
  channel: string;
  age_band: string | null;
  created_at: string;
  contact_id: string;
  record_key: number;
}

interface FactRow {
  id: string;
  theme: string;
  area: string | null;
  week: string;
  channel: string;
  age_band: string | null;
}

export class ThemeReviewError extends Error {}

export class ThemeReviews {
  constructor(
    private readonly sql: SqlPort,
    private readonly now: Clock,
  ) {}

  /**
   * Unreviewed free-text answers with no text theme, or whose themes rest on faint clues,
   * newest first. Scans at most `scan` recent answers.
   */
  async pending(limit = 30, scan = 500): Promise<ReviewItem[]> {
    const rows = await this.sql.all<AnswerRow>(
      `SELECT a."id", a."redacted", a."area", a."created_at",
         (SELECT group_concat(f."theme") FROM "theme_facts" f WHERE f."answer_id" = a."id" AND f."source" = 'text') AS "themes"
       FROM "answers" a
       WHERE a."redacted" IS NOT NULL AND a."contact_id" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM "theme_reviews" r WHERE r."answer_id" = a."id")
       ORDER BY a."created_at" DESC LIMIT ?`,
      scan,
    );
    const items: ReviewItem[] = [];
    for (const row of rows) {
      const themes = THEMES.filter((t) => (row.themes ?? "").split(",").includes(t));
      let reason: ReviewItem["reason"] | undefined;
      if (themes.length === 0) reason = "none";
      else if (restsOnFaintClues(row.redacted, themes)) reason = "low";
      if (!reason) continue;
      items.push({
        answerId: row.id,
        redacted: row.redacted,
        area: row.area,
        month: row.created_at.slice(0, 7),
        themes,
        reason,
      });
      if (items.length >= limit) break;
    }
    return items;
  }

  /**
   * Settles an answer's text themes as `themes`, recorded as reviewed by `by`: facts and
   * running totals for themes dropped go, for themes added come, in the answer's own week.
   * Throws ThemeReviewError for an answer that is not a reviewable free-text answer.
   */
  async review(
    answerId: string,
    themes: readonly ThemeId[],
    by: string,
  ): Promise<{ added: ThemeId[]; removed: ThemeId[] }> {
    const target = await this.sql.get<TargetRow>(
      `SELECT a."id", a."flow_id", a."question_key", a."area", a."channel", a."age_band", a."created_at", a."contact_id", c."record_key"
       FROM "answers" a JOIN "contacts" c ON c."id" = a."contact_id"
       WHERE a."id" = ? AND a."redacted" IS NOT NULL`,
      answerId,
    );
    if (!target) throw new ThemeReviewError("no such free-text answer");
    const facts = await this.sql.all<FactRow>(
      `SELECT "id", "theme", "area", "week", "channel", "age_band" FROM "theme_facts" WHERE "answer_id" = ? AND "source" = 'text'`,
      answerId,
    );
    const wanted = new Set(themes);
    const had = new Set(facts.map((f) => f.theme));
    const statements: SqlStatement[] = [];
    const removed: ThemeId[] = [];
    for (const f of facts) {
      if (wanted.has(f.theme as ThemeId)) continue;
      removed.push(f.theme as ThemeId);
      statements.push(
        { sql: `DELETE FROM "theme_facts" WHERE "id" = ?`, params: [f.id] },
        themeCountUpsert(
          {
            source: "text",
            questionKey: target.question_key,
            theme: f.theme,
            area: f.area,
            week: f.week,
            channel: f.channel,
            ageBand: f.age_band,
          },
          -1,
          target.record_key,
        ),
      );
    }
    const createdAt = new Date(target.created_at);
    const added = THEMES.filter((t) => wanted.has(t) && !had.has(t));
    for (const theme of added) {
      const key: FactKey = {
        source: "text",
        questionKey: target.question_key,
        theme,
        area: target.area,
        week: isoWeek(createdAt),
        channel: target.channel,
        ageBand: target.age_band,
      };
      statements.push(
        {
          sql: `INSERT INTO "theme_facts" ("id", "answer_id", "contact_id", "flow_id", "question_key", "theme", "source", "area", "channel", "age_band", "week", "created_at") VALUES (?, ?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, ?)`,
          params: [
            newRowId(),
            target.id,
            target.contact_id,
            target.flow_id,
            target.question_key,
            theme,
            target.area,
            target.channel,
            target.age_band,
            key.week,
            target.created_at,
          ],
        },
        themeCountUpsert(key, 1, target.record_key),
      );
    }
    statements.push({
      sql: `INSERT INTO "theme_reviews" ("id", "answer_id", "themes", "reviewed_by", "created_at") VALUES (?, ?, ?, ?, ?)`,
      params: [newRowId(), target.id, JSON.stringify(THEMES.filter((t) => wanted.has(t))), by, sqlDate(this.now())],
    });
    await this.sql.batch(statements);
    return { added, removed };
  }

  /** Reviewed answers' redacted text and themes, oldest first: the raw material for learned phrases. */
  async reviewed(limit = 1000): Promise<{ redacted: string; themes: ThemeId[] }[]> {
    const rows = await this.sql.all<{ redacted: string; themes: string }>(
      `SELECT a."redacted", r."themes" FROM "theme_reviews" r JOIN "answers" a ON a."id" = r."answer_id" ORDER BY r."created_at" LIMIT ?`,
      limit,
    );
    return rows.map((r) => ({ redacted: r.redacted, themes: THEMES.filter((t) => JSON.parse(r.themes).includes(t)) }));
  }
}

/**
 * Whether one of `themes` was found only by adding up half-weight clues ("heating" + "home"),
 * with no single word that names it: the tagger's least certain call. The redacted text is
 * read; placeholders carry no theme.
 */
function restsOnFaintClues(text: string, themes: readonly ThemeId[]): boolean {
  const strongest = new Map<ThemeId, number>();
  for (const clue of findThemeClues(text))
    for (const [theme, weight] of Object.entries(clue.weights) as [ThemeId, number][])
      strongest.set(theme, Math.max(strongest.get(theme) ?? 0, weight));
  return themes.some((t) => (strongest.get(t) ?? 0) < 1);
}
