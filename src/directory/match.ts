// Matching a resident's need to services: in memory, over every service, in well under 20 ms
// for 10,000. A service qualifies by theme (from the taxonomy) or by the resident's own words,
// must cover the resident's area, and is ranked by fit, then distance, then whether it is open
// now or soon.
import { normaliseReply } from "../engine/text.js";
import { localise } from "../engine/text.js";
import type { DirectoryLookup, GroupQuery, SignpostQuery, SignpostResult, SignpostService } from "../engine/types.js";
import { formatHours, localMoment, minutesUntilOpen } from "./hours.js";
import type { DirectorySettings } from "./settings.js";
import type { DirectoryService } from "./types.js";
import { volunteerGroups, type VolunteerGroup } from "./volunteering.js";

const STOP_WORDS = new Set(
  "a an and are as at be but by can for from get got have help i if in into is it its me more my need no not of on or our so some than that the their them then there they this to too up us very was we were what when where which who will with would you your".split(
    " ",
  ),
);

/** Light stemming so "bills" meets "bill" and "housing" meets "house" often enough. */
function stem(word: string): string {
  return word.replace(/(ies)$/, "y").replace(/(ing|ed|es|s)$/, "");
}

export function wordsOf(text: string): string[] {
  return normaliseReply(text)
    .split(" ")
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w))
    .map(stem);
}

interface Indexed {
  readonly service: DirectoryService;
  readonly themes: ReadonlySet<string>;
  readonly words: ReadonlySet<string>;
  readonly coverage: ReadonlySet<string>;
}

const EARTH_KM = 6371;
const OPEN_BONUS = 3;
function distanceKm(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.sqrt(h));
}

/** The distance from a point to the nearest of a service's located places, if any has coordinates. */
function nearestKm(service: DirectoryService, centre: readonly [number, number]): number | undefined {
  return service.locations.reduce<number | undefined>((best, l) => {
    if (l.latitude === undefined || l.longitude === undefined) return best;
    const km = distanceKm(centre, [l.latitude, l.longitude]);
    return best === undefined || km < best ? km : best;
  }, undefined);
}

/** Up to 4 points for being close: 4 on the spot, none from 10 km. */
function nearnessBonus(km: number | undefined): number {
  return km === undefined ? 0 : Math.max(0, 4 - km / 2.5);
}

/** The letters of a district: "ST6" -> "ST". */
function postcodeArea(district: string): string {
  return district.replace(/\d.*$/, "");
}

export class DirectoryIndex implements DirectoryLookup {
  private readonly indexed: Indexed[];
  private readonly byId: Map<string, DirectoryService>;
  private readonly ownDistricts: ReadonlySet<string>;
  private readonly volunteering: readonly { group: VolunteerGroup; entry: Indexed; words: ReadonlySet<string> }[];

  constructor(
    services: readonly DirectoryService[],
    readonly settings: DirectorySettings,
    private readonly timeZone = "Europe/London",
  ) {
    this.indexed = services.map((service) => ({
      service,
      themes: new Set(service.themes),
      words: new Set(wordsOf(`${service.name} ${service.summary} ${service.terms.map((t) => t.name).join(" ")}`)),
      coverage: new Set(service.coverage.map((c) => c.toUpperCase())),
    }));
    this.byId = new Map(services.map((s) => [s.id, s]));
    this.ownDistricts = new Set(settings.districts.map((d) => d.toUpperCase()));
    const entries = new Map(this.indexed.map((e) => [e.service.id, e]));
    this.volunteering = volunteerGroups(services, settings.volunteering).map((group) => ({
      group,
      entry: entries.get(group.service.id)!,
      words: new Set(
        wordsOf(`${group.service.name} ${group.service.summary} ${Object.values(group.needs ?? {}).join(" ")}`),
      ),
    }));
  }

  get size(): number {
    return this.indexed.length;
  }

  /** How many groups in the directory want help. */
  get groupCount(): number {
    return this.volunteering.length;
  }

  /**
   * Groups covering the resident's area that would welcome what they offer: a group that names
   * what it wants fits by each kind offered, one that welcomes anything fits a little for any
   * offer, and the resident's own words add to the fit; then the nearest first.
   */
  groups(query: GroupQuery): SignpostService[] {
    const district = query.area?.toUpperCase() ?? null;
    const centre = district ? this.settings.centroids[district] : undefined;
    const words = query.text ? wordsOf(query.text) : [];
    const at = localMoment(query.now, this.timeZone);
    const scored: { group: VolunteerGroup; score: number }[] = [];
    for (const { group, entry, words: groupWords } of this.volunteering) {
      if (!this.covers(entry, district)) continue;
      let fit = 0;
      if (group.wants === undefined) fit += query.kinds.length > 0 ? 1 : 0;
      else for (const kind of query.kinds) if ((group.wants as readonly string[]).includes(kind)) fit += 3;
      if (fit === 0) continue;
      fit += Math.min(3, new Set(words.filter((w) => groupWords.has(w))).size);
      scored.push({ group, score: fit * 10 + (centre ? nearnessBonus(nearestKm(group.service, centre)) : 0) });
    }
    scored.sort((a, b) => b.score - a.score || a.group.service.name.localeCompare(b.group.service.name));
    return scored.slice(0, query.limit).map(({ group }) => {
      const shown = this.present(group.service, query.language, at);
      const needs = group.needs ? localise(group.needs, query.language) : shown.summary;
      return {
        id: shown.id,
        name: shown.name,
        summary: needs,
        // No opening hours: a group's are when it serves people, not when it wants helpers.
        ...(group.phone ? { phone: group.phone } : {}),
        ...(group.url ? { url: group.url } : {}),
        ...(group.email ? { email: group.email } : {}),
        openNow: false,
      };
    });
  }

  private covers(entry: Indexed, district: string | null): boolean {
    if (entry.service.national || district === null) return true;
    if (entry.coverage.size === 0) return this.ownDistricts.size === 0 || this.ownDistricts.has(district);
    return entry.coverage.has(district) || entry.coverage.has(postcodeArea(district));
  }

  match(query: SignpostQuery): SignpostResult {
    const district = query.area?.toUpperCase() ?? null;
    const themes = new Set(query.themes);
    const words = query.text ? new Set(wordsOf(query.text)) : new Set<string>();
    const exclude = new Set(query.exclude);
    const at = localMoment(query.now, this.timeZone);
    const centre = district ? this.settings.centroids[district] : undefined;
    const scored: { entry: Indexed; score: number }[] = [];
    for (const entry of this.indexed) {
      if (exclude.has(entry.service.id)) continue;
      let fit = 0;
      for (const t of themes) if (entry.themes.has(t)) fit += 3;
      let wordHits = 0;
      for (const w of words) if (entry.words.has(w)) wordHits++;
      fit += Math.min(3, wordHits);
      if (fit === 0 || !this.covers(entry, district)) continue;
      let score = fit * 10;
      // Local before national: someone nearby before a helpline, when both fit.
      if (!entry.service.national) score += 2;
      if (centre) score += nearnessBonus(nearestKm(entry.service, centre));
      scored.push({ entry, score });
    }
    // Opening hours add at most OPEN_BONUS: only candidates that close to the cut can still
    // change places, so only they are checked (exactly the same order, far fewer schedules read).
    scored.sort((a, b) => b.score - a.score);
    const cut = scored[Math.min(query.limit, scored.length) - 1]?.score ?? 0;
    const contenders = scored.filter((s, i) => i < query.limit || s.score >= cut - OPEN_BONUS);
    for (const s of contenders) {
      const until = minutesUntilOpen(s.entry.service.hours, at);
      if (until === 0) s.score += OPEN_BONUS;
      else if (until !== undefined && until <= 12 * 60) s.score += 1;
    }
    contenders.sort((a, b) => b.score - a.score || a.entry.service.name.localeCompare(b.entry.service.name));
    const chosen = contenders.slice(0, query.limit).map((s) => this.present(s.entry.service, query.language, at));
    return {
      services: chosen,
      more: scored.length > query.limit,
      fallback: this.fallbackFor(query.themes, query.language),
    };
  }

  /** The crisis services for these urgent-need kinds, in the configured order, deduplicated. */
  crisis(kinds: readonly string[], language: string, now: Date): SignpostService[] {
    const at = localMoment(now, this.timeZone);
    const ids = [...new Set(kinds.flatMap((k) => this.settings.crisis[k] ?? []))];
    return ids.flatMap((id) => {
      const service = this.byId.get(id);
      return service ? [this.present(service, language, at)] : [];
    });
  }

  fallbackFor(themes: readonly string[], language: string): string[] {
    return this.settings.fallback
      .filter((f) => f.when === "always" || themes.includes(f.when))
      .map((f) => localise(f.text, language));
  }

  private present(service: DirectoryService, language: string, at: ReturnType<typeof localMoment>): SignpostService {
    const hours = formatHours(service.hours, language, at.date);
    const translated = this.settings.translations?.[service.id]?.[language];
    return {
      id: service.id,
      name: translated?.name ?? service.name,
      summary: translated?.summary ?? service.summary,
      ...(service.phones[0] ? { phone: service.phones[0] } : {}),
      ...(hours ? { hours } : {}),
      ...(service.url ? { url: service.url } : {}),
      openNow: minutesUntilOpen(service.hours, at) === 0,
    };
  }
}
