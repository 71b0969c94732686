// Cloudflare Worker entry: the same Hono app, flows and migrations as on Node, with D1 as the
// database and configuration from bindings and secrets (`wrangler secret put`).
//
// Per-contact ordering: every Telegram update and incoming SMS is handed to the Durable Object
// named after the resident (a keyed hash of their chat id or number), so one resident's
// messages are handled one at a time, in order, wherever they arrive; different residents run
// in parallel. Everything else (API, dashboard, delivery callbacks) is served by the Worker.
// A Cron Trigger sends what the outbox and the partners' webhooks hold each minute and runs
// retention daily. Every send, from a resident's Durable Object or from the cron, first asks its
// channel's pacing Durable Object for a slot (src/runtime-worker/pacing-object.ts).
import type {
  DurableObjectState,
  ExecutionContext,
  ScheduledController,
  WorkerEnv,
} from "./runtime-worker/cloudflare.js";
import { queueBroadcastPages } from "./runtime-worker/broadcast-pager.js";
import { withRequestPrisma, workerServices, type WorkerServices } from "./runtime-worker/services.js";

export { ChannelPacer } from "./runtime-worker/pacing-object.js";
export { BroadcastPager } from "./runtime-worker/broadcast-pager.js";
import {
  OUTBOX_MESSAGES_PER_CRON_RUN,
  partnerWebhooksChore,
  remindersChore,
  retentionChore,
} from "./runtime/chores.js";

/** The cron in wrangler.toml that runs retention; every other cron run sends the outbox. */
const RETENTION_CRON = "17 3 * * *";

/** Which resident an inbound webhook is from, or null (then the app answers it as it is: 4xx, or ignored). */
async function residentOf(request: Request, pathname: string): Promise<{ channel: string; address: string } | null> {
  try {
    if (pathname === "/webhooks/telegram") {
      if (!request.headers.has("X-Telegram-Bot-Api-Secret-Token")) return null;
      const update = (await request.json()) as Record<
        string,
        { chat?: { id?: unknown }; message?: { chat?: { id?: unknown } }; from?: { id?: unknown } } | undefined
      >;
      const id =
        update.message?.chat?.id ??
        update.edited_message?.chat?.id ??
        update.callback_query?.message?.chat?.id ??
        update.callback_query?.from?.id ??
        update.my_chat_member?.chat?.id;
      return typeof id === "number" || typeof id === "string" ? { channel: "telegram", address: String(id) } : null;
    }
    if (pathname === "/webhooks/twilio/sms") {
      if (!request.headers.has("X-Twilio-Signature")) return null;
      const from = new URLSearchParams(await request.text()).get("From");
      return from ? { channel: "sms", address: from } : null;
    }
  } catch {
    // Not JSON / not a form: the app gives the 4xx.
  }
  return null;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (
      request.method === "POST" &&
      (url.pathname === "/webhooks/telegram" || url.pathname === "/webhooks/twilio/sms")
    ) {
      const resident = await residentOf(request.clone(), url.pathname);
      if (resident) {
        const services = await workerServices(env);
        const key = `${resident.channel}:${await services.addressCrypto.hash(resident.channel, resident.address)}`;
        return env.CONTACTS.get(env.CONTACTS.idFromName(key)).fetch(request);
      }
    }
    const services = await workerServices(env);
    return withRequestPrisma(env, () => services.app.fetch(request, env, ctx as never));
  },

  async scheduled(controller: ScheduledController, env: WorkerEnv, _ctx: ExecutionContext): Promise<void> {
    const services = await workerServices(env);
    await withRequestPrisma(env, () => scheduledRun(controller, env, services));
  },
};

/** A Cron Trigger's work: daily retention, or the minute's directory reload, partner webhooks, reminders, broadcast pages and outbox. */
async function scheduledRun(controller: ScheduledController, env: WorkerEnv, services: WorkerServices): Promise<void> {
  if (controller.cron === RETENTION_CRON) {
    await retentionChore(
      services.prisma,
      { now: new Date(controller.scheduledTime), retentionDays: services.config.retentionDays },
      services.log,
    );
    return;
  }
  await services.directory.reload();
  await partnerWebhooksChore(services.feed, services.partners);
  await remindersChore(services, services.log);
  // The next pages of broadcasts too large to queue at their start, each in an invocation of its own.
  await queueBroadcastPages(env, services);
  // An alert that cannot be checked must not hold up the outbox.
  await services.alerts
    ?.check()
    .catch((error: Error) => services.log.error("alert check failed", { error: error.name }));
  const report = await services.dispatcher.drain(200, OUTBOX_MESSAGES_PER_CRON_RUN);
  if (report.sent + report.retried + report.dead > 0)
    services.log.info("outbox run", { sent: report.sent, retried: report.retried, dead: report.dead });
}

/** One resident's conversation: their webhooks arrive here one after another (see above). */
export class ContactQueue {
  constructor(
    _state: DurableObjectState,
    private readonly env: WorkerEnv,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const services = await workerServices(this.env);
    return withRequestPrisma(this.env, () => services.app.fetch(request));
  }
}
