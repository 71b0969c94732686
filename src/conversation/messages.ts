// Words the host says itself, around the flows: opt-out, opt-in, and the hints that turn a
// question into plain text for SMS and the terminal simulator.
import type { LocalisedText } from "../engine/types.js";

export const hostMessages = {
  stopped: {
    en: "You won't get any more messages from {organisation}. Reply START to come back any time.",
    cy: "Ni fydd {organisation} yn anfon rhagor o negeseuon atoch chi. Atebwch DECHRAU i ddod yn ôl unrhyw bryd.",
  },
  resumed: {
    en: "Welcome back! You'll get messages from {organisation} again. Reply STOP at any time to stop.",
    cy: "Croeso nôl! Bydd {organisation} yn anfon negeseuon atoch chi eto. Atebwch STOP unrhyw bryd i stopio.",
  },
  helpWhileStopped: {
    en: "{organisation}: you've stopped messages from us, so you won't hear from us. Reply START to come back. Privacy: {privacy_url}",
    cy: "{organisation}: rydych chi wedi atal negeseuon gennym ni, felly fyddwch chi ddim yn clywed gennym. Atebwch DECHRAU i ddod yn ôl. Preifatrwydd: {privacy_url}",
  },
  slowDown: {
    en: "You're sending messages faster than we can read them, so we've skipped the last few. Please wait a minute, then send your answer again.",
    cy: "Rydych chi'n anfon negeseuon yn gynt nag y gallwn eu darllen, felly rydyn ni wedi hepgor yr ychydig olaf. Arhoswch funud, yna anfonwch eich ateb eto.",
  },
  textOnly: {
    en: "Sorry, I can only read text here.",
    cy: "Mae'n ddrwg gen i, dim ond testun y galla i ei ddarllen yma.",
  },
  myDataIntro: {
    en: "Here is everything {organisation} holds about you:",
    cy: "{organisation}: dyma bopeth sydd gennym ni amdanoch chi:",
  },
  myDataNone: { en: "No answers yet.", cy: "Dim atebion eto." },
  myDataOutro: {
    en: "Your phone number or chat id is stored encrypted, only so we can reply. Reply DELETE to erase all of this.",
    cy: "Mae eich rhif ffôn neu'ch ID sgwrs wedi'i storio wedi'i amgryptio, dim ond er mwyn i ni allu ateb. Atebwch DILEU i ddileu hyn i gyd.",
  },
  deleteConfirm: {
    en: "This deletes everything we hold about you: your answers, area, language and this conversation. Totals already published (numbers only, never names) stay as they are. Reply DELETE YES to confirm.",
    cy: "Mae hyn yn dileu popeth sydd gennym amdanoch chi: eich atebion, ardal, iaith a'r sgwrs hon. Mae cyfansymiau sydd eisoes wedi'u cyhoeddi (rhifau yn unig, byth enwau) yn aros fel y maen nhw. Atebwch DILEU IE i gadarnhau.",
  },
  deleted: {
    en: "Done: everything we held about you has been deleted. If you message us again, you'll start afresh.",
    cy: "Wedi'i wneud: mae popeth oedd gennym amdanoch chi wedi'i ddileu. Os byddwch chi'n anfon neges eto, byddwch chi'n dechrau o'r newydd.",
  },
  hintSingle: { en: "Reply with a number.", cy: "Atebwch gyda rhif." },
  hintMulti: {
    en: "Reply with up to {max} numbers, e.g. 1,3.",
    cy: "Atebwch gyda hyd at {max} rhif, e.e. 1,3.",
  },
  hintMultiOne: { en: "Reply with a number.", cy: "Atebwch gyda rhif." },
  hintYesNo: { en: "Reply YES or NO.", cy: "Atebwch IE neu NA." },
  hintSkip: { en: "Reply SKIP to skip.", cy: "Atebwch HEPGOR i hepgor." },
} satisfies Record<string, LocalisedText>;
