// The YAML shape of a flow file, validated with zod. Authors write snake_case; the engine
// works on the camelCase types in types.ts. See docs/flows.md for examples.
import * as z from "zod";

const id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,47}$/, "must be lower-case letters, digits, _ or - (at most 48), starting with a letter");

const text = z.union(
  [
    z.string().min(1, "text must not be empty"),
    z.record(
      z.string().regex(/^[a-z]{2,3}$/, "language codes are two or three letters"),
      z.string().min(1, "text must not be empty"),
    ),
  ],
  {
    error: () =>
      'text must be a string, or one string per language such as { en: "…", cy: "…" } (quote texts that contain commas)',
  },
);

const option = z.strictObject({
  id,
  label: text,
  synonyms: z.record(z.string(), z.array(z.string().min(1))).optional(),
});

const duration = z
  .union([
    z.string().regex(/^[1-9]\d*\s*(m|h|d)$/, 'use a number above zero and a unit: "30m", "12h" or "3d"'),
    z.number().positive(),
  ])
  .optional();

/** Lets an author allow a longer SMS for one node (the default budget is the flow's sms_budget, else SMS_MAX_SEGMENTS). */
const smsSegments = z.number().int().min(1).max(10).optional();

const base = { id, next: id.optional(), sms_segments: smsSegments };

const questionFields = {
  ...base,
  key: id.optional(),
  text,
  invalid: text.optional(),
  allow_skip: z.boolean().default(false),
  retries: z.number().int().min(0).max(10).default(2),
  on_give_up: z.enum(["next", "end"]).optional(),
  remind_after: duration,
  reminder: text.optional(),
};

const literal = z.union([z.string(), z.number(), z.boolean()]);

const condition = z.union([
  z.strictObject({ equals: literal }),
  z.strictObject({ in: z.array(literal).min(1) }),
  z.strictObject({ includes: z.string() }),
  z.strictObject({ answered: z.boolean() }),
  z.strictObject({ gte: z.number() }),
  z.strictObject({ lte: z.number() }),
]);

const questionSchema = z.discriminatedUnion(
  "input",
  [
    z.strictObject({
      ...questionFields,
      type: z.literal("question"),
      input: z.literal("single_choice"),
      options: z.array(option).min(2).max(20),
    }),
    z.strictObject({
      ...questionFields,
      type: z.literal("question"),
      input: z.literal("multi_choice"),
      options: z.array(option).min(2).max(20),
      max_picks: z.number().int().min(1),
      min_picks: z.number().int().min(0).default(1),
    }),
    z.strictObject({
      ...questionFields,
      type: z.literal("question"),
      input: z.literal("text"),
      max_length: z.number().int().min(1).max(4000).default(500),
      min_length: z.number().int().min(0).default(1),
    }),
    z.strictObject({
      ...questionFields,
      type: z.literal("question"),
      input: z.literal("number"),
      min: z.number(),
      max: z.number(),
      integer: z.boolean().default(true),
    }),
    z.strictObject({ ...questionFields, type: z.literal("question"), input: z.literal("yes_no") }),
    z.strictObject({ ...questionFields, type: z.literal("question"), input: z.literal("postcode") }),
    z.strictObject({ ...questionFields, type: z.literal("question"), input: z.literal("language") }),
  ],
  { error: () => "input must be one of: single_choice, multi_choice, text, number, yes_no, postcode, language" },
);

export const nodeSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ ...base, type: z.literal("message"), text }),
    z.strictObject({ ...base, type: z.literal("consent"), text, declined: id }),
    questionSchema,
    z.strictObject({
      id,
      type: z.literal("branch"),
      on: z.union([z.strictObject({ answer: id }), z.strictObject({ field: id })]),
      cases: z.array(z.strictObject({ when: condition, goto: id })).min(1),
      default: id,
    }),
    z.strictObject({ ...base, type: z.literal("set_field"), field: id, value: z.string() }),
    z.strictObject({
      ...base,
      type: z.literal("signpost"),
      text,
      themes_from: id.optional(),
      text_from: id.optional(),
      max: z.number().int().min(1).max(5).default(3),
      other_options_from: id.optional(),
    }),
    z.strictObject({
      ...base,
      type: z.literal("groups"),
      text,
      none: text,
      kinds_from: id,
      text_from: id.optional(),
      max: z.number().int().min(1).max(5).default(3),
    }),
    z.strictObject({ id, type: z.literal("goto_flow"), flow: id }),
    z.strictObject({ id, type: z.literal("end"), text: text.optional(), sms_segments: smsSegments }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? "type must be one of: message, question, consent, branch, set_field, goto_flow, end, signpost, groups"
        : undefined,
  },
);

export const flowSchema = z.strictObject({
  id,
  name: z.string().min(1),
  description: z.string().optional(),
  languages: z
    .array(z.string().regex(/^[a-z]{2,3}$/))
    .min(1)
    .default(["en"]),
  expires_after: duration,
  /** One gentle reminder for every question left unanswered this long (a question can set its own). */
  remind_after: duration,
  /** The reminder's text: it repeats the question (a question can set its own). */
  reminder: text.optional(),
  /** The most SMS segments any text of this flow may take (a node's sms_segments overrides it). */
  sms_budget: z.number().int().min(1).max(10).optional(),
  nodes: z.array(z.unknown()).min(1, "a flow needs at least one node"),
});

export type FlowFile = z.infer<typeof flowSchema>;
export type NodeFile = z.infer<typeof nodeSchema>;
