// `placevoice telegram set-webhook`: points Telegram at this server, with the secret token and
// only the updates we handle, and sets the command menu in English and Welsh.
import { createBot } from "../channels/telegram/bot.js";
import { cliConfig, type CliIO } from "./io.js";

export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

const COMMANDS = {
  en: [
    { command: "start", description: "Start, or start again" },
    { command: "help", description: "What this is and who sees your answers" },
    { command: "language", description: "Change language / Newid iaith" },
    { command: "offer", description: "Tell us what you could offer your area" },
    { command: "mydata", description: "See what we hold about you" },
    { command: "delete", description: "Delete your data" },
    { command: "stop", description: "Stop all messages" },
  ],
  cy: [
    { command: "start", description: "Dechrau, neu ddechrau eto" },
    { command: "help", description: "Beth yw hwn a phwy sy'n gweld eich atebion" },
    { command: "language", description: "Newid iaith / Change language" },
    { command: "offer", description: "Dweud beth allech chi ei gynnig i'ch ardal" },
    { command: "mydata", description: "Gweld beth sydd gennym amdanoch chi" },
    { command: "delete", description: "Dileu eich data" },
    { command: "stop", description: "Atal pob neges" },
  ],
};

export async function telegramCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (args[0] !== "set-webhook") {
    io.err("Usage: placevoice telegram set-webhook");
    return 2;
  }
  const config = cliConfig(io);
  if (!config.telegram) {
    io.err("Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET.");
    return 1;
  }
  if (!config.publicUrl) {
    io.err("Set PUBLIC_URL to the address Telegram can reach, e.g. https://placevoice.example.org");
    return 1;
  }
  const bot = createBot(config.telegram);
  const url = `${config.publicUrl}/webhooks/telegram`;
  await bot.api.setWebhook(url, {
    secret_token: config.telegram.webhookSecret,
    allowed_updates: [...ALLOWED_UPDATES],
    max_connections: 40,
  });
  await bot.api.setMyCommands(COMMANDS.en);
  await bot.api.setMyCommands(COMMANDS.cy, { language_code: "cy" });
  io.out(`Webhook set: ${url} (updates: ${ALLOWED_UPDATES.join(", ")}); commands set in en and cy.`);
  return 0;
}
