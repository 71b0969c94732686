// `placevoice partner create --name "…" [--areas ST1,ST6] [--operator]` (prints the token once),
// `partner list`, `partner revoke <id|name>`.
import { parseArgs } from "node:util";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function partnerCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { name: { type: "string" }, areas: { type: "string" }, operator: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    if (sub === "create") {
      if (!values.name?.trim()) {
        io.err('Usage: placevoice partner create --name "Stoke-on-Trent City Council" [--areas ST1,ST6]');
        return 2;
      }
      const areas = (values.areas ?? "")
        .split(",")
        .map((a) => a.trim().toUpperCase())
        .filter(Boolean);
      const bad = areas.filter((a) => !POSTCODE_DISTRICT.test(a));
      if (bad.length > 0) {
        io.err(`Not postcode districts: ${bad.join(", ")}`);
        return 2;
      }
      if (values.operator && areas.length > 0) {
        io.err("An operator sees every area: leave out --areas.");
        return 2;
      }
      const { partner, token } = await services.partners.create(values.name.trim(), areas, {
        role: values.operator ? "operator" : "partner",
      });
      io.out(
        values.operator
          ? `Operator created: ${partner.name} (dashboard admin views: flows, outbox, dead letters, partners, audit log)`
          : `Partner created: ${partner.name} (${partner.areas.length > 0 ? partner.areas.join(", ") : "all areas"})`,
      );
      io.out(`Token (shown once; store it safely): ${token}`);
      io.out(`Use it as: Authorization: Bearer ${token}`);
      return 0;
    }
    if (sub === "list") {
      for (const p of await services.partners.list())
        io.out(
          `${p.id}  ${p.name}  ${p.areas.join(",") || "all areas"}${p.role === "operator" ? "  [operator]" : ""}${p.revoked ? "  [revoked]" : ""}`,
        );
      return 0;
    }
    if (sub === "revoke" && positionals[0]) {
      const n = await services.partners.revoke(positionals[0]);
      io.out(n > 0 ? `Revoked ${n} partner token(s).` : "No active partner by that id or name.");
      return n > 0 ? 0 : 1;
    }
    io.err("Usage: placevoice partner create|list|revoke");
    return 2;
  } finally {
    await services.close();
  }
}
