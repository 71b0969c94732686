// OpenAPI 3.1 description of the partner API, served at /api/v1/openapi.json.
import { MAX_ADJUSTMENT } from "../insights/disclosure.js";
import { THEMES } from "../directory/themes.js";

export function openApiDocument(threshold: number) {
  const filters = [
    {
      name: "area",
      in: "query",
      schema: { type: "string", example: "ST6" },
      description: "Postcode district; must be one of the partner's areas",
    },
    {
      name: "period",
      in: "query",
      schema: { type: "string", default: "all", examples: ["all", "year", "2026-11-30"] },
      description:
        'What the figures cover: "all" (all time), "year" (the last 52 weeks: 13 four-week blocks), or any day of one fixed four-week block (blocks run Monday to Sunday from 1 January 2024). Any other from/to is refused: arbitrary windows would let two queries a week apart single out that week\'s residents. The response\'s `period` gives the first and last day counted.',
    },
    { name: "channel", in: "query", schema: { type: "string", enum: ["sms", "telegram"] } },
    { name: "age_band", in: "query", schema: { type: "string", example: "age_35_49" } },
    { name: "format", in: "query", schema: { type: "string", enum: ["json", "csv"], default: "json" } },
  ];
  const theme = { name: "theme", in: "query", required: true, schema: { type: "string", enum: [...THEMES] } };
  const cell = {
    type: "object",
    properties: {
      count: { type: ["integer", "null"], description: `null when suppressed (fewer than ${threshold})` },
      suppressed: { type: "boolean" },
    },
  };
  const period = {
    type: "object",
    description: "The first and last day whose answers are counted, and the period id to ask for it again",
    properties: {
      id: { type: "string" },
      from: { type: "string", format: "date" },
      to: { type: "string", format: "date" },
    },
  };
  const table = {
    type: "object",
    properties: {
      period,
      threshold: { type: "integer" },
      disclosure: { type: "string" },
      respondents: cell,
      rows: {
        type: "array",
        items: {
          type: "object",
          properties: {
            theme: { type: "string" },
            label: { type: "string" },
            count: { type: ["integer", "null"] },
            share: { type: ["integer", "null"], description: "percent of respondents" },
            suppressed: { type: "boolean" },
          },
        },
      },
    },
  };
  const ok = (schema: object) => ({
    "200": {
      description: "OK",
      content: { "application/json": { schema }, "text/csv": { schema: { type: "string" } } },
    },
    "400": { description: "Invalid query" },
    "401": { description: "Missing or invalid token" },
    "403": { description: "Area outside the partner's areas" },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "PlaceVoice partner API",
      version: "1.0.0",
      description: `Aggregated, anonymised insight from residents. Disclosure policy (docs/disclosure.md): every count is adjusted by a small amount (at most ${MAX_ADJUSTMENT}) read from a fixed table at a key that depends only on which residents it counts, so the same residents give the same number by every query, and differences between published numbers cannot be trusted to the resident; counts below ${threshold}, before or after the adjustment, are withheld (null); a cell that differs by 1 to ${threshold - 1} from the same cell with one filter removed is withheld; periods are fixed four-week blocks, the last 52 weeks or all time.`,
    },
    components: {
      securitySchemes: { partnerToken: { type: "http", scheme: "bearer" } },
      schemas: {
        HeardLeast: {
          type: "object",
          properties: {
            area: { type: "string" },
            band: { type: "string" },
            label: { type: "string" },
            heard: cell,
            per1000: { type: ["number", "null"] },
          },
        },
      },
    },
    security: [{ partnerToken: [] }],
    paths: {
      "/api/v1/insights/priorities": {
        get: { summary: "Residents per chosen priority", parameters: filters, responses: ok(table) },
      },
      "/api/v1/insights/themes": {
        get: { summary: "Residents per theme found in their own words", parameters: filters, responses: ok(table) },
      },
      "/api/v1/insights/offers": {
        get: {
          summary:
            "Residents per kind of thing they could offer their area (time, skill, space, lifts, languages, neighbours, other), out of residents who offered",
          parameters: filters,
          responses: ok(table),
        },
      },
      "/api/v1/insights/trend": {
        get: {
          summary: "Residents per four-week block for one theme, every block of the period",
          parameters: [
            theme,
            { name: "source", in: "query", schema: { type: "string", enum: ["choice", "text"], default: "choice" } },
            ...filters,
          ],
          responses: ok({
            type: "object",
            properties: {
              period,
              points: {
                type: "array",
                items: {
                  type: "object",
                  properties: { period, count: { type: ["integer", "null"] }, suppressed: { type: "boolean" } },
                },
              },
            },
          }),
        },
      },
      "/api/v1/insights/reach": {
        get: {
          summary:
            "Residents heard per area against the operator's population baseline: per 1,000, age mix beside the population's, heard least, champions' residents, and priorities re-weighted by age",
          description: `Every count is a published count (the rules above). Rates and shares are worked out from published counts and the population baseline (an operator's import of a public statistic, with its source and year). Weighted priorities are post-stratified on age band and given only where every age band's respondents number ${threshold} or more; effectiveSampleSize is Kish's. The unweighted share stays the main figure. Without a baseline an area still has its counts, with null rates.`,
          parameters: [
            ...filters.filter((p) => ["area", "period", "format"].includes(p.name)),
            {
              name: "table",
              in: "query",
              schema: { type: "string", enum: ["reach", "weighted"], default: "reach" },
              description: "With format=csv: the reach rows (area and age band) or the weighted priorities",
            },
          ],
          responses: ok({
            type: "object",
            properties: {
              period,
              threshold: { type: "integer" },
              weightingCaveat: { type: "string" },
              areasHeardLeast: { type: "array", items: { $ref: "#/components/schemas/HeardLeast" } },
              groupsHeardLeast: { type: "array", items: { $ref: "#/components/schemas/HeardLeast" } },
              areas: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    area: { type: "string" },
                    baseline: {
                      type: ["object", "null"],
                      properties: {
                        population: { type: "integer" },
                        source: { type: "string" },
                        year: { type: "integer" },
                      },
                    },
                    heard: cell,
                    per1000: { type: ["number", "null"], description: "residents heard per 1,000 population" },
                    throughChampions: cell,
                    bands: {
                      type: "array",
                      items: {
                        type: "object",
                        properties: {
                          band: { type: "string" },
                          label: { type: "string" },
                          population: { type: ["integer", "null"] },
                          heard: cell,
                          per1000: { type: ["number", "null"] },
                          respondentShare: {
                            type: ["integer", "null"],
                            description:
                              "percent of respondents who gave an age band; null unless every band is published",
                          },
                          populationShare: { type: ["integer", "null"] },
                        },
                      },
                    },
                    weighted: {
                      type: "object",
                      properties: {
                        shown: { type: "boolean" },
                        reason: { type: ["string", "null"] },
                        base: { type: ["integer", "null"] },
                        effectiveSampleSize: { type: ["integer", "null"] },
                        rows: {
                          type: "array",
                          items: {
                            type: "object",
                            properties: {
                              theme: { type: "string" },
                              label: { type: "string" },
                              share: { type: ["integer", "null"] },
                              weightedShare: { type: ["integer", "null"] },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
        },
      },
      "/api/v1/insights/quotes": {
        get: {
          summary: "Redacted quotes about a theme, month only",
          parameters: [theme, ...filters],
          responses: ok({
            type: "object",
            properties: {
              period,
              quotes: {
                type: "array",
                items: {
                  type: "object",
                  properties: { text: { type: "string" }, area: { type: "string" }, month: { type: "string" } },
                },
              },
            },
          }),
        },
      },
      "/api/v1/feed": {
        get: {
          summary: "The partner's insight and updates as one JSON document, for systems that poll",
          description:
            "The same gated figures as the insight routes, for the partner's areas, with the published updates. Unchanged insight gives the same ETag; send it as If-None-Match to get 304 with no body.",
          parameters: [{ name: "If-None-Match", in: "header", schema: { type: "string" } }],
          responses: {
            "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } },
            "304": { description: "Unchanged since the ETag sent" },
            "401": { description: "Missing or invalid token" },
          },
        },
      },
      "/api/v1/relays": {
        get: {
          summary: "A local group's relays: residents who asked this group to get in touch after an offer",
          description:
            "Only for an account an operator linked to a group (docs/relays.md). A relay shows the offer as the resident agreed the group may see it (area, what, when) and the messages both ways; never a phone number or chat id.",
          responses: {
            "200": {
              description: "OK",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      relays: {
                        type: "array",
                        items: {
                          type: "object",
                          properties: {
                            id: { type: "string" },
                            status: { type: "string", enum: ["open", "declined", "stopped"] },
                            openedAt: { type: ["string", "null"], format: "date-time" },
                            endedAt: { type: ["string", "null"], format: "date-time" },
                            offer: {
                              type: "object",
                              properties: {
                                area: { type: ["string", "null"] },
                                what: { type: "array", items: { type: "string" } },
                                when: { type: ["string", "null"] },
                              },
                            },
                            messages: {
                              type: "array",
                              items: {
                                type: "object",
                                properties: {
                                  from: { type: "string", enum: ["group", "resident"] },
                                  text: { type: "string" },
                                  at: { type: "string", format: "date-time" },
                                },
                              },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            "401": { description: "Missing or invalid token" },
            "403": { description: "The account is not linked to a local group" },
            "429": { description: "Too many requests" },
          },
        },
      },
      "/api/v1/relays/{id}/messages": {
        post: {
          summary: "Send a resident a message through PlaceVoice, on their own channel",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
              },
            },
          },
          responses: {
            "202": {
              description: "Queued; sent from `sendFrom` (after quiet hours when they apply)",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { status: { type: "string" }, sendFrom: { type: "string", format: "date-time" } },
                  },
                },
              },
            },
            "400": { description: "No text, text too long, or not JSON" },
            "401": { description: "Missing or invalid token" },
            "403": { description: "Not linked to a group, or the group's relays are suspended" },
            "404": { description: "No such relay for this group (another group's relay answers the same)" },
            "409": { description: "The resident ended the conversation (no thanks or STOP)" },
            "429": {
              description: "The resident's weekly limit of messages from groups is reached, or too many requests",
            },
          },
        },
      },
    },
  };
}
