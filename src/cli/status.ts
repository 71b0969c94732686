// `placevoice status`: each channel's state, the outbox, last inbound per channel, migrations,
// the directory's and the last backup's age. Exit code 1 when something needs a person (for
// cron), 0 otherwise.
import { gatherStatus, formatStatus } from "../ops/status.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function statusCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (args.length > 0) {
    io.err("Usage: placevoice status");
    return 2;
  }
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("error", io), now: io.now });
  try {
    const bot = services.bot;
    const report = await gatherStatus({
      prisma: services.prisma,
      outbox: services.outbox,
      now: services.now,
      ...(bot && config.publicUrl
        ? {
            telegramWebhookUrl: `${config.publicUrl}/webhooks/telegram`,
            telegramWebhookInfo: () => bot.api.getWebhookInfo(),
          }
        : {}),
      smsConfigured: Boolean(config.twilio),
      migrations: [...services.migrations.alreadyApplied, ...services.migrations.applied],
      expectBackups: true,
    });
    for (const line of formatStatus(report)) io.out(line);
    return report.needsAttention ? 1 : 0;
  } finally {
    await services.close();
  }
}
