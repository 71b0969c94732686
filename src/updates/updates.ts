// "You said, we did": a partner (in its own areas) or an operator publishes what changed, and
// it goes back to the residents who told us — those in the update's areas who chose its theme
// (or answered its question) and said yes to hearing back; never to stopped contacts, never in
// quiet hours, paced by the outbox like any other message. Each resident can say whether it
// was helpful (the update_reply flow); the dashboard shows delivered / read / replies, and the
// audience size, only at or above the disclosure threshold.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { ConversationService, ReplyRenderer } from "../conversation/handle-inbound.js";
import { nextSendTime, type QuietHours } from "../conversation/quiet-hours.js";
import type { OutboundEffect } from "../conversation/render-plain.js";
import { publishTally, type Cell, type Tally } from "../insights/disclosure.js";
import type { InsightQueries } from "../insights/queries.js";
import { renderSms } from "../channels/sms/render.js";
import { segmentInfo } from "../channels/sms/gsm.js";
import type { ContactRecord } from "../store/types.js";
import { toContactRecord } from "../store/contact-record.js";

/** The answer a resident gives to "can we tell you what changed?" (flows/priorities.yaml). */
export const HEAR_BACK_KEY = "hear_back";
/** The flow that asks whether an update was helpful. */
export const UPDATE_REPLY_FLOW = "update_reply";

export interface Bilingual {
  readonly en: string;
  readonly cy?: string;
}

export interface UpdateRequest {
  /** Partner id, or "operator (cli)". */
  readonly author: string;
  /** A theme id (residents who chose or wrote about it) … */
  readonly theme?: string;
  /** … or a question key (residents who answered it). */
  readonly questionKey?: string;
  /** Postcode districts. */
  readonly areas: readonly string[];
  /** Empty: pre-filled from the published aggregates. */
  readonly youSaid?: Bilingual;
  readonly weDid: Bilingual;
  readonly link?: string;
}

export interface UpdateDraft {
  readonly youSaid: Required<Bilingual>;
  readonly weDid: Bilingual;
  /** Residents it would reach, under disclosure control ("fewer than 10", never the number). */
  readonly audience: Cell;
  readonly previews: {
    readonly channel: "sms" | "telegram";
    readonly language: string;
    readonly text: string;
    readonly segments?: number;
  }[];
}

export interface PublishResult {
  readonly id: string;
  readonly audience: Cell;
  readonly queued: number;
  /** When sending starts (later than now in quiet hours). */
  readonly sendFrom: Date;
  /** Refused: the audience was below the threshold and the configuration says refuse. */
  readonly refused?: boolean;
  /** Residents on a channel that is not configured to send here (e.g. the CLI run without the channel's settings). */
  readonly noChannel: number;
}

export interface UpdateStats {
  readonly id: string;
  readonly createdAt: Date;
  readonly areas: string[];
  readonly theme: string | null;
  readonly questionKey: string | null;
  readonly youSaid: Bilingual;
  readonly weDid: Bilingual;
  readonly link: string | null;
  readonly audience: Cell;
  readonly delivered: Cell;
  /** Where the platform reports it (Telegram never does; SMS rarely). */
  readonly read: Cell;
  readonly helpful: Cell;
  readonly notHelpful: Cell;
}

export interface UpdateServiceDeps {
  readonly prisma: PrismaClient;
  readonly conversation: ConversationService;
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly queries: InsightQueries;
  /** Theme labels per language (from the flows' options). */
  readonly themeLabel: (id: string, language: string) => string;
  readonly threshold: number;
  readonly organisationName: string;
  /** The organisation's name in Welsh (ORGANISATION_NAME_CY), for Welsh messages. */
  readonly organisationNameCy?: string;
  readonly smsMaxSegments: number;
  readonly quietHours: QuietHours;
  readonly timezone: string;
  /** What to do when fewer residents than the threshold would receive it. */
  readonly smallAudience: "send" | "refuse";
  readonly now: () => Date;
  readonly newId: () => string;
}

const PAGE = 500;

/** An update as it was published: what residents were sent, never who. */
export interface PublishedUpdate {
  readonly id: string;
  readonly createdAt: Date;
  readonly youSaid: Bilingual;
  readonly weDid: Bilingual;
  readonly link: string | null;
  readonly areas: string[];
}

export class UpdateService {
  constructor(private readonly deps: UpdateServiceDeps) {}

  /** The message a resident receives, in their language (English where no Welsh was written). */
  messageText(
    update: { youSaid: Bilingual; weDid: Bilingual; link?: string | null; areas: readonly string[] },
    language: string,
  ): string {
    const cy = language === "cy";
    const pick = (t: Bilingual) => (cy && t.cy ? t.cy : t.en);
    const lines = [
      cy
        ? `${this.deps.organisationNameCy ?? this.deps.organisationName}: diweddariad i ${update.areas.join(", ")}:`
        : `An update from ${this.deps.organisationName} for ${update.areas.join(", ")}:`,
      `${cy ? "Dywedoch chi" : "You said"}: ${pick(update.youSaid)}`,
      `${cy ? "Fe wnaethon ni" : "We did"}: ${pick(update.weDid)}`,
    ];
    if (update.link) lines.push(`${cy ? "Rhagor" : "More"}: ${update.link}`);
    return lines.join("\n");
  }

  /** "41% of residents in ST6 put buses and transport in their top 3", from the published figures. */
  async suggestYouSaid(theme: string | undefined, areas: readonly string[]): Promise<Required<Bilingual>> {
    const where = areas.join(", ");
    if (!theme)
      return {
        en: `Residents in ${where} told us what matters to them.`,
        cy: `Dywedodd trigolion ${where} wrthym beth sy'n bwysig iddyn nhw.`,
      };
    const table = await this.deps.queries.themeTable({ allowedAreas: [...areas] }, "choice", [theme]);
    const share = table.rows[0]?.share ?? null;
    const en = this.deps.themeLabel(theme, "en").toLowerCase();
    const cy = this.deps.themeLabel(theme, "cy").toLowerCase();
    return share === null
      ? {
          en: `Residents in ${where} told us ${en} matters.`,
          cy: `Dywedodd trigolion ${where} wrthym fod ${cy} yn bwysig.`,
        }
      : {
          en: `${share}% of residents in ${where} put ${en} in their top 3.`,
          // Worded so the theme is the subject after "Roedd", which mutates nothing: a direct
          // object after the subject ("Rhoddodd … dai") would need each label mutated.
          cy: `Roedd ${cy} ymhlith y 3 blaenoriaeth uchaf i ${share}% o drigolion ${where}.`,
        };
  }

  /** Ids of the residents an update would reach, in id order, a page at a time. */
  private async audiencePage(
    request: UpdateRequest,
    afterId: string,
    limit: number,
  ): Promise<{ id: string; recordKey: number }[]> {
    const areas = [...request.areas];
    const params: (string | number)[] = [...areas];
    let interest = "";
    if (request.theme) {
      interest = `AND EXISTS (SELECT 1 FROM "theme_facts" f WHERE f."contact_id" = c."id" AND f."theme" = ?)`;
      params.push(request.theme);
    } else if (request.questionKey) {
      interest = `AND EXISTS (SELECT 1 FROM "answers" a WHERE a."contact_id" = c."id" AND a."question_key" = ? AND a."value" <> 'null')`;
      params.push(request.questionKey);
    }
    params.push(HEAR_BACK_KEY, afterId, limit);
    // Their latest word on hearing back counts (yes once, no later: no).
    const rows = await this.deps.prisma.$queryRawUnsafe<{ id: string; record_key: number | bigint }[]>(
      `SELECT c."id" AS id, c."record_key" AS record_key FROM "contacts" c
       WHERE c."status" = 'active' AND c."consent_version" IS NOT NULL AND c."area" IN (${areas.map(() => "?").join(", ")}) ${interest}
         AND (SELECT h."value" FROM "answers" h WHERE h."contact_id" = c."id" AND h."question_key" = ? ORDER BY h."created_at" DESC, h."id" DESC LIMIT 1) = 'true'
         AND c."id" > ?
       ORDER BY c."id" LIMIT ?`,
      ...params,
    );
    return rows.map((r) => ({ id: r.id, recordKey: Number(r.record_key) }));
  }

  /** The residents an update would reach, with their key sum: published through the same gate as every count. */
  async audienceSize(request: UpdateRequest): Promise<Tally> {
    let count = 0;
    let keySum = 0;
    let after = "";
    for (;;) {
      const page = await this.audiencePage(request, after, PAGE);
      count += page.length;
      for (const p of page) keySum += p.recordKey;
      if (page.length < PAGE) return { count, keySum };
      after = page[page.length - 1]!.id;
    }
  }

  /** What the partner sees before sending: the audience (suppressed below the threshold) and the message per channel. */
  async draft(request: UpdateRequest): Promise<UpdateDraft> {
    const youSaid = request.youSaid?.en
      ? { en: request.youSaid.en, cy: request.youSaid.cy ?? request.youSaid.en }
      : await this.suggestYouSaid(request.theme, request.areas);
    const audience = publishTally(await this.audienceSize(request), this.deps.threshold);
    const previews: UpdateDraft["previews"][number][] = [];
    for (const language of ["en", "cy"]) {
      const text = this.messageText(
        { youSaid, weDid: request.weDid, link: request.link ?? null, areas: request.areas },
        language,
      );
      const sms = renderSms([{ type: "send", text }], language, this.deps.smsMaxSegments).join("\n");
      previews.push({ channel: "sms", language, text: sms, segments: segmentInfo(sms).segments });
      previews.push({ channel: "telegram", language, text });
    }
    return { youSaid, weDid: request.weDid, audience, previews };
  }

  /** Stores the update and queues it, with the "was this helpful?" question, for everyone it reaches. */
  async publish(request: UpdateRequest): Promise<PublishResult> {
    const now = this.deps.now();
    const draft = await this.draft(request);
    const id = this.deps.newId();
    const sendFrom = nextSendTime(now, this.deps.quietHours, this.deps.timezone);
    if (draft.audience.suppressed && this.deps.smallAudience === "refuse")
      return { id, audience: draft.audience, queued: 0, sendFrom, refused: true, noChannel: 0 };
    const update = { youSaid: draft.youSaid, weDid: request.weDid, link: request.link ?? null, areas: request.areas };
    await this.deps.prisma.update.create({
      data: {
        id,
        author: request.author,
        theme: request.theme ?? null,
        questionKey: request.questionKey ?? null,
        areas: JSON.stringify(request.areas),
        youSaid: JSON.stringify(draft.youSaid),
        weDid: JSON.stringify(request.weDid),
        link: request.link ?? null,
        createdAt: now,
      },
    });
    let queued = 0;
    let queuedKeys = 0;
    let noChannel = 0;
    let after = "";
    for (;;) {
      const ids = (await this.audiencePage(request, after, PAGE)).map((p) => p.id);
      const contacts = (
        await this.deps.prisma.contact.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } })
      ).map(toContactRecord);
      for (const contact of contacts) {
        if (!this.deps.renderers.has(contact.channel)) noChannel++;
        else if (await this.deliver(id, update, contact, sendFrom)) {
          queued++;
          queuedKeys += contact.recordKey;
        }
      }
      if (ids.length < PAGE) break;
      after = ids[ids.length - 1]!;
    }
    await this.deps.prisma.update.update({ where: { id }, data: { audience: queued } });
    return {
      id,
      audience: publishTally({ count: queued, keySum: queuedKeys }, this.deps.threshold),
      queued,
      sendFrom,
      noChannel,
    };
  }

  private async deliver(
    updateId: string,
    update: Parameters<UpdateService["messageText"]>[0],
    contact: ContactRecord,
    sendFrom: Date,
  ): Promise<boolean> {
    const render = this.deps.renderers.get(contact.channel)!;
    const message: OutboundEffect = { type: "send", text: this.messageText(update, contact.language) };
    const outcome = await this.deps.conversation.startFlowFor(contact, UPDATE_REPLY_FLOW, {
      render,
      notBefore: sendFrom,
      key: `update:${updateId}:${contact.id}`,
      prefix: [message],
      whenBusy: "prefix_only",
    });
    if (outcome !== "queued" && outcome !== "busy") return false;
    await this.deps.prisma.updateDelivery.create({
      data: { updateId, contactId: contact.id, createdAt: this.deps.now() },
    });
    return true;
  }

  /** Published updates for an area, newest first: what UPDATES shows a resident. */
  forArea(area: string, limit = 3): Promise<PublishedUpdate[]> {
    return this.forAreas([area], limit);
  }

  /** Published updates sent to any of these areas, newest first (the public "you said, we did" page). */
  async forAreas(areas: readonly string[], limit: number): Promise<PublishedUpdate[]> {
    if (areas.length === 0) return [];
    const rows = await this.deps.prisma.update.findMany({
      where: { OR: areas.map((area) => ({ areas: { contains: `"${area}"` } })) },
      orderBy: { createdAt: "desc" },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      youSaid: JSON.parse(r.youSaid) as Bilingual,
      weDid: JSON.parse(r.weDid) as Bilingual,
      link: r.link,
      areas: JSON.parse(r.areas) as string[],
    }));
  }

  /** What UPDATES replies: the latest updates for the resident's area, in their language. */
  async summaryFor(area: string | null, language: string): Promise<string> {
    const cy = language === "cy";
    if (!area)
      return cy
        ? "Dywedwch wrthym eich cod post mewn sgwrs yn gyntaf, a byddwn yn dangos diweddariadau i'ch ardal."
        : "Tell us your postcode in a conversation first, and we'll show you the updates for your area.";
    const updates = await this.forArea(area);
    if (updates.length === 0)
      return cy
        ? `Dim diweddariadau i ${area} eto. Os dywedoch chi ie i gael newyddion, byddwn ni'n anfon neges atoch chi pan fydd un.`
        : `No updates for ${area} yet. If you said yes to hearing back, we'll message you when there is one.`;
    const date = (d: Date) => d.toISOString().slice(0, 10);
    return [
      cy ? `Diweddariadau i ${area}:` : `Updates for ${area}:`,
      ...updates.map((u) => {
        const pick = (t: Bilingual) => (cy && t.cy ? t.cy : t.en);
        return `${date(u.createdAt)} — ${cy ? "Dywedoch chi" : "You said"}: ${pick(u.youSaid)} ${cy ? "Fe wnaethon ni" : "We did"}: ${pick(u.weDid)}${u.link ? ` ${u.link}` : ""}`;
      }),
    ].join("\n\n");
  }

  /** Updates in (or overlapping) these areas, with delivered / read / replies under disclosure control. */
  async stats(allowedAreas: readonly string[], limit = 20): Promise<UpdateStats[]> {
    const rows = await this.deps.prisma.update.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
    const visible = rows
      .filter(
        (r) => allowedAreas.length === 0 || (JSON.parse(r.areas) as string[]).every((a) => allowedAreas.includes(a)),
      )
      .slice(0, limit);
    const k = this.deps.threshold;
    const out: UpdateStats[] = [];
    for (const r of visible) {
      const key = `update:${r.id}:%`;
      // Each count with its residents' key sum, so it is published as every other count is.
      /** The residents a sub-query names, counted with their key sum. */
      const residents = (ids: string, param: string) =>
        this.deps.prisma.$queryRawUnsafe<{ n: number | bigint; ks: number | bigint | null }[]>(
          `SELECT count(*) AS n, SUM(c."record_key") AS ks FROM "contacts" c WHERE c."id" IN (${ids})`,
          param,
        );
      const sentTo = (where: string) =>
        residents(`SELECT "contact_id" FROM "outbox" WHERE "idempotency_key" LIKE ? AND ${where}`, key);
      const [audience, sent, read, replies] = await Promise.all([
        residents(`SELECT "contact_id" FROM "update_deliveries" WHERE "update_id" = ?`, r.id),
        sentTo(`"status" = 'sent'`),
        sentTo(`"delivery_status" = 'read'`),
        // A reply belongs to the latest update the resident had been sent before answering.
        this.deps.prisma.$queryRawUnsafe<{ value: string; n: number | bigint }[]>(
          `SELECT a."value" AS value, count(*) AS n, SUM(c."record_key") AS ks FROM "answers" a JOIN "update_deliveries" d ON d."contact_id" = a."contact_id" AND d."update_id" = ? JOIN "contacts" c ON c."id" = a."contact_id"
           WHERE a."flow_id" = ? AND a."question_key" = 'helpful' AND a."created_at" >= d."created_at"
             AND NOT EXISTS (SELECT 1 FROM "update_deliveries" d2 WHERE d2."contact_id" = a."contact_id" AND d2."created_at" > d."created_at" AND d2."created_at" <= a."created_at")
           GROUP BY a."value"`,
          r.id,
          UPDATE_REPLY_FLOW,
        ),
      ]);
      const tally = (row: { n: number | bigint; ks?: number | bigint | null } | undefined): Tally => ({
        count: Number(row?.n ?? 0),
        keySum: Number(row?.ks ?? 0),
      });
      const replyCount = (v: string) => tally(replies.find((x) => x.value === JSON.stringify(v)));
      out.push({
        id: r.id,
        createdAt: r.createdAt,
        areas: JSON.parse(r.areas) as string[],
        theme: r.theme,
        questionKey: r.questionKey,
        youSaid: JSON.parse(r.youSaid) as Bilingual,
        weDid: JSON.parse(r.weDid) as Bilingual,
        link: r.link,
        audience: publishTally(tally(audience[0]), k),
        delivered: publishTally(tally(sent[0]), k),
        read: publishTally(tally(read[0]), k),
        helpful: publishTally(replyCount("helpful"), k),
        notHelpful: publishTally(replyCount("not_helpful"), k),
      });
    }
    return out;
  }
}
