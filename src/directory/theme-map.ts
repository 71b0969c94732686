// Which of the 12 themes a directory service helps with. Pure (runs in the Worker too).
//
// Taxonomy term names come first: Open Referral UK directories tag services with the LGA
// "needs" and "service types" lists (esdNeeds, esdServiceTypes) or their own, and those names
// say plainly what a service is for ("Debt advice", "Youth clubs"). Only when no term maps do
// we fall back to the words of the service's name and description, with a narrower list,
// because free text mentions many things a service is not about ("apply online", "near the
// car park", "free food at every session").
import { THEMES, type ThemeId } from "./themes.js";
import type { TaxonomyTerm } from "./types.js";

interface ThemeKeywords {
  /** Matched in term names and in the name/description fallback. */
  readonly words: readonly string[];
  /** Matched in term names only: fine as a label, too loose in running text. */
  readonly termWords: readonly string[];
}

// Keywords are matched as whole words or phrases, case-insensitively, ignoring punctuation
// ("anti-social" = "anti social"); a trailing "s" or "es" is allowed, so "food bank" matches
// "Food banks". Irregular plurals are listed ("library", "libraries").
export const THEME_KEYWORDS: Readonly<Record<ThemeId, ThemeKeywords>> = {
  // LGA: Housing advice, Homelessness, Tenancy support, Social housing, Housing repairs
  housing: {
    words: [
      "housing",
      "homeless",
      "homelessness",
      "rough sleeping",
      "rough sleeper",
      "tenancy",
      "tenant",
      "eviction",
      "landlord",
      "night shelter",
      "hostel",
      "temporary accommodation",
    ],
    termWords: ["accommodation", "shelter", "rent", "lettings", "housing repair"],
  },
  // LGA: Debt advice, Welfare benefits, Money advice, Food banks, Fuel poverty, Council tax support
  cost_of_living: {
    words: [
      "debt",
      "welfare benefit",
      "benefits advice",
      "benefits",
      "universal credit",
      "money advice",
      "food bank",
      "foodbank",
      "food parcel",
      "food pantry",
      "community pantry",
      "cost of living",
      "fuel poverty",
      "energy bills",
      "budgeting",
      "hardship fund",
    ],
    termWords: [
      "money",
      "benefit",
      "welfare",
      "food",
      "pantry",
      "fuel",
      "energy",
      "financial",
      "finance",
      "income",
      "grant",
      "poverty",
      "hardship",
      "council tax",
    ],
  },
  // LGA: Employment support, Adult learning, Careers advice, Apprenticeships, ESOL
  jobs_skills: {
    words: [
      "employment",
      "jobcentre",
      "job centre",
      "job",
      "jobs",
      "careers",
      "apprenticeship",
      "adult learning",
      "adult education",
      "esol",
      "cv",
      "job search",
      "work coach",
    ],
    termWords: ["career", "training", "skills", "community learning", "education", "qualification"],
  },
  // LGA: Mental health, GP, Health advice, Counselling, Drug and alcohol services, Sexual health
  health_wellbeing: {
    words: [
      "health",
      "mental health",
      "gp",
      "nhs",
      "wellbeing",
      "well being",
      "counselling",
      "counseling",
      "suicide",
      "self harm",
      "anxiety",
      "depression",
      "addiction",
      "alcohol",
      "drug",
      "bereavement",
      "pharmacy",
      "dentist",
      "emotional support",
    ],
    termWords: [
      "doctor",
      "therapy",
      "dental",
      "hospital",
      "substance misuse",
      "smoking",
      "fitness",
      "exercise",
      "loneliness",
      "isolation",
    ],
  },
  // LGA: Community safety, Domestic abuse, Anti-social behaviour, Crime prevention, Victim support
  safety: {
    words: [
      "community safety",
      "domestic abuse",
      "domestic violence",
      "anti social behaviour",
      "antisocial behaviour",
      "crime",
      "safeguarding",
      "scam",
      "hate crime",
      "victim",
      "coercive control",
    ],
    termWords: ["safety", "abuse", "police", "fraud", "violence"],
  },
  // LGA: Public transport, Bus passes, Concessionary travel, Community transport, Cycling
  transport: {
    words: [
      "public transport",
      "bus",
      "buses",
      "bus pass",
      "bus service",
      "railway",
      "train station",
      "concessionary travel",
      "community transport",
      "dial a ride",
      "ring and ride",
      "cycling",
      "timetable",
    ],
    termWords: ["transport", "travel", "train", "rail", "cycle", "parking", "road", "taxi", "journey"],
  },
  // LGA: Waste and recycling, Parks, Green spaces, Street cleaning, Fly-tipping, Allotments
  environment: {
    words: [
      "recycling",
      "waste",
      "bin collection",
      "bins",
      "litter",
      "fly tipping",
      "parks",
      "green space",
      "allotment",
      "street cleaning",
      "tree planting",
      "conservation",
      "environmental",
    ],
    termWords: ["environment", "park", "bin", "rubbish", "nature", "climate", "pollution", "air quality", "tree"],
  },
  // LGA: Youth clubs, Young people, Children and families, Youth services, Play
  young_people: {
    words: [
      "youth",
      "young people",
      "young person",
      "teenager",
      "youth club",
      "youth work",
      "young carer",
      "children and families",
      "aged 11 to 18",
      "aged 11 to 19",
    ],
    termWords: [
      "children",
      "child",
      "childcare",
      "family",
      "families",
      "teen",
      "play",
      "school",
      "early years",
      "parenting",
    ],
  },
  // LGA: Libraries, Community centres, Community halls, Meeting rooms, Warm spaces
  community_spaces: {
    words: [
      "library",
      "libraries",
      "community centre",
      "community center",
      "community hall",
      "village hall",
      "church hall",
      "meeting room",
      "warm space",
      "warm hub",
      "community hub",
    ],
    termWords: ["community space", "venue", "room hire", "hall"],
  },
  // LGA: Town centre, High street, Markets, Business support, Shopping
  high_street: {
    words: [
      "town centre",
      "city centre",
      "high street",
      "indoor market",
      "outdoor market",
      "market hall",
      "business improvement district",
      "shop local",
      "empty shops",
    ],
    termWords: ["market", "shop", "shopping", "retail", "business", "trader"],
  },
  // LGA: Digital inclusion, Internet access, Computer courses, Device lending
  digital: {
    words: [
      "digital",
      "digital inclusion",
      "digital skills",
      "internet",
      "computer",
      "wifi",
      "wi fi",
      "broadband",
      "get online",
      "getting online",
      "data bank",
      "device lending",
      "laptop",
      "smartphone",
    ],
    termWords: ["online", "device", "tablet", "it skills", "technology"],
  },
  // LGA: Adult social care, Carers, Disability support, Older people, Dementia
  care_support: {
    words: [
      "adult social care",
      "social care",
      "carer",
      "carers",
      "disability support",
      "disabled people",
      "older people",
      "dementia",
      "respite",
      "care home",
      "home care",
      "personal care",
      "young carer",
    ],
    termWords: [
      "disability",
      "disabled",
      "elderly",
      "sensory impairment",
      "learning disability",
      "independent living",
      "aids and adaptations",
    ],
  },
};

function normalise(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[’']/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()} `;
}

function compile(words: readonly string[]): RegExp {
  const alternatives = words.map((w) => normalise(w).trim());
  return new RegExp(` (?:${alternatives.join("|")})(?:s|es)? `);
}

const TERM_PATTERNS: readonly (readonly [ThemeId, RegExp])[] = THEMES.map((theme) => [
  theme,
  compile([...THEME_KEYWORDS[theme].words, ...THEME_KEYWORDS[theme].termWords]),
]);
const TEXT_PATTERNS: readonly (readonly [ThemeId, RegExp])[] = THEMES.map((theme) => [
  theme,
  compile(THEME_KEYWORDS[theme].words),
]);

function match(patterns: readonly (readonly [ThemeId, RegExp])[], text: string): Set<ThemeId> {
  const haystack = normalise(text);
  const found = new Set<ThemeId>();
  for (const [theme, pattern] of patterns) if (pattern.test(haystack)) found.add(theme);
  return found;
}

/**
 * Themes for a service: from its taxonomy term names, else (no term maps) from the words of
 * `text` (its name and description). In the order of THEMES.
 */
export function themesFor(terms: readonly TaxonomyTerm[], text: string): ThemeId[] {
  let found = new Set<ThemeId>();
  for (const term of terms) for (const theme of match(TERM_PATTERNS, term.name)) found.add(theme);
  if (found.size === 0) found = match(TEXT_PATTERNS, text);
  return THEMES.filter((t) => found.has(t));
}
