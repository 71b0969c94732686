// Small, accessible SVG charts rendered on the server: no script, fast on a phone. Each chart
// carries a title and description for screen readers; the same numbers are always in a table
// beside it. Suppressed values are drawn as hatched stubs (bars) or hatched gaps (the trend).
//
// The SVGs have no viewBox: they are as wide as the page and their text keeps its size (13–14
// px) at every width, down to a 320 px phone. Horizontal positions are percentages of the width;
// the trend's line is drawn in an inner SVG stretched to the plot (its stroke does not scale).
// Period labels are thinned on the server for the narrowest screen, and the page's stylesheet
// shows the extra ones (class "wide-only") on wider screens.
import { html, raw } from "hono/html";

export interface Bar {
  readonly label: string;
  readonly value: number | null;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The width the charts must fit: a 320 px screen less the page's padding. */
const NARROW = 288;
/** Above this width (the stylesheet's 40rem breakpoint, less padding) every "wide-only" label shows. */
const WIDE = 608;
/** About how wide a character of 13 px text is, to keep labels apart (generous for digits and most letters). */
const CHAR = 7.5;

const HATCH = `<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="2"/></pattern>`;

/** Horizontal bars, one row each: the label on its own line, then the bar and its value. */
export function barChart(title: string, bars: readonly Bar[], threshold: number) {
  const rowHeight = 42;
  const height = bars.length * rowHeight + 4;
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  // The longest bar leaves room for its value after it on the narrowest screen.
  const longestValue = Math.max(...bars.map((b) => (b.value === null ? 0 : b.value.toLocaleString("en-GB").length)));
  const span = Math.min(85, Math.floor(((NARROW - 12 - longestValue * CHAR) / NARROW) * 100));
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight;
      const label = `<text x="0" y="${y + 15}" font-size="14" fill="#0b0c0c">${esc(b.label)}</text>`;
      if (b.value === null)
        return `<g>${label}<rect x="0" y="${y + 22}" width="18" height="14" fill="url(#hatch)" stroke="#0b0c0c" stroke-width="1"/><text x="24" y="${y + 34}" font-size="13" fill="#505a5f">fewer than ${threshold}</text></g>`;
      const pct = Math.max(0.5, (span * b.value) / max);
      return `<g>${label}<rect x="0" y="${y + 22}" width="${pct.toFixed(2)}%" height="14" fill="#1d70b8"/><text x="${pct.toFixed(2)}%" dx="6" y="${y + 34}" font-size="13" fill="#0b0c0c">${b.value.toLocaleString("en-GB")}</text></g>`;
    })
    .join("");
  return raw(
    `<svg class="chart" role="img" aria-labelledby="bar-title bar-desc" width="100%" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="bar-title">${esc(title)}</title><desc id="bar-desc">Bar chart of residents per priority; bars under ${threshold} are hatched stubs marked "fewer than ${threshold}". The table below has the same numbers.</desc><defs>${HATCH}</defs>${rows}</svg>`,
  );
}

export interface Point {
  /** The period in full, for the point's tooltip ("30 Dec 2024 – 26 Jan 2025"). */
  readonly label: string;
  /** Its axis label: the first day ("30 Dec"). */
  readonly tick: string;
  /** Its year ("2024"), shown under the first label and where the year changes. */
  readonly year: string;
  readonly value: number | null;
}

/** Round steps (1, 2 or 5 times a power of ten) from 0 to at least `max`, about four of them. */
export function yTicks(max: number): number[] {
  const rough = Math.max(1, max) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!,
  );
  const top = Math.ceil(Math.max(1, max) / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

/** Every how many points a label fits in `width` px of plot, for `count` points. */
function labelEvery(count: number, width: number, labelWidth: number): number {
  if (count <= 1) return 1;
  const gap = width / (count - 1);
  return Math.max(1, Math.ceil((labelWidth + 10) / gap));
}

/**
 * A line over periods with a y-axis from 0 (title, round ticks and gridlines), period labels
 * that fit, every point marked, and each period without a figure left as a hatched gap.
 */
export function lineChart(title: string, points: readonly Point[], threshold: number, yTitle = "Residents") {
  const height = 250;
  const top = 34;
  const bottom = height - 48;
  if (points.length === 0) return html`<p class="note">No four-week periods to show yet.</p>`;
  const ticks = yTicks(Math.max(threshold, ...points.map((p) => p.value ?? 0)));
  const highest = ticks[ticks.length - 1]!;
  const y = (v: number) => bottom - ((bottom - top) * v) / highest;
  // Left margin: the widest y label on the narrowest screen; right margin: half a period label.
  const labelWidth = Math.max(...points.map((p) => p.tick.length)) * CHAR;
  const left = Math.ceil(((String(highest).length * CHAR + 10) / NARROW) * 100);
  const right = 100 - Math.ceil((labelWidth / 2 / NARROW) * 100);
  const n = points.length;
  const x = (i: number) => (n === 1 ? (left + right) / 2 : left + ((right - left) * i) / (n - 1));
  const pct = (v: number) => `${v.toFixed(2)}%`;

  const grid = ticks
    .map(
      (t) =>
        `<line x1="${pct(left)}" x2="${pct(right)}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${t === 0 ? "#0b0c0c" : "#b1b4b6"}" stroke-width="1"/><text class="tick" x="${pct(left)}" dx="-6" y="${(y(t) + 4.5).toFixed(1)}" text-anchor="end" font-size="13" fill="#0b0c0c">${t}</text>`,
    )
    .join("");
  const yAxis = `<g class="y-axis">${grid}<text class="axis-title" x="0" y="14" font-size="14" font-weight="600" fill="#0b0c0c">${esc(yTitle)}</text></g>`;

  // Gaps: a hatched band over each period without a figure, as wide as its share of the axis.
  const half = n === 1 ? (right - left) / 2 : (right - left) / (n - 1) / 2;
  const gaps = points
    .map((p, i) => {
      if (p.value !== null) return "";
      const from = Math.max(left, x(i) - half);
      const to = Math.min(right, x(i) + half);
      return `<rect class="gap" x="${pct(from)}" y="${top}" width="${pct(to - from)}" height="${bottom - top}" fill="url(#gap-hatch)"><title>${esc(p.label)}: fewer than ${threshold}, or none</title></rect>`;
    })
    .join("");

  // The line, in runs of consecutive periods with figures, drawn on a 0–1000 wide plane stretched to the chart.
  const runs: string[] = [];
  let run: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (run.length > 1) runs.push(run.join(" "));
      run = [];
    } else run.push(`${(x(i) * 10).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (run.length > 1) runs.push(run.join(" "));
  const lines = runs.length
    ? `<svg x="0" y="0" width="100%" height="${height}" viewBox="0 0 1000 ${height}" preserveAspectRatio="none">${runs
        .map(
          (r) =>
            `<polyline points="${r}" fill="none" stroke="#1d70b8" stroke-width="3" vector-effect="non-scaling-stroke"/>`,
        )
        .join("")}</svg>`
    : "";
  const dots = points
    .map((p, i) =>
      p.value === null
        ? ""
        : `<circle cx="${pct(x(i))}" cy="${y(p.value).toFixed(1)}" r="4.5" fill="#1d70b8"><title>${esc(p.label)}: ${p.value}</title></circle>`,
    )
    .join("");

  // Period labels: every `narrow`th on any screen, every `wide`th from 40rem (narrow is a multiple of wide).
  const wide = labelEvery(n, (WIDE * (right - left)) / 100, labelWidth);
  const narrow = Math.ceil(labelEvery(n, (NARROW * (right - left)) / 100, labelWidth) / wide) * wide;
  // The year goes under the first label and wherever it changes, among the labels each width shows.
  let lastNarrowYear = "";
  let lastWideYear = "";
  const labels = points
    .map((p, i) => {
      if (i % wide !== 0) return "";
      const always = i % narrow === 0;
      const yearWide = p.year !== lastWideYear;
      const yearNarrow = always && p.year !== lastNarrowYear;
      if (always) lastNarrowYear = p.year;
      lastWideYear = p.year;
      const yearClass =
        always && yearWide !== yearNarrow ? (yearWide ? ` class="wide-only"` : ` class="narrow-only"`) : "";
      const year = yearWide || yearNarrow ? `<tspan${yearClass} x="${pct(x(i))}" dy="17">${esc(p.year)}</tspan>` : "";
      return `<text class="tick${always ? "" : " wide-only"}" x="${pct(x(i))}" y="${bottom + 20}" text-anchor="middle" font-size="13" fill="#0b0c0c">${esc(p.tick)}${year}</text>`;
    })
    .join("");

  const gapHatch = `<pattern id="gap-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f3f2f1"/><line x1="0" y1="0" x2="0" y2="8" stroke="#b1b4b6" stroke-width="2"/></pattern>`;
  return raw(
    `<svg class="chart" role="img" aria-labelledby="line-title line-desc" width="100%" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="line-title">${esc(title)}</title><desc id="line-desc">Line chart of residents per four weeks, with a scale from 0 to ${highest}; four weeks with fewer than ${threshold} residents, or none, are hatched gaps in the line. The table below has the same numbers.</desc><defs>${gapHatch}</defs>${gaps}${yAxis}<g class="x-axis">${labels}</g>${lines}${dots}</svg>`,
  );
}

/** The key under the trend: what a hatched gap means. */
export function gapKey(threshold: number) {
  return html`<p class="note chart-key"><svg width="22" height="14" aria-hidden="true" focusable="false"><rect width="22" height="14" fill="#f3f2f1" stroke="#b1b4b6"/><path d="M-2 10 L6 -2 M4 16 L16 -2 M14 16 L26 -2" stroke="#b1b4b6" stroke-width="2"/></svg> Hatched: fewer than ${threshold} residents in those four weeks, or none. The figure is withheld, so the line breaks there.</p>`;
}
