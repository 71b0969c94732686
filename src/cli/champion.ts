// `placevoice champion create --name "…" [--org "…"] [--out dir]`, `champion campaign --code X --name "…"
// [--flow offers]`, `champion list`, `champion retire --code X` (one code) or `--champion X` (the champion
// who owns code X, and all their codes): codes to share, their links, and QR codes (PNG and SVG) for the
// Telegram link. A campaign with --flow starts that flow (e.g. what residents could offer).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { shareLinks } from "../champions/codes.js";
import { qrPng, qrSvg } from "../champions/qr.js";
import type { Config } from "../config.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

async function writeQr(link: string, outDir: string, code: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const png = path.join(outDir, `${code}.png`);
  const svg = path.join(outDir, `${code}.svg`);
  writeFileSync(png, await qrPng(link));
  writeFileSync(svg, await qrSvg(link));
  return [png, svg];
}

async function printShare(code: string, config: Config, outDir: string, io: CliIO): Promise<void> {
  const links = shareLinks(code, config.telegram?.username, config.twilio?.from);
  io.out(`  code:      ${code}`);
  io.out(`  Telegram:  ${links.telegram ?? "(set TELEGRAM_BOT_USERNAME for a deep link)"}`);
  io.out(`  SMS:       ${links.sms ?? "(set TWILIO_FROM to a phone number for the SMS instruction)"}`);
  if (links.telegram) {
    const files = await writeQr(links.telegram, outDir, code);
    io.out(`  QR codes:  ${files.join(", ")}`);
  }
}

export async function championCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      org: { type: "string" },
      code: { type: "string" },
      out: { type: "string" },
      flow: { type: "string" },
      champion: { type: "string" },
    },
  });
  const config = cliConfig(io);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  const { champions } = services;
  const outDir = path.resolve(values.out ?? path.join(path.dirname(services.databaseFile), "champions"));
  try {
    if (sub === "create") {
      if (!values.name?.trim()) {
        io.err('Give the champion a name: placevoice champion create --name "Burslem Community Pantry"');
        return 2;
      }
      const created = await champions.create(values.name.trim(), values.org?.trim());
      io.out(`Champion created: ${created.name}${values.org ? ` (${values.org})` : ""}`);
      await printShare(created.code, config, outDir, io);
      const base = config.publicUrl ?? `http://localhost:${config.port}`;
      io.out(
        `  Their page (keep it private; shown only now): ${base}/champions/${created.code}?key=${created.viewToken}`,
      );
      return 0;
    }
    if (sub === "campaign") {
      if (!values.code || !values.name?.trim()) {
        io.err(
          'Usage: placevoice champion campaign --code <champion code> --name "Poster: Abbey Hulton" [--flow offers]',
        );
        return 2;
      }
      const flow = values.flow?.trim();
      if (flow !== undefined && !services.registry.flows.has(flow)) {
        io.err(`No flow "${flow}": the flows are ${[...services.registry.flows.keys()].join(", ")}`);
        return 2;
      }
      const campaign = await champions.addCampaign(values.code, values.name.trim(), flow);
      io.out(`Campaign "${values.name.trim()}" for ${campaign.champion}${flow ? ` (starts the ${flow} flow)` : ""}:`);
      await printShare(campaign.code, config, outDir, io);
      return 0;
    }
    if (sub === "list") {
      for (const c of await champions.list()) {
        io.out(
          `${c.name}${c.organisation ? ` (${c.organisation})` : ""}${c.revoked ? " [retired]" : ""}: ${c.codes.map((x) => `${x.campaign ? `${x.code} "${x.campaign}"${x.flowId ? ` [${x.flowId}]` : ""}` : x.code}${x.retired ? " [retired]" : ""}`).join(", ")}`,
        );
      }
      return 0;
    }
    if (sub === "retire") {
      if (values.champion && !values.code) {
        const retired = await champions.retireChampion(values.champion);
        if (!retired) {
          io.err(`No code ${values.champion.toUpperCase()}`);
          return 1;
        }
        await services.partners.audit("operator (cli)", "champions.retire-champion", {
          champion: values.champion.toUpperCase(),
          codes: retired.codes,
        });
        io.out(`Retired ${retired.name} and their codes (${retired.codes.join(", ")}): none brings anyone in.`);
        return 0;
      }
      if (!values.code || values.champion) {
        io.err("Usage: placevoice champion retire --code <code> | --champion <any of their codes>");
        return 2;
      }
      const retired = await champions.retireCode(values.code);
      if (!retired) {
        io.err(`No code ${values.code.toUpperCase()}`);
        return 1;
      }
      await services.partners.audit("operator (cli)", "champions.retire", { code: retired.code });
      io.out(`Retired ${retired.code} (${retired.champion}): it no longer brings anyone in.`);
      return 0;
    }
    io.err("Usage: placevoice champion create|campaign|list|retire");
    return 2;
  } catch (error) {
    io.err((error as Error).message);
    return 1;
  } finally {
    await services.close();
  }
}
