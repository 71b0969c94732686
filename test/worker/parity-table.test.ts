// The parity table in docs/workers.md ("What works where") is a claim about the code, so it is
// checked like code, without starting wrangler: every command, keyword and page the README names
// has a row; every test a row names exists, and a "yes" on Workers names a test that runs on the
// Worker; every row that is not "yes" says why and what the operator does instead.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/runtime-node/paths.js";

const read = (file: string) => readFileSync(path.join(packageRoot, file), "utf8");
const workersDoc = read("docs/workers.md");
const readme = read("README.md");

interface Row {
  readonly capability: string;
  readonly readmeNames: readonly string[];
  readonly node: string;
  readonly workers: string;
}

/** The first Markdown table under a `## heading`, as rows of trimmed cells (header and rule dropped). */
function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `no "## ${heading}" section`).toBeGreaterThan(-1);
  const lines = markdown.slice(start).split("\n").slice(2);
  const first = lines.findIndex((l) => l.startsWith("|"));
  const table: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith("|")) break;
    table.push(
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
  }
  return table.slice(2);
}

function parityRows(): Row[] {
  return tableUnder(workersDoc, "What works where").map((cells) => {
    expect(cells, `a row with other than 4 cells: ${cells.join(" | ")}`).toHaveLength(4);
    const [capability, names, node, workers] = cells as [string, string, string, string];
    return {
      capability,
      readmeNames: names === "—" ? [] : [...names.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      node,
      workers,
    };
  });
}

/** `placevoice <command> [<sub>]` for every line of the README's command list ("partner list | revoke" gives both). */
function readmeCommands(): string[] {
  const section = readme.slice(readme.indexOf("## The `placevoice` command"));
  const block = /```text\n([\s\S]*?)```/.exec(section)![1]!;
  const commands: string[] = [];
  for (const line of block.split("\n")) {
    if (!line.startsWith("placevoice ")) continue;
    const words: string[] = [];
    // The usage, without the description that follows it after a run of spaces.
    for (const token of line
      .split(/\s{2,}/)[0]!
      .split(/\s+/)
      .slice(1)) {
      if (token === "|") continue;
      if (!/^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(token)) break;
      words.push(...token.split("|"));
    }
    const [command, ...subs] = words;
    if (subs.length === 0) commands.push(`placevoice ${command}`);
    for (const sub of subs) commands.push(`placevoice ${command} ${sub}`);
  }
  return commands;
}

/** The keywords the README promises residents (STOP, HELP, LANGUAGE, OFFER, CYNNIG). */
function readmeKeywords(): string[] {
  const residents = /^- \*\*residents\*\*:[\s\S]*?(?=\n- \*\*)/m.exec(readme)![0];
  return [...new Set(residents.match(/\b[A-Z]{3,}\b/g) ?? [])];
}

/** The pages the README sends people to. */
function readmePages(): string[] {
  const pages = [
    ...[...readme.matchAll(/`(\/[a-z][^`\s]*)`/g)].map((m) => m[1]!),
    ...[...readme.matchAll(/localhost:8080(\/[a-z][\w/-]*)/g)].map((m) => m[1]!),
  ];
  return [...new Set(pages)];
}

interface TestRef {
  readonly file: string;
  readonly name?: string;
}

/** `path` or `path` › "test name" in a cell. */
function testRefs(cell: string): TestRef[] {
  return [...cell.matchAll(/`((?:test|flows)\/[^`]+)`(?: › "([^"]+)")?/g)].map((m) =>
    m[2] ? { file: m[1]!, name: m[2] } : { file: m[1]! },
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function definesTest(file: string, name: string): boolean {
  return new RegExp(`\\b(?:it|test)\\(\\s*"${escape(name)}"`).test(read(file));
}

const workerTestFiles = readdirSync(path.join(packageRoot, "test", "worker"))
  .filter((f) => f.endsWith(".test.ts") && f !== "parity-table.test.ts")
  .map((f) => `test/worker/${f}`);

/** A test runs on the Worker if it is in a Worker test file, or in a shared suite such a file imports and runs. */
function runsOnWorker(file: string): boolean {
  if (workerTestFiles.includes(file)) return true;
  if (!file.startsWith("test/support/")) return false;
  const module = path.basename(file, ".ts");
  return workerTestFiles.some((f) => read(f).includes(`from "../support/${module}.js"`));
}

/** A row that is not "yes": its state, a reason, and what the operator does instead. */
function explainsItself(cell: string): boolean {
  const match = /^(no|partly|untested|not needed): ([\s\S]+?)Instead: ([\s\S]+)$/.exec(cell);
  return match !== null && match[2]!.trim().length >= 30 && match[3]!.trim().length >= 20;
}

describe("the parity table in docs/workers.md", () => {
  const rows = parityRows();

  it("has a row for every command, keyword and page the README names, and names nothing the README does not", () => {
    expect(rows.length).toBeGreaterThan(20);
    const covered = new Set(rows.flatMap((r) => r.readmeNames));
    const named = [...readmeCommands(), ...readmeKeywords(), ...readmePages()];
    expect(readmeCommands()).toContain("placevoice broadcast");
    expect(readmeCommands()).toContain("placevoice partner revoke");
    expect(readmeKeywords()).toEqual(expect.arrayContaining(["STOP", "HELP", "LANGUAGE", "OFFER"]));
    expect(readmePages()).toEqual(expect.arrayContaining(["/results/<area>", "/dashboard"]));
    expect(named.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !named.includes(name))).toEqual([]);
  });

  it("has a row for every capability issue 25 asks about", () => {
    const capabilities = rows.map((r) => r.capability.toLowerCase()).join("\n");
    const asked = [
      "telegram",
      "sms",
      "broadcasts",
      "you said, we did",
      "signposting",
      "directory import",
      "champions",
      "insight api",
      "dashboard and admin",
      "public results",
      "partner feed",
      "webhooks",
      "mydata",
      "delete",
      "stop",
      "retention",
      "reminders",
      "reach",
      "population import",
      "offers",
      "themes review",
      "metrics",
      "status",
      "backups",
    ];
    expect(asked.filter((c) => !capabilities.includes(c))).toEqual([]);
  });

  it("backs every yes on Workers with a named test that runs on the Worker", () => {
    const yes = rows.filter((r) => r.workers.startsWith("yes"));
    expect(yes.length).toBeGreaterThan(10);
    for (const row of yes) {
      const named = testRefs(row.workers).filter((ref) => ref.name !== undefined);
      expect(named.length, row.capability).toBeGreaterThan(0);
      for (const ref of named) expect(runsOnWorker(ref.file), `${row.capability}: ${ref.file}`).toBe(true);
    }
  });

  it("names only tests and files that exist", () => {
    const refs = rows.flatMap((r) => [...testRefs(r.node), ...testRefs(r.workers)]);
    expect(refs.length).toBeGreaterThan(40);
    for (const ref of refs) {
      expect(existsSync(path.join(packageRoot, ref.file)), ref.file).toBe(true);
      if (ref.name) expect(definesTest(ref.file, ref.name), `${ref.file} › "${ref.name}"`).toBe(true);
    }
  });

  it("gives every row that is not yes a reason and what the operator does instead", () => {
    for (const row of rows) {
      for (const [runtime, cell] of [
        ["Node", row.node],
        ["Workers", row.workers],
      ] as const) {
        if (cell.startsWith("yes")) continue;
        expect(explainsItself(cell), `${row.capability} on ${runtime}: ${cell}`).toBe(true);
      }
    }
    // Broadcasts were the gap the issue starts from: on Workers they start from the dashboard, a
    // large audience is queued page by page, and the row names the Worker tests that show both.
    const broadcasts = rows.find((r) => r.readmeNames.includes("placevoice broadcast"))!.workers;
    expect(broadcasts).toMatch(/^yes/);
    expect(broadcasts).toContain('`test/worker/worker.test.ts` › "a broadcast started from the dashboard');
    expect(broadcasts).toContain('`test/worker/worker.test.ts` › "a broadcast larger than one page');
  });

  it('agrees with "What differs from Node": no runtime difference there is a capability the table says is missing', () => {
    const differs = tableUnder(workersDoc, "What differs from Node");
    expect(differs.length).toBeGreaterThan(5);
    // The old advice to broadcast by running the CLI against a local copy queued messages the Worker never sends.
    expect(workersDoc).not.toMatch(/against a local copy;/);
    for (const row of rows.filter((r) => /^no: /.test(r.workers)))
      for (const name of row.readmeNames)
        for (const cells of differs)
          expect(cells[2], `"What differs" offers ${name}, which the parity table says Workers lack`).not.toContain(
            name,
          );
  });
});
