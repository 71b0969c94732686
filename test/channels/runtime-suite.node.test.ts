// The shared end-to-end conversation suite (test/support/channel-suite.ts) on Node with the
// embedded SQLite default. test/worker/worker.test.ts runs the same suite on the Worker.
import { afterAll, beforeAll } from "vitest";
import { channelSuite } from "../support/channel-suite.js";
import {
  SMS_URL,
  TELEGRAM_SECRET,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function contactRow(channel: string, address: string) {
  const addressHash = await h.services.addressCrypto.hash(channel, address);
  return h.services.prisma.contact.findUnique({ where: { channel_addressHash: { channel, addressHash } } });
}

channelSuite("Node", () => ({
  telegram: h.telegram,
  twilio: h.twilio,
  twilioAuthToken: TWILIO_TOKEN,
  twilioAccountSid: TWILIO_SID,
  twilioNumber: TWILIO_NUMBER,
  telegramSecret: TELEGRAM_SECRET,
  smsUrl: SMS_URL,
  // Telegram replies are sent after the webhook is answered: the suite, like a resident, reads them once they have arrived.
  request: async (path, init) => {
    const response = await h.app.request(path, init);
    await h.services.dispatcher.settled();
    return response;
  },
  answers: async (channel, address) => {
    const contact = await contactRow(channel, address);
    return contact ? (await h.services.store.answersOf(contact.id)).map((a) => [a.questionKey, a.value]) : [];
  },
  contact: async (channel, address) => contactRow(channel, address),
  inboundRecorded: (id) => h.services.prisma.inboundMessage.count({ where: { id } }),
  runOutbox: async () => {
    await h.services.dispatcher.drain();
  },
  createPartner: async (name, areas, groupId) =>
    (await h.services.partners.create(name, areas, groupId ? { groupId } : {})).token,
}));
