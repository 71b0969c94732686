// Field-level cleaning shared by the tabular and JSON readers. Pure. Each function either
// returns a usable value or says (in plain words, for an import report) why not.
import { isValid as isValidPostcode, toNormalised } from "postcode";
import type { Weekday } from "../types.js";

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

const WEEKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

export function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The HSDS examples fill columns with their own name ("wait_time" in wait_time, "extent" in
 * extent, "name" in a taxonomy term's name). Such a value says nothing.
 */
export function isPlaceholder(column: string, value: string): boolean {
  const v = value.trim();
  if (v.length !== column.length) return false;
  return v.toLowerCase().replace(/[\s-]/g, "_") === column.toLowerCase();
}

// --- summary -------------------------------------------------------------------------------

export const SUMMARY_MAX = 140;

// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS = /(?:^|\s)(?:e\.g|i\.e|etc|St|Dr|Mr|Mrs|Ms|No|approx|incl|Rd|Ave|Sq|Tel|vs)\.$/i;

/** First sentence of a description, on one line, at most 140 characters (cut at a word, with "…"). */
export function summarise(description: string): string {
  const text = collapse(description);
  if (text === "") return "";
  let sentence = text;
  const boundary = /[.!?](?=\s+["'‘“(]?[A-Z0-9])/g;
  for (let m = boundary.exec(text); m; m = boundary.exec(text)) {
    const upTo = text.slice(0, m.index + 1);
    if (ABBREVIATIONS.test(upTo)) continue;
    sentence = upTo;
    break;
  }
  if (sentence.length <= SUMMARY_MAX) return sentence;
  const room = sentence.slice(0, SUMMARY_MAX - 1);
  const lastSpace = room.lastIndexOf(" ");
  const cut = lastSpace > SUMMARY_MAX / 2 ? room.slice(0, lastSpace) : room;
  return `${cut.replace(/[\s,;:.–—-]+$/, "")}…`;
}

// --- phones, urls, emails --------------------------------------------------------------------

/** A phone number as published, without the stray quotes and spreadsheet apostrophes some exports add. */
export function cleanPhone(raw: string): Checked<string> {
  const cleaned = collapse(raw.replace(/["“”„]/g, "").replace(/^'+/, ""));
  if (cleaned === "") return { ok: false, why: "is empty" };
  const digits = cleaned.replace(/\D/g, "");
  if (digits.length < 3 || !/^[+(\d][\d\s().\-/]*(?:\s*(?:ext\.?|x|extension)\s*\d+)?$/i.test(cleaned)) {
    return { ok: false, why: `"${raw}" is not a phone number` };
  }
  return { ok: true, value: cleaned };
}

export function cleanUrl(raw: string): Checked<string> {
  const text = raw.trim();
  const candidate = /^www\./i.test(text) ? `https://${text}` : text;
  try {
    const url = new URL(candidate);
    if (url.protocol === "http:" || url.protocol === "https:") return { ok: true, value: candidate };
  } catch {
    // reported below
  }
  return { ok: false, why: `"${raw}" is not a web address` };
}

export function cleanEmail(raw: string): Checked<string> {
  const text = raw.trim().replace(/^mailto:/i, "");
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)
    ? { ok: true, value: text }
    : { ok: false, why: `"${raw}" is not an email address` };
}

// --- coordinates and postcodes ---------------------------------------------------------------

export function parseCoordinates(
  latRaw: string,
  lonRaw: string,
): Checked<{ latitude: number; longitude: number } | undefined> {
  const lat = latRaw.trim();
  const lon = lonRaw.trim();
  if (lat === "" && lon === "") return { ok: true, value: undefined };
  if (lat === "" || lon === "")
    return { ok: false, why: `only one of latitude "${lat}" and longitude "${lon}" is given` };
  const latitude = Number(lat);
  const longitude = Number(lon);
  const latOk = Number.isFinite(latitude) && latitude >= -90 && latitude <= 90;
  const lonOk = Number.isFinite(longitude) && longitude >= -180 && longitude <= 180;
  if (latOk && lonOk) return { ok: true, value: { latitude, longitude } };
  const bad = [
    latOk ? "" : `latitude ${lat} is not between -90 and 90`,
    lonOk ? "" : `longitude ${lon} is not between -180 and 180`,
  ].filter(Boolean);
  return { ok: false, why: bad.join(" and ") };
}

export function cleanPostcode(raw: string): Checked<string> {
  const text = collapse(raw).toUpperCase();
  if (isValidPostcode(text)) return { ok: true, value: toNormalised(text) ?? text };
  return { ok: false, why: `"${raw}" is not a UK postcode` };
}

// --- dates and times -------------------------------------------------------------------------

/** "2025-04-01" or an ISO date-time; returns the date part. */
export function parseDate(raw: string): Checked<string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw.trim());
  if (m) {
    const [, y, mo, d] = m;
    const date = new Date(`${y}-${mo}-${d}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === `${y}-${mo}-${d}`)
      return { ok: true, value: `${y}-${mo}-${d}` };
  }
  return { ok: false, why: `"${raw}" is not a date (YYYY-MM-DD)` };
}

/**
 * A clock time as "HH:MM". Accepts "9:00", "09:00:00", "09:00:00Z", "1970-01-01T09:00:00";
 * "24:00" only when `closing`. A closing time of "00:00" means midnight and becomes "24:00".
 */
export function parseClock(raw: string, closing: boolean): Checked<string> {
  const text = raw.trim().replace(/^\d{4}-\d{2}-\d{2}T/, "");
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (m) {
    const hours = Number(m[1]);
    const minutes = Number(m[2]);
    const seconds = Number(m[3] ?? "0");
    const midnight = hours === 24 && minutes === 0 && seconds === 0;
    if ((hours < 24 || (closing && midnight)) && minutes < 60 && seconds < 60) {
      const hhmm = `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
      return { ok: true, value: closing && hhmm === "00:00" ? "24:00" : hhmm };
    }
  }
  return { ok: false, why: `"${raw}" is not a time (HH:MM)` };
}

/** "MO,TU" (also "mo; tu", "MO TU"). Returns the valid days in week order and the values that are not days. */
export function parseByday(raw: string): { days: Weekday[]; invalid: string[] } {
  const parts = raw
    .split(/[\s,;]+/)
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
  const found = new Set<Weekday>();
  const invalid: string[] = [];
  for (const part of parts) {
    if ((WEEKDAYS as readonly string[]).includes(part)) found.add(part as Weekday);
    else invalid.push(part);
  }
  return { days: WEEKDAYS.filter((d) => found.has(d)), invalid };
}

export function weekdayOf(isoDate: string): Weekday {
  const index = new Date(`${isoDate}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return WEEKDAYS[(index + 6) % 7]!;
}

export const ALL_DAYS: readonly Weekday[] = WEEKDAYS;

// --- coverage --------------------------------------------------------------------------------

// The UK postcode areas (the letters of an outcode). Checking the area keeps road numbers
// such as A500 or A50 out of the coverage.
const POSTCODE_AREAS = new Set(
  (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY " +
    "HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR " +
    "RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
  ).split(" "),
);

// Outcodes (ST6, ST10, SW1A), optionally followed by an inward code (ST4 1HH) which is dropped.
const OUTCODE = /\b([A-Z]{1,2})(\d[A-Z\d]?)(?:\s*\d[A-Z]{2})?\b/g;
// Whole areas, written as "all ST postcodes", "ST postcode area", "the ST area".
const AREA = /\b([A-Z]{1,2})\s+(?:postcodes?|postcode\s+area|area)\b/g;
const NATIONAL =
  /\b(?:national(?:ly)?|nationwide|uk[\s-]*wide|across the uk|whole of the uk|united kingdom|great britain|england)\b/i;

/** Postcode districts and areas named in service-area text, and whether the text says national. */
export function coverageFrom(texts: readonly string[]): { coverage: string[]; national: boolean } {
  const found: string[] = [];
  let national = false;
  for (const text of texts) {
    if (NATIONAL.test(text)) national = true;
    for (const m of text.matchAll(OUTCODE)) {
      const area = m[1]!;
      if (POSTCODE_AREAS.has(area)) found.push(`${area}${m[2]!}`);
    }
    for (const m of text.matchAll(AREA)) {
      if (POSTCODE_AREAS.has(m[1]!)) found.push(m[1]!);
    }
  }
  return { coverage: [...new Set(found)], national };
}
