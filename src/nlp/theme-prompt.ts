// What a chat model is asked when it tags themes, and the shape of its answer: shared by the
// LangChain tagger (llm-theme-tagger.ts, Node) and the fetch tagger (fetch-theme-tagger.ts,
// Workers), without LangChain, so the Worker can bundle it.
import * as z from "zod";
import { THEMES, type ThemeId } from "../directory/themes.js";

export const DEFAULT_LLM_TIMEOUT_MS = 8_000;

export const THEME_DESCRIPTIONS: Readonly<Record<ThemeId, string>> = {
  housing: "homes, rent, landlords, repairs, damp and mould, homelessness, social housing",
  cost_of_living: "bills, prices, energy, food banks, benefits, debt, low pay, council tax",
  jobs_skills: "jobs, employment, training, apprenticeships, adult learning, careers",
  health_wellbeing: "GPs, hospitals, dentists, mental health, loneliness, addiction, healthy living",
  safety: "crime, anti-social behaviour, policing, drugs, feeling unsafe, street lighting, scams, road danger",
  transport: "buses, trains, roads, potholes, parking, traffic, cycling, pavements",
  environment: "litter, bins, fly-tipping, parks, green spaces, trees, pollution, flooding, dog mess",
  young_people: "things for children and teenagers, youth clubs, schools, childcare, play areas",
  community_spaces: "community centres, libraries, halls, warm spaces, places to meet",
  high_street: "shops, the town centre, markets, empty units, banks and post offices closing",
  digital: "internet, broadband, wifi, phone signal, getting online, computer skills",
  care_support: "social care, carers, older people, disability support, dementia, adaptations",
};

export const themeTagsSchema = z.object({
  themes: z.array(z.enum(THEMES)).describe("Every theme the message raises; an empty list when it raises none."),
});

/** What the model is told before the resident's (redacted) message. */
export const THEME_TAGS_PROMPT = [
  "You tag what residents of a UK neighbourhood say about where they live with themes.",
  "The message answers the question: what would make the biggest difference where you live?",
  "It may be in English or Welsh, misspelt or in text-speak. Placeholders such as [name] or [phone] stand for removed personal details.",
  "Return every theme the message raises, and none that it only mentions in passing or says is fine. Themes:",
  ...THEMES.map((theme) => `- ${theme}: ${THEME_DESCRIPTIONS[theme]}`),
].join("\n");

export class ThemeTaggerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The chat model did not answer within ${timeoutMs} ms`);
    this.name = "ThemeTaggerTimeoutError";
  }
}
