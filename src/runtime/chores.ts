// The service's housekeeping, the same on both runtimes: Node runs it on timers (src/node.ts),
// the Worker from its Cron Triggers (src/worker.ts).
import type { QuietHours } from "../conversation/quiet-hours.js";
import { queueDueReminders, type ReminderDeps } from "../conversation/reminders.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { PartnerStore } from "../insights/partners.js";
import type { Logger } from "../log.js";
import { runRetention } from "../store/retention.js";
import type { PartnerFeed } from "../updates/partner-feed.js";

/** Anonymises old answers and deletes old message ids and delivery logs, and says what it did. */
export async function retentionChore(
  prisma: PrismaClient,
  options: { now: Date; retentionDays: number },
  log: Logger,
): Promise<void> {
  const report = await runRetention(prisma, { ...options, dryRun: false });
  log.info("retention run", {
    anonymised: report.answersAnonymised,
    redacted: report.freeTextRedacted,
    inboundDeleted: report.inboundIdsDeleted,
    deliveriesDeleted: report.deliveryLogsDeleted,
    relayMessagesDeleted: report.relayMessagesDeleted,
  });
}

/** Partners' webhooks: the weekly feed when a week has passed, and retries that are due. */
export async function partnerWebhooksChore(feed: PartnerFeed, partners: PartnerStore): Promise<void> {
  await feed.enqueueWeekly((id) => partners.byId(id));
  await feed.deliverDue();
}

/** Gentle reminders that are due, queued in the outbox as proactive traffic (kind "reminder"); every minute. */
export async function remindersChore(
  services: Pick<ReminderDeps, "store" | "conversation" | "registry" | "renderers" | "now"> & {
    readonly config: { readonly quietHours: QuietHours; readonly timezone: string };
  },
  log: Logger,
): Promise<void> {
  const report = await queueDueReminders({
    ...services,
    quietHours: services.config.quietHours,
    timezone: services.config.timezone,
  });
  if (report.queued > 0) log.info("reminders queued", { queued: report.queued });
}

/**
 * Outbox messages one Cron Trigger run sends on Workers. D1 allows 1,000 queries an invocation
 * (Workers Paid); the drain spends two a message (the recipient, the mark) and one a claim, and
 * the run's other chores need some too. A run that hit the limit would fail with messages sent
 * but not marked, which a later run would send again; one that stops here ends within it, and
 * the rest go on the next minute.
 */
export const OUTBOX_MESSAGES_PER_CRON_RUN = 400;

/**
 * Residents a broadcast started from the dashboard on Workers queues in one invocation: the start
 * itself, then each page the Cron Trigger hands to the broadcast's Durable Object. Queuing a
 * resident costs three D1 queries (their conversation, the broadcast's key, the step's batch), so
 * a page spends about 600 of the 1,000 an invocation may make (Workers Paid), leaving room for
 * the request's own.
 */
export const BROADCAST_RESIDENTS_PER_PAGE = 200;

/** Pages of each broadcast the Cron Trigger has queued in one run: as many residents as the run then sends (OUTBOX_MESSAGES_PER_CRON_RUN). */
export const BROADCAST_PAGES_PER_CRON_RUN = 2;
