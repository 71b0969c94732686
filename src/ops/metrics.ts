// /metrics in the Prometheus text format (exposition 0.0.4, src/metrics.ts). Two kinds of
// numbers: what the database holds, read at scrape time (the same on Node and Workers, and
// surviving restarts: outbox depth, dead letters, last inbound), and what this process counted
// since it started (ServiceMetrics: inbound outcomes, step latency, sends, 429s, pacer wait,
// partner API, disclosure suppressions). Labels are only channel names, outcomes and the like,
// each from a fixed list: never an address, chat id, area or free text.
import type { Clock } from "../clock.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { allowedLabel, CHANNEL_LABELS, renderExposition, type Family, type ServiceMetrics } from "../metrics.js";

export interface MetricsDeps {
  readonly prisma: PrismaClient;
  readonly now: Clock;
  /** Process memory in bytes, where the runtime has it (Node). */
  readonly memory?: () => { rss: number; heapUsed: number } | undefined;
  /** What this process counted. */
  readonly service?: ServiceMetrics;
  /** When the in-memory services directory was last checked against the database (undefined: not yet). */
  readonly directoryCheckedAt?: () => Date | undefined;
}

const STATES = ["pending", "sending", "sent", "dead", "cancelled"];
const channelLabel = (value: string) => allowedLabel(value, CHANNEL_LABELS);

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
        labels: { channel: channelLabel(g.channel), status: allowedLabel(g.status, STATES) },
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
      samples: inbound.map((g) => ({ labels: { channel: channelLabel(g.channel) }, value: g._count._all })),
    },
    {
      name: "placevoice_last_inbound_age_seconds",
      help: "Seconds since the last inbound message on each channel.",
      type: "gauge",
      samples: inbound.map((g) => ({
        labels: { channel: channelLabel(g.channel) },
        value: g._max.receivedAt ? Math.max(0, (now.getTime() - g._max.receivedAt.getTime()) / 1000) : 0,
      })),
    },
  ];
  const checkedAt = deps.directoryCheckedAt?.();
  if (checkedAt)
    families.push({
      name: "placevoice_directory_reload_age_seconds",
      help: "Seconds since the services directory in memory was last checked against the database (and reloaded if an import changed it).",
      type: "gauge",
      samples: [{ value: Math.max(0, (now.getTime() - checkedAt.getTime()) / 1000) }],
    });
  if (deps.service) families.push(...deps.service.families());
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
  return renderExposition(families);
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
