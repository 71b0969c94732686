// `placevoice broadcast --flow <id> [--area ST6] [--channel sms|telegram] [--id <name>] [--send]`
import { parseArgs } from "node:util";
import { runBroadcast } from "../conversation/broadcast.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function broadcastCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      flow: { type: "string" },
      area: { type: "string" },
      channel: { type: "string" },
      id: { type: "string" },
      send: { type: "boolean", default: false },
    },
  });
  if (!values.flow) {
    io.err("Which flow? e.g. placevoice broadcast --flow feedback --area ST6");
    return 2;
  }
  if (values.channel && values.channel !== "sms" && values.channel !== "telegram") {
    io.err('--channel is "sms" or "telegram"');
    return 2;
  }
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    if (!services.registry.flows.has(values.flow)) {
      io.err(`No flow "${values.flow}". Flows: ${[...services.registry.flows.keys()].join(", ")}`);
      return 1;
    }
    if (services.renderers.size === 0) {
      io.err("No channel can send: configure Telegram or Twilio first (see README, Configuration).");
      return 1;
    }
    const id = values.id ?? `${values.flow}-${services.now().toISOString().slice(0, 16)}`;
    const area = values.area?.toUpperCase();
    io.out(
      `Broadcast "${id}": flow ${values.flow}${area ? `, area ${area}` : ""}${values.channel ? `, ${values.channel} only` : ""}`,
    );
    const report = await runBroadcast(
      { id, flowId: values.flow, ...(area ? { area } : {}), ...(values.channel ? { channel: values.channel } : {}) },
      {
        store: services.store,
        conversation: services.conversation,
        renderers: services.renderers,
        quietHours: config.quietHours,
        timezone: config.timezone,
        now: services.now,
      },
      (done, r) => io.out(`  … ${done} contacts checked, ${r.queued} queued`),
    );
    io.out(
      `Matched ${report.matched} opted-in contact(s): ${report.queued} queued, ${report.busy} mid-conversation (left alone), ${report.alreadyQueued} already queued by this broadcast, ${report.noChannel} on a channel that cannot send.`,
    );
    const quiet = report.sendFrom.getTime() > services.now().getTime() + 1000;
    io.out(
      quiet
        ? `Quiet hours (${config.quietHours.start}-${config.quietHours.end} ${config.timezone}): sending starts ${report.sendFrom.toISOString()}.`
        : "Sending now.",
    );
    if (values.send && !quiet) {
      let total = 0;
      for (;;) {
        const pass = await services.dispatcher.runOnce(500);
        total += pass.sent;
        if (pass.sent + pass.retried + pass.dead + pass.skipped === 0) break;
        io.out(`  … ${total} sent`);
      }
      const counts = await services.outbox.counts();
      io.out(
        `Sent ${total}. Outbox now: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}.`,
      );
    } else if (!values.send) {
      io.out("The running server sends queued messages (or add --send to send from here).");
    }
    return 0;
  } finally {
    await services.close();
  }
}
