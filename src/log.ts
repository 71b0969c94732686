// A small levelled logger writing one line per event: `time LEVEL message key=value …`.
// Callers pass ids and counts, never addresses or message text (see DESIGN.md privacy model).
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return /[\s="]/.test(text) ? JSON.stringify(text) : text;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const emit =
    (at: Exclude<LogLevel, "silent">) =>
    (message: string, fields: LogFields = {}) => {
      if (ORDER[at] < ORDER[level]) return;
      const pairs = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v as string | number | boolean | null)}`);
      write([new Date().toISOString(), at.toUpperCase().padEnd(5), message, ...pairs].join(" "));
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = createLogger("silent", () => {});
