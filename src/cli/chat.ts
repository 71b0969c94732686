// `placevoice chat <flow>`: talk to a flow in the terminal, through the real engine and store,
// as a resident would over SMS (options are numbered). Reads piped stdin one reply per line,
// so a conversation can be scripted: printf 'english\nyes\nST6 1AA\n' | placevoice chat priorities
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Outcome } from "../conversation/handle-inbound.js";
import { renderPlain } from "../conversation/render-plain.js";
import { openNodeServices } from "../runtime-node/services.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export interface ChatOptions {
  readonly flowId: string;
  readonly language?: string;
  /** Keep the conversation in DATABASE_URL; by default a scratch database is used and removed. */
  readonly persist: boolean;
}

export async function runChat(options: ChatOptions, io: CliIO): Promise<number> {
  const base = cliConfig(io);
  const scratch = options.persist ? undefined : mkdtempSync(path.join(tmpdir(), "placevoice-chat-"));
  const config = scratch
    ? {
        ...base,
        databaseUrl: `file:${path.join(scratch, "chat.db")}`,
        appSecret: base.appSecret ?? randomBytes(32).toString("hex"),
      }
    : base;
  const services = await openNodeServices(config, { log: cliLogger("warn", io), now: io.now });
  try {
    if (!services.registry.flows.has(options.flowId)) {
      io.err(`No flow "${options.flowId}". Flows: ${[...services.registry.flows.keys()].join(", ")}`);
      return 1;
    }
    const interactive = Boolean(io.stdin.isTTY);
    const address = `terminal-${randomUUID()}`;
    const flow = services.registry.flows.get(options.flowId)!;
    io.out(
      `PlaceVoice chat: flow "${flow.id}" (${flow.name}). Numbers pick options; STOP, HELP and LANGUAGE work as on SMS.`,
    );
    io.out(interactive ? "Press Ctrl-D to finish.\n" : "");

    const say = (outcome: Outcome) => {
      for (const message of renderPlain(outcome.replies, outcome.contact.language)) {
        io.out(`bot> ${message.replace(/\n/g, "\n     ")}`);
      }
    };
    const send = (input: Parameters<typeof services.conversation.handle>[0]["input"]) =>
      services.conversation.handle({
        channel: "cli",
        address,
        input,
        ...(options.language ? { languageHint: options.language } : {}),
      });

    let outcome = await send({ type: "start", flowId: options.flowId });
    say(outcome);
    const over = async () =>
      (await services.store.loadSession(outcome.contact.id)) === null && outcome.contact.status === "active";

    if (!(await over())) {
      const lines = createInterface({ input: io.stdin, terminal: false });
      const prompt = () => interactive && process.stdout.write("you> ");
      prompt();
      for await (const line of lines) {
        if (!interactive) io.out(`you> ${line}`);
        outcome = await send({ type: "text", text: line });
        say(outcome);
        if (await over()) break;
        prompt();
      }
      lines.close();
    }
    const ended = await over();
    io.out(ended ? "\n(conversation ended)" : "\n(conversation left unfinished)");
    const answers = await services.store.answersOf(outcome.contact.id);
    io.out(answers.length > 0 ? "Stored answers:" : "No answers stored.");
    for (const a of answers)
      io.out(
        `  ${a.flowId}.${a.questionKey} = ${Array.isArray(a.value) ? a.value.join(", ") : JSON.stringify(a.value)}`,
      );
    const c = outcome.contact;
    io.out(
      `Contact: language=${c.language} area=${c.area ?? "-"} consent=${c.consentVersion ?? "none"} status=${c.status}`,
    );
    return 0;
  } finally {
    await services.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
