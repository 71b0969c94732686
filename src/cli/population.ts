// `placevoice population import <csv> --source "…" --year 2021`: the population baseline reach is
// measured against (docs/insight-and-disclosure.md#reach). The whole file is checked first: any
// problem is listed with file and line, nothing is stored, and the exit code is 2.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseBaselineCsv, PopulationBaselines } from "../insights/population.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const USAGE =
  'Usage: placevoice population import <file.csv> --source "Census 2021 TS007" --year 2021\n       (columns: area,age_band,population; see docs/insight-and-disclosure.md#reach)';

export async function populationCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { source: { type: "string" }, year: { type: "string" } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (sub !== "import" || !file) {
    io.err(USAGE);
    return 2;
  }
  const source = values.source?.trim() ?? "";
  if (!source) {
    io.err(`Say where the figures come from: --source "Census 2021 TS007"\n${USAGE}`);
    return 2;
  }
  const thisYear = io.now().getUTCFullYear();
  const year = Number(values.year);
  if (!values.year || !/^\d{4}$/.test(values.year) || year < 1800 || year > thisYear) {
    io.err(`Give the year the figures describe, such as --year 2021 (found "${values.year ?? ""}").`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    io.err(`Cannot read ${file}.`);
    return 2;
  }
  const parsed = parseBaselineCsv(text);
  if ("problems" in parsed) {
    for (const problem of parsed.problems) io.err(`${file}:${problem.line}: ${problem.message}`);
    io.err(`Nothing imported: ${parsed.problems.length} problem(s) to fix in ${file}.`);
    return 2;
  }
  const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
  try {
    const areas = await new PopulationBaselines(services.prisma).replace(parsed.rows, source, year, services.now());
    const total = parsed.rows.reduce((sum, r) => sum + r.population, 0);
    io.out(
      `Imported the population baseline for ${areas.length} area(s) (${areas.join(", ")}): ${total.toLocaleString("en-GB")} residents in ${parsed.rows.length} rows, source "${source}", ${year}.`,
    );
    return 0;
  } finally {
    await services.close();
  }
}
