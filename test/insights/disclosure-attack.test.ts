// The motivated intruder: a partner with an all-areas token asks the API every question it
// accepts over four four-week blocks (every period, with and without each filter), then
// subtracts every published number from every published number that counts a superset of the
// same residents. For each small group (1-9 residents) some pair of queries isolates, the
// attacker's guess is the median of all the differences that isolate it. The promise: nothing
// under K is published, and at most one in five of those groups is recovered exactly.
// Residents answer through the real write path (conversation host, running totals) with the
// service's clock moved to each one's day, and seeded random record keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/demo/residents.js";
import { adjustment, publishTally } from "../../src/insights/disclosure.js";
import { blockIndexOf, blockStart } from "../../src/insights/periods.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { testClock } from "../support/clock.js";

const K = 10;
const THEMES = ["housing", "cost_of_living", "transport", "safety"] as const;
const AREAS = ["ST6", "ST3"] as const;
const BANDS = [
  ["2", "age_18_24"],
  ["5", "age_50_64"],
] as const;
const CHANNELS = ["sms", "telegram"] as const;
const FIRST_BLOCK = blockIndexOf(new Date("2026-02-02T00:00:00Z"));
const BLOCKS = [0, 1, 2, 3].map((i) => FIRST_BLOCK + i);
const DAY = 86_400_000;

interface Resident {
  id: number;
  area: string;
  band: string;
  channel: string;
  block: number;
  picks: string[];
}

let h: Harness;
const residents: Resident[] = [];

beforeAll(async () => {
  const random = seededRandom(17);
  const keys = seededRandom(4242);
  // Random record keys, as in service (seeded, so the figures repeat).
  h = await startHarness(
    { QUIET_HOURS: "00:00-00:00", API_RATE_LIMIT: "100000" },
    testClock(new Date(blockStart(FIRST_BLOCK))),
    { recordKey: () => Math.floor(keys() * 256) },
  );
  let n = 0;
  for (const block of BLOCKS) {
    for (const area of AREAS) {
      for (const [bandReply, band] of BANDS) {
        for (const channel of CHANNELS) {
          // Groups of 0 to 25 residents per block, area, age band and channel: many small ones.
          const size = Math.floor(random() * 26);
          for (let i = 0; i < size; i++) {
            const picks = THEMES.filter(() => random() < 0.45);
            if (picks.length === 0) picks.push(THEMES[Math.floor(random() * THEMES.length)]!);
            residents.push({ id: ++n, area, band, channel, block, picks: [...picks] });
            h.clock.set(new Date(blockStart(block) + Math.floor(random() * 27) * DAY + 10 * 3_600_000));
            const address = channel === "sms" ? `+447700${String(900000 + n).padStart(6, "0")}` : String(5_000_000 + n);
            for (const text of ["hi", "english", "yes", `${area} 1AA`, picks.join(", "), "skip", bandReply, "no"]) {
              await h.services.conversation.handle({ channel, address, input: { type: "text", text } });
            }
          }
        }
      }
    }
  }
  // The attacker asks on the evening of the last day of the fourth block.
  h.clock.set(new Date(blockStart(FIRST_BLOCK + 4) - DAY + 20 * 3_600_000));
}, 240_000);

afterAll(async () => {
  await h.close();
});

type Query = { period: string; block?: number; area?: string; channel?: string; band?: string };
const describeQuery = (q: Query) =>
  new URLSearchParams(
    Object.entries({ period: q.period, area: q.area, channel: q.channel, age_band: q.band }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  ).toString();

function covers(q: Query, r: Resident): boolean {
  return (
    (q.block === undefined || r.block === q.block) &&
    (!q.area || r.area === q.area) &&
    (!q.channel || r.channel === q.channel) &&
    (!q.band || r.band === q.band)
  );
}

describe("differencing attack on the partner API", () => {
  it("publishes nothing under K and recovers at most one in five isolated small groups", async () => {
    const { token } = await h.services.partners.create("Curious partner", []);
    const periods: Query[] = [
      { period: "all" },
      { period: "year" },
      ...BLOCKS.map((b) => ({ period: new Date(blockStart(b) + 3 * DAY).toISOString().slice(0, 10), block: b })),
    ];
    const queries: Query[] = [];
    for (const p of periods)
      for (const area of [undefined, ...AREAS])
        for (const channel of [undefined, ...CHANNELS])
          for (const [, band] of [[undefined, undefined], ...BANDS])
            queries.push({
              ...p,
              ...(area ? { area } : {}),
              ...(channel ? { channel } : {}),
              ...(band ? { band } : {}),
            });

    // Every published number, with the residents it truly counts.
    const cells: { members: number[]; value: number }[] = [];
    let publishedNumbers = 0;
    const errors: number[] = [];
    for (const q of queries) {
      const res = await h.app.request(`/api/v1/insights/priorities?${describeQuery(q)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status, describeQuery(q)).toBe(200);
      const body = (await res.json()) as {
        period: { from: string; to: string };
        respondents: { count: number | null };
        rows: { theme: string; count: number | null }[];
      };
      expect(body.period.from <= body.period.to).toBe(true);
      const covered = residents.filter((r) => covers(q, r));
      const record = (members: Resident[], value: number | null) => {
        if (value === null) return;
        publishedNumbers++;
        expect(value, describeQuery(q)).toBeGreaterThanOrEqual(K);
        if (members.length >= 10 && members.length <= 100) errors.push(Math.abs(value - members.length));
        cells.push({ members: members.map((m) => m.id), value });
      };
      record(covered, body.respondents.count);
      for (const row of body.rows)
        record(
          covered.filter((r) => r.picks.includes(row.theme)),
          row.count,
        );
    }

    // Every nested pair: the residents the larger counts and the smaller does not.
    const sets = cells.map((c) => new Set(c.members));
    const guesses = new Map<string, number[]>();
    for (let a = 0; a < cells.length; a++) {
      for (let b = 0; b < cells.length; b++) {
        if (a === b || cells[b]!.members.length >= cells[a]!.members.length) continue;
        if (!cells[b]!.members.every((m) => sets[a]!.has(m))) continue;
        const isolated = cells[a]!.members.filter((m) => !sets[b]!.has(m));
        if (isolated.length < 1 || isolated.length > 9) continue;
        const key = isolated.join(",");
        guesses.set(key, [...(guesses.get(key) ?? []), cells[a]!.value - cells[b]!.value]);
      }
    }
    let recovered = 0;
    for (const [key, diffs] of guesses) {
      const sorted = [...diffs].sort((x, y) => x - y);
      const median =
        sorted.length % 2
          ? sorted[(sorted.length - 1) / 2]!
          : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
      if (median === key.split(",").length) recovered++;
    }
    const mae = errors.reduce((s, e) => s + e, 0) / errors.length;
    console.log(
      `disclosure attack: ${residents.length} residents, ${queries.length} queries, ${publishedNumbers} published numbers, ${guesses.size} groups of 1-9 isolated, ${recovered} recovered exactly (${((recovered / Math.max(1, guesses.size)) * 100).toFixed(1)}%), mean absolute adjustment on counts of 10-100: ${mae.toFixed(2)}`,
    );
    expect(guesses.size).toBeGreaterThan(0); // the attack found something to work on
    expect(recovered / guesses.size).toBeLessThanOrEqual(0.2);
    expect(mae).toBeLessThanOrEqual(3);
  }, 120_000);

  it("gives the same residents the same number by every path: priorities, trend, CSV and the feed", async () => {
    const { token } = await h.services.partners.create("Consistent partner", []);
    const get = (path: string) => h.app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    const block = new Date(blockStart(BLOCKS[1]!)).toISOString().slice(0, 10);
    const table = (await (await get(`/api/v1/insights/priorities?period=${block}`)).json()) as {
      rows: { theme: string; count: number | null }[];
    };
    const trend = (await (await get(`/api/v1/insights/trend?theme=housing&period=year`)).json()) as {
      points: { period: { id: string }; count: number | null }[];
    };
    const housing = table.rows.find((r) => r.theme === "housing")!.count;
    expect(housing).not.toBeNull();
    expect(trend.points.find((p) => p.period.id === block)!.count).toBe(housing);
    const csv = await (await get(`/api/v1/insights/priorities?period=${block}&format=csv`)).text();
    expect(csv).toContain(`housing,Housing,${housing},`);
    const all = (await (await get("/api/v1/insights/priorities")).json()) as { respondents: { count: number } };
    const feed = (await (await get("/api/v1/feed")).json()) as { priorities: { respondents: { count: number } } };
    expect(feed.priorities.respondents.count).toBe(all.respondents.count);
  });
});

describe("the p-table", () => {
  it("never adjusts by more than 3, leaves zero at zero, and is unbiased over cell keys", () => {
    for (let count = 0; count <= 300; count++) {
      let sum = 0;
      for (let key = 0; key < 256; key++) {
        const a = adjustment({ count, keySum: key });
        expect(Math.abs(a)).toBeLessThanOrEqual(3);
        if (count === 0) expect(a).toBe(0);
        sum += a;
      }
      expect(sum).toBe(0);
    }
  });

  it("publishes nothing under K, before or after the adjustment", () => {
    for (let count = 0; count <= 40; count++) {
      for (let key = 0; key < 256; key += 7) {
        const cell = publishTally({ count, keySum: key }, K);
        if (count < K) expect(cell.count).toBeNull();
        if (cell.count !== null) expect(cell.count).toBeGreaterThanOrEqual(K);
      }
    }
  });
});

describe("the adjustment alone, over random populations", () => {
  // Without the complement rule's help: a group of 1-9 residents isolated by one pair of
  // published counts (as the four-week query space mostly allows), over many random populations
  // and record keys. The attacker's exact hits are about the chance that two independent
  // adjustments agree.
  it("lets one pair of published counts give the group's size exactly less than one time in five", () => {
    const random = seededRandom(99);
    let trials = 0;
    let exact = 0;
    for (let i = 0; i < 20_000; i++) {
      const group = 1 + Math.floor(random() * 9);
      const rest = K + Math.floor(random() * 90);
      const keys = Array.from({ length: rest + group }, () => Math.floor(random() * 256));
      const small = publishTally({ count: rest, keySum: keys.slice(0, rest).reduce((s, k) => s + k, 0) }, K);
      const large = publishTally({ count: rest + group, keySum: keys.reduce((s, k) => s + k, 0) }, K);
      if (small.count === null || large.count === null) continue;
      trials++;
      if (large.count - small.count === group) exact++;
    }
    console.log(`adjustment alone: ${exact} of ${trials} single pairs exact (${((exact / trials) * 100).toFixed(1)}%)`);
    expect(exact / trials).toBeLessThan(0.2);
  });
});
