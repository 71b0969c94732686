// Full conversations over Telegram: updates built as Telegram sends them, posted to the
// webhook, replies observed at a local fake Bot API that grammY talks to.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blockedUpdate, callbackUpdate, stickerUpdate, textUpdate } from "../support/fake-telegram.js";
import { startHarness, type Harness } from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.telegram.reset());

/** The callback_data of the button with this label on the last keyboard sent to the chat. */
function buttonData(chatId: number, label: string): { data: string; messageId: number } {
  const sends = h.telegram.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === chatId);
  for (let i = sends.length - 1; i >= 0; i--) {
    const markup = sends[i]!.params.reply_markup as
      { inline_keyboard: { text: string; callback_data: string }[][] } | undefined;
    const button = markup?.inline_keyboard.flat().find((b) => b.text === label || b.text === `✅ ${label}`);
    if (button)
      return { data: button.callback_data, messageId: 1000 + h.telegram.callsOf("sendMessage").indexOf(sends[i]!) };
  }
  throw new Error(`no "${label}" button sent to ${chatId}`);
}

async function answersOf(chatId: number) {
  const hash = await h.services.addressCrypto.hash("telegram", String(chatId));
  const contact = await h.services.prisma.contact.findUnique({
    where: { channel_addressHash: { channel: "telegram", addressHash: hash } },
  });
  const answers = contact ? await h.services.store.answersOf(contact.id) : [];
  return { contact, answers: Object.fromEntries(answers.map((a) => [a.questionKey, a.value])) };
}

async function post(update: unknown) {
  const response = await h.telegramUpdate(update);
  expect(response.status).toBe(200);
}

describe("Telegram conversation", () => {
  it("runs the priorities flow with buttons, from a champion's deep link to the end", async () => {
    const chat = 7001;
    await post(textUpdate(chat, "/start c_ST6BUS", { language: "en" }));
    expect(h.telegram.textsTo(chat)).toEqual([expect.stringContaining("Hi, this is PlaceVoice")]);
    expect(h.telegram.lastKeyboard(chat)).toEqual([["English", "Cymraeg"]]);

    const english = buttonData(chat, "English");
    await post(callbackUpdate(chat, english.messageId, english.data));
    // The answered keyboard is removed, the button press acknowledged, the next question asked.
    expect(h.telegram.callsOf("editMessageReplyMarkup").at(-1)?.params).toMatchObject({
      chat_id: chat,
      message_id: english.messageId,
    });
    expect(h.telegram.callsOf("sendMessage").every((c) => c.params.chat_id === chat)).toBe(true);
    expect(h.telegram.callsOf("editMessageReplyMarkup").at(-1)?.params.reply_markup).toBeUndefined();
    expect(h.telegram.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Your answers are anonymous");
    expect(h.telegram.lastKeyboard(chat)).toEqual([["Yes", "No"]]);

    const yes = buttonData(chat, "Yes");
    await post(callbackUpdate(chat, yes.messageId, yes.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("What's your postcode?");
    expect(h.telegram.lastKeyboard(chat)).toEqual([["Skip"]]);

    await post(textUpdate(chat, "ST6 1AA"));
    // "Got it" and the next question arrive as one message, with the themes as buttons.
    expect(h.telegram.textsTo(chat).at(-1)).toMatch(
      /^Got it: ST6\.\n\nWhat matters most to you in your area\? Pick up to 3\.\n\nTap up to 3, then Done\.$/,
    );
    const keyboard = h.telegram.lastKeyboard(chat);
    expect(keyboard.flat()).toEqual(
      expect.arrayContaining(["Housing", "Cost of living", "Care and support", "Done ✔"]),
    );
    expect(keyboard.flat()).toHaveLength(13);

    // Multi-choice: taps toggle ticks in place (no new message), Done confirms.
    const sentBefore = h.telegram.callsOf("sendMessage").length;
    const housing = buttonData(chat, "Housing");
    await post(callbackUpdate(chat, housing.messageId, housing.data));
    const edit = h.telegram.callsOf("editMessageReplyMarkup").at(-1)!;
    expect(edit.params.message_id).toBe(housing.messageId);
    const ticked = (edit.params.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard
      .flat()
      .map((b) => b.text);
    expect(ticked).toContain("✅ Housing");
    const transport = buttonData(chat, "Buses and transport");
    await post(callbackUpdate(chat, transport.messageId, transport.data));
    expect(h.telegram.callsOf("sendMessage")).toHaveLength(sentBefore);
    const done = buttonData(chat, "Done ✔");
    await post(callbackUpdate(chat, done.messageId, done.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("What one thing would make the biggest difference");

    await post(textUpdate(chat, "Buses that run after 7pm"));
    expect(h.telegram.lastKeyboard(chat).flat()).toContain("65 or over");
    const age = buttonData(chat, "65 or over");
    await post(callbackUpdate(chat, age.messageId, age.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Would you like details of local services");
    const no = buttonData(chat, "No");
    await post(callbackUpdate(chat, no.messageId, no.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Can we message you later to say what changed");
    const hearBack = buttonData(chat, "Yes");
    await post(callbackUpdate(chat, hearBack.messageId, hearBack.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("is there anything you could offer your area");
    const noOffer = buttonData(chat, "No");
    await post(callbackUpdate(chat, noOffer.messageId, noOffer.data));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Thanks again.");

    // Every button press was answered.
    expect(h.telegram.callsOf("answerCallbackQuery")).toHaveLength(
      h.telegram.calls.filter((c) => c.method === "answerCallbackQuery").length,
    );
    expect(h.telegram.callsOf("answerCallbackQuery").length).toBe(9);
    const { contact, answers } = await answersOf(chat);
    expect(contact).toMatchObject({ attribution: "ST6BUS", area: "ST6", language: "en", consentVersion: "2026-11" });
    expect(answers).toEqual({
      postcode: "ST6",
      priorities: ["housing", "transport"],
      biggest_difference: "Buses that run after 7pm",
      age_band: "age_65_plus",
      wants_help: false,
      hear_back: true,
      could_offer: false,
    });
    // The chat id is never stored in clear.
    expect(JSON.stringify(contact)).not.toContain(String(chat));
  });

  it("signposts with buttons for more, different help, or done", async () => {
    const chat = 7010;
    for (const text of ["/start", "english", "yes", "ST6 1AA", "housing", "Damp in our flat", "skip", "yes"])
      await post(textUpdate(chat, text));
    expect(h.telegram.textsTo(chat).at(-1)).toMatch(/^Here are some local services that could help:\n\n.+Tel /s);
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Would you like anything else?");
    expect(h.telegram.lastKeyboard(chat)).toEqual([
      ["More like this"],
      ["A different kind of help"],
      ["That's all, thanks"],
    ]);
    const first = h.telegram.textsTo(chat).at(-1)!;
    const more = buttonData(chat, "More like this");
    await post(callbackUpdate(chat, more.messageId, more.data));
    const second = h.telegram.textsTo(chat).at(-1)!;
    // Different services the second time.
    const names = (text: string) => [...text.matchAll(/^([^\n:]+): /gm)].map((m) => m[1]);
    expect(names(second).filter((n) => names(first).includes(n))).toEqual([]);
  });

  it("answers a button from an old message without letting it answer the new question", async () => {
    const chat = 7002;
    await post(textUpdate(chat, "/start"));
    const english = buttonData(chat, "English");
    await post(callbackUpdate(chat, english.messageId, english.data));
    await post(callbackUpdate(chat, english.messageId, english.data)); // pressed again, later
    expect(h.telegram.textsTo(chat).at(-1)).toMatch(/^That button is from an earlier question/);
    expect(h.telegram.callsOf("answerCallbackQuery")).toHaveLength(2);
  });

  it("says it can only read text when sent a sticker, and repeats the question", async () => {
    const chat = 7003;
    await post(textUpdate(chat, "/start"));
    await post(stickerUpdate(chat));
    expect(h.telegram.textsTo(chat).at(-1)).toMatch(/^Sorry, I can only read text here\.\n\nHi, this is PlaceVoice/);
    expect(h.telegram.lastKeyboard(chat)).toEqual([["English", "Cymraeg"]]);
  });

  it("uses the person's Telegram language for a new contact", async () => {
    const chat = 7004;
    await post(textUpdate(chat, "/start", { language: "cy" }));
    expect(h.telegram.textsTo(chat)[0]).toContain("Helo, PlaceVoice sydd yma");
  });

  it("does not run flows in a group: it answers once with a link to a private chat", async () => {
    await post(textUpdate(-1001234, "hello bot", { chatType: "supergroup" }));
    await post(textUpdate(-1001234, "anyone?", { chatType: "supergroup" }));
    const sent = h.telegram.textsTo(-1001234);
    expect(sent).toEqual([
      "Hi! I only talk one to one, so nobody else sees your answers. Message me privately: https://t.me/placevoice_test_bot",
    ]);
  });

  it("marks the contact stopped when the resident blocks the bot, and never messages them again", async () => {
    const chat = 7005;
    await post(textUpdate(chat, "/start"));
    await post(blockedUpdate(chat));
    expect((await answersOf(chat)).contact?.status).toBe("stopped");
    h.telegram.reset();
    await post(textUpdate(chat, "hello?"));
    expect(h.telegram.textsTo(chat)).toEqual([]);
  });

  it("marks the contact stopped when sending fails with 403 blocked", async () => {
    const chat = 7006;
    h.telegram.blocked.add(chat);
    await post(textUpdate(chat, "/start"));
    expect((await answersOf(chat)).contact?.status).toBe("stopped");
    const dead = await h.services.prisma.outboxMessage.findMany({ where: { status: "dead" } });
    expect(dead.some((m) => m.lastError?.includes("403"))).toBe(true);
  });

  it("handles STOP mid-flow, stays silent, and START resumes the question", async () => {
    const chat = 7007;
    await post(textUpdate(chat, "/start"));
    await post(textUpdate(chat, "english"));
    await post(textUpdate(chat, "/stop"));
    expect(h.telegram.textsTo(chat).at(-1)).toBe(
      "You will not get any more messages from PlaceVoice. Reply START to get messages again.",
    );
    const before = h.telegram.textsTo(chat).length;
    await post(textUpdate(chat, "ST6 1AA"));
    await post(textUpdate(chat, "hello?"));
    expect(h.telegram.textsTo(chat)).toHaveLength(before);
    await post(textUpdate(chat, "START"));
    expect(h.telegram.textsTo(chat).at(-1)).toMatch(
      /^Welcome back! You will get messages from PlaceVoice again\..*\n\nIt's 7 quick questions/s,
    );
  });
});

describe("Telegram webhook security and idempotency", () => {
  it("refuses a missing or wrong secret with 401 and stores nothing", async () => {
    const contactsBefore = await h.services.prisma.contact.count();
    for (const secret of [null, "wrong-secret-wrong-secret", ""]) {
      const response = await h.telegramUpdate(textUpdate(7100, "/start"), secret);
      expect(response.status).toBe(401);
    }
    expect(await h.services.prisma.contact.count()).toBe(contactsBefore);
    expect(h.telegram.calls).toHaveLength(0);
  });

  it("processes an update delivered three times exactly once", async () => {
    const chat = 7101;
    await post(textUpdate(chat, "/start"));
    await post(textUpdate(chat, "english"));
    await post(textUpdate(chat, "yes"));
    const update = textUpdate(chat, "ST6 2AB");
    const sentBefore = h.telegram.textsTo(chat).length;
    await Promise.all([post(update), post(update), post(update)]);
    expect(h.telegram.textsTo(chat)).toHaveLength(sentBefore + 1);
    const { contact } = await answersOf(chat);
    const rows = await h.services.prisma.answer.findMany({
      where: { contactId: contact!.id, questionKey: "postcode" },
    });
    expect(rows.map((r) => r.value)).toEqual(['"ST6"']);
  });
});
