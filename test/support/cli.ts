import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Clock } from "../../src/clock.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { testClock } from "./clock.js";

export const placevoiceBin = path.join(packageRoot, "bin", "placevoice.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `placevoice <args>` as a user would, with `input` piped to stdin. */
export function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [placevoiceBin, ...args], {
      cwd: options.cwd ?? packageRoot,
      env: { ...process.env, LOG_LEVEL: "info", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** The Node flags `npm start` runs the server with (package.json), so tests and the bench run it as operators do. */
export const serveNodeFlags: readonly string[] = (
  JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith("--"));

/** Starts `placevoice serve` as `npm start` does and resolves with its URL once it logs that it is listening. */
export function startServe(
  env: Record<string, string>,
  cwd: string,
): Promise<{ url: string; child: ChildProcess; logs: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...serveNodeFlags, placevoiceBin, "serve"], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    const onData = (d: Buffer) => {
      logs += d;
      const m = /PlaceVoice listening url=(\S+)/.exec(logs);
      if (m) resolve({ url: m[1]!, child, logs: () => logs });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`serve exited with ${code} before listening:\n${logs}`)));
  });
}

/** Runs the same CLI code in this process (no process start-up): for tests that call it many times. */
export async function runCliInProcess(
  args: string[],
  options: { env?: Record<string, string>; input?: string; now?: Clock } = {},
): Promise<CliResult> {
  const { run } = await import("../../src/cli/main.js");
  const { Readable } = await import("node:stream");
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    env: { ...options.env },
    stdin: Readable.from([options.input ?? ""]),
    now: options.now ?? testClock().now,
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}
