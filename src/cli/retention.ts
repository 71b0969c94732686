// `placevoice retention run [--dry-run]`: apply the retention rules now and say what was done.
import { openNodeServices } from "../runtime-node/services.js";
import { runRetention } from "../store/retention.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function retentionCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (args[0] !== "run") {
    io.err("Usage: placevoice retention run [--dry-run]");
    return 2;
  }
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    const report = await runRetention(services.prisma, {
      now: services.now(),
      retentionDays: config.retentionDays,
      dryRun: args.includes("--dry-run"),
    });
    const verb = report.dryRun ? "Would" : "Did";
    io.out(
      `${verb} anonymise ${report.answersAnonymised} answer(s) older than ${config.retentionDays} days (${report.freeTextRedacted} free-text answer(s) reduced to their redacted form, ${report.factsUnlinked} insight fact(s) unlinked).`,
    );
    io.out(
      `${verb} delete ${report.inboundIdsDeleted} message id(s) and ${report.deliveryLogsDeleted} delivery log(s) older than 30 days.`,
    );
    io.out(
      `${verb} delete ${report.relayMessagesDeleted} message(s) between residents and local groups older than ${config.retentionDays} days.`,
    );
    return 0;
  } finally {
    await services.close();
  }
}
