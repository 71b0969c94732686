// From a source-neutral draft of one service (what the tabular and JSON readers both produce)
// to the normalised DirectoryService. Field problems are reported where the field was read.
import { themesFor } from "../theme-map.js";
import type { DirectoryService, ImportProblem, ServiceLocation, TaxonomyTerm, Weekday, WeeklyHours } from "../types.js";
import {
  ALL_DAYS,
  cleanEmail,
  cleanPhone,
  cleanUrl,
  collapse,
  coverageFrom,
  parseByday,
  parseClock,
  parseDate,
  summarise,
  weekdayOf,
} from "./text.js";

/** Where a value was read: a file's basename and the 1-based line. */
export interface Where {
  readonly file: string;
  readonly line: number;
}

export interface DraftPhone {
  readonly where: Where;
  readonly number: string;
  readonly type?: string;
}

export interface DraftSchedule {
  readonly where: Where;
  /** Shared schedules (by location) reach several services; the id keeps them from being read twice. */
  readonly key: string;
  readonly byday: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly freq: string;
  readonly interval: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly until: string;
  readonly dtstart: string;
  readonly description: string;
}

export interface DraftArea {
  readonly texts: readonly string[];
}

export interface DraftService {
  readonly where: Where;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly url: string;
  readonly email: string;
  readonly organisation?: string;
  readonly phones: readonly DraftPhone[];
  readonly schedules: readonly DraftSchedule[];
  readonly areas: readonly DraftArea[];
  /** Already checked by the reader (coordinates and postcodes are reported once per location). */
  readonly locations: readonly ServiceLocation[];
  readonly terms: readonly TaxonomyTerm[];
}

export class ProblemLog {
  private readonly seen = new Set<string>();
  readonly list: ImportProblem[] = [];

  add(where: Where, message: string): void {
    const key = `${where.file}\u0000${where.line}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ file: where.file, line: where.line, message });
  }

  sorted(): ImportProblem[] {
    return [...this.list].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  }
}

export function buildService(draft: DraftService, problems: ProblemLog, today: string): DirectoryService {
  const phones: string[] = [];
  for (const phone of draft.phones) {
    if (phone.type && /^(fax|pager)$/i.test(phone.type.trim())) continue; // not a way for a resident to get help
    const checked = cleanPhone(phone.number);
    if (checked.ok) {
      if (!phones.includes(checked.value)) phones.push(checked.value);
    } else {
      problems.add(phone.where, `phone number ${checked.why}; not used`);
    }
  }

  let url: string | undefined;
  if (draft.url.trim() !== "") {
    const checked = cleanUrl(draft.url);
    if (checked.ok) url = checked.value;
    else problems.add(draft.where, `url ${checked.why}; not used`);
  }
  let email: string | undefined;
  if (draft.email.trim() !== "") {
    const checked = cleanEmail(draft.email);
    if (checked.ok) email = checked.value;
    else problems.add(draft.where, `email ${checked.why}; not used`);
  }

  const hours: WeeklyHours[] = [];
  const schedulesSeen = new Set<string>();
  for (const schedule of draft.schedules) {
    if (schedulesSeen.has(schedule.key)) continue;
    schedulesSeen.add(schedule.key);
    const built = buildHours(schedule, problems, today);
    if (built && !hours.some((h) => sameHours(h, built))) hours.push(built);
  }

  const { coverage, national } = coverageFrom(draft.areas.flatMap((a) => a.texts));
  const name = collapse(draft.name);
  const description = collapse(draft.description);
  return {
    id: draft.id,
    name,
    summary: summarise(description),
    ...(draft.organisation ? { organisation: collapse(draft.organisation) } : {}),
    ...(url ? { url } : {}),
    ...(email ? { email } : {}),
    phones,
    terms: draft.terms,
    themes: themesFor(draft.terms, `${name}. ${description}`),
    coverage,
    national,
    locations: draft.locations,
    hours,
    crisis: [],
  };
}

function sameHours(a: WeeklyHours, b: WeeklyHours): boolean {
  return (
    a.days.join() === b.days.join() &&
    a.opensAt === b.opensAt &&
    a.closesAt === b.closesAt &&
    a.validFrom === b.validFrom &&
    a.validTo === b.validTo
  );
}

/**
 * One schedule row to weekly hours, or undefined when it is dropped (ended, or its days or
 * times cannot be used). A dropped schedule's description is not kept as a days-less "note
 * only" entry: hours renderers expect every entry to have days and times.
 */
function buildHours(s: DraftSchedule, problems: ProblemLog, today: string): WeeklyHours | undefined {
  const note = collapse(s.description);
  const at = (message: string) => problems.add(s.where, message);

  let validFrom: string | undefined;
  let validTo: string | undefined;
  if (s.validFrom.trim() !== "") {
    const d = parseDate(s.validFrom);
    if (d.ok) validFrom = d.value;
    else at(`valid_from ${d.why}; ignored`);
  }
  if (s.validTo.trim() !== "") {
    const d = parseDate(s.validTo);
    if (d.ok) validTo = d.value;
    else at(`valid_to ${d.why}; ignored`);
  }
  if (validTo && validTo < today) {
    at(`schedule ended on ${validTo} (valid_to is in the past); not used`);
    return undefined;
  }
  if (s.until.trim() !== "") {
    const d = parseDate(s.until);
    if (d.ok && d.value < today) {
      at(`schedule ended on ${d.value} (until is in the past); not used`);
      return undefined;
    }
  }
  const dates = { ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}) };
  const unusable = (why: string): undefined => {
    at(`${why}; schedule not used`);
    return undefined;
  };

  const opensChecked = s.opensAt.trim() === "" ? undefined : parseClock(s.opensAt, false);
  const closesChecked = s.closesAt.trim() === "" ? undefined : parseClock(s.closesAt, true);
  const badTimes = [
    opensChecked?.ok === false ? `opens_at ${opensChecked.why}` : "",
    closesChecked?.ok === false ? `closes_at ${closesChecked.why}` : "",
  ].filter(Boolean);
  if (badTimes.length > 0) return unusable(badTimes.join(" and "));
  const opens = opensChecked?.ok ? opensChecked.value : undefined;
  const closes = closesChecked?.ok ? closesChecked.value : undefined;
  if (opens === undefined || closes === undefined) {
    return unusable(
      opens !== undefined
        ? "closes_at is missing"
        : closes !== undefined
          ? "opens_at is missing"
          : "opens_at and closes_at are missing",
    );
  }

  const freq = s.freq.trim().toUpperCase();
  if (freq !== "" && freq !== "WEEKLY" && freq !== "DAILY") return unusable(`freq "${s.freq.trim()}" is not weekly`);
  const interval = s.interval.trim();
  if (interval !== "" && interval !== "1") {
    if (!/^\d+$/.test(interval)) at(`interval "${interval}" is not a whole number; ignored`);
    else
      return unusable(
        `interval ${interval} (every ${interval} ${freq === "DAILY" ? "days" : "weeks"}) cannot be shown as weekly hours`,
      );
  }

  let days: Weekday[];
  if (freq === "DAILY" && s.byday.trim() === "") {
    days = [...ALL_DAYS];
  } else if (s.byday.trim() === "") {
    const start = s.dtstart.trim() === "" ? undefined : parseDate(s.dtstart);
    if (!start?.ok) return unusable("byday is empty and there is no dtstart to take the day from");
    days = [weekdayOf(start.value)];
  } else {
    const parsed = parseByday(s.byday);
    if (parsed.invalid.length > 0) {
      const listed = parsed.invalid.map((d) => `"${d}"`).join(", ");
      if (parsed.days.length === 0)
        return unusable(`byday ${listed} ${parsed.invalid.length === 1 ? "is not a day" : "are not days"} (MO..SU)`);
      at(`byday ${listed} ${parsed.invalid.length === 1 ? "is not a day" : "are not days"} (MO..SU); ignored`);
    }
    days = parsed.days;
  }

  return { days, opensAt: opens, closesAt: closes, ...dates, ...(note ? { note } : {}) };
}
