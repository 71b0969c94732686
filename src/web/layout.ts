// The one page shell every HTML page shares: language, viewport, icon and the house style.
// Views pass their title and body; nothing else writes <html>.
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
  body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  a { color: #1d70b8; } a:focus, button:focus, input:focus, select:focus { outline: 3px solid #ffdd00; outline-offset: 0; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; border-bottom: 4px solid #1d70b8; margin-bottom: 1rem; }
  form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; background: #f3f2f1; padding: .75rem; }
  label { display: flex; flex-direction: column; font-weight: 600; font-size: .9rem; }
  input, select, button { font: inherit; padding: .35rem .5rem; border: 2px solid #0b0c0c; }
  button { background: #00703c; color: #fff; border-color: #00703c; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #b1b4b6; }
  td.num, th.num { text-align: right; } .suppressed { color: #505a5f; font-style: italic; }
  blockquote { margin: .5rem 0; padding: .5rem .75rem; border-left: 5px solid #b1b4b6; background: #f8f8f8; }
  .note { color: #505a5f; font-size: .9rem; } .error { color: #d4351c; font-weight: 600; }
  .skip { position: absolute; left: -999rem; } .skip:focus { position: static; display: inline-block; padding: .5rem; background: #ffdd00; color: #0b0c0c; }
  .channels { list-style: none; padding: 0; } .channels li { margin: .5rem 0; padding: .75rem; background: #f3f2f1; }
</style>
</head>
<body>${body}</body>
</html>`;
}
