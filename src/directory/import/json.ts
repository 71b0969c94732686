// HSDS `/services` JSON: one service with everything nested (GET /services/{id}), or a page of
// them ({ contents: [...], total_items, ... }), or a bare array. Open Referral UK's JSON
// names (regular_schedules, service_taxonomys, physical_addresses) are read too.
// Lines are best effort: the line of the entity's "id" in the file, else its service's.
import { escapeRegExp } from "../../engine/text.js";
import type { ServiceLocation, TaxonomyTerm } from "../types.js";
import type { DraftArea, DraftPhone, DraftSchedule, DraftService, ProblemLog, Where } from "./build.js";
import { cleanPostcode, isPlaceholder, parseCoordinates } from "./text.js";

type Json = Record<string, unknown>;

export class NotServicesJsonError extends Error {}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "";
}

class LineFinder {
  private readonly starts: number[] = [0];

  constructor(private readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset of `"key": value` at or after `from`. */
  find(key: string, value: unknown, from: number): number | undefined {
    const literal =
      typeof value === "string" ? JSON.stringify(value) : typeof value === "number" ? String(value) : undefined;
    if (literal === undefined) return undefined;
    const pattern = new RegExp(
      `"${key}"\\s*:\\s*${escapeRegExp(literal)}${typeof value === "number" ? "(?![\\d.])" : ""}`,
      "g",
    );
    pattern.lastIndex = from;
    return pattern.exec(this.source)?.index;
  }
}

export function readServicesJson(source: string, file: string, problems: ProblemLog): DraftService[] {
  let root: unknown;
  try {
    root = JSON.parse(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  } catch (error) {
    throw new NotServicesJsonError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const lines = new LineFinder(source);
  const at = (where: Where, message: string) => problems.add(where, message);

  let services: Json[];
  if (Array.isArray(root)) {
    services = list(root);
  } else if (isObject(root) && Array.isArray(root["contents"])) {
    services = list(root["contents"]);
    const total = root["total_items"];
    if (typeof total === "number" && total > services.length) {
      const page = text(root["page_number"]);
      const pages = text(root["total_pages"]);
      const offset = lines.find("total_items", total, 0);
      at(
        { file, line: offset === undefined ? 1 : lines.lineAt(offset) },
        `this file is ${page && pages ? `page ${page} of ${pages}, ` : ""}${services.length} of ${servicesCount(total)}; only these were imported (fetch the other pages to import the rest)`,
      );
    }
  } else if (isObject(root) && "id" in root && "name" in root) {
    services = [root];
  } else {
    throw new NotServicesJsonError(
      `${file} is neither an HSDS service, a page of services ({ "contents": [...] }) nor a list of services`,
    );
  }

  const drafts: DraftService[] = [];
  const firstLine = new Map<string, number>();
  let cursor = 0;
  services.forEach((service, position) => {
    const id = text(service["id"]);
    const found = id ? lines.find("id", service["id"], cursor) : undefined;
    if (found !== undefined) cursor = found + 1;
    const serviceWhere: Where = { file, line: found === undefined ? 1 : lines.lineAt(found) };
    const base = found ?? 0;
    /** Where a nested entity is: the line of its id after the service's start, else the service's line. */
    const whereOf = (entity: Json): Where => {
      const offset = entity["id"] === undefined ? undefined : lines.find("id", entity["id"], base);
      return offset === undefined ? serviceWhere : { file, line: lines.lineAt(offset) };
    };
    /** Reads string fields, blanking (and reporting once) the HSDS example's placeholder values. */
    const fields = <K extends string>(entity: Json, keys: readonly K[], where: Where): Record<K, string> => {
      const out = {} as Record<K, string>;
      const placeholders: string[] = [];
      for (const key of keys) {
        const value = text(entity[key]);
        if (isPlaceholder(key, value)) placeholders.push(`${key} ("${value}")`);
        out[key] = isPlaceholder(key, value) ? "" : value;
      }
      if (placeholders.length > 0) at(where, `placeholder text in ${placeholders.join(", ")}; ignored`);
      return out;
    };

    if (!id) {
      at(serviceWhere, `service ${position + 1} in the file has no id; skipped`);
      return;
    }
    const first = firstLine.get(id);
    if (first !== undefined) {
      at(serviceWhere, `duplicate service id "${id}" (first on line ${first}); skipped`);
      return;
    }
    firstLine.set(id, serviceWhere.line);
    const s = fields(service, ["name", "description", "url", "email", "status"], serviceWhere);
    if (!s.name) {
      at(serviceWhere, `service "${id}" has no name; skipped`);
      return;
    }
    const status = s.status.toLowerCase();
    if (status === "inactive" || status === "defunct" || status === "temporarily closed") {
      at(serviceWhere, `service "${id}" has status "${s.status}"; skipped`);
      return;
    }
    if (status !== "" && status !== "active")
      at(
        serviceWhere,
        `status "${s.status}" is not one of active, inactive, defunct, temporarily closed; imported as active`,
      );

    const serviceAtLocations = list(service["service_at_locations"]);
    const locationsJson = serviceAtLocations
      .map((sal) => sal["location"])
      .filter(isObject)
      .filter(
        (location, i, all) =>
          location["id"] === undefined || all.findIndex((other) => other["id"] === location["id"]) === i,
      );

    // Phones of the service, of its contacts, and of it at each location (not the organisation's or the building's).
    const phones: DraftPhone[] = [];
    const phoneSources = [
      service,
      ...list(service["contacts"]),
      ...serviceAtLocations,
      ...serviceAtLocations.flatMap((sal) => list(sal["contacts"])),
    ];
    for (const phone of phoneSources.flatMap((owner) => list(owner["phones"]))) {
      const where = whereOf(phone);
      const p = fields(phone, ["number", "type"], where);
      phones.push({ where, number: p.number, ...(p.type ? { type: p.type } : {}) });
    }

    const schedules: DraftSchedule[] = [];
    const scheduleSources = [service, ...serviceAtLocations, ...locationsJson];
    const scheduleKeys = [
      "byday",
      "opens_at",
      "closes_at",
      "freq",
      "interval",
      "valid_from",
      "valid_to",
      "until",
      "dtstart",
      "description",
    ] as const;
    scheduleSources
      .flatMap((owner) => [...list(owner["schedules"]), ...list(owner["regular_schedules"])])
      .forEach((schedule, index) => {
        const where = whereOf(schedule);
        const f = fields(schedule, scheduleKeys, where);
        schedules.push({
          where,
          key: text(schedule["id"]) || `#${index}`,
          byday: f.byday,
          opensAt: f.opens_at,
          closesAt: f.closes_at,
          freq: f.freq,
          interval: f.interval,
          validFrom: f.valid_from,
          validTo: f.valid_to,
          until: f.until,
          dtstart: f.dtstart,
          description: f.description,
        });
      });

    const areas: DraftArea[] = list(service["service_areas"]).map((area) => {
      const f = fields(area, ["name", "service_area", "description", "extent"], whereOf(area));
      return { texts: [f.name, f.service_area, f.description, /^[[{]/.test(f.extent) ? "" : f.extent].filter(Boolean) };
    });

    const locations: ServiceLocation[] = [];
    for (const location of locationsJson) {
      const where = whereOf(location);
      const l = fields(location, ["name"], where);
      const coordinates = parseCoordinates(text(location["latitude"]), text(location["longitude"]));
      if (!coordinates.ok) at(where, `${coordinates.why}; coordinates not used`);
      let postcode: string | undefined;
      const addresses = [...list(location["addresses"]), ...list(location["physical_addresses"])];
      const ordered = [
        ...addresses.filter((a) => !a["address_type"] || a["address_type"] === "physical"),
        ...addresses.filter((a) => a["address_type"] && a["address_type"] !== "physical"),
      ];
      for (const address of ordered) {
        const raw = text(address["postal_code"]);
        if (!raw) continue;
        const checked = cleanPostcode(raw);
        if (checked.ok) {
          postcode ??= checked.value;
        } else {
          at(whereOf(address), `postal_code ${checked.why}; not used`);
        }
      }
      const position = coordinates.ok ? coordinates.value : undefined;
      locations.push({ ...(l.name ? { name: l.name } : {}), ...(position ?? {}), ...(postcode ? { postcode } : {}) });
    }

    const terms: TaxonomyTerm[] = [];
    const addTerm = (term: TaxonomyTerm) => {
      if (!terms.some((t) => t.name === term.name && t.vocabulary === term.vocabulary)) terms.push(term);
    };
    for (const attribute of list(service["attributes"])) {
      const term = attribute["taxonomy_term"];
      if (!isObject(term)) continue;
      const where = whereOf(term);
      const t = fields(term, ["name", "code", "taxonomy"], where);
      const detail = isObject(term["taxonomy_detail"])
        ? fields(term["taxonomy_detail"], ["name"], whereOf(term["taxonomy_detail"])).name
        : "";
      if (!t.name) {
        at(where, "taxonomy term has no usable name; not used");
        continue;
      }
      const vocabulary = detail || t.taxonomy;
      addTerm({ ...(vocabulary ? { vocabulary } : {}), ...(t.code ? { code: t.code } : {}), name: t.name });
    }
    for (const link of list(service["service_taxonomys"])) {
      const term = link["taxonomy"];
      if (!isObject(term)) continue;
      const where = whereOf(term);
      const t = fields(term, ["id", "name", "vocabulary"], where);
      if (!t.name) {
        at(where, "taxonomy term has no usable name; not used");
        continue;
      }
      addTerm({ ...(t.vocabulary ? { vocabulary: t.vocabulary } : {}), ...(t.id ? { code: t.id } : {}), name: t.name });
    }

    const organisation = isObject(service["organization"])
      ? fields(service["organization"], ["name"], whereOf(service["organization"])).name
      : "";
    drafts.push({
      where: serviceWhere,
      id,
      name: s.name,
      description: s.description,
      url: s.url,
      email: s.email,
      ...(organisation ? { organisation } : {}),
      phones,
      schedules,
      areas,
      locations,
      terms,
    });
  });
  return drafts;
}

function servicesCount(total: number): string {
  return `${total} service${total === 1 ? "" : "s"}`;
}
