// What every `placevoice` command is given: the environment, stdin, the clock and two output
// lines. Commands import this, never main.ts (which imports them).
import { systemClock, type Clock } from "../clock.js";
import { loadConfig, type Config } from "../config.js";
import { createLogger } from "../log.js";

export interface CliIO {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The clock the commands read (the system clock; tests pass their own). */
  readonly now: Clock;
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CliIO = {
  env: process.env,
  stdin: process.stdin,
  now: systemClock,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export const cliLogger = (level: "debug" | "info" | "warn" | "error" | "silent", io: CliIO) =>
  createLogger(level, io.err);

/** The configuration, with one warning line for each variable that is set but does nothing. Throws ConfigError. */
export function cliConfig(io: CliIO): Config {
  const config = loadConfig(io.env);
  for (const warning of config.warnings) io.err(`warning: ${warning}`);
  return config;
}
