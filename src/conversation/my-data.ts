// MYDATA: everything held about a resident, in plain words for the chat and as a JSON copy for
// channels that can send a file. Only what the resident gave or chose; never the address.
import { interpolate, localise } from "../engine/text.js";
import type { LocalisedText } from "../engine/types.js";
import type { RelayRecord } from "../store/relay-store.js";
import type { AnswerRecord, ContactRecord } from "../store/types.js";
import { hostMessages } from "./messages.js";

export const myDataLabels: Readonly<Record<string, LocalisedText>> = {
  channel: { en: "Channel", cy: "Sianel" },
  language: { en: "Language", cy: "Iaith" },
  area: { en: "Area (first part of your postcode only)", cy: "Ardal (rhan gyntaf eich cod post yn unig)" },
  consent: { en: "Privacy notice", cy: "Hysbysiad preifatrwydd" },
  agreed: { en: "you agreed to version {version}", cy: "fe gytunoch chi i fersiwn {version}" },
  declined: { en: "you said no to version {version}", cy: "fe wrthodoch chi fersiwn {version}" },
  onDate: { en: "on {date}", cy: "ar {date}" },
  came: { en: "Found us through code", cy: "Daethoch o hyd i ni drwy god" },
  since: { en: "First message", cy: "Neges gyntaf" },
  answers: { en: "Your answers", cy: "Eich atebion" },
  status: { en: "Messages", cy: "Negeseuon" },
  on: { en: "on", cy: "ymlaen" },
  stopped: { en: "stopped (STOP)", cy: "wedi'u hatal (STOP)" },
  skipped: { en: "(skipped)", cy: "(wedi'i hepgor)" },
  yes: { en: "yes", cy: "ie" },
  no: { en: "no", cy: "na" },
  terminal: { en: "this terminal", cy: "y derfynell hon" },
  groups: {
    en: "Groups your offer went to (you asked them to get in touch)",
    cy: "Grwpiau a gafodd eich cynnig (fe ofynnoch chi iddyn nhw gysylltu)",
  },
  relayOpen: { en: "they can message you", cy: "gallan nhw anfon neges atoch chi" },
  relayEnded: { en: "ended", cy: "wedi dod i ben" },
};

/** The shipped flows' questions, named briefly; a flow's own keys are shown as they are. */
export const myDataQuestionNames: Readonly<Record<string, LocalisedText>> = {
  postcode: { en: "Postcode area", cy: "Ardal cod post" },
  priorities: { en: "What matters most", cy: "Beth sydd bwysicaf" },
  biggest_difference: { en: "What would make the biggest difference", cy: "Beth fyddai'n gwneud y gwahaniaeth mwyaf" },
  age_band: { en: "Age group", cy: "Grŵp oedran" },
  wants_help: { en: "Wanted details of local services", cy: "Eisiau manylion gwasanaethau lleol" },
  hear_back: { en: "Happy to get news", cy: "Hapus i gael newyddion" },
  could_offer: { en: "Could offer something", cy: "Yn gallu cynnig rhywbeth" },
  offer_kinds: { en: "What you could offer", cy: "Beth allech chi ei gynnig" },
  offer_details: { en: "What you could do", cy: "Beth allech chi ei wneud" },
  offer_when: { en: "When you could help", cy: "Pryd allech chi helpu" },
  offer_postcode: { en: "Postcode area", cy: "Ardal cod post" },
  rating: { en: "How easy it was", cy: "Pa mor hawdd oedd hi" },
  what_went_wrong: { en: "What went wrong", cy: "Beth aeth o'i le" },
  helpful: { en: "Was the update helpful", cy: "Oedd y diweddariad yn ddefnyddiol" },
};

/** An option's label in a language (from the flows), for answers stored as option ids. */
export type OptionLabel = (questionKey: string, optionId: string, language: string) => string | undefined;

/** A date as people write it: "3 December 2026", "3 Rhagfyr 2026". */
export function writtenDate(d: Date, language: string): string {
  return new Intl.DateTimeFormat(language === "cy" ? "cy-GB" : "en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "Europe/London",
  }).format(d);
}

/** What MYDATA says in the chat, in the resident's language. */
export function myDataText(
  contact: ContactRecord,
  answers: readonly AnswerRecord[],
  optionLabel: OptionLabel = () => undefined,
  relays: readonly RelayRecord[] = [],
): string {
  const language = contact.language;
  const l = (key: string) => localise(myDataLabels[key]!, language);
  const date = (d: Date) => writtenDate(d, language);
  // "you agreed to version 2026-11 on 5 January 2026": the version is the notice's own name.
  const answered = (key: "agreed" | "declined", version: string, at: Date | null | undefined) =>
    [interpolate(l(key), { version }), ...(at ? [interpolate(l("onDate"), { date: date(at) })] : [])].join(" ");
  const value = (a: AnswerRecord): string => {
    if (a.value === null) return l("skipped");
    if (typeof a.value === "boolean") return l(a.value ? "yes" : "no");
    const ids = Array.isArray(a.value) ? a.value.map(String) : [String(a.value)];
    return ids.map((id) => optionLabel(a.questionKey, id, language) ?? id).join(", ");
  };
  const lines = [
    `${l("channel")}: ${contact.channel === "sms" ? "SMS" : contact.channel === "telegram" ? "Telegram" : l("terminal")}`,
    `${l("language")}: ${language === "cy" ? "Cymraeg" : "English"}`,
    `${l("area")}: ${contact.area ?? "-"}`,
    `${l("consent")}: ${
      contact.consentVersion
        ? answered("agreed", contact.consentVersion, contact.consentAt)
        : contact.consentRefusedVersion
          ? answered("declined", contact.consentRefusedVersion, contact.consentRefusedAt)
          : "-"
    }`,
    `${l("came")}: ${contact.attribution ?? "-"}`,
    `${l("status")}: ${l(contact.status === "stopped" ? "stopped" : "on")}`,
    `${l("since")}: ${date(contact.createdAt)}`,
    `${l("answers")}:`,
    ...(answers.length === 0
      ? [localise(hostMessages.myDataNone, language)]
      : answers.map(
          (a) =>
            `- ${myDataQuestionNames[a.questionKey] ? localise(myDataQuestionNames[a.questionKey]!, language) : a.questionKey}: ${value(a)} (${date(a.createdAt)})`,
        )),
    ...(relays.length === 0
      ? []
      : [
          `${l("groups")}:`,
          ...relays.map(
            (r) =>
              `- ${r.groupName}: ${l(r.status === "open" ? "relayOpen" : "relayEnded")} (${date(r.openedAt ?? r.createdAt)})`,
          ),
        ]),
  ];
  return lines.join("\n");
}

/** The same as a JSON file. */
export function myDataJson(
  contact: ContactRecord,
  answers: readonly AnswerRecord[],
  relays: readonly RelayRecord[] = [],
): string {
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
      groups: relays.map((r) => ({
        group: r.groupName,
        status: r.status,
        offer: r.offer,
        askedAt: r.openedAt?.toISOString() ?? null,
        endedAt: r.endedAt?.toISOString() ?? null,
      })),
      address: "stored encrypted; not included here",
    },
    null,
    2,
  );
}
