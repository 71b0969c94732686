// A small levelled logger writing one line per event: `time LEVEL message key=value …`, or with
// LOG_FORMAT=json one JSON object per line. Callers pass ids and counts, never addresses or
// message text (see DESIGN.md privacy model). A line written while an HTTP request is being
// handled (or by work it started, such as sending its replies) carries that request's id, the
// one its response returns in X-Request-Id.
import { AsyncLocalStorage } from "node:async_hooks";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFormat = "text" | "json";
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** The request being handled, for every log line written on its behalf (async work included). */
const requestScope = new AsyncLocalStorage<{ readonly requestId: string }>();

/** Runs `work` (and everything it starts) as part of request `requestId`. */
export function inRequest<T>(requestId: string, work: () => T): T {
  return requestScope.run({ requestId }, work);
}

/** The id of the request whose work is running, if any. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return /[\s="]/.test(text) ? JSON.stringify(text) : text;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  format: LogFormat = "text",
): Logger {
  const emit =
    (at: Exclude<LogLevel, "silent">) =>
    (message: string, fields: LogFields = {}) => {
      if (ORDER[at] < ORDER[level]) return;
      const time = new Date().toISOString();
      const requestId = currentRequestId();
      const given = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (format === "json") {
        // The fixed keys first; a field of the same name is kept under another, never over them.
        const entry: Record<string, unknown> = { time, level: at, msg: message };
        if (requestId) entry.request_id = requestId;
        for (const [k, v] of given) entry[k in entry || k === "request_id" ? `field_${k}` : k] = v;
        write(JSON.stringify(entry));
        return;
      }
      const pairs = given.map(([k, v]) => `${k}=${formatValue(v as string | number | boolean | null)}`);
      write([time, at.toUpperCase().padEnd(5), message, ...pairs].join(" "));
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = createLogger("silent", () => {});
