// Synthetic residents for `placevoice demo`: who they are, where, when and what they say. Pure
// and seeded, so the same seed always gives the same people. Nothing here is real: phone
// numbers are in Ofcom's drama range, chat ids are made up, names are invented.

export interface DemoResident {
  readonly channel: "sms" | "telegram";
  readonly address: string;
  readonly language: "en" | "cy";
  readonly area: string;
  /** Minutes after the demo's first Monday 00:00 when they start. */
  readonly startMinute: number;
  /** What they type, one reply per message, after their first "hi". */
  readonly replies: readonly string[];
  /** Arrived through the champion's code. */
  readonly viaChampion: boolean;
}

/** mulberry32: a small seeded generator, enough for picking demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Areas with the share of residents each brings, and the priorities (option numbers of the
// priorities flow: 1 housing … 12 care and support) that weigh more there.
const AREAS: readonly { district: string; postcodes: readonly string[]; share: number; leaning: readonly number[] }[] =
  [
    { district: "ST6", postcodes: ["ST6 1AA", "ST6 3JJ", "ST6 4LH"], share: 0.33, leaning: [2, 6, 10, 8] },
    { district: "ST4", postcodes: ["ST4 2EU", "ST4 7QB"], share: 0.2, leaning: [1, 5, 7] },
    { district: "ST3", postcodes: ["ST3 4HS", "ST3 1PQ"], share: 0.2, leaning: [3, 2, 4] },
    { district: "ST1", postcodes: ["ST1 3EL", "ST1 5NP"], share: 0.15, leaning: [10, 5, 9] },
    { district: "ST2", postcodes: ["ST2 8LA"], share: 0.08, leaning: [7, 8, 12] },
    // A small area: its figures stay withheld, as they should.
    { district: "ST8", postcodes: ["ST8 6AB"], share: 0.04, leaning: [6, 11] },
  ];

// Age-band option numbers with how often each answers (older residents answer more, as in life).
const AGE_BANDS: readonly [string, number][] = [
  ["1", 0.03],
  ["2", 0.08],
  ["3", 0.14],
  ["4", 0.22],
  ["5", 0.25],
  ["6", 0.2],
  ["skip", 0.08],
];

// What residents say in their own words: themes in their words, with the personal details
// people really type (names, numbers, streets) for redaction to remove.
const WORDS_EN: readonly string[] = [
  "The buses stop at 6pm so I can't get to my evening shift",
  "Rent has gone up twice this year and the flat is still damp",
  "Nothing for the kids to do round here since the youth club shut",
  "More police on the streets at night, people are scared to walk home",
  "The high street is half empty, just vape shops and bookies",
  "Fly tipping on Smith Street every week, call me on 07700 900461 if you want photos",
  "I'm Sarah Jones and I care for my mum, there is no respite care anywhere",
  "Proper jobs with training, not zero hours contracts",
  "Energy bills are killing us, we sit in coats",
  "The library is only open two days a week now",
  "Can't get a GP appointment for weeks",
  "Somewhere for older people to meet, a warm hall with a cup of tea",
  "Faster broadband, my son can't do his homework online",
  "Clean up the park, there are needles by the swings",
  "Buses to the hospital that actually turn up",
  "Potholes on Waterloo Road have wrecked my tyres, email me at dave.smith@example.com",
  "Food prices, I skip meals so the kids can eat",
  "Help getting online for my nan, she can't book anything",
  "Street lights out on our estate for months",
  "More affordable homes for young couples",
];
const WORDS_CY: readonly string[] = [
  "Mwy o fysiau gyda'r nos, plis",
  "Mae'r rhent yn rhy uchel a'r tŷ yn llaith",
  "Dim byd i'r plant ei wneud yn y pentref",
  "Mae'r stryd fawr yn wag, siopau wedi cau",
  "Biliau ynni yn rhy ddrud",
];

const OPENINGS = ["", "", "Honestly, ", "For me ", "Simple: ", "Round here "];
const ENDINGS = ["", "", ".", " and nobody listens", ", it's been like this for years", " please", "!"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function weighted<T>(random: () => number, items: readonly [T, number][]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r <= 0) return item;
  }
  return items[items.length - 1]![0];
}

/** `count` residents over `weeks` weeks: more in the weeks after a push, some via the champion. */
export function demoResidents(count: number, weeks: number, seed: number): DemoResident[] {
  const random = seededRandom(seed);
  // Each week's share: a slow start, a push in week 3 (the champion's posters), then steady.
  const weekWeights = Array.from({ length: weeks }, (_, w) => (w === 0 ? 0.5 : w === 2 ? 2 : w === 3 ? 1.6 : 1));
  const residents: DemoResident[] = [];
  for (let i = 0; i < count; i++) {
    const area = weighted(
      random,
      AREAS.map((a) => [a, a.share] as [typeof a, number]),
    );
    const week = weighted(
      random,
      weekWeights.map((w, n) => [n, w] as [number, number]),
    );
    const day = Math.floor(random() * 7);
    const minute = week * 7 * 1440 + day * 1440 + (9 * 60 + Math.floor(random() * 12 * 60)); // 09:00–21:00
    const channel = random() < 0.6 ? "telegram" : "sms";
    const language = random() < 0.1 ? "cy" : "en";
    const pickCount = 1 + Math.floor(random() * 3);
    const picks = new Set<number>();
    while (picks.size < pickCount)
      picks.add(random() < 0.6 ? pick(random, area.leaning) : 1 + Math.floor(random() * 12));
    const said = pick(random, language === "cy" ? WORDS_CY : WORDS_EN);
    // People say the same things in their own way: a few openings and endings keep quotes varied.
    const words =
      random() < 0.7
        ? `${language === "cy" ? "" : pick(random, OPENINGS)}${said}${language === "cy" ? "" : pick(random, ENDINGS)}`
        : language === "cy"
          ? "hepgor"
          : "skip";
    const yes = language === "cy" ? "ie" : "yes";
    const no = language === "cy" ? "na" : "no";
    residents.push({
      channel,
      address: channel === "sms" ? `+447700${String(900000 + i).padStart(6, "0")}` : String(7_100_000_000 + i * 7919),
      language,
      area: area.district,
      startMinute: minute,
      replies: [
        language === "cy" ? "cymraeg" : "english",
        yes,
        pick(random, area.postcodes),
        [...picks].join(", "),
        words,
        weighted(random, AGE_BANDS),
        no,
        random() < 0.55 ? yes : no,
      ],
      viaChampion: area.district === "ST6" && week >= 2 && random() < 0.35,
    });
  }
  return residents.sort((a, b) => a.startMinute - b.startMinute);
}
