// SMS length: a message in the GSM-7 alphabet fits 160 characters (153 per part when split);
// one character outside it switches the whole message to UCS-2, 70 (67 per part). Characters
// of the GSM-7 extension table ({ } [ ] ~ \ | ^ €) take two places. Typographic characters
// that force UCS-2 but have a plain GSM-7 equivalent are replaced before sending.
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENDED = "^{}\\[~]|€\f";

/** A character class of the given characters, for building a RegExp. */
const charClass = (chars: string): string =>
  [...chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
/** Texts that are GSM-7 throughout (every character of both tables is one UTF-16 unit). */
const ALL_GSM7 = new RegExp(`^[${charClass(GSM7_BASIC + GSM7_EXTENDED)}]*$`);
const EXTENDED = new RegExp(`[${charClass(GSM7_EXTENDED)}]`, "g");

const REPLACEMENTS: Readonly<Record<string, string>> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201a": "'",
  "\u201b": "'",
  "\u2032": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u201e": '"',
  "\u2033": '"',
  "\u00ab": '"',
  "\u00bb": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2012": "-",
  "\u2010": "-",
  "\u2011": "-",
  "\u2212": "-",
  "\u2026": "...",
  "\u00a0": " ",
  "\u2007": " ",
  "\u202f": " ",
  "\u2009": " ",
  "\u200b": "",
  "\u2022": "-",
  "\u00b7": "-",
  "\u2713": "v",
  "\u2714": "v",
};

const TYPOGRAPHIC = new RegExp(`[${charClass(Object.keys(REPLACEMENTS).join(""))}]`, "g");

/** Replaces typographic characters that have a GSM-7 equivalent; leaves real letters alone. */
export function toGsmFriendly(text: string): string {
  return text.replace(TYPOGRAPHIC, (ch) => REPLACEMENTS[ch]!);
}

export interface SegmentInfo {
  readonly encoding: "GSM-7" | "UCS-2";
  /** Length in the encoding's units (GSM-7 septets, or UTF-16 code units). */
  readonly units: number;
  readonly segments: number;
}

export function segmentInfo(text: string): SegmentInfo {
  if (ALL_GSM7.test(text)) {
    const septets = text.length + (text.match(EXTENDED)?.length ?? 0);
    return {
      encoding: "GSM-7",
      units: septets,
      segments: septets === 0 ? 1 : septets <= 160 ? 1 : Math.ceil(septets / 153),
    };
  }
  const units = text.length; // UTF-16 code units: an emoji takes two
  return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
