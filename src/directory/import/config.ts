// A directory's own configuration, `placevoice.yaml` beside its data: the area it serves, the
// general contacts to offer when nothing matches, which services are the first response
// to an urgent need, and which groups welcome volunteers. See directories/stoke-on-trent/placevoice.yaml.
import { isMap, LineCounter, parseDocument, type Document } from "yaml";
import * as z from "zod";
import type { DirectorySettings, ServiceTranslation } from "../settings.js";
import { isTheme, THEMES, type ThemeId } from "../themes.js";
import type { DirectoryService, ImportProblem } from "../types.js";
import { OFFER_KINDS, type VolunteeringEntry } from "../volunteering.js";
import type { PackageFiles } from "./package-files.js";

export const DEFAULT_CONFIG_FILE = "placevoice.yaml";

/** Urgent needs the conversation can recognise; each maps to services that answer it first. */
export const CRISIS_KINDS = ["self_harm", "abuse", "food_tonight", "nowhere_to_sleep"] as const;
export type CrisisKind = (typeof CRISIS_KINDS)[number];

/** When a fallback contact is offered: always, or when the conversation is about this theme. */
export type FallbackWhen = "always" | ThemeId;

export interface ConfiguredFallback {
  readonly id?: string;
  readonly name: string;
  readonly when: readonly FallbackWhen[];
  readonly phone?: string;
  readonly url?: string;
  /** What to say, per language; "en" is always there. */
  readonly text: Readonly<Record<string, string>> & { readonly en: string };
}

export interface DirectoryConfig {
  /** The place, as residents say it ("Stoke-on-Trent"). */
  readonly area: string;
  /** Postcode districts (or whole areas, "ST") that are the directory's own area. */
  readonly districts: readonly string[];
  /** The name people know each district by ("ST6" -> "Burslem"), for insight pages; may be empty. */
  readonly areas: Readonly<Record<string, string>>;
  /** Approximate centre (latitude, longitude) of each district, for distances; may be empty. */
  readonly centroids: Readonly<Record<string, readonly [number, number]>>;
  readonly fallback: readonly ConfiguredFallback[];
  /** Urgent-need kind -> ids of services in the directory, in the order to offer them. */
  readonly crisis: Readonly<Partial<Record<CrisisKind, readonly string[]>>>;
  /** Service id -> language -> name and summary in that language. */
  readonly translations: Readonly<Record<string, Readonly<Record<string, ServiceTranslation>>>>;
  /** Service id -> what the group wants from volunteers and how to reach it about helping. */
  readonly volunteering: Readonly<Record<string, VolunteeringEntry>>;
}

export interface LoadedDirectoryConfig {
  readonly config: DirectoryConfig;
  readonly problems: readonly ImportProblem[];
  /** The file's basename, for problems found later (unknown crisis service ids). */
  readonly file: string;
  /** Line of each entry naming a service: "kind/serviceId" for crisis, "translations/serviceId", "volunteering/serviceId". */
  readonly crisisLines: ReadonlyMap<string, number>;
}

// Short words an author may write for `when`, besides "always" and the theme ids.
const WHEN_ALIASES: Readonly<Record<string, ThemeId>> = {
  health: "health_wellbeing",
  money: "cost_of_living",
  jobs: "jobs_skills",
  skills: "jobs_skills",
  care: "care_support",
  youth: "young_people",
  spaces: "community_spaces",
};

const whenValue = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .refine((v) => v === "always" || isTheme(v) || v in WHEN_ALIASES, {
    error: `when must be "always", a theme (${THEMES.join(", ")}) or one of ${Object.keys(WHEN_ALIASES).join(", ")}`,
  })
  .transform((v): FallbackWhen => (v === "always" || isTheme(v) ? v : WHEN_ALIASES[v]!));

const localisedText = z
  .record(
    z.string().regex(/^[a-z]{2,3}$/, "language codes are two or three letters"),
    z.string().trim().min(1, "text must not be empty"),
  )
  .refine((t) => typeof t["en"] === "string", { error: 'text needs an "en" entry' });

const fallbackSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().trim().min(1),
  when: z.preprocess((w) => (Array.isArray(w) ? w : [w]), z.array(whenValue).min(1, "when needs at least one value")),
  phone: z.string().trim().min(3).optional(),
  url: z.url({ protocol: /^https?$/, error: "url must be an http(s) address" }).optional(),
  text: localisedText,
});

const district = z
  .string()
  .transform((d) => d.trim().toUpperCase())
  .refine((d) => /^[A-Z]{1,2}(\d[A-Z\d]?)?$/.test(d), {
    error: 'districts are postcode districts ("ST6") or areas ("ST")',
  });

const configSchema = z.strictObject({
  area: z.string().trim().min(1),
  districts: z.array(district).default([]),
  // Keys checked here rather than by the record, so that a wrong one is named as a district.
  areas: z
    .record(z.string(), z.string().trim().min(1).max(40, "an area name is at most 40 characters"))
    .default({})
    .superRefine((names, ctx) => {
      for (const key of Object.keys(names))
        if (!district.safeParse(key).success)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: 'districts are postcode districts ("ST6") or areas ("ST")',
          });
    })
    .transform((names) => Object.fromEntries(Object.entries(names).map(([k, v]) => [k.trim().toUpperCase(), v]))),
  centroids: z
    .record(
      district,
      z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)], {
        error: "a centroid is [latitude, longitude]",
      }),
    )
    .default({}),
  fallback: z.array(fallbackSchema).default([]),
  crisis: z
    .strictObject(
      Object.fromEntries(CRISIS_KINDS.map((k) => [k, z.array(z.string().trim().min(1)).min(1).optional()])) as Record<
        CrisisKind,
        z.ZodOptional<z.ZodArray<z.ZodString>>
      >,
    )
    .default({}),
  translations: z
    .record(
      z.string().trim().min(1),
      z.record(
        z.string().regex(/^[a-z]{2,3}$/, "language codes are two or three letters"),
        z.strictObject({
          name: z.string().trim().min(1).optional(),
          summary: z.string().trim().min(1).max(140, "a summary is one line of at most 140 characters").optional(),
        }),
      ),
    )
    .default({}),
  volunteering: z
    .record(
      z.string().trim().min(1),
      z.strictObject({
        wants: z
          .array(
            z.enum(OFFER_KINDS, {
              error: `wants is a list of what the group would welcome: ${OFFER_KINDS.join(", ")}`,
            }),
          )
          .min(1, "wants needs at least one value (leave it out to welcome any offer)")
          .optional(),
        needs: localisedText
          .refine((t) => Object.values(t).every((line) => line.length <= 140), {
            error: "needs is one line of at most 140 characters in each language",
          })
          .optional(),
        phone: z.string().trim().min(3).optional(),
        email: z.email({ error: "email must be an email address" }).optional(),
        url: z.url({ protocol: /^https?$/, error: "url must be an http(s) address" }).optional(),
      }),
    )
    .default({}),
});

function defaults(area: string): DirectoryConfig {
  return {
    area,
    districts: [],
    areas: {},
    centroids: {},
    fallback: [],
    crisis: {},
    translations: {},
    volunteering: {},
  };
}

/** Reads `placevoice.yaml` from a directory package. Never throws for its content: problems say what is wrong and the defaults (no fallback, no crisis routing) apply. */
export function packageConfig(files: PackageFiles, file = DEFAULT_CONFIG_FILE): LoadedDirectoryConfig {
  const source = files.read(file);
  if (source === undefined)
    return {
      config: defaults(files.name),
      problems: [
        {
          file,
          line: 1,
          message: `no ${file} in ${files.name}: no fallback contacts and no crisis routing (see directories/stoke-on-trent/${DEFAULT_CONFIG_FILE})`,
        },
      ],
      file,
      crisisLines: new Map(),
    };
  return parseDirectoryConfig(source, file, files.name);
}

/** Pure: YAML text to a checked configuration. `defaultArea` is used when the text cannot be used. */
export function parseDirectoryConfig(source: string, file: string, defaultArea: string): LoadedDirectoryConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const failed = (problems: ImportProblem[]): LoadedDirectoryConfig => ({
    config: defaults(defaultArea),
    problems,
    file,
    crisisLines: new Map(),
  });
  if (doc.errors.length > 0)
    return failed(
      doc.errors.map((e) => ({ file, line: lineAt(e.pos[0]), message: `YAML: ${e.message.split("\n")[0]}` })),
    );

  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return failed(
      parsed.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        const where = path.length > 0 ? `${path.join(".")}: ` : "";
        if (issue.code === "unrecognized_keys") {
          // Point at the first unknown key itself, not at the map holding it.
          const keyPath = [...path, issue.keys[0] ?? ""];
          return {
            file,
            line: lineAt(offsetOf(doc, keyPath)),
            message: `${where}unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
          };
        }
        return { file, line: lineAt(offsetOf(doc, path)), message: `${where}${issue.message}` };
      }),
    );
  }

  const data = parsed.data;
  const crisis: Partial<Record<CrisisKind, readonly string[]>> = {};
  const crisisLines = new Map<string, number>();
  for (const kind of CRISIS_KINDS) {
    const ids = data.crisis[kind];
    if (!ids) continue;
    crisis[kind] = ids;
    ids.forEach((id, i) => crisisLines.set(`${kind}/${id}`, lineAt(offsetOf(doc, ["crisis", kind, i]))));
  }
  const config: DirectoryConfig = {
    area: data.area,
    districts: [...new Set(data.districts)],
    areas: data.areas,
    centroids: data.centroids,
    fallback: data.fallback.map((f) => ({
      ...(f.id ? { id: f.id } : {}),
      name: f.name,
      when: [...new Set(f.when)],
      ...(f.phone ? { phone: f.phone } : {}),
      ...(f.url ? { url: f.url } : {}),
      text: f.text as ConfiguredFallback["text"],
    })),
    crisis,
    translations: data.translations as DirectoryConfig["translations"],
    volunteering: Object.fromEntries(
      Object.entries(data.volunteering).map(([id, v]): [string, VolunteeringEntry] => [
        id,
        {
          ...(v.wants ? { wants: [...new Set(v.wants)] } : {}),
          ...(v.needs ? { needs: v.needs } : {}),
          ...(v.phone ? { phone: v.phone } : {}),
          ...(v.email ? { email: v.email } : {}),
          ...(v.url ? { url: v.url } : {}),
        },
      ]),
    ),
  };
  for (const section of ["translations", "volunteering"] as const)
    for (const id of Object.keys(data[section]))
      crisisLines.set(`${section}/${id}`, lineAt(offsetOf(doc, [section, id])));
  return { config, problems: [], file, crisisLines };
}

/**
 * Sets each service's `crisis` kinds from the configuration; crisis entries naming a service
 * the directory does not have are reported (at their line in the configuration).
 */
export function applyCrisisConfig(
  services: readonly DirectoryService[],
  loaded: Pick<LoadedDirectoryConfig, "config" | "file" | "crisisLines">,
): { services: DirectoryService[]; problems: ImportProblem[] } {
  const kindsOf = new Map<string, CrisisKind[]>();
  const known = new Set(services.map((s) => s.id));
  const problems: ImportProblem[] = [];
  for (const kind of CRISIS_KINDS) {
    for (const id of loaded.config.crisis[kind] ?? []) {
      if (!known.has(id)) {
        problems.push({
          file: loaded.file,
          line: loaded.crisisLines.get(`${kind}/${id}`) ?? 1,
          message: `crisis.${kind}: "${id}" is not a service in the directory`,
        });
        continue;
      }
      kindsOf.set(id, [...(kindsOf.get(id) ?? []), kind]);
    }
  }
  for (const section of ["translations", "volunteering"] as const) {
    for (const id of Object.keys(loaded.config[section] ?? {})) {
      if (!known.has(id))
        problems.push({
          file: loaded.file,
          line: loaded.crisisLines.get(`${section}/${id}`) ?? 1,
          message: `${section}: "${id}" is not a service in the directory`,
        });
    }
  }
  return { services: services.map((s) => ({ ...s, crisis: kindsOf.get(s.id) ?? [] })), problems };
}

function offsetOf(doc: Document, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) {
      // Point at the key when the last step names a map entry.
      if (depth > 0 && depth === path.length) {
        const parent = doc.getIn(path.slice(0, depth - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find(
            (p) => String((p.key as { value?: unknown })?.value) === String(path[depth - 1]),
          );
          const key = pair?.key as { range?: [number, number, number] } | undefined;
          if (key?.range) return key.range[0];
        }
      }
      return node.range[0];
    }
  }
  return undefined;
}

/** The configuration in the shape the matcher keeps (one fallback entry per `when` value). */
export function toDirectorySettings(config: DirectoryConfig): DirectorySettings {
  return {
    area: config.area,
    districts: config.districts,
    areaNames: config.areas,
    centroids: config.centroids,
    fallback: config.fallback.flatMap((f) => f.when.map((when) => ({ when, text: f.text }))),
    crisis: config.crisis as Readonly<Record<string, readonly string[]>>,
    translations: config.translations,
    volunteering: config.volunteering,
  };
}
