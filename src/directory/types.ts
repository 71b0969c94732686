// A services directory, normalised from Open Referral (HSDS 3 / Open Referral UK) data. The
// importer produces these; the store keeps them; matching reads them.
import type { ThemeId } from "./themes.js";

export type Weekday = "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU";

/** Weekly opening hours, iCal style: these days, from opensAt to closesAt (local time). */
export interface WeeklyHours {
  readonly days: readonly Weekday[];
  /** "09:00" */
  readonly opensAt: string;
  /** "17:00"; "24:00" for midnight. */
  readonly closesAt: string;
  /** ISO dates; the schedule applies only within them. */
  readonly validFrom?: string;
  readonly validTo?: string;
  /** Free-text description from the source, shown when there are no usable hours. */
  readonly note?: string;
}

export interface TaxonomyTerm {
  /** e.g. "esdNeeds", "esdServiceTypes" (LGA), "openEligibility"… */
  readonly vocabulary?: string;
  readonly code?: string;
  readonly name: string;
}

export interface ServiceLocation {
  readonly name?: string;
  readonly latitude?: number;
  readonly longitude?: number;
  /** Full postcode of the location, as published (a public address, not a resident's). */
  readonly postcode?: string;
}

export interface DirectoryService {
  /** The source's id (stable across imports: re-importing updates, never duplicates). */
  readonly id: string;
  readonly name: string;
  /** One plain line, at most 140 characters, for SMS and chat. */
  readonly summary: string;
  readonly organisation?: string;
  readonly url?: string;
  readonly email?: string;
  readonly phones: readonly string[];
  readonly terms: readonly TaxonomyTerm[];
  /** Themes this service helps with (from the taxonomy, else from its words). */
  readonly themes: readonly ThemeId[];
  /**
   * Postcode districts or areas it covers ("ST6", "ST"); empty means the source did not say,
   * which is treated as "the directory's own area".
   */
  readonly coverage: readonly string[];
  /** True when it serves everyone everywhere (national helplines). */
  readonly national: boolean;
  readonly locations: readonly ServiceLocation[];
  readonly hours: readonly WeeklyHours[];
  /** Kinds of urgent need this service is a first response for (from the directory's configuration). */
  readonly crisis: readonly string[];
}

export interface ImportProblem {
  readonly file: string;
  /** 1-based line in the file (CSV: the physical line where the row starts; JSON: best effort). */
  readonly line: number;
  readonly message: string;
}

export interface ImportResult {
  readonly services: readonly DirectoryService[];
  /** Rows skipped (with why) and fields that could not be used (the row was kept). */
  readonly problems: readonly ImportProblem[];
  /** What the source was: "hsds3-tabular", "oruk-tabular", "hsds-json". */
  readonly format: string;
}
