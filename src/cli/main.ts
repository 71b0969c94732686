// `placevoice <command>`: the operator's tool. Each command reads the environment once here
// and passes configuration down.
import { parseArgs } from "node:util";
import { ConfigError } from "../config.js";
import { formatProblem } from "../engine/parse-flow.js";
import { FlowLoadError } from "../runtime-node/flow-dir.js";
import { runChat } from "./chat.js";
import { lintFlows } from "./flows-lint.js";
import { cliConfig, processIO, type CliIO } from "./io.js";
import { runFlowTests } from "./flows-test.js";

const USAGE = `placevoice — hear residents, signpost help, share safe insight

Usage:
  placevoice serve                      start the server (what \`npm start\` runs)
  placevoice migrate                    apply database migrations and exit
  placevoice backup <file> [--force]    a checked copy of the database while the server runs
  placevoice restore <file> --force     check a backup and put it in place of the database (server stopped)
  placevoice status                     channels, outbox, last inbound, migrations, directory and backup age;
                                        exit code 1 when something needs a person
  placevoice flows lint [dir]           check flow files (default: FLOWS_DIR, or the shipped flows)
        [--segments]                    and print each message's SMS encoding and segments per language
  placevoice flows test [dir]           run the conversation tests in <dir>/tests
  placevoice chat <flow> [--lang cy]    talk to a flow in the terminal (also reads piped stdin)
        [--persist]                     keep the conversation in DATABASE_URL instead of a scratch database
  placevoice broadcast --flow <id>      start a flow for opted-in contacts (quiet hours respected)
        [--area ST6] [--channel sms|telegram] [--id <name>] [--send]
  placevoice outbox [list|retry <id>]   what waits to be sent, and dead letters
  placevoice telegram set-webhook       point Telegram at PUBLIC_URL with the secret; set the command menu
  placevoice services import <path> [--d1 <database> [--remote] [--persist-to <dir>]]
                                        import an Open Referral (HSDS / ORUK) directory: CSV package folder or JSON;
                                        --d1: into Cloudflare D1 through wrangler (--persist-to: wrangler dev's local D1)
  placevoice services export-sql        the directory as SQL, for D1 (wrangler d1 execute placevoice --file …)
  placevoice champion create --name "…" [--org "…"] [--out dir]
                                        a champion code, its Telegram link, SMS instruction and QR codes
  placevoice champion campaign --code <CODE> --name "…"
                                        another code for the same champion (a poster per estate)
  placevoice champion list              champions and their codes
  placevoice champion retire --code <CODE>
                                        retire a code: it no longer brings anyone in
  placevoice population import <csv> --source "…" --year 2021
                                        the population baseline reach is measured against (area,age_band,population)
  placevoice partner create --name "…" [--areas ST1,ST6]
                                        a partner API token (shown once) for those areas
  placevoice partner list | revoke <id|name>
  placevoice partner link <id|name> --group <directory id>
                                        the local group an account speaks for in relays (--group "" unlinks)
  placevoice relay suspend|resume <group directory id> | relay list
                                        stop (or allow again) a group's messages to residents
  placevoice retention run [--dry-run]  anonymise old answers, delete old message ids and delivery logs
  placevoice update preview|publish --areas ST6 --theme transport --we-did "…" [--we-did-cy "…"] [--link …]
                                        "you said, we did" back to residents who agreed to hear back
  placevoice update list [--areas ST6]  published updates: sent, delivered, read, replies (never under the threshold)
  placevoice demo [--database data/demo/placevoice.db] [--residents 320] [--fresh]
                                        a separate database of synthetic residents over eight weeks, to look around
  placevoice keys status | rotate [--dry-run] [--new-secret]
                                        re-encrypt stored addresses under the current APP_SECRET
  placevoice themes [--offline]         JSON lines {"text": …} on stdin -> {"text", "themes", "redacted"} on stdout

Configuration comes from environment variables; see README.md.`;

export async function run(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve": {
        const { main } = await import("../node.js");
        await main(io.env);
        return new Promise<number>(() => {}); // runs until a signal stops the process
      }
      case "migrate": {
        const config = cliConfig(io);
        const { sqlitePathFromUrl, migrateSqliteFile } = await import("../store/sqlite-file.js");
        const { migrationsDir } = await import("../runtime-node/paths.js");
        const report = migrateSqliteFile(sqlitePathFromUrl(config.databaseUrl), migrationsDir);
        io.out(
          report.applied.length > 0
            ? `Applied ${report.applied.length} migration(s): ${report.applied.join(", ")}`
            : `Database is up to date (${report.alreadyApplied.length} migration(s) applied before).`,
        );
        return 0;
      }
      case "backup": {
        const { backupCommand } = await import("./backup.js");
        return await backupCommand(rest, io);
      }
      case "status": {
        const { statusCommand } = await import("./status.js");
        return await statusCommand(rest, io);
      }
      case "restore": {
        const { restoreCommand } = await import("./backup.js");
        return await restoreCommand(rest, io);
      }
      case "flows": {
        const [sub, ...args] = rest;
        const dir = args.find((a) => !a.startsWith("--"));
        const { shippedFlowsDir } = await import("../runtime-node/paths.js");
        const folder = dir ?? io.env.FLOWS_DIR ?? shippedFlowsDir;
        if (sub === "lint") return await lintFlows(folder, io, { segments: args.includes("--segments") });
        if (sub === "test") return await runFlowTests(folder, io);
        io.err(`Unknown flows command "${sub ?? ""}". Try: placevoice flows lint`);
        return 2;
      }
      case "broadcast": {
        const { broadcastCommand } = await import("./broadcast.js");
        return await broadcastCommand(rest, io);
      }
      case "telegram": {
        const { telegramCommand } = await import("./telegram.js");
        return await telegramCommand(rest, io);
      }
      case "champion": {
        const { championCommand } = await import("./champion.js");
        return await championCommand(rest, io);
      }
      case "themes": {
        const { themesCommand } = await import("./themes.js");
        return await themesCommand(rest, io);
      }
      case "retention": {
        const { retentionCommand } = await import("./retention.js");
        return await retentionCommand(rest, io);
      }
      case "update": {
        const { updateCommand } = await import("./update.js");
        return await updateCommand(rest, io);
      }
      case "keys": {
        const { keysCommand } = await import("./keys.js");
        return await keysCommand(rest, io);
      }
      case "population": {
        const { populationCommand } = await import("./population.js");
        return await populationCommand(rest, io);
      }
      case "partner": {
        const { partnerCommand } = await import("./partner.js");
        return await partnerCommand(rest, io);
      }
      case "relay": {
        const { relayCommand } = await import("./relay.js");
        return await relayCommand(rest, io);
      }
      case "services": {
        const { servicesCommand } = await import("./services.js");
        return await servicesCommand(rest, io);
      }
      case "demo": {
        const { demoCommand } = await import("./demo.js");
        return await demoCommand(rest, io);
      }
      case "outbox": {
        const { outboxCommand } = await import("./outbox.js");
        return await outboxCommand(rest, io);
      }
      case "chat": {
        const { values, positionals } = parseArgs({
          args: [...rest],
          options: { lang: { type: "string" }, persist: { type: "boolean", default: false } },
          allowPositionals: true,
        });
        const flowId = positionals[0];
        if (!flowId) {
          io.err("Which flow? e.g. placevoice chat priorities");
          return 2;
        }
        return await runChat(
          { flowId, ...(values.lang ? { language: values.lang } : {}), persist: values.persist ?? false },
          io,
        );
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    return reportFailure(command, error, io);
  }
}

/**
 * A problem a person can fix (configuration, a mistyped option, a broken flow file) is plain
 * lines and exit code 2; anything else is one line and exit code 1. A stack trace only with
 * LOG_LEVEL=debug.
 */
function reportFailure(command: string | undefined, error: unknown, io: CliIO): number {
  const debug = io.env.LOG_LEVEL === "debug";
  if (debug && error instanceof Error && error.stack) io.err(error.stack);
  if (error instanceof ConfigError) {
    io.err(`placevoice ${command ?? ""}: the configuration needs fixing:`);
    for (const problem of error.problems) io.err(`  ${problem}`);
    io.err("Configuration comes from environment variables; README.md lists them with examples.");
    return 2;
  }
  if (error instanceof FlowLoadError) {
    io.err(error.problems.map(formatProblem).join("\n"));
    return 2;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
    io.err(`placevoice ${command ?? ""}: ${(error as Error).message.split(". To specify")[0]}. See: placevoice help`);
    return 2;
  }
  io.err(
    `placevoice ${command ?? ""}: ${(error as Error)?.message ?? String(error)}${debug ? "" : " (LOG_LEVEL=debug shows where)"}`,
  );
  return 1;
}
