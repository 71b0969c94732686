// What a directory says about itself (from its placevoice.yaml): its own area, the general
// contacts to give when nothing matches, and which services answer urgent needs first.
import type { LocalisedText } from "../engine/types.js";
import type { VolunteeringEntry } from "./volunteering.js";

export interface FallbackContact {
  /** "always", or a theme id such as "health_wellbeing" (given when that theme was asked for). */
  readonly when: string;
  readonly text: LocalisedText;
}

export interface DirectorySettings {
  readonly area: string;
  /** Postcode districts that make up the directory's own area (services with no stated coverage serve these). */
  readonly districts: readonly string[];
  /** The name people know each district by ("ST6" -> "Burslem"), shown beside its code on insight pages. */
  readonly areaNames?: Readonly<Record<string, string>>;
  /** Approximate centre of each district, for distances (optional). */
  readonly centroids: Readonly<Record<string, readonly [number, number]>>;
  readonly fallback: readonly FallbackContact[];
  /** Urgent-need kind -> service ids, in the order to offer them. */
  readonly crisis: Readonly<Record<string, readonly string[]>>;
  /** Service id -> language -> its name and summary in that language (the data is usually English only). */
  readonly translations?: Readonly<Record<string, Readonly<Record<string, ServiceTranslation>>>>;
  /** Service id -> what the group wants from volunteers (groups marked only by the taxonomy are not listed). */
  readonly volunteering?: Readonly<Record<string, VolunteeringEntry>>;
}

export interface ServiceTranslation {
  readonly name?: string;
  readonly summary?: string;
}

export const EMPTY_SETTINGS: DirectorySettings = {
  area: "",
  districts: [],
  areaNames: {},
  centroids: {},
  fallback: [],
  crisis: {},
  translations: {},
  volunteering: {},
};

/** A district as people know it: "ST6 Burslem", or the code alone when it has no name. */
export function areaLabel(code: string, names: Readonly<Record<string, string>> | undefined): string {
  const name = names?.[code];
  return name ? `${code} ${name}` : code;
}
