// Words the host says itself, around the flows: opt-out, opt-in, and the hints that turn a
// question into plain text for SMS and the terminal simulator. Plain English (short sentences,
// common words; docs/glossary.md for the terms and their Welsh); each fits one SMS in every
// language unless `hostMessageSegments` says otherwise, which `placevoice flows lint` checks.
// The Welsh avoids ô ŵ ŷ â where another wording says the same ("Helo eto", not "Croeso nôl";
// "cael negeseuon eto", not "dod yn ôl"): one such letter sends the whole SMS as UCS-2.
import type { LocalisedText } from "../engine/types.js";

export const hostMessages = {
  stopped: {
    en: "You will not get any more messages from {organisation}. Reply START to get messages again.",
    cy: "Ni fydd {organisation} yn anfon rhagor o negeseuon atoch chi. Atebwch DECHRAU i gael negeseuon eto.",
  },
  resumed: {
    en: "Welcome back! You will get messages from {organisation} again. Reply STOP at any time to stop them.",
    cy: "Helo eto! Bydd {organisation} yn anfon negeseuon atoch chi eto. Atebwch STOP unrhyw bryd i'w hatal.",
  },
  helpWhileStopped: {
    en: "{organisation}: you have stopped our messages. Reply START to get them again. Privacy: {privacy_url}",
    cy: "{organisation}: rydych chi wedi atal ein negeseuon. Atebwch DECHRAU i'w cael eto. Preifatrwydd: {privacy_url}",
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
    en: "Here is everything {organisation} has about you:",
    cy: "{organisation}: dyma bopeth sydd gennym ni amdanoch chi:",
  },
  myDataNone: { en: "No answers yet.", cy: "Dim atebion eto." },
  myDataOutro: {
    en: "We keep your number in a code no one else can read. We only use it to reply to you. Reply DELETE to delete all of this.",
    cy: "Rydyn ni'n cadw eich rhif mewn cod na all neb arall ei ddarllen. Dim ond i'ch ateb chi rydyn ni'n ei ddefnyddio. Atebwch DILEU i ddileu hyn i gyd.",
  },
  deleteConfirm: {
    en: "This deletes everything we have about you: your answers, area, language and this chat. Totals we have already shared stay the same. They never show names. To go ahead, reply DELETE YES.",
    cy: "Mae hyn yn dileu popeth sydd gennym amdanoch chi: eich atebion, ardal, iaith a'r sgwrs hon. Mae cyfansymiau rydyn ni wedi'u rhannu yn barod yn aros yr un fath. Dydyn nhw byth yn dangos enwau. I fwrw ymlaen, atebwch DILEU IE.",
  },
  deleted: {
    en: "Done. We have deleted everything we had about you. If you message us again, you will start from the beginning.",
    cy: "Wedi'i wneud. Rydyn ni wedi dileu popeth oedd gennym amdanoch chi. Os byddwch chi'n anfon neges eto, byddwch chi'n dechrau o'r dechrau.",
  },
  // Warm handoffs (relays) to local groups after an offer: docs/relays.md.
  relayAsk: {
    en: "Would you like one of them to get in touch? They see what you could offer, when, and your area, never your number.",
    cy: "Hoffech chi i un ohonyn nhw gysylltu? Byddan nhw'n gweld beth allech chi ei gynnig, pryd, a'ch ardal, byth eich rhif.",
  },
  relayAskAnother: {
    en: "Would you like another of them to get in touch too?",
    cy: "Hoffech chi i un arall ohonyn nhw gysylltu hefyd?",
  },
  relayAskOption: { en: "Ask {group} to contact me", cy: "Gofyn i {group} gysylltu" },
  relayAsked: {
    en: "Thank you. We've asked {group} to get in touch. Their messages will come here. Reply NO THANKS at any time to stop them.",
    cy: "Diolch. Rydyn ni wedi gofyn i {group} gysylltu. Bydd eu negeseuon yn dod yma. Atebwch DIM DIOLCH unrhyw bryd i'w hatal.",
  },
  relaySuspended: {
    en: "Sorry, {group} cannot be reached through us just now. You can still contact them yourself.",
    cy: "Mae'n ddrwg gen i, does dim modd cysylltu gyda {group} drwyddon ni nawr. Gallwch chi gysylltu gyda nhw eich hun.",
  },
  relayNotShown: {
    en: "Sorry, we cannot find that group. Send OFFER to see local groups again.",
    cy: "Mae'n ddrwg gen i, ni allwn ni ddod o hyd i hwnnw. Anfonwch CYNNIG i weld grwpiau lleol eto.",
  },
  relaySent: { en: "Sent to {group}.", cy: "Wedi'i anfon at {group}." },
  relayEnded: {
    en: "OK. {group} cannot message you any more.",
    cy: "Iawn. Ni all {group} anfon negeseuon atoch chi mwyach.",
  },
  relayFromGroup: {
    en: "{group} says: {text}\n\nReply here to answer. Reply NO THANKS to stop them, or STOP for no more messages.",
    cy: "Neges gan {group}: {text}\n\nAtebwch yma i'w hateb. Atebwch DIM DIOLCH i'w hatal, neu STOP i atal pob neges.",
  },
  hintSingle: { en: "Reply with a number.", cy: "Atebwch gyda rhif." },
  hintMulti: {
    en: "Reply with up to {max} numbers, for example 1,3.",
    cy: "Atebwch gyda hyd at {max} rhif, er enghraifft 1,3.",
  },
  hintMultiOne: { en: "Reply with a number.", cy: "Atebwch gyda rhif." },
  hintYesNo: { en: "Reply YES or NO.", cy: "Atebwch IE neu NA." },
  hintSkip: { en: "Reply SKIP to skip.", cy: "Atebwch HEPGOR i hepgor." },
} satisfies Record<string, LocalisedText>;

/** The host's messages allowed more than one SMS segment (the rest must fit one, in every language). */
export const hostMessageSegments: Readonly<Partial<Record<keyof typeof hostMessages, number>>> = {
  // A warning before erasure says what goes and what stays; two segments is worth it.
  deleteConfirm: 2,
  // A group's own words come inside it: up to two segments around them.
  relayFromGroup: 2,
};
