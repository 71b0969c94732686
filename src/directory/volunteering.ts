// Local groups that want help: services in the directory that welcome volunteers, marked either
// by an Open Referral taxonomy term ("Volunteering") or in the directory's placevoice.yaml
// (`volunteering:`), which can also say what the group needs and how to reach it about helping.
// A directory that marks none simply has no groups; nothing else changes.
import type { LocalisedText } from "../engine/types.js";
import type { DirectoryService, TaxonomyTerm } from "./types.js";

/** What a resident can offer: the option ids of the offers flow's `what` question (flows/offers.yaml). */
export const OFFER_KINDS = ["time", "skill", "space", "lifts", "languages", "neighbours", "other"] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

export function isOfferKind(value: string): value is OfferKind {
  return (OFFER_KINDS as readonly string[]).includes(value);
}

/** What placevoice.yaml says about one group that welcomes volunteers. */
export interface VolunteeringEntry {
  /** What it would welcome; absent means any offer. */
  readonly wants?: readonly OfferKind[];
  /** What it needs, in a line, per language ("en" always there); absent means the service's summary. */
  readonly needs?: LocalisedText;
  /** How to reach it about helping, when that is not the service's own phone, email or website. */
  readonly phone?: string;
  readonly email?: string;
  readonly url?: string;
}

/** A group that wants help, as matching sees it. */
export interface VolunteerGroup {
  readonly service: DirectoryService;
  /** undefined: any offer is welcome (marked by the taxonomy only, or placevoice.yaml gave no `wants`). */
  readonly wants: readonly OfferKind[] | undefined;
  readonly needs: LocalisedText | undefined;
  readonly phone: string | undefined;
  readonly email: string | undefined;
  readonly url: string | undefined;
  /** Where the mark came from. */
  readonly markedBy: "taxonomy" | "config";
}

// "Volunteering", "Volunteer opportunities", "Volunteers wanted"; Welsh "Gwirfoddoli".
const VOLUNTEERING_TERM = /\bvolunteer(s|ing)?\b|\bgwirfoddol/i;

/** Whether a taxonomy term says the service welcomes volunteers. */
export function isVolunteeringTerm(term: TaxonomyTerm): boolean {
  return VOLUNTEERING_TERM.test(term.name) || VOLUNTEERING_TERM.test(term.code ?? "");
}

/** The groups in a directory that want help, in the directory's order. */
export function volunteerGroups(
  services: readonly DirectoryService[],
  configured: Readonly<Record<string, VolunteeringEntry>> = {},
): VolunteerGroup[] {
  return services.flatMap((service): VolunteerGroup[] => {
    const entry = configured[service.id];
    if (!entry && !service.terms.some(isVolunteeringTerm)) return [];
    return [
      {
        service,
        wants: entry?.wants && entry.wants.length > 0 ? entry.wants : undefined,
        needs: entry?.needs,
        phone: entry?.phone ?? service.phones[0],
        email: entry?.email ?? service.email,
        url: entry?.url ?? service.url,
        markedBy: entry ? "config" : "taxonomy",
      },
    ];
  });
}
