// Tabular data packages: HSDS 3 (plural file names, taxonomy through attributes.csv) and
// Open Referral UK (singular names, taxonomy through service_taxonomy.csv).
import type { ServiceLocation, TaxonomyTerm } from "../types.js";
import type { DraftArea, DraftPhone, DraftSchedule, DraftService, ProblemLog, Where } from "./build.js";
import { PackageReader, type Row, type Table, type TableSpec } from "./tables.js";
import { cleanPostcode, parseCoordinates } from "./text.js";

export type TabularFormat = "hsds3-tabular" | "oruk-tabular";

interface Names {
  readonly services: string;
  readonly organizations: string;
  readonly locations: string;
  readonly serviceAtLocation: string;
  readonly contacts: string;
  readonly phones: string;
  readonly schedules: string;
  readonly serviceAreas: string;
  readonly addresses: string;
}

const FILE_NAMES: Readonly<Record<TabularFormat, Names>> = {
  "hsds3-tabular": {
    services: "services.csv",
    organizations: "organizations.csv",
    locations: "locations.csv",
    serviceAtLocation: "service_at_location.csv",
    contacts: "contacts.csv",
    phones: "phones.csv",
    schedules: "schedules.csv",
    serviceAreas: "service_areas.csv",
    addresses: "addresses.csv",
  },
  "oruk-tabular": {
    services: "service.csv",
    organizations: "organization.csv",
    locations: "location.csv",
    serviceAtLocation: "service_at_location.csv",
    contacts: "contact.csv",
    phones: "phone.csv",
    schedules: "regular_schedule.csv",
    serviceAreas: "service_area.csv",
    addresses: "physical_address.csv",
  },
};

const SCHEDULE_FIELDS = [
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
];

/** Which tabular naming a folder uses, or undefined when it has neither services file. */
export function detectTabular(reader: PackageReader): TabularFormat | undefined {
  if (reader.has("services.csv")) return "hsds3-tabular";
  if (reader.has("service.csv")) return "oruk-tabular";
  return undefined;
}

interface MutableDraft {
  where: Where;
  id: string;
  name: string;
  description: string;
  url: string;
  email: string;
  organisation?: string;
  phones: DraftPhone[];
  schedules: DraftSchedule[];
  areas: DraftArea[];
  locationIds: string[];
  terms: TaxonomyTerm[];
}

interface LocationRecord {
  readonly where: Where;
  readonly name: string;
  readonly latitude?: number;
  readonly longitude?: number;
  postcode?: string;
  postcodeIsPhysical?: boolean;
}

export function readTabular(format: TabularFormat, reader: PackageReader, problems: ProblemLog): DraftService[] {
  const names = FILE_NAMES[format];
  const at = (where: Where, message: string) => problems.add(where, message);
  const spec = (file: string, rest: Omit<TableSpec, "file">): TableSpec => ({ file, ...rest });

  /** Rows with an id, first of each id kept; rows without one or repeating one are reported and skipped. */
  function entities(table: Table | undefined, what: string): Row[] {
    if (!table) return [];
    const firstLine = new Map<string, number>();
    const kept: Row[] = [];
    for (const row of table.rows) {
      const id = row.get("id");
      if (id === "") {
        at(row, `${what} has no id; row skipped`);
        continue;
      }
      const first = firstLine.get(id);
      if (first !== undefined) {
        at(row, `duplicate ${what} id "${id}" (first on line ${first}); row skipped`);
        continue;
      }
      firstLine.set(id, row.line);
      kept.push(row);
    }
    return kept;
  }

  // --- organisations ---
  const organisations = new Map<string, string>();
  const orgTable = reader.read(spec(names.organizations, { required: ["id", "name"], placeholders: ["name"] }));
  for (const row of entities(orgTable, "organisation")) {
    if (row.get("name") === "") at(row, "organisation has no name");
    else organisations.set(row.get("id"), row.get("name"));
  }

  // --- services ---
  const servicesTable = reader.read(
    spec(names.services, { required: ["id", "name"], placeholders: ["name", "description", "url", "email", "status"] }),
  );
  const servicesFile = servicesTable?.file ?? names.services;
  const drafts = new Map<string, MutableDraft>();
  const skippedServices = new Set<string>();
  for (const row of entities(servicesTable, "service")) {
    const id = row.get("id");
    if (row.get("name") === "") {
      at(row, `service "${id}" has no name; row skipped`);
      skippedServices.add(id);
      continue;
    }
    const status = row.get("status").toLowerCase();
    if (status === "inactive" || status === "defunct" || status === "temporarily closed") {
      at(row, `service "${id}" has status "${row.get("status")}"; row skipped`);
      skippedServices.add(id);
      continue;
    }
    if (status !== "" && status !== "active")
      at(
        row,
        `status "${row.get("status")}" is not one of active, inactive, defunct, temporarily closed; imported as active`,
      );
    const orgId = row.get("organization_id");
    const organisation = orgId ? organisations.get(orgId) : undefined;
    if (orgId && organisation === undefined && orgTable)
      at(row, `organization_id "${orgId}" is not an organisation in ${orgTable.file}; no organisation shown`);
    drafts.set(id, {
      where: { file: row.file, line: row.line },
      id,
      name: row.get("name"),
      description: row.get("description"),
      url: row.get("url"),
      email: row.get("email"),
      ...(organisation ? { organisation } : {}),
      phones: [],
      schedules: [],
      areas: [],
      locationIds: [],
      terms: [],
    });
  }

  /** The service a child row belongs to, by its service_id; reports an unknown one. Undefined: skip the row. */
  function serviceOf(row: Row, column = "service_id"): MutableDraft | undefined {
    const id = row.get(column);
    if (id === "") {
      at(row, `no ${column}; row skipped`);
      return undefined;
    }
    const draft = drafts.get(id);
    if (!draft && !skippedServices.has(id))
      at(row, `${column} "${id}" is not a service in ${servicesFile}; row skipped`);
    return draft;
  }

  // --- locations and their postcodes ---
  const locations = new Map<string, LocationRecord>();
  for (const row of entities(
    reader.read(spec(names.locations, { required: ["id"], placeholders: ["name", "latitude", "longitude"] })),
    "location",
  )) {
    const coordinates = parseCoordinates(row.get("latitude"), row.get("longitude"));
    if (!coordinates.ok) at(row, `${coordinates.why}; coordinates not used`);
    const position = coordinates.ok ? coordinates.value : undefined;
    locations.set(row.get("id"), {
      where: { file: row.file, line: row.line },
      name: row.get("name"),
      ...(position ?? {}),
    });
  }
  const addressTable = reader.read(
    spec(names.addresses, { required: ["location_id", "postal_code"], placeholders: ["postal_code"] }),
  );
  for (const row of addressTable?.rows ?? []) {
    const location = locations.get(row.get("location_id"));
    if (!location) {
      at(row, `location_id "${row.get("location_id")}" is not a location; row skipped`);
      continue;
    }
    if (row.get("postal_code") === "") continue;
    const postcode = cleanPostcode(row.get("postal_code"));
    if (!postcode.ok) {
      at(row, `postal_code ${postcode.why}; not used`);
      continue;
    }
    // A location's physical address is where people go; a postal address is second best.
    const physical = row.get("address_type") === "" || row.get("address_type").toLowerCase() === "physical";
    if (location.postcode === undefined || (physical && !location.postcodeIsPhysical)) {
      location.postcode = postcode.value;
      location.postcodeIsPhysical = physical;
    }
  }

  // --- services at locations ---
  const serviceAtLocation = new Map<string, { service: MutableDraft; locationId: string }>();
  const servicesAtLocation = new Map<string, MutableDraft[]>();
  const salTable = reader.read(spec(names.serviceAtLocation, { required: ["service_id", "location_id"] }));
  for (const row of salTable?.rows ?? []) {
    const service = serviceOf(row);
    if (!service) continue;
    const locationId = row.get("location_id");
    if (!locations.has(locationId)) {
      at(row, `location_id "${locationId}" is not a location; row skipped`);
      continue;
    }
    if (row.get("id") !== "") serviceAtLocation.set(row.get("id"), { service, locationId });
    if (!service.locationIds.includes(locationId)) service.locationIds.push(locationId);
    const list = servicesAtLocation.get(locationId) ?? [];
    if (!list.includes(service)) list.push(service);
    servicesAtLocation.set(locationId, list);
  }

  /** Services a child row belongs to, through service_id, else service_at_location_id, else the other links given. */
  function targetsOf(
    row: Row,
    links: { location?: boolean; contacts?: Map<string, MutableDraft> },
  ): MutableDraft[] | undefined {
    if (row.get("service_id") !== "") {
      const service = serviceOf(row);
      return service ? [service] : undefined;
    }
    const salId = row.get("service_at_location_id");
    if (salId !== "") {
      const sal = serviceAtLocation.get(salId);
      if (!sal)
        at(
          row,
          `service_at_location_id "${salId}" is not in ${salTable?.file ?? names.serviceAtLocation}; row skipped`,
        );
      return sal ? [sal.service] : undefined;
    }
    const contactId = row.get("contact_id");
    if (links.contacts && contactId !== "") {
      const service = links.contacts.get(contactId);
      return service ? [service] : []; // a contact of an organisation, not of a service: not ours to show
    }
    const locationId = row.get("location_id");
    if (links.location && locationId !== "") {
      if (!locations.has(locationId)) {
        at(row, `location_id "${locationId}" is not a location; row skipped`);
        return undefined;
      }
      return servicesAtLocation.get(locationId) ?? [];
    }
    return []; // belongs to an organisation or a location only
  }

  // --- contacts (only to reach phones that hang off a service's contact) ---
  const contacts = new Map<string, MutableDraft>();
  for (const row of reader.read(spec(names.contacts, { required: ["id"] }))?.rows ?? []) {
    if (row.get("id") === "" || (row.get("service_id") === "" && row.get("service_at_location_id") === "")) continue;
    const [service] = targetsOf(row, {}) ?? [];
    if (service) contacts.set(row.get("id"), service);
  }

  // --- phones ---
  const phoneTable = reader.read(
    spec(names.phones, {
      required: ["number"],
      anyOf: ["service_id", "service_at_location_id", "contact_id", "organization_id", "location_id"],
      placeholders: ["number", "type"],
    }),
  );
  for (const row of phoneTable?.rows ?? []) {
    const services = targetsOf(row, { contacts });
    if (!services) continue;
    if (row.get("number") === "") {
      if (services.length > 0) at(row, "phone has no number; row skipped");
      continue;
    }
    const phone: DraftPhone = {
      where: { file: row.file, line: row.line },
      number: row.get("number"),
      ...(row.get("type") ? { type: row.get("type") } : {}),
    };
    for (const service of services) service.phones.push(phone);
  }

  // --- schedules ---
  const scheduleTable = reader.read(
    spec(names.schedules, {
      required: ["opens_at", "closes_at", "byday"],
      anyOf: ["service_id", "service_at_location_id", "location_id"],
      placeholders: SCHEDULE_FIELDS,
    }),
  );
  for (const row of scheduleTable?.rows ?? []) {
    const services = targetsOf(row, { location: true });
    if (!services || services.length === 0) continue;
    const schedule: DraftSchedule = {
      where: { file: row.file, line: row.line },
      key: `${row.file}:${row.line}`,
      byday: row.get("byday"),
      opensAt: row.get("opens_at"),
      closesAt: row.get("closes_at"),
      freq: row.get("freq"),
      interval: row.get("interval"),
      validFrom: row.get("valid_from"),
      validTo: row.get("valid_to"),
      until: row.get("until"),
      dtstart: row.get("dtstart"),
      description: row.get("description"),
    };
    for (const service of services) service.schedules.push(schedule);
  }

  // --- service areas ---
  const areaTable = reader.read(
    spec(names.serviceAreas, {
      required: ["service_id"],
      anyOf: ["name", "service_area", "description", "extent"],
      placeholders: ["name", "service_area", "description", "extent"],
    }),
  );
  for (const row of areaTable?.rows ?? []) {
    const service = serviceOf(row);
    if (!service) continue;
    const extent = row.get("extent");
    const texts = [
      row.get("name"),
      row.get("service_area"),
      row.get("description"),
      /^[[{]/.test(extent) ? "" : extent,
    ].filter(Boolean);
    if (texts.length > 0) service.areas.push({ texts });
  }

  // --- taxonomy ---
  if (format === "hsds3-tabular") readHsdsTaxonomy(reader, drafts, skippedServices, servicesFile, at);
  else readOrukTaxonomy(reader, serviceOf, at);

  reader.finish();
  return [...drafts.values()].map((d): DraftService => {
    const serviceLocations: ServiceLocation[] = d.locationIds.map((id) => {
      const l = locations.get(id)!;
      return {
        ...(l.name ? { name: l.name } : {}),
        ...(l.latitude !== undefined && l.longitude !== undefined
          ? { latitude: l.latitude, longitude: l.longitude }
          : {}),
        ...(l.postcode ? { postcode: l.postcode } : {}),
      };
    });
    return {
      where: d.where,
      id: d.id,
      name: d.name,
      description: d.description,
      url: d.url,
      email: d.email,
      ...(d.organisation ? { organisation: d.organisation } : {}),
      phones: d.phones,
      schedules: d.schedules,
      areas: d.areas,
      locations: serviceLocations,
      terms: d.terms,
    };
  });
}

function addTerm(service: { terms: TaxonomyTerm[] }, term: TaxonomyTerm): void {
  if (!service.terms.some((t) => t.name === term.name && t.vocabulary === term.vocabulary)) service.terms.push(term);
}

// Entities an HSDS 3 attribute can hang off other than a service; those are not this importer's.
const NON_SERVICE_ENTITIES = new Set([
  "organization",
  "location",
  "service_at_location",
  "contact",
  "phone",
  "schedule",
  "service_area",
  "address",
  "program",
  "cost_option",
  "funding",
  "accessibility",
  "language",
  "required_document",
  "taxonomy_term",
  "taxonomy",
]);

function readHsdsTaxonomy(
  reader: PackageReader,
  drafts: ReadonlyMap<string, MutableDraft>,
  skippedServices: ReadonlySet<string>,
  servicesFile: string,
  at: (where: Where, message: string) => void,
): void {
  const vocabularies = new Map<string, string>();
  for (const row of reader.read({ file: "taxonomies.csv", required: ["id", "name"], placeholders: ["name"] })?.rows ??
    []) {
    if (row.get("id") && row.get("name")) vocabularies.set(row.get("id"), row.get("name"));
  }
  const terms = new Map<string, TaxonomyTerm>();
  const termRows = new Set<string>();
  const termTable = reader.read({
    file: "taxonomy_terms.csv",
    required: ["id", "name"],
    placeholders: ["name", "code", "taxonomy"],
  });
  for (const row of termTable?.rows ?? []) {
    if (row.get("id") === "") {
      at(row, "taxonomy term has no id; row skipped");
      continue;
    }
    termRows.add(row.get("id"));
    if (row.get("name") === "") {
      at(row, "taxonomy term has no usable name; not used");
      continue;
    }
    const vocabulary = vocabularies.get(row.get("taxonomy_id")) ?? row.get("taxonomy");
    terms.set(row.get("id"), {
      ...(vocabulary ? { vocabulary } : {}),
      ...(row.get("code") ? { code: row.get("code") } : {}),
      name: row.get("name"),
    });
  }
  const attributes = reader.read({
    file: "attributes.csv",
    required: ["link_id", "taxonomy_term_id"],
    placeholders: ["link_entity"],
  });
  for (const row of attributes?.rows ?? []) {
    const entity = row.get("link_entity").toLowerCase();
    if (NON_SERVICE_ENTITIES.has(entity)) continue;
    const linkId = row.get("link_id");
    const service = drafts.get(linkId);
    if (!service) {
      if (!skippedServices.has(linkId)) at(row, `link_id "${linkId}" is not a service in ${servicesFile}; row skipped`);
      continue;
    }
    const term = terms.get(row.get("taxonomy_term_id"));
    if (term) addTerm(service, term);
    else if (!termRows.has(row.get("taxonomy_term_id"))) {
      at(row, `taxonomy_term_id "${row.get("taxonomy_term_id")}" is not a term in taxonomy_terms.csv; row skipped`);
    }
  }
}

function readOrukTaxonomy(
  reader: PackageReader,
  serviceOf: (row: Row) => MutableDraft | undefined,
  at: (where: Where, message: string) => void,
): void {
  const terms = new Map<string, TaxonomyTerm>();
  const termRows = new Set<string>();
  for (const row of reader.read({
    file: "taxonomy.csv",
    required: ["id", "name"],
    placeholders: ["name", "vocabulary"],
  })?.rows ?? []) {
    const id = row.get("id");
    if (id === "") {
      at(row, "taxonomy term has no id; row skipped");
      continue;
    }
    termRows.add(id);
    if (row.get("name") === "") {
      at(row, "taxonomy term has no usable name; not used");
      continue;
    }
    if (terms.has(id)) {
      at(row, `duplicate taxonomy id "${id}"; row skipped`);
      continue;
    }
    terms.set(id, {
      ...(row.get("vocabulary") ? { vocabulary: row.get("vocabulary") } : {}),
      code: id,
      name: row.get("name"),
    });
  }
  for (const row of reader.read({ file: "service_taxonomy.csv", required: ["service_id", "taxonomy_id"] })?.rows ??
    []) {
    const service = serviceOf(row);
    if (!service) continue;
    const term = terms.get(row.get("taxonomy_id"));
    if (term) addTerm(service, term);
    else if (!termRows.has(row.get("taxonomy_id")))
      at(row, `taxonomy_id "${row.get("taxonomy_id")}" is not in taxonomy.csv; row skipped`);
  }
}
