// `placevoice update publish|preview|list`: "you said, we did" from the command line, for
// operators (the dashboard is the partners' way in). The audience size is shown as the
// dashboard shows it: never a number under the threshold.
import { parseArgs } from "node:util";
import { isTheme } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { Cell } from "../insights/disclosure.js";
import { openNodeServices } from "../runtime-node/services.js";
import type { UpdateRequest } from "../updates/updates.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const USAGE = `Usage:
  placevoice update preview|publish --areas ST6[,ST7] (--theme transport | --question <key>) --we-did "…"
        [--we-did-cy "…"] [--you-said "…"] [--you-said-cy "…"] [--link https://…]
  placevoice update list [--areas ST6]`;

export async function updateCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      areas: { type: "string" },
      theme: { type: "string" },
      question: { type: "string" },
      "we-did": { type: "string" },
      "we-did-cy": { type: "string" },
      "you-said": { type: "string" },
      "you-said-cy": { type: "string" },
      link: { type: "string" },
    },
  });
  if (sub !== "preview" && sub !== "publish" && sub !== "list") {
    io.err(USAGE);
    return 2;
  }
  const config = cliConfig(io);
  const fewer = `fewer than ${config.kThreshold}`;
  const show = (c: Cell) => (c.count === null ? fewer : String(c.count));
  const areas = (values.areas ?? "")
    .split(",")
    .map((a) => a.trim().toUpperCase())
    .filter(Boolean);
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    if (sub === "list") {
      for (const u of await services.updates.stats(areas)) {
        io.out(
          `${u.createdAt.toISOString().slice(0, 10)}  ${u.areas.join(",")}  ${u.theme ?? u.questionKey ?? ""}  sent to ${show(u.audience)}, delivered ${show(u.delivered)}, read ${show(u.read)}, helpful ${show(u.helpful)}, not helpful ${show(u.notHelpful)}  — ${u.weDid.en}`,
        );
      }
      return 0;
    }
    const problems: string[] = [];
    if (areas.length === 0 || areas.some((a) => !POSTCODE_DISTRICT.test(a)))
      problems.push("--areas: postcode districts, e.g. ST6,ST7");
    if (!values.theme === !values.question) problems.push("one of --theme or --question");
    if (values.theme && !isTheme(values.theme)) problems.push(`--theme: unknown theme "${values.theme}"`);
    if (!values["we-did"]?.trim()) problems.push('--we-did "what was done"');
    if (values.link && !/^https:\/\//.test(values.link)) problems.push("--link must start with https://");
    if (problems.length > 0) {
      io.err(`${problems.join("\n")}\n\n${USAGE}`);
      return 2;
    }
    const request: UpdateRequest = {
      author: "operator (cli)",
      areas,
      ...(values.theme ? { theme: values.theme } : { questionKey: values.question! }),
      weDid: { en: values["we-did"]!.trim(), ...(values["we-did-cy"] ? { cy: values["we-did-cy"] } : {}) },
      ...(values["you-said"]
        ? { youSaid: { en: values["you-said"], ...(values["you-said-cy"] ? { cy: values["you-said-cy"] } : {}) } }
        : {}),
      ...(values.link ? { link: values.link } : {}),
    };
    const draft = await services.updates.draft(request);
    io.out(`Would reach: ${show(draft.audience)} residents`);
    for (const p of draft.previews)
      io.out(`\n--- ${p.channel} (${p.language})${p.segments ? `, ${p.segments} SMS segment(s)` : ""}\n${p.text}`);
    if (sub === "preview") return 0;
    const result = await services.updates.publish({ ...request, youSaid: draft.youSaid });
    await services.partners.audit("operator (cli)", "update.publish", {
      update: result.id,
      areas,
      theme: values.theme ?? null,
      refused: result.refused ?? false,
    });
    if (result.refused) {
      io.err(`\nNot sent: it would reach ${fewer} residents (UPDATE_SMALL_AUDIENCE=refuse).`);
      return 1;
    }
    if (result.noChannel > 0)
      io.err(
        `Some residents are on a channel not configured here (set the same TELEGRAM_* / TWILIO_* settings as the server): they were not sent this update.`,
      );
    io.out(
      `\nPublished ${result.id}: queued for ${show(result.audience)} residents, sending from ${result.sendFrom.toISOString()} (the server's outbox sends it, paced, outside quiet hours).`,
    );
    return 0;
  } finally {
    await services.close();
  }
}
