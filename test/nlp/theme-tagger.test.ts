// The offline tagger: what residents write -> theme ids, including misspellings, text-speak,
// Welsh, negation and words that only look like a theme.
import { describe, expect, it } from "vitest";
import type { ThemeId } from "../../src/directory/themes.js";
import { findThemeClues, tagThemes, welshMutations } from "../../src/nlp/offline-theme-tagger.js";
import { createOfflineThemeTagger } from "../../src/nlp/pure-runnable.js";
import { stem, tokenise } from "../../src/nlp/text-tokens.js";

const cases: readonly (readonly [string, readonly ThemeId[]])[] = [
  // one-word answers
  ["bins", ["environment"]],
  ["buses", ["transport"]],
  ["potholes", ["transport"]],
  ["GP", ["health_wellbeing"]],
  ["A&E", ["health_wellbeing"]],
  ["wifi", ["digital"]],
  ["jobs", ["jobs_skills"]],
  ["kids", ["young_people"]],
  ["care", ["care_support"]],
  ["shops", ["high_street"]],
  ["library", ["community_spaces"]],
  ["crime", ["safety"]],
  ["rent", ["housing"]],
  // misspellings and text-speak
  ["bnefits", ["cost_of_living"]],
  ["cant aford the gas", ["cost_of_living"]],
  ["ppl sleepin rough in doorways", ["housing"]],
  ["nuffin 4 the kidz", ["young_people"]],
  ["the enviroment", ["environment"]],
  ["polise never come", ["safety"]],
  ["docters apointments", ["health_wellbeing"]],
  ["intenet is rubbish", ["digital"]],
  ["housng", ["housing"]],
  ["busses", ["transport"]],
  // multiword phrases
  ["anti social behaviour on the estate", ["safety"]],
  ["fly tipping round the back", ["environment"]],
  ["fly-tipping", ["environment"]],
  ["Universal Credit isn't enough to live on", ["cost_of_living"]],
  ["a proper youth club", ["young_people"]],
  ["more community centres", ["community_spaces"]],
  ["nowhere to park near the shops on the high street", ["transport", "high_street"]],
  ["the car park at the hospital costs a fortune", ["cost_of_living", "health_wellbeing", "transport"]],
  // Welsh, mutated forms too
  ["Mwy o fysiau", ["transport"]],
  ["tai fforddiadwy", ["housing"]],
  ["gofal i'r henoed", ["care_support"]],
  ["does dim digon o feddygon", ["health_wellbeing"]],
  ["sbwriel ym mhobman", ["environment"]],
  ["clwb ieuenctid", ["young_people"]],
  ["band eang gwell", ["digital"]],
  ["swyddi", ["jobs_skills"]],
  // several themes
  ["Damp flat, the rent's gone up again and the bus stopped running", ["housing", "cost_of_living", "transport"]],
  ["More police and better street lighting in the park", ["safety", "environment"]],
  // none
  ["nothing", []],
  ["no idea", []],
  ["Thanks for asking", []],
  ["stop", []],
  ["The council never listens", []],
];

describe("tagThemes", () => {
  it.each(cases)("%j -> %j", (text, themes) => {
    expect(tagThemes(text)).toEqual(themes);
  });

  it("does not tag what the writer says is fine or not their concern", () => {
    expect(tagThemes("The buses are fine, it's the litter")).toEqual(["environment"]);
    expect(tagThemes("No problem with crime round here, we need a dentist")).toEqual(["health_wellbeing"]);
    expect(tagThemes("I don't care about the bins, fix the roads")).toEqual(["transport"]);
    expect(tagThemes("Nothing wrong with the library")).toEqual([]);
  });

  it("sets aside what the writer contrasts with what they raise, and only then", () => {
    expect(tagThemes("not the buses, its the bins")).toEqual(["environment"]);
    expect(tagThemes("its not crime its the bins")).toEqual(["environment"]);
    expect(tagThemes("rent is the problem not jobs")).toEqual(["housing"]);
    expect(tagThemes("not really bothered about buses, housing is the big one")).toEqual(["housing"]);
    // "not" before the complaint itself is the complaint
    expect(tagThemes("the park is not safe at night")).toEqual(["safety", "environment"]);
    // comparatives: what a thing is compared with, and "cheaper than"
    expect(tagThemes("the bins are worse than the buses")).toEqual(["environment"]);
    expect(tagThemes("the buses are cheaper than driving but never on time")).toEqual(["transport"]);
    expect(tagThemes("shops are better than last year, still too many drug dealers")).toEqual(["safety"]);
    // with nothing else raised, the comparison is the subject
    expect(tagThemes("Burslem high street is better than it was")).toEqual(["high_street"]);
  });

  it("reads street names as places, and the shops as somewhere to get to", () => {
    expect(tagThemes("Park Lane is fine, the problem is the rent")).toEqual(["housing"]);
    expect(tagThemes("Bus Station Road flats have damp everywhere")).toEqual(["housing"]);
    expect(tagThemes("Market Street has too many empty shops")).toEqual(["high_street"]);
    expect(tagThemes("cant get to the shops cos theres no bus")).toEqual(["transport"]);
  });

  it("hears community spaces however they are put", () => {
    expect(tagThemes("nowhere for the kids to go")).toEqual(["young_people", "community_spaces"]);
    expect(tagThemes("wud b gr8 if ther wos sumwer 4 da kids 2 go")).toContain("community_spaces");
    expect(tagThemes("neighbourhood hall needs doing up")).toEqual(["community_spaces"]);
    expect(tagThemes("dim lle i'r plant fynd")).toEqual(["young_people", "community_spaces"]);
    // a learned phrase (src/nlp/learned-phrases.ts)
    expect(tagThemes("we lost the luncheon club")).toEqual(["community_spaces", "care_support"]);
    // the town hall is the council, not a place to meet
    expect(tagThemes("the town hall never listens")).toEqual([]);
  });

  it("knows a few Polish words", () => {
    expect(tagThemes("brak pracy")).toEqual(["jobs_skills"]);
    expect(tagThemes("autobusy")).toEqual(["transport"]);
  });

  it("does not tag words that only look like a theme", () => {
    expect(tagThemes("I don't care")).toEqual([]);
    expect(tagThemes("take care")).toEqual([]);
    expect(tagThemes("email me please")).toEqual([]);
    expect(tagThemes("it never works")).toEqual([]);
    // street names say where, not what
    expect(tagThemes("I live on Station Road near Park Lane")).toEqual([]);
    // a real word is not a misspelling of a theme word: went/rent, would/mould, dark/park
    expect(tagThemes("we went there yesterday and it would have been quite dark by then")).toEqual([]);
    // place names are not misspellings either ("Burslem" is not "burgled")
    expect(tagThemes("The market hall in Burslem should reopen")).toEqual(["high_street"]);
    // contact details are not content
    expect(tagThemes("write to bins.and.buses@example.org")).toEqual([]);
  });

  it("counts a place named only to say where something happens at half weight", () => {
    expect(tagThemes("drug dealing by the park")).toEqual(["safety"]);
    expect(tagThemes("dog mess on the pavements")).toEqual(["environment"]);
    expect(tagThemes("the park needs new benches and bins")).toEqual(["environment"]);
  });

  it("explains its clues", () => {
    const clues = findThemeClues("no problem with the buses but the park is filthy");
    expect(clues.find((c) => c.words === "bus")).toMatchObject({ negated: true, weights: { transport: 0 } });
    expect(clues.find((c) => c.words === "park")).toMatchObject({ negated: false, weights: { environment: 1 } });
  });

  it("is fast: well under a millisecond a message", () => {
    const texts = cases.map(([text]) => text);
    for (const text of texts) tagThemes(text);
    const rounds = 50;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) for (const text of texts) tagThemes(text);
    const perMessage = (performance.now() - started) / (rounds * texts.length);
    expect(perMessage).toBeLessThan(0.25);
  });
});

describe("createOfflineThemeTagger", () => {
  it("is a LangChain runnable: invoke and batch", async () => {
    const tagger = createOfflineThemeTagger();
    expect(await tagger.invoke("kidz need a youth club")).toEqual(["young_people"]);
    expect(await tagger.batch(["bins", "buses", "hello"])).toEqual([["environment"], ["transport"], []]);
  });
});

describe("tokens", () => {
  it("stems plurals lightly and spells out text-speak", () => {
    expect(["potholes", "buses", "libraries", "houses", "prices", "churches", "homes", "bus"].map(stem)).toEqual([
      "pothole",
      "bus",
      "library",
      "house",
      "price",
      "church",
      "homes",
      "bus",
    ]);
    expect(tokenise("ppl can't get 2 the GP").map((t) => t.lower)).toEqual([
      "people",
      "cant",
      "get",
      "to",
      "the",
      "gp",
    ]);
    expect(tokenise("A&E and A & E").map((t) => t.lower)).toEqual(["ae", "and", "ae"]);
    // Welsh apostrophes separate words rather than joining them
    expect(tokenise("Mae'r bysiau").map((t) => t.lower)).toEqual(expect.arrayContaining(["mae", "bysiau"]));
  });

  it("knows Welsh mutations", () => {
    expect(welshMutations("bysiau")).toEqual(expect.arrayContaining(["fysiau", "mysiau"]));
    expect(welshMutations("gofal")).toContain("ofal");
    expect(welshMutations("cartref")).toEqual(expect.arrayContaining(["gartref", "nghartref", "chartref"]));
  });
});
