// `placevoice demo`: a separate database filled with a few hundred synthetic residents who
// answered the shipped flows over eight weeks, in several areas, on both channels, in both
// languages — each conversation run through the real engine, store and running totals, with
// the clock moved as they talk. Then a champion, a partner token and an operator token, and how
// to start the server on it.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { sqlitePathFromUrl } from "../store/sqlite-file.js";
import { openNodeServices } from "../runtime-node/services.js";
import { demoResidents } from "../demo/residents.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const WEEKS = 8;
const DEFAULT_DATABASE = path.join("data", "demo", "placevoice.db");

/** Monday 00:00 UTC of the week `weeksBack` weeks before the one holding `now`. */
function mondayWeeksBefore(now: Date, weeksBack: number): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - (sinceMonday + weeksBack * 7) * 86_400_000);
}

export async function demoCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      database: { type: "string" },
      residents: { type: "string" },
      seed: { type: "string" },
      fresh: { type: "boolean", default: false },
    },
  });
  const count = Number(values.residents ?? 320);
  if (!Number.isInteger(count) || count < 20 || count > 5000) {
    io.err("--residents: a whole number from 20 to 5000, e.g. --residents 320");
    return 2;
  }
  const seed = Number(values.seed ?? 1);
  const base = cliConfig(io);
  const file = path.resolve(values.database ?? DEFAULT_DATABASE);
  const configured = path.resolve(sqlitePathFromUrl(base.databaseUrl));
  if (file === configured && !values.database) {
    io.err(
      `DATABASE_URL points at ${file}, where the demo would go: give the demo another place, e.g. --database data/demo/placevoice.db`,
    );
    return 2;
  }
  if (existsSync(file)) {
    if (!values.fresh) {
      io.err(`${file} already exists. Add --fresh to replace it with a new demo, or choose another --database.`);
      return 2;
    }
    if (file === configured) {
      io.err(`--fresh would delete ${file}, the database DATABASE_URL names: the demo never replaces it.`);
      return 2;
    }
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
  mkdirSync(path.dirname(file), { recursive: true });

  const started = performance.now();
  // The demo's own clock: it starts eight weeks back and is moved to each message's moment.
  // The eight whole weeks before this one: nothing is dated later than today.
  const first = mondayWeeksBefore(io.now(), WEEKS);
  let at = first.getTime();
  const clock = () => new Date(at);
  const config = { ...base, databaseUrl: `file:${file}`, telegram: undefined, twilio: undefined, llm: undefined };
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: clock });
  try {
    const champion = await services.champions.create("Burslem Community Pantry", "Burslem Community Pantry CIC");
    const residents = demoResidents(count, WEEKS, seed);
    let finished = 0;
    for (const resident of residents) {
      at = first.getTime() + resident.startMinute * 60_000;
      const send = (text: string) => {
        at += 20_000 + (text.length % 7) * 5_000; // a reply every half a minute or so
        return services.conversation.handle({
          channel: resident.channel,
          address: resident.address,
          input: { type: "text", text },
          ...(resident.channel === "telegram" ? { languageHint: resident.language } : {}),
          ...(resident.viaChampion ? { attribution: champion.code } : {}),
        });
      };
      await send(resident.channel === "telegram" ? "/start" : "hi");
      let last;
      for (const reply of resident.replies) last = await send(reply);
      if (last && (await services.store.loadSession(last.contact.id)) === null) finished++;
    }
    const areas = [...new Set(residents.map((r) => r.area))].sort();
    const partner = await services.partners.create("Demo: Stoke-on-Trent City Council", areas);
    const operator = await services.partners.create("Demo operator", [], { role: "operator" });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const port = base.port || 8080;
    const url = `http://localhost:${port}`;
    const shown = path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file);
    io.out(`Demo database: ${shown}`);
    io.out(
      `  ${residents.length} synthetic residents (${finished} finished) over ${WEEKS} weeks from ${first.toISOString().slice(0, 10)}, areas ${areas.join(", ")}, SMS and Telegram, English and Welsh; built in ${seconds} s.`,
    );
    io.out("");
    io.out("Start the server on it:");
    io.out(`  DATABASE_URL=file:${shown} npm start`);
    io.out("");
    io.out(`Then open ${url}/dashboard and sign in with one of these (shown only now):`);
    io.out(`  partner (${areas.join(", ")}):  ${partner.token}`);
    io.out(`  operator:                 ${operator.token}`);
    io.out(`Champion page for "${champion.name}": ${url}/champions/${champion.code}?key=${champion.viewToken}`);
    return 0;
  } finally {
    await services.close();
  }
}
