// What residents wrote reaches partners only as themes counts and redacted quotes, month only,
// and only from areas where enough residents wrote about the theme.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { published, startHarness, type Harness } from "../support/channel-harness.js";

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startHarness();
  let n = 0;
  const resident = async (postcode: string, words: string) => {
    const address = `+4477009${String(++n).padStart(5, "0")}`;
    for (const text of ["hi", "english", "yes", postcode, "housing", words, "skip", "no"])
      await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
  };
  for (let i = 0; i < 11; i++)
    await resident(
      "ST6 1AA",
      i === 0
        ? "I'm Sarah Jones, the buses from Burslem stop at 6pm, ring me on 07700 900123"
        : `The bus service after ${6 + (i % 3)}pm is terrible`,
    );
  for (let i = 0; i < 3; i++) await resident("ST3 4HS", "buses never come on time");
  token = (await h.services.partners.create("Council", [])).token;
}, 120_000);
afterAll(async () => {
  await h.close();
});

const get = async (path: string) =>
  (await h.app.request(path, { headers: { Authorization: `Bearer ${token}` } })).json();

describe("free text in insight", () => {
  it("is stored redacted and tagged with themes", async () => {
    const answer = await h.services.prisma.answer.findFirstOrThrow({
      where: { questionKey: "biggest_difference", value: { contains: "Sarah" } },
    });
    expect(answer.redacted).toBe("I'm [name], the buses from Burslem stop at 6pm, ring me on [phone]");
    expect(
      (await h.services.prisma.themeFact.findMany({ where: { answerId: answer.id } })).map((f) => f.theme),
    ).toEqual(["transport"]);
  });

  it("counts themes from residents' own words under the same disclosure control", async () => {
    // For a council that sees every area, ST6's 11 would give away ST3's 3 (all areas: 14).
    const all = await get("/api/v1/insights/themes?area=ST6");
    expect(all.rows.find((r: { theme: string }) => r.theme === "transport")).toMatchObject({
      count: null,
      suppressed: true,
    });
    // A partner that covers ST6 only has no wider total to subtract from: it sees 11.
    const st6Token = (await h.services.partners.create("Burslem Partnership", ["ST6"])).token;
    const own = await (
      await h.app.request("/api/v1/insights/themes?area=ST6", { headers: { Authorization: `Bearer ${st6Token}` } })
    ).json();
    expect(own.rows.find((r: { theme: string }) => r.theme === "transport")).toMatchObject({
      count: published(11),
      suppressed: false,
    });
    const st3 = await get("/api/v1/insights/themes?area=ST3");
    expect(st3.respondents).toEqual({ count: null, suppressed: true });
  });

  it("quotes only redacted text, month only, and only from areas above the threshold", async () => {
    const body = await get("/api/v1/insights/quotes?theme=transport");
    // Eleven residents wrote four different things: each is quoted once.
    expect(body.quotes).toHaveLength(4);
    expect(new Set(body.quotes.map((q: { text: string }) => q.text)).size).toBe(4);
    for (const q of body.quotes) {
      expect(q.area).toBe("ST6");
      expect(q.month).toMatch(/^\d{4}-\d{2}$/);
      expect(Object.keys(q).sort()).toEqual(["area", "month", "text"]);
    }
    const texts = body.quotes.map((q: { text: string }) => q.text).join("\n");
    expect(texts).toContain("I'm [name], the buses from Burslem stop at 6pm, ring me on [phone]");
    expect(texts).not.toContain("Sarah");
    expect(texts).not.toContain("07700");
    expect(texts).not.toContain("never come on time"); // ST3 has only 3 residents
  });
});
