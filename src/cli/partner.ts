// `placevoice partner create --name "…" [--areas ST1,ST6] [--operator] [--group <directory id>]`
// (prints the token once), `partner list`, `partner revoke <id|name>`, and
// `partner link <id|name> --group <directory id>` (or `--group ""` to unlink): the local group an
// account speaks for in relays (docs/relays.md).
import { parseArgs } from "node:util";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

/** Directory service ids as the importer keeps them. */
export const GROUP_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$/;

export async function partnerCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      areas: { type: "string" },
      operator: { type: "boolean", default: false },
      group: { type: "string" },
    },
    allowPositionals: true,
  });
  const group = values.group?.trim();
  if (group && !GROUP_ID.test(group)) {
    io.err(`Not a directory id: ${group} (letters, digits, - . _ :)`);
    return 2;
  }
  if (group && values.operator) {
    io.err("An operator speaks for no group: leave out --group.");
    return 2;
  }
  if (sub === "link" && (!positionals[0] || values.group === undefined)) {
    io.err('Usage: placevoice partner link <id|name> --group <directory id>  (--group "" unlinks)');
    return 2;
  }
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
        ...(group ? { groupId: group } : {}),
      });
      io.out(
        values.operator
          ? `Operator created: ${partner.name} (dashboard admin views: flows, outbox, dead letters, partners, audit log)`
          : `Partner created: ${partner.name} (${partner.areas.length > 0 ? partner.areas.join(", ") : "all areas"})`,
      );
      if (partner.groupId) io.out(`Speaks for the group ${partner.groupId} in relays (/dashboard/relays).`);
      io.out(`Token (shown once; store it safely): ${token}`);
      io.out(`Use it as: Authorization: Bearer ${token}`);
      return 0;
    }
    if (sub === "list") {
      for (const p of await services.partners.list())
        io.out(
          `${p.id}  ${p.name}  ${p.areas.join(",") || "all areas"}${p.role === "operator" ? "  [operator]" : ""}${p.groupId ? `  [group ${p.groupId}]` : ""}${p.revoked ? "  [revoked]" : ""}`,
        );
      return 0;
    }
    if (sub === "revoke" && positionals[0]) {
      const n = await services.partners.revoke(positionals[0]);
      io.out(n > 0 ? `Revoked ${n} partner token(s).` : "No active partner by that id or name.");
      return n > 0 ? 0 : 1;
    }
    if (sub === "link") {
      const n = await services.partners.linkGroup(positionals[0]!, group || null);
      if (n === 0) {
        io.err("No active partner by that id or name.");
        return 1;
      }
      io.out(group ? `Linked: ${positionals[0]} speaks for ${group} in relays.` : `Unlinked: ${positionals[0]}.`);
      return 0;
    }
    io.err("Usage: placevoice partner create|list|revoke|link");
    return 2;
  } finally {
    await services.close();
  }
}
