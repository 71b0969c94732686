// The engine's own words (re-prompts, acknowledgements). Flow authors can override the
// re-prompt per question with `invalid:`. Every string exists in English and Welsh, says the
// same things in both and fits one SMS in both (`placevoice flows lint` checks all three); the
// terms are those of docs/glossary.md.
import type { LocalisedText } from "./types.js";

export const engineMessages = {
  notUnderstood: {
    en: "Sorry, I did not understand that.",
    cy: "Mae'n ddrwg gen i, wnes i ddim deall hynny.",
  },
  chooseNumber: {
    en: "Please reply with one number from the list.",
    cy: "Atebwch gydag un rhif o'r rhestr, os gwelwch yn dda.",
  },
  chooseNumbers: {
    en: "Please reply with up to {max} numbers, for example 1,3.",
    cy: "Atebwch gyda hyd at {max} rhif, er enghraifft 1,3.",
  },
  tooManyPicks: {
    en: "That's more than {max}. Please choose up to {max}.",
    cy: "Mae hynny'n fwy na {max}. Dewiswch hyd at {max}, os gwelwch yn dda.",
  },
  tooFewPicks: {
    en: "Please choose at least {min}.",
    cy: "Dewiswch o leiaf {min}, os gwelwch yn dda.",
  },
  yesOrNo: {
    en: "Please reply YES or NO.",
    cy: "Atebwch IE neu NA, os gwelwch yn dda.",
  },
  number: {
    en: "Please reply with a number from {min} to {max}.",
    cy: "Atebwch gyda rhif o {min} i {max}, os gwelwch yn dda.",
  },
  postcode: {
    en: "That does not look like a UK postcode. A postcode looks like ST6 1AA. Please try again.",
    cy: "Nid yw hynny'n edrych fel cod post yn y DU. Mae cod post yn edrych fel ST6 1AA. Rhowch gynnig arall arni.",
  },
  textTooLong: {
    en: "That's a bit long for me. Please keep it under {max} characters.",
    cy: "Mae hynny braidd yn hir. Cadwch o dan {max} nod, os gwelwch yn dda.",
  },
  textEmpty: {
    en: "I did not get any words there. Please tell me in a few words.",
    cy: "Ches i ddim geiriau. Dywedwch wrtha i mewn ychydig eiriau, os gwelwch yn dda.",
  },
  understood: {
    en: "Got it: {answer}.",
    cy: "Diolch: {answer}.",
  },
  oldButton: {
    en: "That button is from an earlier question. Here's where we are now:",
    cy: "Mae'r botwm yna o gwestiwn cynharach. Dyma ble rydyn ni nawr:",
  },
  gaveUp: {
    en: "Sorry, I'm having trouble understanding. Let's stop here for now. Send HELP if you need it, or message again any time.",
    cy: "Mae'n ddrwg gen i, rwy'n cael trafferth deall. Gadewch i ni stopio fan hyn am nawr. Anfonwch CYMORTH os oes angen, neu anfonwch neges eto unrhyw bryd.",
  },
  movingOn: {
    en: "No problem, let's move on.",
    cy: "Dim problem, gadewch i ni symud ymlaen.",
  },
  expired: {
    en: "Welcome back! It's been a while, so let's start again from the beginning.",
    cy: "Helo eto! Mae wedi bod yn sbel, felly gadewch i ni ddechrau eto o'r dechrau.",
  },
  chooseLanguage: {
    en: "Which language would you like? / Pa iaith hoffech chi?",
    cy: "Pa iaith hoffech chi? / Which language would you like?",
  },
  languageChanged: {
    en: "OK, I'll speak English.",
    cy: "Iawn, fe wna i siarad Cymraeg.",
  },
  carryOn: {
    en: "Let's carry on where we were:",
    cy: "Gadewch i ni barhau o'r lle roedden ni:",
  },
  and: { en: "and", cy: "a" },
  signpostMore: { en: "More like this", cy: "Mwy fel hyn" },
  signpostOther: { en: "A different kind of help", cy: "Math gwahanol o help" },
  signpostDone: { en: "That's all, thanks", cy: "Dyna'r cyfan, diolch" },
  signpostWhatNext: { en: "Would you like anything else?", cy: "Hoffech chi unrhyw beth arall?" },
  signpostNone: {
    en: "I'm sorry, I could not find a local service that matches. These can help with most things:",
    cy: "Mae'n ddrwg gen i, allwn i ddim dod o hyd i wasanaeth lleol sy'n cyfateb. Gall y rhain helpu gyda'r rhan fwyaf o bethau:",
  },
  signpostNoMore: {
    en: "That's all the services I have for that. These can help with most things:",
    cy: "Dyna'r holl wasanaethau sydd gen i ar gyfer hynny. Gall y rhain helpu gyda'r rhan fwyaf o bethau:",
  },
  signpostChooseHelp: {
    en: "What kind of help are you looking for?",
    cy: "Pa fath o help ydych chi'n chwilio amdano?",
  },
} satisfies Record<string, LocalisedText>;

/** What each language calls itself, for language questions. */
export const languageNames: Readonly<Record<string, string>> = {
  en: "English",
  cy: "Cymraeg",
};
