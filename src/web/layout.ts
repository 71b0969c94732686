// The one page shell every HTML page shares: language, viewport, icon, the house style and the
// skip link. Views pass their title and body; the body holds one <main id="main" tabindex="-1">
// (the skip link's target, focusable so following the link moves focus there); nothing else
// writes <html>. Nothing may be wider than a 320 px screen: long words and tokens break, form
// controls shrink, and tables of records (class "records", a data-label on each cell) become one
// block per row on narrow screens.
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

export function page(title: string, body: Body, options: { lang?: "en" | "cy"; site?: string } = {}) {
  return html`<!doctype html>
<html lang="${options.lang ?? "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${options.site ?? "PlaceVoice"}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  :root { color: #0b0c0c; background: #fff; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
  *, *::before, *::after { box-sizing: border-box; }
  body { max-width: 60rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; }
  main:focus { outline: none; }
  a { color: #1d70b8; } a:focus, button:focus, input:focus, select:focus { outline: 3px solid #ffdd00; outline-offset: 0; }
  header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0 1rem; border-bottom: 4px solid #1d70b8; margin-bottom: 1rem; }
  form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; background: #f3f2f1; padding: .75rem; } form.filters > * { max-width: 100%; min-width: 0; }
  label { display: flex; flex-direction: column; font-weight: 600; font-size: .9rem; }
  input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 2px solid #0b0c0c; max-width: 100%; }
  textarea:focus { outline: 3px solid #ffdd00; outline-offset: 0; }
  button { background: #00703c; color: #fff; border-color: #00703c; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #b1b4b6; }
  table.records th, table.records td { overflow-wrap: anywhere; }
  code, pre { overflow-wrap: anywhere; } pre { white-space: pre-wrap; background: #f3f2f1; padding: .5rem; }
  .table-scroll { overflow-x: auto; margin-bottom: 1rem; } .table-scroll:focus { outline: 3px solid #ffdd00; }
  .table-scroll table { min-width: 36rem; } .table-scroll th, .table-scroll td { overflow-wrap: break-word; }
  svg.chart { display: block; overflow: hidden; } figure { margin: 1rem 0; } figcaption { margin-bottom: .5rem; }
  .chart-key svg { vertical-align: middle; }
  @media (min-width: 40.01rem) { svg.chart .narrow-only { display: none; } }
  @media (max-width: 40rem) {
    svg.chart .wide-only { display: none; }
    table.records thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    table.records, table.records tbody, table.records tfoot, table.records tr, table.records th, table.records td { display: block; }
    table.records tr { border-top: 2px solid #b1b4b6; padding: .25rem 0 .5rem; }
    table.records th, table.records td { border: 0; padding: .15rem 0; text-align: left; }
    table.records [data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  }
  .side-by-side { display: grid; gap: 0 2rem; } .side-by-side > * { min-width: 0; } caption { text-align: left; }
  @media (min-width: 48rem) { .side-by-side { grid-template-columns: 1fr 1fr; } }
  td.num, th.num { text-align: right; } .suppressed { color: #505a5f; font-style: italic; }
  blockquote { margin: .5rem 0; padding: .5rem .75rem; border-left: 5px solid #b1b4b6; background: #f8f8f8; }
  .note { color: #505a5f; font-size: .9rem; } .error { color: #d4351c; font-weight: 600; }
  .skip { position: absolute; left: -999rem; } .skip:focus { position: static; display: inline-block; padding: .5rem; background: #ffdd00; color: #0b0c0c; }
  dl.counts { display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; } dl.counts dt { font-weight: 600; } dl.counts dd { margin: 0; }
  .channels { list-style: none; padding: 0; } .channels li { margin: .5rem 0; padding: .75rem; background: #f3f2f1; }
</style>
</head>
<body><a class="skip" href="#main">${options.lang === "cy" ? "Neidio i'r prif gynnwys" : "Skip to main content"}</a>
${body}</body>
</html>`;
}

/** A wide table that scrolls sideways inside its own region on a narrow screen (keyboard-reachable, named). */
export function scrollRegion(label: string, table: Body) {
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}
