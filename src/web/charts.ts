// Small, accessible SVG charts rendered on the server: no script, fast on a phone. Each chart
// carries a title and description for screen readers; the same numbers are always in a table
// beside it. Suppressed values are drawn as hatched stubs labelled "fewer than K".
import { html, raw } from "hono/html";

export interface Bar {
  readonly label: string;
  readonly value: number | null;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function barChart(title: string, bars: readonly Bar[], threshold: number) {
  const width = 640;
  const rowHeight = 28;
  const labelWidth = 220;
  const height = bars.length * rowHeight + 10;
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 5;
      const barWidth = b.value === null ? 18 : Math.max(2, ((width - labelWidth - 90) * b.value) / max);
      const fill = b.value === null ? "url(#hatch)" : "#1d70b8";
      const valueText = b.value === null ? `fewer than ${threshold}` : b.value.toLocaleString("en-GB");
      return `<g><text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" font-size="14">${esc(b.label)}</text><rect x="${labelWidth}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" fill="${fill}" stroke="#0b0c0c" stroke-width="${b.value === null ? 1 : 0}"/><text x="${(labelWidth + barWidth + 6).toFixed(1)}" y="${y + 18}" font-size="13">${esc(valueText)}</text></g>`;
    })
    .join("");
  return raw(
    `<svg role="img" aria-labelledby="bar-title bar-desc" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="bar-title">${esc(title)}</title><desc id="bar-desc">Bar chart of residents per priority; the table below has the same numbers.</desc><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="2"/></pattern></defs>${rows}</svg>`,
  );
}

export interface Point {
  readonly label: string;
  readonly value: number | null;
}

export function lineChart(title: string, points: readonly Point[], threshold: number) {
  const width = 640;
  const height = 220;
  const pad = { left: 40, right: 16, top: 16, bottom: 40 };
  if (points.length === 0) return html`<p>No weeks to show yet.</p>`;
  const max = Math.max(threshold, ...points.map((p) => p.value ?? 0));
  const x = (i: number) =>
    pad.left +
    (points.length === 1
      ? (width - pad.left - pad.right) / 2
      : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / max;
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length > 0) segments.push(current.join(" "));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(" "));
  const lines = segments.map((s) => `<polyline points="${s}" fill="none" stroke="#1d70b8" stroke-width="3"/>`).join("");
  const dots = points
    .map((p, i) =>
      p.value === null
        ? `<text x="${x(i).toFixed(1)}" y="${height - pad.bottom - 6}" text-anchor="middle" font-size="11" fill="#505a5f">&lt;${threshold}</text>`
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4" fill="#1d70b8"><title>${esc(p.label)}: ${p.value}</title></circle>`,
    )
    .join("");
  const labels = points
    .map(
      (p, i) =>
        `<text x="${x(i).toFixed(1)}" y="${height - 12}" text-anchor="middle" font-size="11">${esc(p.label)}</text>`,
    )
    .join("");
  return raw(
    `<svg role="img" aria-labelledby="line-title line-desc" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="line-title">${esc(title)}</title><desc id="line-desc">Line chart of residents per week; weeks under ${threshold} are gaps marked &lt;${threshold}. The table below has the same numbers.</desc><line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#0b0c0c"/>${lines}${dots}${labels}</svg>`,
  );
}
