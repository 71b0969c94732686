import { describe, expect, it } from "vitest";
import { themesFor } from "../../src/directory/theme-map.js";

const term = (name: string) => ({ vocabulary: "esdNeeds", name });

describe("themesFor: LGA needs and service types to the 12 themes", () => {
  it.each([
    ["Housing advice", ["housing"]],
    ["Homelessness", ["housing"]],
    ["Debt advice", ["cost_of_living"]],
    ["Welfare benefits", ["cost_of_living"]],
    ["Food banks", ["cost_of_living"]],
    ["Employment support", ["jobs_skills"]],
    ["Adult learning", ["jobs_skills"]],
    ["Mental health", ["health_wellbeing"]],
    ["GP", ["health_wellbeing"]],
    ["Community safety", ["safety"]],
    ["Domestic abuse", ["safety"]],
    ["Anti-social behaviour", ["safety"]],
    ["Public transport", ["transport"]],
    ["Waste and recycling", ["environment"]],
    ["Parks", ["environment"]],
    ["Youth clubs", ["young_people"]],
    ["Libraries", ["community_spaces"]],
    ["Community centres", ["community_spaces"]],
    ["Town centre", ["high_street"]],
    ["Digital inclusion", ["digital"]],
    ["Adult social care", ["care_support"]],
    ["Carers", ["care_support"]],
    ["Young carers", ["young_people", "care_support"]],
    ["Urgent care", []],
    ["Volunteering", []],
  ] as const)("%s -> %j", (name, themes) => {
    expect(themesFor([term(name)], "")).toEqual(themes);
  });

  it("joins the themes of several terms, in the standard order", () => {
    expect(themesFor([term("Carers"), term("Food banks"), term("Housing advice")], "")).toEqual([
      "housing",
      "cost_of_living",
      "care_support",
    ]);
  });

  it("uses the terms, not the text, when a term maps", () => {
    expect(themesFor([term("Food banks")], "Free food parcels, and a youth club on Fridays.")).toEqual([
      "cost_of_living",
    ]);
  });

  it.each([
    ["Community Counselling. Counselling Services provided by trained professionals.", ["health_wellbeing"]],
    ["Tenancy support. Help for tenants facing eviction.", ["housing"]],
    ["Jobs club. CV help and job search.", ["jobs_skills"]],
    ["Get online. Free computer and internet help.", ["digital"]],
    ["Bus info. Bus times and routes.", ["transport"]],
    ["Hanley market. Indoor market hall in the city centre.", ["high_street"]],
    // Loose words that are fine as a term name are not read from running text.
    ["Knit and natter. Apply online; near the car park; a safe environment.", []],
  ] as const)("falls back to the words of %j", (text, themes) => {
    expect(themesFor([term("name")], text)).toEqual(themes);
    expect(themesFor([], text)).toEqual(themes);
  });
});
