// `placevoice relay suspend <group>` / `relay resume <group>` / `relay list`: an operator's hold
// on a local group's relays (docs/relays.md). A suspended group can send residents nothing until
// resumed; its partner view and API say why.
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";
import { GROUP_ID } from "./partner.js";

const USAGE = "Usage: placevoice relay suspend|resume <group directory id> | relay list";

export async function relayCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, group, ...extra] = args;
  if (extra.length > 0 || !(sub === "list" ? group === undefined : (sub === "suspend" || sub === "resume") && group)) {
    io.err(USAGE);
    return 2;
  }
  if (group && !GROUP_ID.test(group)) {
    io.err(`Not a directory id: ${group} (letters, digits, - . _ :)`);
    return 2;
  }
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    const store = services.relayStore;
    if (sub === "list") {
      const groups = await store.groups();
      if (groups.length === 0) io.out("No resident has asked a group to get in touch yet, and no group is suspended.");
      for (const g of groups) io.out(`${g.groupId}  ${g.groupName}${g.suspended ? "  [suspended]" : ""}`);
      return 0;
    }
    const now = io.now();
    const changed = sub === "suspend" ? await store.suspend(group!, "operator (cli)", now) : await store.resume(group!);
    await services.partners.audit("operator (cli)", `relays.${sub}`, { group, changed });
    io.out(
      sub === "suspend"
        ? changed
          ? `Suspended: ${group} can send residents nothing until resumed.`
          : `${group} was already suspended.`
        : changed
          ? `Resumed: ${group} can use relays again.`
          : `${group} was not suspended.`,
    );
    return 0;
  } finally {
    await services.close();
  }
}
