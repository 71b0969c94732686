// Urgent needs in the words residents use, in English and in Welsh (flows/lexicons/urgent-needs.yaml):
// each phrase must be caught, whatever the accents, hyphens, capitals or mutation; everyday
// replies that share a word with them must not be.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectUrgentNeeds, parseUrgentLexicon } from "../../src/directory/urgent.js";
import { shippedFlowsDir } from "../../src/runtime-node/paths.js";

const lexicon = parseUrgentLexicon(readFileSync(path.join(shippedFlowsDir, "lexicons", "urgent-needs.yaml"), "utf8"));
const kinds = (text: string) => detectUrgentNeeds(lexicon, text).map((k) => k.id);

describe("urgent needs said in Welsh", () => {
  it.each([
    // What a Welsh-speaking reviewer typed and was not helped with.
    ["lladd fy hunan", "self_harm"],
    ["hunan-niweidio", "self_harm"],
    ["dim bwyd i'r plant heno", "food_tonight"],
    ["does gen i ddim lle i gysgu heno", "nowhere_to_sleep"],
    ["mae o'n fy nharo i", "abuse"],
    // …and what was already caught.
    ["lladd fy hun", "self_harm"],
    // Other ways of saying the same.
    ["Dwi isio marw", "self_harm"],
    ["dwi ddim eisiau byw rhagor", "self_harm"],
    ["Rwy wedi bod yn hunanniweidio eto", "self_harm"],
    ["Dw i'n brifo fy hun", "self_harm"],
    ["mae'n fy nharo i pan mae o wedi meddwi", "abuse"],
    ["Mae gen i ofn fy ngŵr", "abuse"],
    ["mae gen i ofn mynd adre", "abuse"],
    ["Does gennym ni ddim bwyd yn y tŷ", "food_tonight"],
    ["mae'r plant yn llwgu", "food_tonight"],
    ["angen banc bwyd plis", "food_tonight"],
    ["Dwi'n cysgu yn y car ers wythnos", "nowhere_to_sleep"],
    ["wedi cael fy nhaflu allan, nunlle i gysgu", "nowhere_to_sleep"],
  ])("%j -> %s", (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    // Without accents, in capitals, with other apostrophes and spacing: the same.
    ["DOES GEN I DDIM LLE I GYSGU HENO", "nowhere_to_sleep"],
    ["dim bwyd yn y ty", "food_tonight"],
    ["Mae o’n fy nharo i", "abuse"],
    ["ofn fy ngwr", "abuse"],
    ["hunan niweidio", "self_harm"],
    ["  lladd   fy   hunan  ", "self_harm"],
    // Typed without the mutation.
    ["mae o'n fy taro i", "abuse"],
    ["ofn fy partner", "abuse"],
  ])("spelled differently: %j -> %s", (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    "Mae'r stryd fawr yn marw",
    "Dim ond lladd amser yn y parc mae'r bobl ifanc",
    "Mae'r banc bwyd yn Hanley yn wych",
    "Mwy o help i bobl ddigartref yn y dref",
    "Dwi'n cysgu'n well ers iddyn nhw drwsio'r goleuadau stryd",
    "Dim lle i barcio ger y siopau",
    "Bwyd rhy ddrud yn y siopau",
    "Hoffwn weld llai o drais ar y stryd fawr",
    "bysus hwyr bob nos",
  ])("a Welsh reply that is not urgent: %j", (text) => {
    expect(kinds(text)).toEqual([]);
  });
});

describe("urgent needs said in English", () => {
  it.each([
    ["I want to kill myself", "self_harm"],
    ["thinking about self-harm again", "self_harm"],
    ["my partner hits me", "abuse"],
    ["I'm scared to go home", "abuse"],
    ["no food tonight for the kids", "food_tonight"],
    ["we have nothing to eat", "food_tonight"],
    ["I have nowhere to sleep tonight", "nowhere_to_sleep"],
    ["sleeping in my car", "nowhere_to_sleep"],
  ])("%j -> %s", (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    "The high street is dying",
    "More for young people to do in the evenings",
    "The food bank on Market Street is brilliant",
    "Help for homeless people in the town centre",
    "Buses are killing the town",
  ])("an English reply that is not urgent: %j", (text) => {
    expect(kinds(text)).toEqual([]);
  });

  it("has an intro in English and Welsh for every kind, and Welsh phrases for every kind", () => {
    const source = readFileSync(path.join(shippedFlowsDir, "lexicons", "urgent-needs.yaml"), "utf8");
    for (const kind of lexicon.kinds) {
      expect(kind.intro.en, kind.id).toBeTruthy();
      expect(kind.intro.cy, kind.id).toBeTruthy();
    }
    // Every kind lists phrases under `cy:` as well as `en:`.
    expect(source.match(/^ {6}cy:$/gm)).toHaveLength(lexicon.kinds.length);
  });
});
