// /dashboard/admin/flows: flows at a glance, for an officer checking a change before it goes live.
// Each flow as a readable outline (its steps in order, what each says in every language side by
// side, where each goes, with links), the problems `placevoice flows lint` finds and the results of
// the conversation tests (`placevoice flows test`) over the same files, through the same code
// (src/ops/flows-lint.ts, src/runtime-node/script-driver.ts). The runtime says where the files
// come from and whether the tests can run there (src/runtime-node/flows-glance.ts on Node; the
// Worker has its bundled flows and no tests). Operators only; every view is in the audit log.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { formatProblem, textsOf, type FlowProblem } from "../engine/parse-flow.js";
import type { BranchCondition, Flow, FlowNode, FlowRegistry, LocalisedText } from "../engine/types.js";
import type { PartnerStore } from "../insights/partners.js";
import type { FlowLint } from "../ops/flows-lint.js";
import type { Clock } from "../clock.js";
import { page } from "./layout.js";
import { operatorReader } from "./session.js";

/** One conversation test's result: its file, its name, and what went wrong (nothing when it passed). */
export interface FlowTestRun {
  readonly file: string;
  readonly name: string;
  readonly failures: readonly string[];
}

/** The flows as they are now, checked. */
export interface FlowsGlance {
  /** Where the flow files were read from, in words for the page. */
  readonly source: string;
  readonly lint: FlowLint;
  /** The conversation tests' results, or why they cannot run on this runtime. */
  readonly tests:
    | { readonly runs: readonly FlowTestRun[] }
    | { readonly running: { readonly done: number; readonly total: number } }
    | { readonly unavailable: string };
  /** Flow files that differ from those the running service loaded (a restart or deploy puts them live). */
  readonly changed: readonly string[];
}

export interface FlowsViewDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly now: Clock;
  /** The running service's flows (which is the entry flow, which HELP starts). */
  readonly registry: FlowRegistry;
  readonly glance: () => Promise<FlowsGlance>;
}

const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: "English", cy: "Cymraeg (Welsh)" };
const languageName = (code: string) => LANGUAGE_NAMES[code] ?? code;

const anchor = (flowId: string, nodeId?: string) => (nodeId ? `step-${flowId}-${nodeId}` : `flow-${flowId}`);

/** "goes to <step>", linked to the step's place in the outline. */
function goesTo(flow: Flow, target: string | undefined) {
  if (!target) return html`the conversation ends`;
  if (!flow.byId.has(target)) return html`<strong>a step that does not exist (${target})</strong>`;
  return html`goes to <a href="#${anchor(flow.id, target)}">${target}</a>`;
}

const shownValue = (value: string | number | boolean) => (typeof value === "string" ? `"${value}"` : String(value));

function condition(when: BranchCondition): string {
  if ("equals" in when) return `is ${shownValue(when.equals)}`;
  if ("in" in when) return `is one of ${when.in.map(shownValue).join(", ")}`;
  if ("includes" in when) return `includes "${when.includes}"`;
  if ("answered" in when) return when.answered ? "was answered" : "was skipped";
  if ("gte" in when) return `is ${when.gte} or more`;
  return `is ${when.lte} or less`;
}

/** What kind of step a node is, in an officer's words. */
function kindOf(node: FlowNode): string {
  switch (node.type) {
    case "message":
      return "Message";
    case "question": {
      const input = node.input;
      const kind =
        input.kind === "single_choice"
          ? "pick one"
          : input.kind === "multi_choice"
            ? `pick ${input.minPicks} to ${input.maxPicks}`
            : input.kind === "text"
              ? "their own words"
              : input.kind === "number"
                ? `a number from ${input.min} to ${input.max}`
                : input.kind === "yes_no"
                  ? "yes or no"
                  : input.kind;
      return `Question (${kind}; stored as "${node.key}"${node.allowSkip ? "; can be skipped" : ""})`;
    }
    case "consent":
      return "Consent";
    case "branch":
      return "answer" in node.on ? `Branch on the answer "${node.on.answer}"` : `Branch on ${node.on.field}`;
    case "set_field":
      return `Sets ${node.field} to "${node.value}"`;
    case "goto_flow":
      return "Another flow";
    case "end":
      return "End";
    case "signpost":
      return "Signposts local services";
    case "groups":
      return "Local groups to help";
  }
}

/** The label of one of a node's texts (textsOf's "where"). */
function textLabel(where: string): string {
  if (where === "text") return "Says";
  if (where === "none") return "When no group fits";
  if (where === "invalid") return "If not understood";
  if (where === "reminder") return "Reminder";
  return where.replace(/^option "(.*)"$/, "Option: $1");
}

/** A node's texts, each language side by side (a block per text on a phone). */
function texts(flow: Flow, node: FlowNode) {
  const list = textsOf(node);
  if (list.length === 0) return "";
  const cell = (text: LocalisedText, language: string) =>
    text[language]
      ? html`<td lang="${language}" data-label="${languageName(language)}">${text[language]}</td>`
      : html`<td data-label="${languageName(language)}"><strong>missing</strong></td>`;
  return html`<table class="records texts"><thead><tr><th scope="col">Text</th>${flow.languages.map((l) => html`<th scope="col">${languageName(l)}</th>`)}</tr></thead>
<tbody>${list.map(([where, text]) => html`<tr><th scope="row">${textLabel(where)}</th>${flow.languages.map((l) => cell(text, l))}</tr>`)}</tbody></table>`;
}

/** Where a node goes next, with every branch. */
function routes(flow: Flow, node: FlowNode, registry: FlowRegistry) {
  const next = flow.nextOf.get(node.id);
  switch (node.type) {
    case "branch":
      return html`<ul class="routes">${node.cases.map((c) => html`<li>If it ${condition(c.when)}: ${goesTo(flow, c.goto)}</li>`)}<li>Otherwise: ${goesTo(flow, node.default)}</li></ul>`;
    case "consent":
      return html`<ul class="routes"><li>If they agree: ${goesTo(flow, next)}</li><li>If they say no: ${goesTo(flow, node.declined)}</li></ul>`;
    case "goto_flow":
      return html`<p class="routes">Goes on to the flow ${registry.flows.has(node.flow) ? html`<a href="#${anchor(node.flow)}">${node.flow}</a>` : html`<strong>${node.flow}, which does not exist</strong>`}.</p>`;
    case "end":
      return html`<p class="routes">The conversation ends.</p>`;
    case "question":
      return html`<p class="routes">Then ${goesTo(flow, next)}${node.onGiveUp === "end" ? "; after too many replies it cannot understand, the conversation ends politely" : ""}.</p>`;
    default:
      return html`<p class="routes">Then ${goesTo(flow, next)}.</p>`;
  }
}

function problemList(problems: readonly FlowProblem[], testid: string) {
  return html`<ul data-testid="${testid}">${problems.map((p) => html`<li><code>${formatProblem(p)}</code></li>`)}</ul>`;
}

function outline(
  flow: Flow,
  registry: FlowRegistry,
  glance: FlowsGlance,
): Promise<HtmlEscapedString> | HtmlEscapedString {
  const file = flow.file ?? "";
  const problems = glance.lint.problems.filter((p) => p.file === file);
  const role =
    flow.id === registry.entryFlowId ? " (the entry flow)" : flow.id === registry.helpFlowId ? " (HELP starts it)" : "";
  return html`<section class="flow" data-flow="${flow.id}" aria-labelledby="${anchor(flow.id)}">
<h2 id="${anchor(flow.id)}">${flow.name} <small>(${flow.id})${role}</small></h2>
<p>Languages: ${flow.languages.map(languageName).join(", ")}. Forgets an unfinished conversation after ${Math.round(flow.expiresAfterMs / 3_600_000)} hours. File: <code>${file}</code>${glance.changed.includes(file) ? html` — <strong data-testid="changed">changed since the service started</strong>` : ""}.</p>
${problems.length > 0 ? html`<p class="error">${problems.length} problem(s) in this file:</p>${problemList(problems, "flow-problems")}` : ""}
<ol class="outline">${flow.nodes.map(
    (
      node,
    ) => html`<li id="${anchor(flow.id, node.id)}" data-step="${node.id}"><h3>${node.id} <small>${kindOf(node)}</small></h3>
${texts(flow, node)}
${routes(flow, node, registry)}</li>`,
  )}</ol></section>`;
}

export function registerFlowsView(app: Hono, deps: FlowsViewDeps): void {
  const operator = operatorReader(deps);

  app.get("/dashboard/admin/flows", async (c: Context) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await deps.partners.audit(current.partner.id, "admin.flows.view", {});
    const glance = await deps.glance();
    const { flows, problems } = glance.lint;
    const registry = { ...deps.registry, flows: new Map(flows.map((f) => [f.id, f])) };
    const tests = glance.tests;
    const failed = "runs" in tests ? tests.runs.filter((r) => r.failures.length > 0).length : 0;
    return c.html(
      page(
        "Flows at a glance",
        html`<style>
  .outline { padding-left: 1.25rem; } .outline > li { margin: 0 0 1.25rem; } .outline h3 { margin: .5rem 0 .25rem; }
  .outline h3 small, .flow h2 small { font-weight: 400; color: #505a5f; }
  table.texts th[scope="row"] { width: 9rem; } .routes { margin: .25rem 0; } ul.routes { padding-left: 1.25rem; }
  .fail { color: #d4351c; font-weight: 700; } .pass { color: #00703c; font-weight: 700; }
</style>
<header><h1>Flows at a glance</h1><nav><a href="/dashboard/admin">Admin</a> · <a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
<p>The flows as they are in ${glance.source}, checked as <code>placevoice flows lint</code> and <code>placevoice flows test</code> check them.${glance.changed.length > 0 ? html` <strong>${glance.changed.length} file(s) changed since the service started</strong>: residents get the change after a restart (or a deploy).` : ""}</p>
<section aria-labelledby="checks-heading"><h2 id="checks-heading">Checks</h2>
<h3>Lint</h3>
${
  problems.length === 0
    ? html`<p data-testid="lint-summary"><span class="pass">No problems</span> in ${flows.length} flow(s).</p>`
    : html`<p data-testid="lint-summary"><span class="fail">${problems.length} problem(s)</span>, by file and line:</p>${problemList(problems, "lint-problems")}`
}
<h3>Conversation tests</h3>
${
  "runs" in tests
    ? html`<p data-testid="tests-summary">${failed > 0 ? html`<span class="fail">${failed} failed</span>, ` : ""}${tests.runs.length - failed} passed${tests.runs.length === 0 ? " (there are none: add them to the flows folder's tests/)" : ""}.</p>
<table class="records" data-testid="tests"><thead><tr><th scope="col">Result</th><th scope="col">Test</th><th scope="col">File</th></tr></thead>
<tbody>${tests.runs.map(
        (run) =>
          html`<tr data-test-file="${run.file}"><td data-label="Result">${run.failures.length === 0 ? html`<span class="pass">passed</span>` : html`<span class="fail">FAILED</span><ul>${run.failures.map((f) => html`<li>${f}</li>`)}</ul>`}</td><th scope="row">${run.name}</th><td data-label="File"><code>${run.file}</code></td></tr>`,
      )}</tbody></table>`
    : "running" in tests
      ? html`<p data-testid="tests-summary" role="status">The conversation tests are running: ${tests.running.done} of ${tests.running.total} done. <a href="/dashboard/admin/flows">Reload the page</a> in a few seconds for their results.</p>`
      : html`<p data-testid="tests-summary">${tests.unavailable}</p>`
}
</section>
<nav aria-labelledby="flows-nav-heading"><h2 id="flows-nav-heading">Flows</h2><ul>${flows.map((f) => html`<li><a href="#${anchor(f.id)}">${f.name} (${f.id})</a></li>`)}</ul></nav>
${flows.map((flow) => outline(flow, registry, glance))}
</main>`,
      ),
    );
  });
}
