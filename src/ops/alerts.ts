// Alerts that reach a person: every minute the rules are checked, and when one trips the
// operators get one message (in their Telegram chat, and/or posted to a URL), and one more when it
// clears. Between the two, nothing: a rule that stays tripped is not repeated, and one that
// clears and trips again within ALERT_REPEAT_MINUTES of its last message waits until that time
// has passed (a flapping rule cannot flood a phone). What was sent is kept in the audit log
// (`ops.alert:<rule>:firing|resolved`), so the state survives restarts and is the same for every
// Worker isolate. Messages hold counts and times only: never an address, a chat id or a message.
import type { Clock } from "../clock.js";
import type { AlertConfig } from "../config.js";
import { isQuiet } from "../conversation/quiet-hours.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../log.js";
import type { ServiceMetrics } from "../metrics.js";
import { age, type WebhookInfo } from "./status.js";

export const ALERT_RULES = ["dead_letters", "webhook_errors", "no_inbound", "outbox_stuck"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface AlertMessage {
  readonly rule: AlertRule;
  readonly state: "firing" | "resolved";
  /** One line a person reads: what is wrong (or that it cleared), with counts and times only. */
  readonly text: string;
  readonly at: Date;
}

export interface AlertDeps {
  readonly prisma: PrismaClient;
  readonly now: Clock;
  readonly log: Logger;
  readonly rules: AlertConfig;
  readonly timezone: string;
  readonly organisationName: string;
  readonly newId: () => string;
  /** This process's counters (failed webhook requests). */
  readonly metrics?: ServiceMetrics;
  /** Telegram's own view of the webhook: a delivery error there counts as a webhook error. */
  readonly telegramWebhookInfo?: () => Promise<WebhookInfo>;
  /** Sends one message to the operators; throws when it could not. */
  readonly notify: (message: AlertMessage) => Promise<void>;
}

/** Webhook errors are counted over this window. */
export const WEBHOOK_ERROR_WINDOW_MS = 10 * 60_000;

/** A rule's verdict: tripped or clear, with what to say; `undefined` tripped: not judged now (outside the day's hours). */
interface Verdict {
  readonly tripped: boolean | undefined;
  readonly detail: string;
}

const actionOf = (rule: AlertRule, state: AlertMessage["state"]) => `ops.alert:${rule}:${state}`;

export class AlertMonitor {
  /** Failed webhook requests so far, sampled at each check: [time, total]. */
  private readonly failures: [number, number][];

  constructor(private readonly deps: AlertDeps) {
    this.failures = [[deps.now().getTime(), 0]];
  }

  private inProgress: Promise<AlertMessage[]> | undefined;

  /** Checks every rule once; returns the messages sent. A check asked for while one runs shares it (so nothing is told twice). */
  check(): Promise<AlertMessage[]> {
    this.inProgress ??= this.checkOnce().finally(() => (this.inProgress = undefined));
    return this.inProgress;
  }

  private async checkOnce(): Promise<AlertMessage[]> {
    const now = this.deps.now();
    const verdicts = await this.judge(now);
    const sent: AlertMessage[] = [];
    for (const rule of ALERT_RULES) {
      const verdict = verdicts[rule];
      if (!verdict || verdict.tripped === undefined) continue;
      const last = await this.deps.prisma.auditEntry.findFirst({
        where: { action: { in: [actionOf(rule, "firing"), actionOf(rule, "resolved")] } },
        orderBy: { createdAt: "desc" },
        select: { action: true, createdAt: true },
      });
      const firing = last?.action === actionOf(rule, "firing");
      if (verdict.tripped === firing) continue;
      // A rule that trips again soon after its last message waits (it is sent later if it still holds).
      if (verdict.tripped && last && now.getTime() - last.createdAt.getTime() < this.deps.rules.repeatMinutes * 60_000)
        continue;
      const state = verdict.tripped ? "firing" : "resolved";
      const org = this.deps.organisationName;
      const name = org === "PlaceVoice" ? org : `${org} (PlaceVoice)`;
      const message: AlertMessage = {
        rule,
        state,
        at: now,
        text:
          state === "firing"
            ? `${name} needs attention: ${verdict.detail}. See \`placevoice status\`.`
            : `${name} resolved: ${verdict.detail}.`,
      };
      try {
        await this.deps.notify(message);
      } catch (error) {
        // Not recorded, so the next check tries again.
        this.deps.log.warn("alert could not be sent", { rule, state, error: (error as Error).message.slice(0, 120) });
        continue;
      }
      await this.deps.prisma.auditEntry.create({
        data: {
          id: this.deps.newId(),
          actor: "system",
          action: actionOf(rule, state),
          detail: JSON.stringify({ detail: verdict.detail }),
          createdAt: now,
        },
      });
      this.deps.log.info("alert sent", { rule, state });
      sent.push(message);
    }
    return sent;
  }

  private async judge(now: Date): Promise<Partial<Record<AlertRule, Verdict>>> {
    const { rules, prisma } = this.deps;
    const verdicts: Partial<Record<AlertRule, Verdict>> = {};
    const [dead, oldestDue, lastInbound] = await Promise.all([
      rules.deadLetters > 0 ? prisma.outboxMessage.count({ where: { status: "dead" } }) : 0,
      rules.outboxMinutes > 0
        ? prisma.outboxMessage.findFirst({
            where: { status: "pending", nextAttemptAt: { lte: now } },
            orderBy: { nextAttemptAt: "asc" },
            select: { nextAttemptAt: true },
          })
        : null,
      rules.noInboundHours > 0 ? prisma.inboundMessage.aggregate({ _max: { receivedAt: true } }) : null,
    ]);

    if (rules.deadLetters > 0)
      verdicts.dead_letters = {
        tripped: dead >= rules.deadLetters,
        detail:
          dead >= rules.deadLetters
            ? `${dead} dead letter(s) in the outbox (\`placevoice outbox\` to see and retry them)`
            : `dead letters in the outbox now ${dead}`,
      };

    if (rules.outboxMinutes > 0) {
      const waited = oldestDue ? now.getTime() - oldestDue.nextAttemptAt.getTime() : 0;
      const tripped = waited > rules.outboxMinutes * 60_000;
      verdicts.outbox_stuck = {
        tripped,
        detail: tripped
          ? `the oldest message due in the outbox has waited ${age(waited)} unsent`
          : "the outbox is sending again",
      };
    }

    if (rules.noInboundHours > 0) {
      const last = lastInbound?._max.receivedAt;
      const silent = last ? now.getTime() - last.getTime() : 0;
      const stale = silent > rules.noInboundHours * 3_600_000;
      // Judged only during the day: a quiet night is no news. A message at night still clears it.
      const night = { start: rules.dayHours.end, end: rules.dayHours.start };
      const day = !isQuiet(now, night, this.deps.timezone);
      verdicts.no_inbound = {
        tripped: stale ? (day ? true : undefined) : false,
        detail: stale
          ? `no message from any resident for ${age(silent)}`
          : "messages from residents are arriving again",
      };
    }

    if (rules.webhookErrors > 0 || this.deps.telegramWebhookInfo) {
      const total = this.failedWebhooks();
      const at = now.getTime();
      this.failures.push([at, total]);
      // Keep the newest sample at or before the window's start as its baseline.
      while (this.failures.length > 1 && this.failures[1]![0] <= at - WEBHOOK_ERROR_WINDOW_MS) this.failures.shift();
      const recent = total - this.failures[0]![1];
      const problems: string[] = [];
      if (rules.webhookErrors > 0 && recent >= rules.webhookErrors)
        problems.push(`${recent} webhook request(s) failed (5xx) in the last ${age(WEBHOOK_ERROR_WINDOW_MS)}`);
      if (this.deps.telegramWebhookInfo) {
        try {
          const info = await this.deps.telegramWebhookInfo();
          const errorAt = info.last_error_date ? info.last_error_date * 1000 : undefined;
          if (errorAt !== undefined && at - errorAt < WEBHOOK_ERROR_WINDOW_MS)
            problems.push(
              `Telegram could not deliver to the webhook ${age(at - errorAt)} ago: ${(info.last_error_message ?? "no message").slice(0, 200)}`,
            );
        } catch (error) {
          problems.push(`Telegram's getWebhookInfo failed: ${(error as Error).message.slice(0, 200)}`);
        }
      }
      verdicts.webhook_errors = {
        tripped: problems.length > 0,
        detail: problems.length > 0 ? problems.join("; ") : "webhooks are being answered again",
      };
    }
    return verdicts;
  }

  private failedWebhooks(): number {
    const inbound = this.deps.metrics?.inbound;
    if (!inbound) return 0;
    return (
      inbound.value({ channel: "telegram", outcome: "failed" }) + inbound.value({ channel: "sms", outcome: "failed" })
    );
  }
}

/** Sends an alert to the operators' Telegram chat and/or posts it as JSON to a URL; throws if none arrived. */
export function alertNotifier(
  rules: AlertConfig,
  sendTelegram: ((chatId: string, text: string) => Promise<unknown>) | undefined,
  fetchImpl: typeof fetch = fetch,
): (message: AlertMessage) => Promise<void> {
  return async (message) => {
    const attempts: Promise<unknown>[] = [];
    if (rules.telegramChatId && sendTelegram) attempts.push(sendTelegram(rules.telegramChatId, message.text));
    if (rules.webhookUrl) {
      const url = rules.webhookUrl;
      attempts.push(
        (async () => {
          // `text` is what Slack, Teams and Mattermost incoming webhooks show; the rest is for machines.
          const response = await fetchImpl(url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
              text: message.text,
              rule: message.rule,
              state: message.state,
              at: message.at.toISOString(),
            }),
            signal: AbortSignal.timeout(10_000),
          });
          if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
        })(),
      );
    }
    const results = await Promise.allSettled(attempts);
    // Told somewhere is told: retrying would repeat it where it did arrive.
    if (results.some((r) => r.status === "fulfilled")) return;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    throw failure ? (failure.reason as Error) : new Error("no alert destination");
  };
}
