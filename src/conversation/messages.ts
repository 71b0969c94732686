// Words the host says itself, around the flows: opt-out, opt-in, and the hints that turn a
// question into plain text for SMS and the terminal simulator.
import type { LocalisedText } from "../engine/types.js";

export const hostMessages = {
  stopped: {
    en: "You won't get any more messages from {organisation}. Reply START to come back any time.",
    cy: "Fyddwch chi ddim yn cael rhagor o negeseuon gan {organisation}. Atebwch START i ddod yn ôl unrhyw bryd.",
  },
  resumed: {
    en: "Welcome back! You'll get messages from {organisation} again. Reply STOP at any time to stop.",
    cy: "Croeso nôl! Byddwch chi'n cael negeseuon gan {organisation} eto. Atebwch STOP unrhyw bryd i stopio.",
  },
  helpWhileStopped: {
    en: "{organisation}: you've stopped messages from us, so you won't hear from us. Reply START to come back. Privacy: {privacy_url}",
    cy: "{organisation}: rydych chi wedi atal negeseuon gennym ni, felly fyddwch chi ddim yn clywed gennym. Atebwch START i ddod yn ôl. Preifatrwydd: {privacy_url}",
  },
  textOnly: {
    en: "Sorry, I can only read text here.",
    cy: "Mae'n ddrwg gen i, dim ond testun y galla i ei ddarllen yma.",
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
