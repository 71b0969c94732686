// /metrics in the Prometheus text format (exposition 0.0.4), written by hand so the Worker
// bundle carries no metrics library. Read from the database at scrape time, so it is the same
// on Node and Workers and survives restarts. Labels are only channel names and outbox states:
// never an address, chat id, area or free text.
import type { Clock } from "../clock.js";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface MetricsDeps {
  readonly prisma: PrismaClient;
  readonly now: Clock;
  /** Process memory in bytes, where the runtime has it (Node). */
  readonly memory?: () => { rss: number; heapUsed: number } | undefined;
}

/** The only label values a metric may carry. */
const CHANNELS = new Set(["telegram", "sms"]);
const STATES = new Set(["pending", "sending", "sent", "dead", "cancelled"]);
const label = (value: string, allowed: Set<string>) => (allowed.has(value) ? value : "other");

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter";
  readonly samples: readonly { labels?: Record<string, string>; value: number }[];
}

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
            .join(",")}}`
        : "";
      lines.push(`${f.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function renderMetrics(deps: MetricsDeps): Promise<string> {
  const now = deps.now();
  const [outbox, oldestDue, inbound] = await Promise.all([
    deps.prisma.outboxMessage.groupBy({ by: ["channel", "status"], _count: { _all: true } }),
    deps.prisma.outboxMessage.findFirst({
      where: { status: "pending", nextAttemptAt: { lte: now } },
      orderBy: { nextAttemptAt: "asc" },
      select: { nextAttemptAt: true },
    }),
    deps.prisma.inboundMessage.groupBy({ by: ["channel"], _count: { _all: true }, _max: { receivedAt: true } }),
  ]);
  const families: Family[] = [
    {
      name: "placevoice_outbox_messages",
      help: "Outbox messages by channel and state (sent, pending, dead ...).",
      type: "gauge",
      samples: outbox.map((g) => ({
        labels: { channel: label(g.channel, CHANNELS), status: label(g.status, STATES) },
        value: g._count._all,
      })),
    },
    {
      name: "placevoice_outbox_oldest_due_seconds",
      help: "How long the oldest message that is due has waited to be sent (0 when none).",
      type: "gauge",
      samples: [{ value: oldestDue ? Math.max(0, (now.getTime() - oldestDue.nextAttemptAt.getTime()) / 1000) : 0 }],
    },
    {
      name: "placevoice_inbound_messages_retained",
      help: "Inbound platform message ids kept (for de-duplication, until retention removes them) by channel.",
      type: "gauge",
      samples: inbound.map((g) => ({ labels: { channel: label(g.channel, CHANNELS) }, value: g._count._all })),
    },
    {
      name: "placevoice_last_inbound_age_seconds",
      help: "Seconds since the last inbound message on each channel.",
      type: "gauge",
      samples: inbound.map((g) => ({
        labels: { channel: label(g.channel, CHANNELS) },
        value: g._max.receivedAt ? Math.max(0, (now.getTime() - g._max.receivedAt.getTime()) / 1000) : 0,
      })),
    },
  ];
  const memory = deps.memory?.();
  if (memory)
    families.push(
      {
        name: "process_resident_memory_bytes",
        help: "Resident memory size in bytes.",
        type: "gauge",
        samples: [{ value: memory.rss }],
      },
      {
        name: "nodejs_heap_used_bytes",
        help: "V8 heap in use, in bytes.",
        type: "gauge",
        samples: [{ value: memory.heapUsed }],
      },
    );
  return render(families);
}

/** Node's process memory; undefined where the runtime has none (Workers). */
export function processMemory(): { rss: number; heapUsed: number } | undefined {
  try {
    const usage = (
      globalThis as { process?: { memoryUsage?: () => { rss: number; heapUsed: number } } }
    ).process?.memoryUsage?.();
    return usage ? { rss: usage.rss, heapUsed: usage.heapUsed } : undefined;
  } catch {
    return undefined;
  }
}
