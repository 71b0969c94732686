// A broken flow file: lint exits 1 naming file and line, and the server refuses to start.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { shippedFlowsDir } from "../../src/runtime-node/paths.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

let cleanup = () => {};
afterEach(() => cleanup());

function brokenCopy(): { flows: string; dir: string } {
  const t = tempDir();
  cleanup = t.cleanup;
  const flows = path.join(t.dir, "flows");
  cpSync(shippedFlowsDir, flows, { recursive: true });
  // Misspell a field and point a node at a node that does not exist.
  const file = path.join(flows, "feedback.yaml");
  const source = readFileSync(file, "utf8")
    .replace("    max: 5\n", "    maximum: 5\n")
    .replace("goto: what_went_wrong", "goto: what_went_wrongg");
  writeFileSync(file, source);
  return { flows, dir: t.dir };
}

function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1
  );
}

describe("placevoice flows lint", () => {
  it("passes the shipped flows", async () => {
    const result = await runCli(["flows", "lint"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /5 flow\(s\) OK: feedback \(\d+ nodes\), help \(\d+ nodes\), offers \(\d+ nodes\), priorities \(\d+ nodes\), update_reply \(\d+ nodes\)/,
    );
  });

  it("exits 1 and names the file, line and node of each problem", async () => {
    const { flows } = brokenCopy();
    const result = await runCli(["flows", "lint", flows]);
    expect(result.code).toBe(1);
    const file = path.join(flows, "feedback.yaml");
    const shown = path.relative(process.cwd(), file);
    expect(result.stderr).toContain(`${shown}:${lineOf(file, "maximum: 5")}: node "rating": unknown field "maximum"`);
    expect(result.stderr).toContain(`${shown}:${lineOf(file, "id: rating")}: node "rating": max: is required (number)`);
    expect(result.stderr).toContain(`2 problem(s) found.`);

    // With the field fixed, the graph check finds the unknown target.
    writeFileSync(file, readFileSync(file, "utf8").replace("maximum: 5", "max: 5"));
    const again = await runCli(["flows", "lint", flows]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `:${lineOf(file, "id: low_or_high")}: node "low_or_high": goes to unknown node "what_went_wrongg"`,
    );
    expect(again.stderr).toContain(`node "what_went_wrong": unreachable`);
  });

  it("--segments prints each message's SMS encoding and segments per language, against its budget", async () => {
    const result = await runCli(["flows", "lint", "--segments"], {
      env: { PUBLIC_URL: "https://placevoice.example.org", ORGANISATION_NAME: "PlaceVoice" },
    });
    expect(result.code, result.stderr).toBe(0);
    const table = result.stdout.split("\n");
    const row = (where: string, message: string) =>
      table.find((l) => l.startsWith(where) && l.split(/\s{2,}/)[1] === message)?.split(/\s{2,}/);
    expect(row("where", "message")).toEqual(["where", "message", "budget", "en", "cy"]);
    // The twelve priorities take three segments, which the flow allows for that question only.
    expect(row("priorities", "priorities")).toEqual([
      "priorities",
      "priorities",
      "3",
      "3 GSM-7 (370)",
      "3 GSM-7 (367)",
    ]);
    expect(row("priorities", "consent")?.slice(2)).toEqual(["2", "2 GSM-7 (224)", "2 GSM-7 (279)"]);
    // Welsh no longer goes as UCS-2 for a circumflex: one segment, as in English.
    expect(row("help", "who_sees")).toEqual(["help", "who_sees", "1", "1 GSM-7 (128)", "1 GSM-7 (157)"]);
    expect(row("host", "helpWhileStopped")?.slice(2)).toEqual(["1", "1 GSM-7 (121)", "1 GSM-7 (138)"]);
    expect(row("host", "stopped")?.slice(2)).toEqual(["1", "1 GSM-7 (86)", "1 GSM-7 (95)"]);
    expect(row("engine", "expired")?.slice(2)).toEqual(["1", "1 GSM-7 (73)", "1 GSM-7 (76)"]);
    expect(result.stdout).not.toContain("UCS-2");
  });

  it("fails a Welsh text that drops a sentence, a wrong count of questions and a text over the flow's budget", async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const flows = path.join(t.dir, "flows");
    cpSync(shippedFlowsDir, flows, { recursive: true });
    const priorities = path.join(flows, "priorities.yaml");
    writeFileSync(
      priorities,
      readFileSync(priorities, "utf8")
        .replace("It's {questions} quick questions.", "It's 4 quick questions.")
        .replace("Rhowch gynnig arall, neu atebwch HEPGOR.", "")
        .replace("sms_budget: 2", "sms_budget: 1"),
    );
    const result = await runCli(["flows", "lint", flows]);
    expect(result.code).toBe(1);
    const shown = path.relative(process.cwd(), priorities);
    expect(result.stderr).toContain(
      `${shown}:${lineOf(priorities, "id: consent")}: node "consent": the en text says "4 quick questions" but the flow asks 7 after consent`,
    );
    expect(result.stderr).toContain(
      `${shown}:${lineOf(priorities, "id: postcode")}: node "postcode": invalid: cy has 2 sentences, en has 3 sentences`,
    );
    expect(result.stderr).toContain(
      `${shown}:${lineOf(priorities, "id: hear_back")}: node "hear_back": the en SMS is 2 segments`,
    );
  });

  it("stops the server from starting, saying which file is wrong", async () => {
    const { flows, dir } = brokenCopy();
    const result = await runCli(["serve"], { cwd: dir, env: { FLOWS_DIR: flows, PORT: "0" } });
    expect(result.code).toBe(2); // a problem the operator fixes in a file, like configuration
    expect(result.stderr).toContain("feedback.yaml:");
    expect(result.stderr).toContain('unknown field "maximum"');
    expect(result.stderr).not.toContain("PlaceVoice listening");
  });
});
