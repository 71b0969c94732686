// Words that mean the same thing in any state of any flow. They are recognised before the
// reply is treated as an answer, so STOP can never be swallowed by a question.
import { normaliseReply } from "./text.js";

export type Keyword =
  "stop" | "start" | "help" | "language" | "skip" | "restart" | "mydata" | "delete" | "updates" | "offer";

const KEYWORDS: Readonly<Record<string, Keyword>> = {
  stop: "stop",
  stopall: "stop",
  unsubscribe: "stop",
  cancel: "stop",
  end: "stop",
  quit: "stop",
  revoke: "stop",
  optout: "stop",
  "opt out": "stop",
  stopio: "stop",
  canslo: "stop",
  "dad danysgrifio": "stop",
  dadanysgrifio: "stop",
  diddymu: "stop",
  start: "start",
  unstop: "start",
  yes: "start",
  dechrau: "start",
  ie: "start",
  help: "help",
  info: "help",
  cymorth: "help",
  helpu: "help",
  gwybodaeth: "help",
  language: "language",
  iaith: "language",
  "newid iaith": "language",
  "change language": "language",
  lang: "language",
  skip: "skip",
  hepgor: "skip",
  pass: "skip",
  restart: "restart",
  "start again": "restart",
  ailddechrau: "restart",
  "dechrau eto": "restart",
  mydata: "mydata",
  "my data": "mydata",
  "fy nata": "mydata",
  fynata: "mydata",
  "fy data": "mydata",
  delete: "delete",
  "delete my data": "delete",
  dileu: "delete",
  "dileu fy nata": "delete",
  updates: "updates",
  diweddariadau: "updates",
  news: "updates",
  newyddion: "updates",
  offer: "offer",
  cynnig: "offer",
};

/** Own keys only: "constructor" or "toString" are words a resident may send, not keywords. */
function keywordFor(word: string): Keyword | undefined {
  return Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
}

export interface KeywordMatch {
  readonly keyword: Keyword;
  /** Whatever followed the keyword (e.g. `cy` in `LANGUAGE cy`). */
  readonly argument: string;
}

/**
 * Recognises a keyword sent on its own (case-insensitive, surrounding punctuation ignored) or
 * as a slash command (`/help`). `yes` only counts as START for a stopped contact: the host
 * decides, so it is reported but callers check the contact's status first.
 */
export function detectKeyword(text: string): KeywordMatch | undefined {
  const trimmed = text.trim();
  // The longest keyword phrase ("language english", "start again") is well under 32 characters.
  if (trimmed.length === 0 || trimmed.length > 32) return undefined;
  const command = /^\/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$/i.exec(trimmed);
  if (command) {
    const name = command[1]!.toLowerCase();
    const keyword = keywordFor(name);
    return keyword ? { keyword, argument: (command[2] ?? "").trim() } : undefined;
  }
  const normalised = normaliseReply(trimmed);
  const whole = keywordFor(normalised);
  if (whole) return { keyword: whole, argument: "" };
  const [first, ...rest] = normalised.split(" ");
  const leading = first ? keywordFor(first) : undefined;
  if (leading === "language" && rest.length > 0) return { keyword: "language", argument: rest.join(" ") };
  // "DELETE YES" confirms an erasure; nothing else after DELETE does.
  if (leading === "delete" && rest.length === 1 && /^(yes|ie|confirm)$/.test(rest[0]!))
    return { keyword: "delete", argument: "yes" };
  return undefined;
}
