// MYDATA: everything held about a resident, in plain words for the chat and as a JSON copy for
// channels that can send a file. Only what the resident gave or chose; never the address.
import { localise } from "../engine/text.js";
import type { LocalisedText } from "../engine/types.js";
import type { AnswerRecord, ContactRecord } from "../store/types.js";
import { hostMessages } from "./messages.js";

const LABELS: Readonly<Record<string, LocalisedText>> = {
  channel: { en: "Channel", cy: "Sianel" },
  language: { en: "Language", cy: "Iaith" },
  area: { en: "Area (first part of your postcode only)", cy: "Ardal (rhan gyntaf eich cod post yn unig)" },
  consent: { en: "Consent", cy: "Caniatâd" },
  declined: { en: "declined", cy: "gwrthodwyd" },
  came: { en: "Came via code", cy: "Daeth drwy god" },
  since: { en: "First message", cy: "Neges gyntaf" },
  answers: { en: "Your answers", cy: "Eich atebion" },
  status: { en: "Messages", cy: "Negeseuon" },
};

/** What MYDATA says in the chat, in the resident's language. */
export function myDataText(contact: ContactRecord, answers: readonly AnswerRecord[]): string {
  const language = contact.language;
  const l = (key: string) => localise(LABELS[key]!, language);
  const date = (d: Date) => d.toISOString().slice(0, 10);
  const lines = [
    `${l("channel")}: ${contact.channel === "sms" ? "SMS" : contact.channel === "telegram" ? "Telegram" : contact.channel}`,
    `${l("language")}: ${language === "cy" ? "Cymraeg" : "English"}`,
    `${l("area")}: ${contact.area ?? "-"}`,
    `${l("consent")}: ${
      contact.consentVersion
        ? `${contact.consentVersion}${contact.consentAt ? ` (${date(contact.consentAt)})` : ""}`
        : contact.consentRefusedVersion
          ? `${l("declined")} ${contact.consentRefusedVersion}${contact.consentRefusedAt ? ` (${date(contact.consentRefusedAt)})` : ""}`
          : "-"
    }`,
    `${l("came")}: ${contact.attribution ?? "-"}`,
    `${l("status")}: ${contact.status === "stopped" ? "STOP" : "on"}`,
    `${l("since")}: ${date(contact.createdAt)}`,
    `${l("answers")}:`,
    ...(answers.length === 0
      ? [localise(hostMessages.myDataNone, language)]
      : answers.map(
          (a) =>
            `- ${a.questionKey}: ${a.value === null ? "(skipped)" : Array.isArray(a.value) ? a.value.join(", ") : String(a.value)} (${date(a.createdAt)})`,
        )),
  ];
  return lines.join("\n");
}

/** The same as a JSON file. */
export function myDataJson(contact: ContactRecord, answers: readonly AnswerRecord[]): string {
  const language = contact.language;
  return JSON.stringify(
    {
      channel: contact.channel,
      language,
      area: contact.area,
      status: contact.status,
      consent: contact.consentVersion
        ? { noticeVersion: contact.consentVersion, at: contact.consentAt?.toISOString() ?? null }
        : null,
      consentDeclined: contact.consentRefusedVersion
        ? { noticeVersion: contact.consentRefusedVersion, at: contact.consentRefusedAt?.toISOString() ?? null }
        : null,
      attribution: contact.attribution,
      firstMessage: contact.createdAt.toISOString(),
      answers: answers.map((a) => ({
        flow: a.flowId,
        question: a.questionKey,
        value: a.value,
        area: a.area,
        at: a.createdAt.toISOString(),
      })),
      address: "stored encrypted; not included here",
    },
    null,
    2,
  );
}
