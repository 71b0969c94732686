// The operator's relay commands (docs/relays.md): an account linked to the group it speaks for
// (`partner create --group`, `partner link`), a group suspended and resumed (`relay`), each in
// the audit log; mistakes are one plain line and exit code 2.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPrismaSqlite } from "../../src/store/sqlite-file.js";
import { runCli, runCliInProcess } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
const file = path.join(t.dir, "relay-cli.db");
const env = { DATABASE_URL: `file:${file}`, APP_SECRET: "relay-cli-test-secret-0123456789abcdef" };
afterAll(() => t.cleanup());

describe("placevoice partner --group and placevoice relay", () => {
  it("links an account to its group, unlinks it, suspends and resumes a group, all audited", async () => {
    const created = await runCliInProcess(
      ["partner", "create", "--name", "Get Online volunteers", "--group", "get-online-stoke"],
      { env },
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("Speaks for the group get-online-stoke in relays (/dashboard/relays).");
    expect((await runCliInProcess(["partner", "list"], { env })).stdout).toContain("[group get-online-stoke]");
    const unlinked = await runCliInProcess(["partner", "link", "Get Online volunteers", "--group", ""], { env });
    expect(unlinked.stdout).toBe("Unlinked: Get Online volunteers.\n");
    expect((await runCliInProcess(["partner", "list"], { env })).stdout).not.toContain("[group");
    const linked = await runCliInProcess(["partner", "link", "Get Online volunteers", "--group", "get-online-stoke"], {
      env,
    });
    expect(linked.stdout).toBe("Linked: Get Online volunteers speaks for get-online-stoke in relays.\n");

    const suspended = await runCliInProcess(["relay", "suspend", "get-online-stoke"], { env });
    expect(suspended).toMatchObject({
      code: 0,
      stdout: "Suspended: get-online-stoke can send residents nothing until resumed.\n",
    });
    expect((await runCliInProcess(["relay", "suspend", "get-online-stoke"], { env })).stdout).toContain(
      "already suspended",
    );
    expect((await runCliInProcess(["relay", "list"], { env })).stdout).toBe(
      "get-online-stoke  get-online-stoke  [suspended]\n",
    );
    expect((await runCliInProcess(["relay", "resume", "get-online-stoke"], { env })).stdout).toBe(
      "Resumed: get-online-stoke can use relays again.\n",
    );
    const prisma = await openPrismaSqlite(file);
    try {
      const actions = (await prisma.auditEntry.findMany({ orderBy: { createdAt: "asc" } })).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["partner.group", "relays.suspend", "relays.resume"]));
      expect(await prisma.relaySuspension.count()).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });

  it.each([
    [["relay", "suspend"], "Usage: placevoice relay suspend|resume <group directory id> | relay list"],
    [["relay", "pause", "x"], "Usage: placevoice relay suspend|resume <group directory id> | relay list"],
    [["relay", "suspend", "no such/id"], "Not a directory id: no such/id (letters, digits, - . _ :)"],
    [
      ["partner", "link", "someone"],
      'Usage: placevoice partner link <id|name> --group <directory id>  (--group "" unlinks)',
    ],
    [
      ["partner", "create", "--name", "Ops", "--operator", "--group", "x"],
      "An operator speaks for no group: leave out --group.",
    ],
  ])("%j is one plain line and exit code 2", async (args, line) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(line);
  });
});
