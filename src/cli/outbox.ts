// `placevoice outbox [list]` shows what waits and what failed; `placevoice outbox retry <id|--all-dead>`
// puts dead letters back in the queue once the cause is fixed.
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function outboxCommand(args: readonly string[], io: CliIO): Promise<number> {
  const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
  try {
    const [sub = "list", target] = args;
    if (sub === "list") {
      const counts = await services.outbox.counts();
      io.out(
        `Outbox: ${
          Object.entries(counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ") || "empty"
        }`,
      );
      const dead = await services.outbox.deadLetters(20);
      if (dead.length > 0) io.out("Dead letters (newest first):");
      for (const d of dead)
        io.out(
          `  ${d.id}  ${d.channel}  ${d.kind}  attempts=${d.attempts}  ${d.createdAt.toISOString()}  ${d.lastError ?? ""}`,
        );
      return 0;
    }
    if (sub === "retry" && target) {
      const count = await services.outbox.retryDead(target === "--all-dead" ? "all" : { id: target }, services.now());
      await services.partners.audit("operator (cli)", "admin.outbox.retry", { target });
      io.out(`${count} message(s) queued again.`);
      return count > 0 ? 0 : 1;
    }
    io.err("Usage: placevoice outbox [list] | placevoice outbox retry <id|--all-dead>");
    return 2;
  } finally {
    await services.close();
  }
}
