// Retention: answers older than RETENTION_DAYS lose their link to the contact and keep free
// text only in redacted form; message ids and delivery logs older than 30 days are deleted.
// Running totals are untouched. Runs daily in the server, or by hand: `placevoice retention run`.
import type { PrismaClient } from "../generated/prisma/client.js";

export interface RetentionReport {
  readonly answersAnonymised: number;
  readonly freeTextRedacted: number;
  readonly factsUnlinked: number;
  readonly inboundIdsDeleted: number;
  readonly deliveryLogsDeleted: number;
  /** Messages between a resident and a local group (relays) older than RETENTION_DAYS, deleted. */
  readonly relayMessagesDeleted: number;
  readonly dryRun: boolean;
}

const LOG_DAYS = 30;
const DAY = 86_400_000;

export async function runRetention(
  prisma: PrismaClient,
  options: { now: Date; retentionDays: number; dryRun: boolean },
): Promise<RetentionReport> {
  const answerCutoff = new Date(options.now.getTime() - options.retentionDays * DAY);
  const logCutoff = new Date(options.now.getTime() - LOG_DAYS * DAY);
  const oldAnswers = { createdAt: { lt: answerCutoff }, contactId: { not: null } };
  const oldText = { createdAt: { lt: answerCutoff }, redacted: { not: null } };
  const oldFacts = { createdAt: { lt: answerCutoff }, contactId: { not: null } };
  const oldInbound = { receivedAt: { lt: logCutoff } };
  // A cancelled broadcast's messages were never sent and never will be: logs like the rest.
  const oldDeliveries = { createdAt: { lt: logCutoff }, status: { in: ["sent", "dead", "cancelled"] } };
  // What a resident and a group wrote each other is their words in clear: gone with the answers' links.
  const oldRelayMessages = { createdAt: { lt: answerCutoff } };
  if (options.dryRun) {
    const [answersAnonymised, texts, factsUnlinked, inboundIdsDeleted, deliveryLogsDeleted, relayMessagesDeleted] =
      await Promise.all([
        prisma.answer.count({ where: oldAnswers }),
        prisma.answer.findMany({ where: oldText, select: { value: true, redacted: true } }),
        prisma.themeFact.count({ where: oldFacts }),
        prisma.inboundMessage.count({ where: oldInbound }),
        prisma.outboxMessage.count({ where: oldDeliveries }),
        prisma.relayMessage.count({ where: oldRelayMessages }),
      ]);
    const freeTextRedacted = texts.filter((t) => t.value !== JSON.stringify(t.redacted)).length;
    return {
      answersAnonymised,
      freeTextRedacted,
      factsUnlinked,
      inboundIdsDeleted,
      deliveryLogsDeleted,
      relayMessagesDeleted,
      dryRun: true,
    };
  }
  // No transaction (D1 has none through Prisma): each step is idempotent and they run in an
  // order that is safe to stop anywhere, so the next run finishes what an interrupted one left.
  const tx = prisma;
  {
    // Free text first (while still findable), then the contact link.
    const texts = await tx.answer.findMany({ where: oldText, select: { id: true, value: true, redacted: true } });
    let freeTextRedacted = 0;
    for (const t of texts) {
      const redactedValue = JSON.stringify(t.redacted);
      if (t.value === redactedValue) continue;
      await tx.answer.update({ where: { id: t.id }, data: { value: redactedValue } });
      freeTextRedacted++;
    }
    const answersAnonymised = (await tx.answer.updateMany({ where: oldAnswers, data: { contactId: null } })).count;
    const factsUnlinked = (await tx.themeFact.updateMany({ where: oldFacts, data: { contactId: null } })).count;
    const inboundIdsDeleted = (await tx.inboundMessage.deleteMany({ where: oldInbound })).count;
    const deliveryLogsDeleted = (await tx.outboxMessage.deleteMany({ where: oldDeliveries })).count;
    const relayMessagesDeleted = (await tx.relayMessage.deleteMany({ where: oldRelayMessages })).count;
    return {
      answersAnonymised,
      freeTextRedacted,
      factsUnlinked,
      inboundIdsDeleted,
      deliveryLogsDeleted,
      relayMessagesDeleted,
      dryRun: false,
    };
  }
}
