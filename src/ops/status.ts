// What an operator needs at a glance, for `placevoice status` (exit code 1 when something needs
// a person, so cron can alert) and the admin view: each channel's state (for Telegram, Telegram's
// own getWebhookInfo), the outbox, the last inbound message per channel, migrations, the
// directory's age and the last backup's. Counts and times only: never an address or a message.
import type { Clock } from "../clock.js";
import type { PrismaClient } from "../generated/prisma/client.js";

/** The audit log action a backup is recorded under (`placevoice backup`). */
export const BACKUP_ACTION = "ops.backup";

/** Telegram's WebhookInfo, the fields we read (Bot API getWebhookInfo). */
export interface WebhookInfo {
  readonly url?: string | undefined;
  readonly pending_update_count: number;
  /** Unix time of the most recent error delivering an update to the webhook. */
  readonly last_error_date?: number | undefined;
  readonly last_error_message?: string | undefined;
}

export interface StatusDeps {
  readonly prisma: PrismaClient;
  readonly outbox: { counts(): Promise<Record<string, number>> };
  readonly now: Clock;
  /** The webhook URL Telegram should be posting to; Telegram not configured when absent. */
  readonly telegramWebhookUrl?: string;
  readonly telegramWebhookInfo?: () => Promise<WebhookInfo>;
  readonly smsConfigured: boolean;
  /** Migrations applied, oldest first (the Node file database). */
  readonly migrations?: readonly string[];
  /** The SQLite file is ours to back up (Node); D1 keeps its own history. */
  readonly expectBackups: boolean;
  readonly thresholds?: Partial<StatusThresholds>;
}

export interface StatusThresholds {
  /** A webhook error newer than this needs a person. */
  readonly webhookErrorMs: number;
  readonly pendingUpdates: number;
  /** A message due longer ago than this and still unsent needs a person. */
  readonly outboxDueMs: number;
  readonly backupMs: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = {
  webhookErrorMs: 60 * 60_000,
  pendingUpdates: 100,
  outboxDueMs: 15 * 60_000,
  backupMs: 36 * 60 * 60_000,
};

export interface StatusCheck {
  readonly name: string;
  /** "attention": a person should look; "off": not configured. */
  readonly state: "ok" | "attention" | "off";
  readonly detail: string;
}

export interface StatusReport {
  readonly checkedAt: Date;
  readonly checks: readonly StatusCheck[];
  readonly needsAttention: boolean;
}

/** "3 min", "5 h", "2 d": how long ago, for a person. */
export function age(ms: number): string {
  if (ms < 0) return "0 s";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 120 * 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

const iso = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");

export async function gatherStatus(deps: StatusDeps): Promise<StatusReport> {
  const limits = { ...DEFAULT_THRESHOLDS, ...deps.thresholds };
  const now = deps.now();
  const since = (d: Date) => `${iso(d)} UTC, ${age(now.getTime() - d.getTime())} ago`;
  const checks: StatusCheck[] = [];

  if (deps.telegramWebhookInfo && deps.telegramWebhookUrl) {
    try {
      const info = await deps.telegramWebhookInfo();
      const problems: string[] = [];
      if ((info.url ?? "") !== deps.telegramWebhookUrl)
        problems.push(
          info.url ? `webhook points at ${info.url}` : "no webhook set (run: placevoice telegram set-webhook)",
        );
      const errorAt = info.last_error_date ? new Date(info.last_error_date * 1000) : undefined;
      if (errorAt && now.getTime() - errorAt.getTime() < limits.webhookErrorMs)
        problems.push(`last error ${since(errorAt)}: ${info.last_error_message ?? "(no message)"}`);
      if (info.pending_update_count > limits.pendingUpdates)
        problems.push(`${info.pending_update_count} updates waiting at Telegram`);
      const facts = `webhook ${info.url || "(none)"}, ${info.pending_update_count} pending update(s)${
        errorAt && problems.every((p) => !p.startsWith("last error"))
          ? `, last error ${since(errorAt)}: ${info.last_error_message ?? ""}`
          : ""
      }`;
      checks.push({
        name: "Telegram",
        state: problems.length > 0 ? "attention" : "ok",
        detail: problems.length > 0 ? `${problems.join("; ")} (${facts})` : facts,
      });
    } catch (error) {
      checks.push({
        name: "Telegram",
        state: "attention",
        detail: `getWebhookInfo failed: ${(error as Error).message}`,
      });
    }
  } else checks.push({ name: "Telegram", state: "off", detail: "not configured" });
  checks.push(
    deps.smsConfigured
      ? { name: "SMS", state: "ok", detail: "configured (Twilio)" }
      : { name: "SMS", state: "off", detail: "not configured" },
  );

  const [counts, oldestDue, inbound, directory, backup] = await Promise.all([
    deps.outbox.counts(),
    deps.prisma.outboxMessage.findFirst({
      where: { status: "pending", nextAttemptAt: { lte: now } },
      orderBy: { nextAttemptAt: "asc" },
      select: { nextAttemptAt: true },
    }),
    deps.prisma.inboundMessage.groupBy({ by: ["channel"], _max: { receivedAt: true } }),
    deps.prisma.service.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
    deps.prisma.auditEntry.findFirst({
      where: { action: BACKUP_ACTION },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    }),
  ]);

  const dead = counts.dead ?? 0;
  const overdue = oldestDue ? now.getTime() - oldestDue.nextAttemptAt.getTime() : 0;
  const outboxProblems = [
    ...(dead > 0 ? [`${dead} dead letter(s) (placevoice outbox)`] : []),
    ...(overdue > limits.outboxDueMs ? [`oldest due message waiting ${age(overdue)}`] : []),
  ];
  const depth = Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  checks.push({
    name: "Outbox",
    state: outboxProblems.length > 0 ? "attention" : "ok",
    detail: [...outboxProblems, depth || "empty"].join("; "),
  });

  for (const row of inbound.sort((a, b) => a.channel.localeCompare(b.channel)))
    if (row._max.receivedAt)
      checks.push({ name: `Last inbound (${row.channel})`, state: "ok", detail: since(row._max.receivedAt) });
  if (inbound.length === 0) checks.push({ name: "Last inbound", state: "ok", detail: "none yet" });

  if (deps.migrations)
    checks.push({
      name: "Migrations",
      state: "ok",
      detail: `${deps.migrations.length} applied, latest ${deps.migrations.at(-1) ?? "(none)"}`,
    });
  checks.push({
    name: "Directory",
    state: "ok",
    detail:
      directory._count._all > 0 && directory._max.updatedAt
        ? `${directory._count._all} service(s), updated ${since(directory._max.updatedAt)}`
        : "no services imported (placevoice services import)",
  });

  if (backup) {
    const old = now.getTime() - backup.createdAt.getTime() > limits.backupMs;
    checks.push({
      name: "Backup",
      state: old && deps.expectBackups ? "attention" : "ok",
      detail: `last ${since(backup.createdAt)}${old && deps.expectBackups ? " (older than the schedule)" : ""}`,
    });
  } else
    checks.push(
      deps.expectBackups
        ? { name: "Backup", state: "attention", detail: "never backed up (placevoice backup <file>)" }
        : { name: "Backup", state: "ok", detail: "D1 Time Travel (docs/workers.md)" },
    );

  return { checkedAt: now, checks, needsAttention: checks.some((c) => c.state === "attention") };
}

/** One line per check, worst first marked with "!" so a cron mail reads at a glance. */
export function formatStatus(report: StatusReport): string[] {
  const mark = { ok: " ", attention: "!", off: "-" } as const;
  const width = Math.max(...report.checks.map((c) => c.name.length));
  return [
    `PlaceVoice status at ${iso(report.checkedAt)} UTC: ${report.needsAttention ? "NEEDS ATTENTION" : "ok"}`,
    ...report.checks.map((c) => `${mark[c.state]} ${c.name.padEnd(width)}  ${c.detail}`),
  ];
}
