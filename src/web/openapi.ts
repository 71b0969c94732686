// OpenAPI 3.1 description of the partner API, served at /api/v1/openapi.json.
import { THEMES } from "../directory/themes.js";

export function openApiDocument(threshold: number) {
  const filters = [
    { name: "area", in: "query", schema: { type: "string", example: "ST6" }, description: "Postcode district; must be one of the partner's areas" },
    { name: "from", in: "query", schema: { type: "string", format: "date" }, description: "Inclusive start date" },
    { name: "to", in: "query", schema: { type: "string", format: "date" }, description: "Exclusive end date" },
    { name: "channel", in: "query", schema: { type: "string", enum: ["sms", "telegram"] } },
    { name: "age_band", in: "query", schema: { type: "string", example: "age_35_49" } },
    { name: "format", in: "query", schema: { type: "string", enum: ["json", "csv"], default: "json" } },
  ];
  const theme = { name: "theme", in: "query", required: true, schema: { type: "string", enum: [...THEMES] } };
  const cell = {
    type: "object",
    properties: { count: { type: ["integer", "null"], description: `null when suppressed (fewer than ${threshold})` }, suppressed: { type: "boolean" } },
  };
  const table = {
    type: "object",
    properties: {
      threshold: { type: "integer" },
      respondents: cell,
      rows: { type: "array", items: { type: "object", properties: { theme: { type: "string" }, label: { type: "string" }, count: { type: ["integer", "null"] }, share: { type: ["integer", "null"], description: "percent of respondents" }, suppressed: { type: "boolean" } } } },
    },
  };
  const ok = (schema: object) => ({
    "200": { description: "OK", content: { "application/json": { schema }, "text/csv": { schema: { type: "string" } } } },
    "400": { description: "Invalid query" },
    "401": { description: "Missing or invalid token" },
    "403": { description: "Area outside the partner's areas" },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "PlaceVoice partner API",
      version: "1.0.0",
      description: `Aggregated, anonymised insight from residents. Every count below ${threshold} is suppressed; see README "Disclosure control".`,
    },
    components: { securitySchemes: { partnerToken: { type: "http", scheme: "bearer" } } },
    security: [{ partnerToken: [] }],
    paths: {
      "/api/v1/insights/priorities": { get: { summary: "Residents per chosen priority", parameters: filters, responses: ok(table) } },
      "/api/v1/insights/themes": { get: { summary: "Residents per theme found in their own words", parameters: filters, responses: ok(table) } },
      "/api/v1/insights/trend": {
        get: {
          summary: "Residents per ISO week for one theme",
          parameters: [theme, { name: "source", in: "query", schema: { type: "string", enum: ["choice", "text"], default: "choice" } }, ...filters],
          responses: ok({ type: "object", properties: { points: { type: "array", items: { type: "object", properties: { week: { type: "string" }, count: { type: ["integer", "null"] }, suppressed: { type: "boolean" } } } } } }),
        },
      },
      "/api/v1/insights/quotes": {
        get: {
          summary: "Redacted quotes about a theme, month only",
          parameters: [theme, ...filters],
          responses: ok({ type: "object", properties: { quotes: { type: "array", items: { type: "object", properties: { text: { type: "string" }, area: { type: "string" }, month: { type: "string" } } } } } }),
        },
      },
    },
  };
}
