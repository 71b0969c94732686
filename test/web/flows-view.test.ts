// Flows at a glance (/dashboard/admin/flows), as an officer sees it: the service runs on a copy of
// the shipped flows folder; the page outlines each flow in English and Welsh with its branches,
// and shows `flows lint` and the conversation tests over the folder as it is now. An edit to the
// folder (a branch changed, a Welsh text dropped, a file broken) shows there before a restart,
// with the test it breaks marked as failed, as `placevoice flows test` reports it.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listScriptFiles } from "../../src/runtime-node/flow-dir.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { loadConfig } from "../../src/config.js";
import { nodeFlowsGlance } from "../../src/runtime-node/flows-glance.js";
import { runScriptFile } from "../../src/runtime-node/script-driver.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { runCliInProcess } from "../support/cli.js";
import { DashboardClient } from "../support/dashboard-client.js";
import { tempDir } from "../support/temp-db.js";

let h: Harness;
let operator: DashboardClient;
let partner: DashboardClient;
const folder = tempDir();
const flowsDir = path.join(folder.dir, "flows");
const feedbackFile = path.join(flowsDir, "feedback.yaml");
const shipped = readFileSync(path.join(packageRoot, "flows", "feedback.yaml"), "utf8");

beforeAll(async () => {
  cpSync(path.join(packageRoot, "flows"), flowsDir, { recursive: true });
  h = await startHarness({ FLOWS_DIR: flowsDir });
  operator = new DashboardClient(h.app);
  await operator.signIn((await h.services.partners.create("Engagement team", [], { role: "operator" })).token);
  partner = new DashboardClient(h.app);
  await partner.signIn((await h.services.partners.create("Housing association", ["ST6"])).token);
}, 60_000);

afterAll(async () => {
  await h.close();
  folder.cleanup();
});

const RUNNING = "The conversation tests are running";
const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

/** The page once the conversation tests it started have all run (it does not wait for them itself). */
async function settledPage(): Promise<{ status: number; html: string }> {
  for (let i = 0; i < 1200; i++) {
    const shown = await operator.page("/dashboard/admin/flows");
    if (!shown.html.includes(RUNNING)) return shown;
    await pause();
  }
  throw new Error("the conversation tests never finished");
}

/** The outline of one flow: its section of the page. */
const sectionOf = (html: string, flowId: string) =>
  html.slice(html.indexOf(`data-flow="${flowId}"`)).split("</section>")[0]!;
/** One step of a flow's outline. */
const stepOf = (html: string, flowId: string, stepId: string) =>
  sectionOf(html, flowId)
    .slice(sectionOf(html, flowId).indexOf(`id="step-${flowId}-${stepId}"`))
    .split("</li><li id=")[0]!;

describe("/dashboard/admin/flows", () => {
  it("outlines every flow in English and Welsh side by side, with branches linked to their steps, and the shipped flows pass lint and every conversation test", async () => {
    // The first view does not wait for the tests: it outlines the flows and says how far they got.
    const first = await operator.page("/dashboard/admin/flows");
    expect(first.status).toBe(200);
    expect(first.html).toMatch(
      new RegExp(
        `data-testid="tests-summary" role="status">${RUNNING}: \\d+ of ${listScriptFiles(flowsDir).length} done\\.`,
      ),
    );
    expect(first.html).toContain('<h2 id="flow-feedback">');
    const { status, html } = await settledPage();
    expect(status).toBe(200);
    for (const id of ["priorities", "feedback", "offers", "help", "update_reply"])
      expect(html).toContain(`<a href="#flow-${id}">`);
    expect(html).toContain('<h2 id="flow-priorities">');
    expect(html).toContain("(priorities) (the entry flow)</small>");

    // A question: its kind, and what it says in each language, side by side in one row.
    const rating = stepOf(html, "feedback", "rating");
    expect(rating).toContain("Question (a number from 1 to 5; stored as &quot;rating&quot;)");
    expect(rating).toMatch(
      /<th scope="row">Says<\/th><td lang="en" data-label="English">From 1 to 5, how easy was it to take part\? \(1 = very hard, 5 = very easy\)<\/td><td lang="cy" data-label="Cymraeg \(Welsh\)">O 1 i 5, pa mor hawdd oedd cymryd rhan\? \(1 = anodd iawn, 5 = hawdd iawn\)<\/td>/,
    );
    expect(rating).toContain(
      '<th scope="row">If not understood</th><td lang="en" data-label="English">Please reply with a number from 1 to 5.</td>',
    );
    // A branch: each case and the default, each a link to the step it goes to, which is on the page.
    const branch = stepOf(html, "feedback", "low_or_high");
    expect(branch).toContain("Branch on the answer &quot;rating&quot;");
    expect(branch).toContain(
      '<li>If it is 2 or less: goes to <a href="#step-feedback-what_went_wrong">what_went_wrong</a></li>',
    );
    expect(branch).toContain('<li>Otherwise: goes to <a href="#step-feedback-improve">improve</a></li>');
    expect(html).toContain('id="step-feedback-what_went_wrong"');
    // Consent: where yes and no go.
    const consent = stepOf(html, "feedback", "consent");
    expect(consent).toContain("If they say no: goes to <a");
    expect(stepOf(html, "priorities", "priorities")).toContain(
      "Question (pick 1 to 3; stored as &quot;priorities&quot;)",
    );
    // Choice options, in both languages.
    expect(sectionOf(html, "priorities")).toMatch(
      /<th scope="row">Option: housing<\/th><td lang="en"[^>]*>[^<]+<\/td><td lang="cy"/,
    );

    // The checks: no lint problems, and each conversation test passed, one row per test file.
    expect(html).toContain('data-testid="lint-summary"><span class="pass">No problems</span> in 5 flow(s).');
    const tests = listScriptFiles(flowsDir).length;
    expect(tests).toBeGreaterThan(20);
    expect(html).toContain(`data-testid="tests-summary">${tests} passed.`);
    expect(html.match(/<span class="pass">passed<\/span>/g)).toHaveLength(tests);
    expect(html).not.toContain("FAILED");
    expect(html).toContain("A low rating asks what made it hard");
    expect(html).not.toContain('data-testid="changed"');

    const audit = await h.services.prisma.auditEntry.findMany({ where: { action: "admin.flows.view" } });
    expect(audit.length).toBeGreaterThan(0);
  }, 120_000);

  it("shows what an edit to the folder did before a restart: the change in the outline, the lint problem, and the conversation test it breaks marked as failed, as `flows test` reports it", async () => {
    // The officer lowers the branch's bar (a rating of 2 now counts as fine) and shortens a Welsh
    // text so that it no longer asks what the English asks.
    const edited = shipped
      .replace(
        "      - when: { lte: 2 }\n        goto: what_went_wrong",
        "      - when: { lte: 1 }\n        goto: what_went_wrong",
      )
      .replace(
        `cy: "Mae'n ddrwg gennym nad oedd yn hawdd. Beth oedd yn ei wneud yn anodd?"`,
        `cy: "Mae'n ddrwg gennym nad oedd yn hawdd."`,
      );
    expect(edited).not.toBe(shipped);
    writeFileSync(feedbackFile, edited);
    try {
      const { status, html } = await settledPage();
      expect(status).toBe(200);
      expect(html).toContain("1 file(s) changed since the service started");
      expect(sectionOf(html, "feedback")).toContain('data-testid="changed">changed since the service started');
      expect(stepOf(html, "feedback", "low_or_high")).toContain("<li>If it is 1 or less: goes to");
      // The outline shows the new Welsh beside the English, and lint names the file and line.
      expect(stepOf(html, "feedback", "what_went_wrong")).toContain(
        '<td lang="cy" data-label="Cymraeg (Welsh)">Mae&#39;n ddrwg gennym nad oedd yn hawdd.</td>',
      );
      expect(sectionOf(html, "feedback")).toContain('<p class="error">2 problem(s) in this file:</p>');
      expect(html).toMatch(/data-testid="lint-summary"><span class="fail">\d+ problem\(s\)<\/span>/);
      expect(html).toMatch(
        /<li><code>[^<]*feedback\.yaml:\d+: node &quot;what_went_wrong&quot;: text: cy has 0 questions, en has 1 question<\/code><\/li>/,
      );

      // The conversation test of a low rating now fails; the rest still pass.
      const failedRow =
        /<tr data-test-file="([^"]*feedback-low-rating\.yaml)"><td data-label="Result"><span class="fail">FAILED<\/span><ul><li>([^<]+)<\/li>/.exec(
          html,
        );
      expect(failedRow, "the low-rating test is shown as failed").not.toBeNull();
      const tests = listScriptFiles(flowsDir).length;
      const failed = (html.match(/<span class="fail">FAILED<\/span>/g) ?? []).length;
      expect(failed).toBeGreaterThan(0);
      expect(html).toContain(
        `data-testid="tests-summary"><span class="fail">${failed} failed</span>, ${tests - failed} passed.`,
      );

      // The same verdicts as `placevoice flows test` on the same folder.
      const cli = await runCliInProcess(["flows", "test", flowsDir]);
      expect(cli.code).toBe(1);
      const cliFailed = [...cli.stdout.matchAll(/^FAIL {2}(\S+)/gm)].map((m) => path.basename(m[1]!));
      const pageFailed = [
        ...html.matchAll(/<tr data-test-file="([^"]+)"><td data-label="Result"><span class="fail">/g),
      ].map((m) => path.basename(m[1]!));
      expect(pageFailed).toEqual(cliFailed);
      expect(pageFailed).toContain("feedback-low-rating.yaml");

      // A file that no longer parses: lint says where, and the tests cannot run.
      writeFileSync(feedbackFile, edited.replace("type: branch", "type: brunch"));
      const broken = await operator.page("/dashboard/admin/flows");
      expect(broken.status).toBe(200);
      expect(broken.html).toMatch(/<li><code>[^<]*feedback\.yaml:\d+/);
      expect(broken.html).toContain(
        'data-testid="tests-summary">The flows do not load (see the problems above), so the conversation tests cannot run.',
      );
      expect(broken.html).not.toContain('data-flow="feedback"');
    } finally {
      writeFileSync(feedbackFile, shipped);
    }
    // Put back: the page is as it was.
    const back = await settledPage();
    expect(back.html).not.toContain('data-testid="changed"');
    expect(back.html).not.toContain("FAILED");
  }, 180_000);

  it("is for operators only: a partner gets 403, written to the audit log", async () => {
    const { status, html } = await partner.page("/dashboard/admin/flows");
    expect(status).toBe(403);
    expect(html).not.toContain("Flows at a glance");
    const denied = await h.services.prisma.auditEntry.findMany({ where: { action: "denied: admin view" } });
    expect(denied.map((a) => a.detail)).toContain(JSON.stringify({ path: "/dashboard/admin/flows" }));
    const signedOut = await h.app.request("/dashboard/admin/flows");
    expect(signedOut.status).not.toBe(200);
  });

  it("is linked from the admin view's list of flows", async () => {
    const { html } = await operator.page("/dashboard/admin");
    expect(html).toContain('<a href="/dashboard/admin/flows">Flows at a glance</a>');
  });
});

describe("the conversation tests behind the page", () => {
  it("run again only when a flow or the test itself changed, and an undone edit finds its results kept", async () => {
    const small = tempDir();
    try {
      const dir = path.join(small.dir, "flows");
      cpSync(path.join(packageRoot, "flows"), dir, { recursive: true });
      const keep = ["feedback-declined.yaml", "feedback-high-rating.yaml", "feedback-low-rating.yaml"];
      for (const name of readdirSync(path.join(dir, "tests")))
        if (!keep.includes(name)) rmSync(path.join(dir, "tests", name));
      const ran: string[] = [];
      const glance = nodeFlowsGlance({
        dir,
        config: loadConfig({}),
        tests: {
          // The real runner, with each file it runs noted.
          run: (file, registry, env) => {
            ran.push(path.basename(file));
            return runScriptFile(file, registry, env);
          },
          env: {},
        },
      });
      const results = async () => {
        let seen = await glance();
        while ("running" in seen.tests) {
          await pause();
          seen = await glance();
        }
        if (!("runs" in seen.tests)) throw new Error("the tests did not run");
        return seen.tests.runs.map((r) => `${path.basename(r.file)} ${r.failures.length === 0 ? "passed" : "failed"}`);
      };
      const passing = keep.map((name) => `${name} passed`);
      expect(await results()).toEqual(passing);
      expect(ran).toEqual(keep);
      expect(await results()).toEqual(passing);
      expect(ran).toHaveLength(3);

      // A test edited: only it runs again.
      const test = path.join(dir, "tests", "feedback-declined.yaml");
      writeFileSync(test, `${readFileSync(test, "utf8")}\n# edited\n`);
      await results();
      expect(ran.slice(3)).toEqual(["feedback-declined.yaml"]);

      // A flow edited: every test runs again (any test may pass through any flow); undone, none does.
      const flow = path.join(dir, "feedback.yaml");
      const before = readFileSync(flow, "utf8");
      writeFileSync(flow, before.replace("when: { lte: 2 }", "when: { lte: 1 }"));
      expect(await results()).toEqual([
        "feedback-declined.yaml passed",
        "feedback-high-rating.yaml passed",
        "feedback-low-rating.yaml failed",
      ]);
      expect(ran).toHaveLength(7);
      writeFileSync(flow, before);
      expect(await results()).toEqual(passing);
      expect(ran).toHaveLength(7);
    } finally {
      small.cleanup();
    }
  }, 120_000);
});
