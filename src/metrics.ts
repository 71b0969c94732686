// Counters and histograms kept in memory by the parts that do the work (webhooks, the outbox,
// the partner API, the disclosure gate), and the Prometheus text exposition (0.0.4) that
// /metrics writes. Written by hand, so the Worker bundle carries no metrics library.
//
// A label can only take a value from the list it was declared with; anything else is recorded
// as "other". So no label can ever carry a phone number, chat id, area or free text, whatever a
// caller passes.
export type MetricType = "gauge" | "counter" | "histogram";

export interface Sample {
  /** Appended to the family's name (a histogram's `_bucket`, `_sum`, `_count`). */
  readonly suffix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** The text format Prometheus scrapes. */
export function renderExposition(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const entries = Object.entries(s.labels ?? {});
      const labels = entries.length > 0 ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
      const value = Number.isFinite(s.value) ? s.value : s.value === Infinity ? "+Inf" : 0;
      lines.push(`${f.name}${s.suffix ?? ""}${labels} ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Each label's name and the only values it may take. */
export type LabelSpec<L extends string> = Readonly<Record<L, readonly string[]>>;
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** A label value from its declared list, or "other". */
export function allowedLabel(value: string, allowed: readonly string[]): string {
  return allowed.includes(value) ? value : "other";
}

abstract class Instrument<L extends string> {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly spec: LabelSpec<L>,
  ) {}

  protected labelsOf(values: LabelValues<L>): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const name of Object.keys(this.spec) as L[]) labels[name] = allowedLabel(values[name], this.spec[name]);
    return labels;
  }

  protected keyOf(labels: Record<string, string>): string {
    return Object.values(labels).join("\u0000");
  }

  abstract family(): Family;
}

export class Counter<L extends string> extends Instrument<L> {
  private readonly values = new Map<string, { labels: Record<string, string>; value: number }>();

  inc(labels: LabelValues<L>, by = 1): void {
    const clean = this.labelsOf(labels);
    const key = this.keyOf(clean);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: clean, value: by });
  }

  /** The count for one set of labels (0 when none yet). */
  value(labels: LabelValues<L>): number {
    return this.values.get(this.keyOf(this.labelsOf(labels)))?.value ?? 0;
  }

  family(): Family {
    return {
      name: this.name,
      help: this.help,
      type: "counter",
      samples: [...this.values.values()].map((e) => ({ labels: e.labels, value: e.value })),
    };
  }
}

export class Histogram<L extends string> extends Instrument<L> {
  private readonly values = new Map<
    string,
    { labels: Record<string, string>; buckets: number[]; sum: number; count: number }
  >();

  constructor(
    name: string,
    help: string,
    spec: LabelSpec<L>,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, spec);
  }

  observe(labels: LabelValues<L>, value: number): void {
    const clean = this.labelsOf(labels);
    const key = this.keyOf(clean);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { labels: clean, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.values.set(key, entry);
    }
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) entry.buckets[i]!++;
    entry.sum += value;
    entry.count++;
  }

  /** Observations so far for one set of labels. */
  count(labels: LabelValues<L>): number {
    return this.values.get(this.keyOf(this.labelsOf(labels)))?.count ?? 0;
  }

  family(): Family {
    const samples: Sample[] = [];
    for (const e of this.values.values()) {
      this.bounds.forEach((le, i) =>
        samples.push({ suffix: "_bucket", labels: { ...e.labels, le: String(le) }, value: e.buckets[i]! }),
      );
      samples.push(
        { suffix: "_bucket", labels: { ...e.labels, le: "+Inf" }, value: e.count },
        { suffix: "_sum", labels: e.labels, value: e.sum },
        { suffix: "_count", labels: e.labels, value: e.count },
      );
    }
    return { name: this.name, help: this.help, type: "histogram", samples };
  }
}

/** Seconds since `start` (from `stopwatch()`): a duration, not a time of day, so it is read from the monotonic timer, not the clock. */
export function stopwatch(): () => number {
  const start = performance.now();
  // To the microsecond: finer is noise, and keeps sums readable.
  return () => Math.round((performance.now() - start) * 1000) / 1e6;
}

export const CHANNEL_LABELS = ["telegram", "sms"] as const;
export const INBOUND_OUTCOMES = ["handled", "duplicate", "refused", "failed"] as const;
export const REPLY_RESULTS = ["sent", "retried", "dead", "skipped"] as const;
export const PARTNER_API_ENDPOINTS = ["priorities", "themes", "trend", "quotes", "reach", "feed", "openapi"] as const;
export const PARTNER_API_OUTCOMES = ["ok", "refused", "rate_limited", "bad_request", "error"] as const;
export const DISCLOSURE_AUDIENCES = ["partners", "public"] as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Everything the service counts in memory, one instance per running service. */
export class ServiceMetrics {
  readonly inbound = new Counter(
    "placevoice_inbound_messages_total",
    "Inbound messages by channel and outcome (handled, duplicate redelivery, refused with 4xx, failed with 5xx).",
    { channel: CHANNEL_LABELS, outcome: INBOUND_OUTCOMES },
  );
  readonly step = new Histogram(
    "placevoice_step_duration_seconds",
    "Time to run one inbound message's step and commit it (reply queued), by channel.",
    { channel: CHANNEL_LABELS },
    LATENCY_BUCKETS,
  );
  readonly replies = new Counter(
    "placevoice_replies_total",
    "Outbox sends by channel and result (sent, retried later, dead-lettered, skipped: contact stopped or erased).",
    { channel: CHANNEL_LABELS, result: REPLY_RESULTS },
  );
  readonly rateLimited = new Counter(
    "placevoice_platform_rate_limited_total",
    "Sends the platform refused with 429 (too many requests), by channel.",
    { channel: CHANNEL_LABELS },
  );
  readonly pacerWait = new Histogram(
    "placevoice_pacer_wait_seconds",
    "How long a send waited for the channel's pacer (rate limits) before it started.",
    { channel: CHANNEL_LABELS },
    WAIT_BUCKETS,
  );
  readonly partnerApi = new Counter(
    "placevoice_partner_api_requests_total",
    "Partner API requests by endpoint and outcome (refused: no or bad token; rate_limited: 429).",
    { endpoint: PARTNER_API_ENDPOINTS, outcome: PARTNER_API_OUTCOMES },
  );
  readonly suppressed = new Counter(
    "placevoice_disclosure_suppressed_cells_total",
    "Numbers the disclosure gate withheld from a table or trend (too few residents), by audience.",
    { audience: DISCLOSURE_AUDIENCES },
  );

  families(): Family[] {
    return [
      this.inbound,
      this.step,
      this.replies,
      this.rateLimited,
      this.pacerWait,
      this.partnerApi,
      this.suppressed,
    ].map((i) => i.family());
  }
}
