// Opening hours: "is it open now?", "does it open soon?", and a plain rendering such as
// "Mon–Fri 9am–5pm, Sat 10am–1pm" (or in Welsh, "Llun–Gwe 9yb–5yh").
import type { Weekday, WeeklyHours } from "./types.js";

const ORDER: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const NAMES: Readonly<Record<string, readonly string[]>> = {
  en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  cy: ["Llun", "Maw", "Mer", "Iau", "Gwe", "Sad", "Sul"],
};
const WORDS = {
  allDay: { en: "Open 24 hours, every day", cy: "Ar agor 24 awr, bob dydd" },
  am: { en: "am", cy: "yb" },
  pm: { en: "pm", cy: "yh" },
  midnight: { en: "midnight", cy: "hanner nos" },
  allDayShort: { en: "all day", cy: "drwy'r dydd" },
  everyDay: { en: "Every day", cy: "Bob dydd" },
};

function word(table: Readonly<Record<string, string>>, language: string): string {
  return table[language] ?? table.en!;
}

export interface LocalMoment {
  /** 0 = Monday … 6 = Sunday */
  readonly weekday: number;
  readonly minute: number;
  /** "YYYY-MM-DD" local date */
  readonly date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localMoment(at: Date, timeZone: string): LocalMoment {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday ?? "Mon");
  return {
    weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

function applies(hours: WeeklyHours, date: string): boolean {
  return (!hours.validFrom || hours.validFrom <= date) && (!hours.validTo || hours.validTo >= date);
}

/** Minutes until it next opens (0 when open now), looking a week ahead; undefined if never. */
export function minutesUntilOpen(schedule: readonly WeeklyHours[], at: LocalMoment): number | undefined {
  let best: number | undefined;
  for (const hours of schedule) {
    if (!applies(hours, at.date)) continue;
    const opens = toMinutes(hours.opensAt);
    const closes = toMinutes(hours.closesAt);
    for (let ahead = 0; ahead < 7; ahead++) {
      const day = ORDER[(at.weekday + ahead) % 7]!;
      if (!hours.days.includes(day)) continue;
      const base = ahead * 24 * 60;
      if (ahead === 0 && at.minute >= opens && at.minute < closes) return 0;
      const until = base + opens - at.minute;
      if (until > 0 && (best === undefined || until < best)) best = until;
    }
    // Overnight opening that started yesterday (e.g. 18:00–02:00).
    if (closes < opens) {
      const yesterday = ORDER[(at.weekday + 6) % 7]!;
      if (hours.days.includes(yesterday) && at.minute < closes) return 0;
    }
  }
  return best;
}

function clock(minutes: number, language: string): string {
  if (minutes === 0 || minutes === 24 * 60) return word(WORDS.midnight, language);
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  const suffix = h < 12 ? word(WORDS.am, language) : word(WORDS.pm, language);
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${m ? `:${String(m).padStart(2, "0")}` : ""}${suffix}`;
}

/** Plain opening hours, grouping runs of days with the same times: "Mon–Fri 9am–5pm, Sat 10am–1pm". */
export function formatHours(schedule: readonly WeeklyHours[], language: string, today?: string): string | undefined {
  const current = schedule.filter((h) => !today || applies(h, today));
  if (current.length === 0) return undefined;
  const names = NAMES[language] ?? NAMES.en!;
  const everyDayAllDay = current.some(
    (h) => h.days.length === 7 && h.opensAt === "00:00" && (h.closesAt === "24:00" || h.closesAt === "23:59"),
  );
  if (everyDayAllDay) return word(WORDS.allDay, language);
  // times -> days
  const byTimes = new Map<string, Set<number>>();
  for (const h of current) {
    const key = `${h.opensAt}-${h.closesAt}`;
    const set = byTimes.get(key) ?? new Set<number>();
    for (const d of h.days) set.add(ORDER.indexOf(d));
    byTimes.set(key, set);
  }
  const parts: { first: number; text: string }[] = [];
  for (const [times, daySet] of byTimes) {
    const days = [...daySet].sort((a, b) => a - b);
    const runs: string[] = [];
    for (let i = 0; i < days.length;) {
      let j = i;
      while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
      const span =
        j - i >= 2
          ? `${names[days[i]!]}–${names[days[j]!]}`
          : j > i
            ? `${names[days[i]!]}, ${names[days[j]!]}`
            : names[days[i]!]!;
      runs.push(span);
      i = j + 1;
    }
    const [opens, closes] = times.split("-") as [string, string];
    const dayText = days.length === 7 ? word(WORDS.everyDay, language) : runs.join(", ");
    const allDayLong = toMinutes(opens) === 0 && toMinutes(closes) >= 24 * 60 - 1;
    const timeText = allDayLong
      ? word(WORDS.allDayShort, language)
      : `${clock(toMinutes(opens), language)}–${clock(toMinutes(closes), language)}`;
    parts.push({ first: days[0] ?? 0, text: `${dayText} ${timeText}` });
  }
  return parts
    .sort((a, b) => a.first - b.first)
    .map((p) => p.text)
    .join(", ");
}
