// Removes personal details from free text before it is stored for analysis or shown to anyone
// (DESIGN.md, privacy model). Rules only, never a language model: what leaves this function
// must not depend on a service that could see the original.
//
//   "Call me on 07700 900123 about the damp at 12 Hanley Road"
//   -> "Call me on [phone] about the damp at [address]"
//
// Kept on purpose: postcode districts ("ST6": the coarse geography analysts use), street and
// place names without a house number ("Hanley Road", "Hanley bus station"), and words such as
// GP, NHS or Universal Credit.
import { findNumbers } from "libphonenumber-js";
import { isValid as isValidPostcode } from "postcode";
import { findNames } from "./person-names.js";

export type PersonalDetailKind = "email" | "ni-number" | "phone" | "postcode" | "address" | "name";

export interface PersonalDetail {
  readonly kind: PersonalDetailKind;
  readonly start: number;
  readonly end: number;
}

export const PLACEHOLDERS: Readonly<Record<PersonalDetailKind, string>> = {
  email: "[email]",
  "ni-number": "[ni-number]",
  phone: "[phone]",
  postcode: "[postcode]",
  address: "[address]",
  name: "[name]",
};

// Earlier kinds win where two overlap (an email's digits are not a phone number).
const PRIORITY: readonly PersonalDetailKind[] = ["email", "ni-number", "phone", "postcode", "address", "name"];

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

// National Insurance numbers: two letters, six digits, a letter A-D ("QQ 12 34 56 C").
const NI_NUMBER = /\b[A-Za-z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-Da-d]\b/g;

// UK numbers in any common layout: 07700 900123, +44 (0)7700 900123, 0044 7700 900123,
// (01782) 234567, 0800 123 4567, 07 700 900 123. Nine or ten digits after the trunk 0.
const UK_PHONE = /(?:\+\s?44\s?(?:\(0\)\s?)?|\b00\s?44\s?(?:\(0\)\s?)?|\(?\b0)(?:[\s.-]?\(?\d\)?){9,10}(?!\d)/g;
// An international prefix other than +44: handed to libphonenumber-js, which knows every
// country's lengths but costs 100-400 µs a call, so only such messages pay for it.
const INTERNATIONAL = /(?:\+|\b00)\s?(?!44)[1-9]/g;
// The longest international number, with spaces and brackets, fits in this many characters.
const INTERNATIONAL_WINDOW = 28;
// Past this many prefixes in one message (only junk has so many), a plain pattern takes over
// so that no message can cost more than a few milliseconds.
const MAX_PRECISE_LOOKUPS = 16;
const ANY_INTERNATIONAL = /(?:\+|\b00)\s?[1-9](?:[\s.-]?\(?\d\)?){6,14}(?!\d)/y;

// Full postcodes only ("ST6 1AA"); a bare district ("ST6") is not personal and stays.
const POSTCODE = /\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b/g;

// A house number, up to three words of street name, and a street type: "12 Hanley Road",
// "Flat 3, 45 Victoria St", "7 the crescent", "112a Waterloo Road".
const STREET_TYPES =
  "road rd street st avenue ave lane ln close drive dr crescent cres court ct grove place pl terrace gardens gdns square sq mews parade boulevard way";
// Types that are ordinary words too ("7 walk"): counted only when capitalised.
const CAPITALISED_TYPES =
  "Walk View Rise Hill Green Park Bank Vale Row Croft Fold Meadow Meadows Heights Villas Cottages Wharf Chase Gate Brow Dale Hollow End";
// Types that are ordinary words in lower case ("2 dogs close to", "a 1 way street"): they make
// an address only after a capitalised name or a word streets are typically named after.
const AMBIGUOUS_TYPES: ReadonlySet<string> = new Set("close way place court drive square st dr pl ct sq".split(" "));
const STREET_NAME_WORDS: ReadonlySet<string> = new Set(
  "oak elm ash birch willow beech cedar holly maple rose lime pine hawthorn laurel chestnut sycamore poplar yew rowan park church mill station school bridge chapel green meadow orchard king kings queen queens victoria albert george market high new old north south east west hall manor farm castle abbey grange".split(
    " ",
  ),
);
// After "the", only types that name a street on their own ("7 the crescent", not "6 the road").
const TYPES_AFTER_THE: ReadonlySet<string> = new Set(
  "crescent close avenue grove terrace parade square mews drive gardens green walk rise croft fold meadows heights".split(
    " ",
  ),
);

// Any case: "road" -> "[Rr][Oo][Aa][Dd]" (Node 20 has no inline (?i:) groups).
function anyCase(words: string): string {
  return words
    .split(" ")
    .map((w) => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join(""))
    .join("|");
}

const ADDRESS = new RegExp(
  String.raw`(?:\b(?:${anyCase("flat apartment apt unit room")})\s*\d+[a-z]?\s*,?\s*)?\b\d{1,4}[a-z]?(?:\s*-\s*\d{1,4}[a-z]?)?,?\s+((?:[\p{L}'’.-]+\s+){1,3})(${anyCase(STREET_TYPES)}|${CAPITALISED_TYPES.split(" ").join("|")})\b\.?`,
  "gu",
);
// Words that cannot be part of a street's name: "4 houses on our street" is not an address.
const NOT_STREET_WORDS: ReadonlySet<string> = new Set(
  "a an and or of on in at to for from by with our my your their his her its this that these those is are was were be been has have had no not years year weeks week months month days day hours hour minutes mins times people kids houses homes cars buses shops way miles mile".split(
    " ",
  ),
);

function addressSpans(text: string, found: PersonalDetail[]): void {
  for (const m of text.matchAll(ADDRESS)) {
    const nameWords = m[1]!.trim().split(/\s+/);
    const type = m[2]!.toLowerCase();
    const ok = nameWords.every((word, i) => {
      const lower = word.toLowerCase();
      if (lower === "the") return i === 0 && nameWords.length === 1 && TYPES_AFTER_THE.has(type);
      return !NOT_STREET_WORDS.has(lower);
    });
    if (!ok) continue;
    if (AMBIGUOUS_TYPES.has(type) && m[2]!.charCodeAt(0) >= 97) {
      const named = nameWords.some((word) => /^\p{Lu}/u.test(word) || STREET_NAME_WORDS.has(word.toLowerCase()));
      if (!named) continue;
    }
    let end = m.index + m[0].length;
    // Keep a full stop that ends the sentence, not one that ends "St."
    if (m[0].endsWith(".") && !/\b(?:st|rd|ave|ln|dr|ct|pl|sq|cres|gdns)\.$/i.test(m[0])) end--;
    found.push({ kind: "address", start: m.index, end });
  }
}

function phoneSpans(text: string, found: PersonalDetail[]): void {
  let digits = 0;
  for (let i = 0; i < text.length && digits < 9; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 9) return;
  for (const m of text.matchAll(UK_PHONE)) found.push({ kind: "phone", start: m.index, end: m.index + m[0].length });
  // "POSSIBLE", not only numbers valid today: the option is missing from the package's types.
  const options = { defaultCountry: "GB", v2: true, leniency: "POSSIBLE" } as Parameters<typeof findNumbers>[1];
  let searchedTo = 0;
  let lookups = 0;
  for (const prefix of text.matchAll(INTERNATIONAL)) {
    if (prefix.index < searchedTo) continue;
    if (++lookups > MAX_PRECISE_LOOKUPS) {
      ANY_INTERNATIONAL.lastIndex = prefix.index;
      const m = ANY_INTERNATIONAL.exec(text);
      if (m) found.push({ kind: "phone", start: m.index, end: m.index + m[0].length });
      continue;
    }
    // Only a short window after the prefix: the cost grows with the text it is given.
    const end = Math.min(text.length, prefix.index + INTERNATIONAL_WINDOW);
    const window = text.slice(prefix.index, end);
    for (const number of findNumbers(window, options)) {
      // With that leniency two numbers in a list can come back as one ("234567, 0800").
      if (/[,;/]/.test(window.slice(number.startsAt, number.endsAt))) continue;
      found.push({ kind: "phone", start: prefix.index + number.startsAt, end: prefix.index + number.endsAt });
    }
    searchedTo = end;
  }
}

/** Personal details in `text`, non-overlapping, in order. */
export function findPersonalDetails(text: string): PersonalDetail[] {
  const found: PersonalDetail[] = [];
  if (text.includes("@"))
    for (const m of text.matchAll(EMAIL)) found.push({ kind: "email", start: m.index, end: m.index + m[0].length });
  if (/\d/.test(text)) {
    for (const m of text.matchAll(NI_NUMBER))
      found.push({ kind: "ni-number", start: m.index, end: m.index + m[0].length });
    phoneSpans(text, found);
    for (const m of text.matchAll(POSTCODE))
      if (isValidPostcode(m[0])) found.push({ kind: "postcode", start: m.index, end: m.index + m[0].length });
    addressSpans(text, found);
  }
  for (const span of findNames(text)) found.push({ kind: "name", ...span });

  // Higher-priority kinds first, then longer spans; drop anything overlapping what is kept.
  found.sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind) || b.end - b.start - (a.end - a.start));
  const kept: PersonalDetail[] = [];
  for (const detail of found) {
    if (kept.some((k) => detail.start < k.end && k.start < detail.end)) {
      // An address that contains a name or postcode swallows it rather than losing to it.
      continue;
    }
    kept.push(detail);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** `text` with each personal detail replaced by its placeholder ("[phone]", "[name]"…). */
export function redactPersonalDetails(text: string): string {
  const details = findPersonalDetails(text);
  if (details.length === 0) return text;
  let out = "";
  let at = 0;
  for (const detail of details) {
    out += text.slice(at, detail.start) + PLACEHOLDERS[detail.kind];
    at = detail.end;
  }
  return out + text.slice(at);
}
