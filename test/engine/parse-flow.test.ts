// Flow files: what parseFlow builds from good YAML, and how every kind of mistake is reported
// (file:line, node, message), including the cross-flow checks of checkRegistry/buildRegistry.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkRegistry,
  DEFAULT_EXPIRY_MS,
  formatProblem,
  parseFlow,
  type FlowProblem,
} from "../../src/engine/parse-flow.js";
import { buildRegistry } from "../../src/engine/registry.js";
import type { Flow } from "../../src/engine/types.js";
import { flowFrom, repoRoot, shippedFlows } from "./helpers.js";

/** A YAML document written in a template literal; line 1 is the line after the opening backtick. */
const doc = (source: string) => source.replace(/^\n/, "");

function problemsOf(source: string, file = "t.yaml"): readonly FlowProblem[] {
  const result = parseFlow(doc(source), file);
  if (result.ok) throw new Error("expected the flow to be rejected");
  return result.problems;
}

const formatted = (source: string, file = "t.yaml") => problemsOf(source, file).map(formatProblem);

describe("a good flow", () => {
  const flow = flowFrom(
    doc(`
id: sample
name: Sample
description: A bit of everything.
languages: [en, cy]
expires_after: 12h
nodes:
  - id: hello
    type: message
    text: { en: Hi, cy: Helo }
  - id: colour
    type: question
    input: single_choice
    text: { en: Colour?, cy: Lliw? }
    options:
      - id: red
        label: { en: Red, cy: Coch }
        synonyms: { en: [scarlet] }
      - id: blue
        label: { en: Blue, cy: Glas }
  - id: score
    type: question
    input: number
    key: how_much
    min: 0
    max: 10
    allow_skip: true
    next: route
    text: { en: Score?, cy: Sgôr? }
  - id: unused_by_fallthrough
    type: end
  - id: route
    type: branch
    on: { answer: how_much }
    cases:
      - when: { gte: 5 }
        goto: unused_by_fallthrough
    default: bye
  - id: bye
    type: end
    text: { en: Bye, cy: Hwyl }
`),
    "sample.yaml",
  );

  it("keeps the flow's settings", () => {
    expect(flow).toMatchObject({
      id: "sample",
      name: "Sample",
      description: "A bit of everything.",
      languages: ["en", "cy"],
      file: "sample.yaml",
    });
    expect(flow.expiresAfterMs).toBe(12 * 60 * 60 * 1000);
  });

  it("records the 1-based line of every node", () => {
    expect(flow.nodes.map((n) => [n.id, n.line])).toEqual([
      ["hello", 7],
      ["colour", 10],
      ["score", 20],
      ["unused_by_fallthrough", 29],
      ["route", 31],
      ["bye", 38],
    ]);
  });

  it("resolves next: explicit, else the node below; never for end and branch nodes", () => {
    expect(Object.fromEntries(flow.nextOf)).toEqual({
      hello: "colour",
      colour: "score",
      score: "route",
      unused_by_fallthrough: undefined,
      route: undefined,
      bye: undefined,
    });
    expect([...flow.byId.keys()]).toEqual(["hello", "colour", "score", "unused_by_fallthrough", "route", "bye"]);
  });

  it("fills in question defaults: key = id, retries 2, on_give_up from allow_skip", () => {
    expect(flow.byId.get("colour")).toEqual({
      id: "colour",
      line: 10,
      type: "question",
      key: "colour",
      text: { en: "Colour?", cy: "Lliw?" },
      input: {
        kind: "single_choice",
        options: [
          { id: "red", label: { en: "Red", cy: "Coch" }, synonyms: { en: ["scarlet"] } },
          { id: "blue", label: { en: "Blue", cy: "Glas" } },
        ],
      },
      allowSkip: false,
      retries: 2,
      onGiveUp: "end",
    });
    expect(flow.byId.get("score")).toMatchObject({
      key: "how_much",
      allowSkip: true,
      onGiveUp: "next",
      input: { kind: "number", min: 0, max: 10, integer: true },
    });
  });

  it("a plain string text is English; languages default to [en]; expiry defaults to 3 days", () => {
    const plain = flowFrom(
      doc(`
id: plain
name: Plain
nodes:
  - id: q
    type: question
    input: multi_choice
    max_picks: 2
    text: Pick
    options: [{ id: a, label: A }, { id: b, label: B }]
  - id: e
    type: end
`),
    );
    expect(plain.languages).toEqual(["en"]);
    expect(plain.expiresAfterMs).toBe(DEFAULT_EXPIRY_MS);
    expect(DEFAULT_EXPIRY_MS).toBe(3 * 24 * 60 * 60 * 1000);
    expect(plain.byId.get("q")).toMatchObject({
      text: { en: "Pick" },
      input: { kind: "multi_choice", maxPicks: 2, minPicks: 1 },
    });
  });

  it.each([
    ["30m", 30 * 60_000],
    ["12h", 12 * 3_600_000],
    ["3d", 3 * 86_400_000],
    ["2 d", 2 * 86_400_000],
    [90, 90_000], // a bare number is seconds
  ])("expires_after %j is %d ms", (value, ms) => {
    const flow = flowFrom(
      doc(`
id: d
name: D
expires_after: ${typeof value === "string" ? JSON.stringify(value) : value}
nodes:
  - id: e
    type: end
`),
    );
    expect(flow.expiresAfterMs).toBe(ms);
  });
});

describe("the shipped flows", () => {
  const files = ["priorities", "help", "feedback"];

  it.each(files)("flows/%s.yaml parses with no problems", (name) => {
    const file = `flows/${name}.yaml`;
    const result = parseFlow(readFileSync(path.join(repoRoot, file), "utf8"), file);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (result.ok) {
      expect(result.flow.id).toBe(name);
      expect(result.flow.languages).toEqual(["en", "cy"]);
    }
  });

  it("have the documented expiry times", () => {
    const byId = new Map(shippedFlows().map((f) => [f.id, f]));
    expect(byId.get("priorities")?.expiresAfterMs).toBe(3 * 86_400_000);
    expect(byId.get("help")?.expiresAfterMs).toBe(1 * 86_400_000);
    expect(byId.get("feedback")?.expiresAfterMs).toBe(2 * 86_400_000);
  });

  it("form a registry with no cross-flow problems", () => {
    const flows = shippedFlows();
    expect(checkRegistry(flows)).toEqual([]);
    const registry = buildRegistry(flows, "priorities", "help");
    expect(registry.ok).toBe(true);
    if (registry.ok) {
      expect(registry.registry.entryFlowId).toBe("priorities");
      expect(registry.registry.helpFlowId).toBe("help");
      expect([...registry.registry.flows.keys()].sort()).toEqual([
        "feedback",
        "help",
        "offers",
        "priorities",
        "update_reply",
      ]);
    }
  });
});

describe("YAML syntax errors", () => {
  const withLine6 = (bad: string) => `
id: t
name: T
nodes:
  - id: a
    type: message
${bad}
  - id: b
    type: end
`;

  it("a nested mapping on one line is reported at its line", () => {
    expect(formatted(withLine6("    text: hi: there"))).toEqual([
      "t.yaml:6: YAML: Nested mappings are not allowed in compact mappings",
    ]);
  });

  it("a tab used for indentation is reported at its line", () => {
    expect(formatted(withLine6("\ttext: hi"))[0]).toBe("t.yaml:6: YAML: Tabs are not allowed as indentation");
  });

  it("a key given twice is reported at the second one", () => {
    expect(formatted(withLine6("    text: hi\n    text: again"))).toEqual(["t.yaml:7: YAML: Map keys must be unique"]);
  });

  it("an unclosed quote is reported as a YAML problem in that file", () => {
    const problems = problemsOf(withLine6('    text: "unterminated'), "flows/broken.yaml");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "flows/broken.yaml", message: 'YAML: Missing closing "quote' });
    expect(problems[0]!.nodeId).toBeUndefined();
  });
});

describe("schema errors point at the line and node", () => {
  it("an unknown field in a node is reported at the key's line", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
    colour: red
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:7: node "a": unknown field "colour"']);
  });

  it("a misspelt question option (allow_skp) is an unknown field", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: q
    type: question
    input: text
    text: Hi
    allow_skp: true
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:8: node "q": unknown field "allow_skp"']);
  });

  it("an unknown field at the top of the file", () => {
    expect(
      formatted(`
id: t
name: T
colour: red
nodes:
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:3: unknown field "colour"']);
  });

  it("an unknown field inside an option names the option's path", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: question
    input: single_choice
    text: hi
    options:
      - id: x
        label: X
        colour: red
      - id: y
        label: Y
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:11: node "a": options.0: unknown field "colour"']);
  });

  it("a wrong node type lists the valid types", () => {
    const problems = problemsOf(`
id: t
name: T
nodes:
  - id: a
    type: mesage
    text: hi
  - id: b
    type: end
`);
    expect(problems).toEqual([
      {
        file: "t.yaml",
        line: 5,
        nodeId: "a",
        message:
          "type: type must be one of: message, question, consent, branch, set_field, goto_flow, end, signpost, groups",
      },
    ]);
  });

  it("a wrong question input lists the valid inputs", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: question
    input: essay
    text: hi
  - id: b
    type: end
`),
    ).toEqual([
      't.yaml:6: node "a": input: input must be one of: single_choice, multi_choice, text, number, yes_no, postcode, language',
    ]);
  });

  it("a missing required field says so", () => {
    expect(
      formatted(`
id: t
nodes:
  - id: b
    type: end
`),
    ).toEqual(["t.yaml:1: name: is required (string)"]);
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: question
    input: multi_choice
    text: hi
    options: [{ id: x, label: X }, { id: y, label: Y }]
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:4: node "a": max_picks: is required (number)']);
  });

  it("values of the wrong kind or out of bounds are reported at the value", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: question
    input: yes_no
    retries: 11
    text: hi
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:7: node "a": retries: Too big: expected number to be <=10']);
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: question
    input: single_choice
    text: hi
    options: [{ id: x, label: X }]
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:8: node "a": options: Too small: expected array to have >=2 items']);
  });

  it("a bad id, an empty text and a bad duration", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: Bad Id
    type: end
`),
    ).toEqual([
      't.yaml:4: node "Bad Id": id: must be lower-case letters, digits, _ or - (at most 48), starting with a letter',
    ]);
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: ""
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:6: node "a": text: text must not be empty']);
    expect(
      formatted(`
id: t
name: T
expires_after: 3 weeks
nodes:
  - id: b
    type: end
`),
    ).toEqual(['t.yaml:3: expires_after: use a number above zero and a unit: "30m", "12h" or "3d"']);
  });

  it("a flow without nodes, and a file that is not a map", () => {
    expect(
      formatted(`
id: t
name: T
nodes: []
`),
    ).toEqual(["t.yaml:3: nodes: a flow needs at least one node"]);
    expect(formatted("- just a list")).toEqual(["t.yaml:1: Invalid input: expected object, received array"]);
    expect(formatted("")).toEqual(["t.yaml:1: Invalid input: expected object, received null"]);
  });

  it("every broken node is reported, not only the first", () => {
    const problems = problemsOf(`
id: t
name: T
nodes:
  - id: a
    type: mesage
    text: hi
  - id: b
    type: end
    colour: red
`);
    expect(problems.map((p) => [p.line, p.nodeId])).toEqual([
      [5, "a"],
      [9, "b"],
    ]);
  });

  // BUG (lint gap): expires_after: 0 is rejected (must be > 0), but the string "0m" / "0d" passes
  // the regex /^\d+\s*(m|h|d)$/ and gives expiresAfterMs = 0. Every session is then already expired
  // when the resident replies (expiresAt <= now), so the flow can never get past its first question:
  // each reply gets "Welcome back!" and a restart. Fix: require a positive number, e.g. /^[1-9]\d*\s*(m|h|d)$/.
  it('BUG: expires_after: "0m" is rejected like expires_after: 0', () => {
    expect(
      formatted(`
id: t
name: T
expires_after: 0m
nodes:
  - id: b
    type: end
`),
    ).toHaveLength(1);
  });
});

describe("graph errors point at the node", () => {
  it("a missing translation for a declared language, per text and per option", () => {
    expect(
      formatted(`
id: t
name: T
languages: [en, cy]
nodes:
  - id: a
    type: message
    text: { en: hi, cy: helo }
  - id: b
    type: question
    input: single_choice
    text: { en: Pick, cy: Dewis }
    invalid: "Pick again"
    options:
      - id: one
        label: One
      - id: two
        label: { en: Two, cy: Dau }
  - id: c
    type: end
    text: bye
`),
    ).toEqual([
      't.yaml:8: node "b": invalid has no "cy" text',
      't.yaml:8: node "b": option "one" has no "cy" text',
      't.yaml:18: node "c": text has no "cy" text',
    ]);
  });

  it("an unknown next target (and the node it orphans)", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
    next: nowhere
  - id: b
    type: end
`),
    ).toEqual([
      't.yaml:4: node "a": goes to unknown node "nowhere"',
      't.yaml:8: node "b": unreachable: no path from the first node leads here',
    ]);
  });

  it("unknown targets of branches and of a consent's declined path", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: ok
    type: consent
    text: OK?
    declined: gone
  - id: route
    type: branch
    on: { field: area }
    cases:
      - when: { equals: ST6 }
        goto: missing_case
    default: missing_default
`),
    ).toEqual([
      't.yaml:4: node "ok": goes to unknown node "gone"',
      't.yaml:8: node "route": goes to unknown node "missing_case"',
      't.yaml:8: node "route": goes to unknown node "missing_default"',
    ]);
  });

  it("an unreachable node", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
    next: c
  - id: b
    type: end
    text: never said
  - id: c
    type: end
`),
    ).toEqual(['t.yaml:8: node "b": unreachable: no path from the first node leads here']);
  });

  it("a dead end: the last node is not an end", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
  - id: b
    type: question
    input: text
    text: Anything else?
`),
    ).toEqual(['t.yaml:7: node "b": dead end: nothing comes after this node (add `next:` or an `end` node)']);
  });

  it("duplicate node ids are reported at the second one", () => {
    const problems = problemsOf(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: first
  - id: a
    type: message
    text: second
  - id: b
    type: end
`);
    expect(problems.map(formatProblem)).toContain('t.yaml:7: node "a": duplicate node id "a"');
    expect(problems.every((p) => p.file === "t.yaml")).toBe(true);
  });

  it("two questions saving under the same answer key", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: q1
    type: question
    input: text
    key: idea
    text: One?
  - id: q2
    type: question
    input: text
    key: idea
    text: Two?
  - id: e
    type: end
`),
    ).toEqual(['t.yaml:9: node "q2": answer key "idea" is already used by node "q1"']);
  });

  it("min_picks larger than max_picks, min larger than max, options sharing an id", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: picks
    type: question
    input: multi_choice
    max_picks: 1
    min_picks: 2
    text: Pick
    options: [{ id: a, label: A }, { id: b, label: B }]
  - id: range
    type: question
    input: number
    min: 10
    max: 1
    text: Number?
  - id: same
    type: question
    input: single_choice
    text: Pick one
    options: [{ id: a, label: A }, { id: a, label: Also A }]
  - id: e
    type: end
`),
    ).toEqual([
      't.yaml:4: node "picks": min_picks is larger than max_picks',
      't.yaml:11: node "range": min is larger than max',
      't.yaml:17: node "same": two options share an id',
    ]);
  });

  it("set_field language to a language the flow does not have", () => {
    expect(
      formatted(`
id: t
name: T
languages: [en, cy]
nodes:
  - id: lang
    type: set_field
    field: language
    value: fr
  - id: e
    type: end
`),
    ).toEqual(['t.yaml:5: node "lang": language "fr" is not one of the flow\'s languages (en, cy)']);
  });

  it("a groups node whose kinds_from is not a choice question, or text_from no question, and a missing none text", () => {
    expect(
      formatted(`
id: t
name: T
languages: [en, cy]
nodes:
  - id: details
    type: question
    input: text
    text: { en: What?, cy: Beth? }
  - id: groups
    type: groups
    kinds_from: details
    text_from: nothing
    text: { en: These groups, cy: Y grwpiau hyn }
    none: { en: None near you }
  - id: e
    type: end
`),
    ).toEqual([
      't.yaml:9: node "groups": kinds_from "details" must be the key of a choice question in this flow',
      't.yaml:9: node "groups": text_from "nothing" is not the key of a question in this flow',
      't.yaml:9: node "groups": none has no "cy" text',
    ]);
  });

  it("a loop of nodes that never wait for the resident", () => {
    expect(
      formatted(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
  - id: b
    type: set_field
    field: x
    value: "1"
    next: a
`),
    ).toEqual(['t.yaml:4: node "a": loop: these nodes go round without asking the resident anything']);
  });

  it("a loop through a question is fine", () => {
    const result = parseFlow(
      doc(`
id: t
name: T
nodes:
  - id: a
    type: message
    text: hi
  - id: again
    type: question
    input: yes_no
    text: Again?
  - id: route
    type: branch
    on: { answer: again }
    cases:
      - when: { equals: true }
        goto: a
    default: e
  - id: e
    type: end
`),
      "t.yaml",
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });
});

describe("registry checks", () => {
  const entry = flowFrom(
    doc(`
id: entry
name: Entry
nodes:
  - id: hi
    type: message
    text: hi
  - id: onwards
    type: goto_flow
    flow: nowhere
`),
    "flows/entry.yaml",
  );
  const other = flowFrom(
    doc(`
id: other
name: Other
nodes:
  - id: e
    type: end
`),
    "flows/other.yaml",
  );

  it("goto_flow to an unknown flow is reported at the goto node", () => {
    const problems = checkRegistry([entry, other]);
    expect(problems).toEqual([
      { file: "flows/entry.yaml", line: 7, nodeId: "onwards", message: 'goes to unknown flow "nowhere"' },
    ]);
    expect(problems.map(formatProblem)).toEqual(['flows/entry.yaml:7: node "onwards": goes to unknown flow "nowhere"']);
    const registry = buildRegistry([entry, other], "entry");
    expect(registry.ok).toBe(false);
    if (!registry.ok)
      expect(registry.problems.map(formatProblem)).toEqual([
        'flows/entry.yaml:7: node "onwards": goes to unknown flow "nowhere"',
      ]);
  });

  it("the same flow id in two files", () => {
    const copy: Flow = { ...other, file: "flows/other-copy.yaml" };
    expect(checkRegistry([other, copy]).map(formatProblem)).toEqual([
      'flows/other-copy.yaml:1: flow id "other" is already used by flows/other.yaml',
    ]);
  });

  it("an entry or help flow that does not exist", () => {
    const registry = buildRegistry([other], "priorities", "help");
    expect(registry.ok).toBe(false);
    if (!registry.ok) {
      expect(registry.problems.map(formatProblem)).toEqual([
        '(configuration):1: entry flow "priorities" was not found among 1 flow(s)',
        '(configuration):1: help flow "help" was not found',
      ]);
    }
  });

  it("a registry without a help flow has no helpFlowId", () => {
    const registry = buildRegistry([other], "other");
    expect(registry).toMatchObject({ ok: true, registry: { entryFlowId: "other" } });
    if (registry.ok) expect("helpFlowId" in registry.registry).toBe(false);
  });
});
