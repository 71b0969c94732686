// Quiet hours: proactive messages (broadcasts, reminders) are not sent between, by default,
// 21:00 and 09:00 local time; anything due then waits until the morning.
export interface QuietHours {
  readonly start: string; // "21:00"
  readonly end: string; // "09:00"
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** Minutes past local midnight and the UTC offset (minutes) at `at` in `timeZone`. */
function localClock(at: Date, timeZone: string): { minuteOfDay: number; offsetMinutes: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const localAsUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return {
    minuteOfDay: get("hour") * 60 + get("minute"),
    offsetMinutes: Math.round((localAsUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000),
  };
}

export function isQuiet(at: Date, quiet: QuietHours, timeZone: string): boolean {
  const { minuteOfDay } = localClock(at, timeZone);
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/** `at` itself when sending is allowed then, otherwise the end of the quiet period (local time). */
export function nextSendTime(at: Date, quiet: QuietHours, timeZone: string): Date {
  if (!isQuiet(at, quiet, timeZone)) return at;
  const { minuteOfDay } = localClock(at, timeZone);
  const end = minutes(quiet.end);
  const wait = (end - minuteOfDay + 24 * 60) % (24 * 60);
  const candidate = new Date(Math.floor(at.getTime() / 60_000) * 60_000 + wait * 60_000);
  // A clock change during the night can shift local time by an hour: settle on the real end.
  const drift = localClock(candidate, timeZone).minuteOfDay - end;
  return drift === 0 ? candidate : new Date(candidate.getTime() - drift * 60_000);
}
