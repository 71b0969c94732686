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
      /4 flow\(s\) OK: feedback \(\d+ nodes\), help \(\d+ nodes\), priorities \(\d+ nodes\), update_reply \(\d+ nodes\)/,
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

  it("stops the server from starting, saying which file is wrong", async () => {
    const { flows, dir } = brokenCopy();
    const result = await runCli(["serve"], { cwd: dir, env: { FLOWS_DIR: flows, PORT: "0" } });
    expect(result.code).toBe(2); // a problem the operator fixes in a file, like configuration
    expect(result.stderr).toContain("feedback.yaml:");
    expect(result.stderr).toContain('unknown field "maximum"');
    expect(result.stderr).not.toContain("PlaceVoice listening");
  });
});
