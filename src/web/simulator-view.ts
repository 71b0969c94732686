// /dashboard/simulator: an officer talks to a flow as a resident would before residents do, on
// Telegram (buttons) or SMS (numbered options), through the same conversation host, engine,
// keywords and channel renderers the webhooks use. The resident is a scratch contact in a
// ScratchConversationStore (src/store/scratch-store.ts), never in the database: nothing of the
// conversation reaches the answers, facts, running totals, exports, reach or the partner feed.
// The page shows the answers that would be stored (redacted, with the themes they would count
// towards) and, on SMS, each message's segments.
//
// Pages hold no scripts, so the conversation is carried in the page itself: a snapshot signed
// for this dashboard session (another officer's sign-in, or a changed snapshot, is refused) that
// lapses an hour after its last message. Nothing is kept on the server to clean up; "End" just
// forgets it. Operators only, CSRF-checked, and every start and message (never its text) audited.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { segmentInfo, type SegmentInfo } from "../channels/sms/gsm.js";
import { renderSms } from "../channels/sms/render.js";
import { planTelegramReplies, type TelegramPayload } from "../channels/telegram/render.js";
import type { ConversationService, Outcome } from "../conversation/handle-inbound.js";
import { detectKeyword } from "../engine/keywords.js";
import type { EngineInput, FlowRegistry } from "../engine/types.js";
import type { ResidentRelays } from "../store/relay-store.js";
import { ScratchRelays, type ScratchRelay } from "../store/scratch-relays.js";
import { ScratchConversationStore, EMPTY_SCRATCH, type ScratchSnapshot } from "../store/scratch-store.js";
import type { ConversationStore } from "../store/types.js";
import { page } from "./layout.js";
import { operatorForms, operatorReader, sign, type DashboardSession, type SessionDeps } from "./session.js";

/** Signed in as every operator page is (session.ts), and: */
export interface SimulatorDeps extends SessionDeps {
  readonly registry: FlowRegistry;
  /** Languages residents are offered (LANGUAGES). */
  readonly languages: readonly string[];
  /** SMS_MAX_SEGMENTS: SMS replies are rendered to this budget, as the SMS webhook renders them. */
  readonly smsMaxSegments: number;
  /** The conversation host the channels use, over another store (here, the scratch one). */
  readonly conversationOver: (store: ConversationStore, relays: ResidentRelays) => ConversationService;
}

const PATH = "/dashboard/simulator";
/** The scratch contact's channel: log lines of a practice conversation say so. */
const CHANNEL = "simulator";
/** A practice conversation lapses this long after its last message. */
const IDLE_MS = 60 * 60_000;
/** The transcript keeps its latest entries (the snapshot travels with every form). */
const MAX_ENTRIES = 80;
const MAX_TEXT = 1600;

type Channel = "telegram" | "sms";
const CHANNELS: readonly (readonly [Channel, string])[] = [
  ["telegram", "Telegram (buttons)"],
  ["sms", "SMS (numbered options)"],
];

interface Button {
  readonly label: string;
  readonly data: string;
}

type Entry =
  | { readonly id: number; readonly from: "resident"; readonly text: string; readonly pressed?: boolean }
  | {
      readonly id: number;
      readonly from: "bot";
      readonly text: string;
      /** A Telegram keyboard, row by row, while the message still has it. */
      readonly buttons?: readonly (readonly Button[])[];
      readonly sms?: SegmentInfo;
    }
  /** Something the resident would see that is not a message: a toast, a file. */
  | { readonly id: number; readonly from: "note"; readonly text: string };

interface SimulatorState {
  readonly flowId: string;
  readonly language: string;
  readonly channel: Channel;
  /** The scratch resident's made-up address (never a real one). */
  readonly address: string;
  readonly expiresAt: string;
  readonly scratch: ScratchSnapshot;
  /** The groups shown after a practice offer, and which were asked: never the relays table. */
  readonly relays?: readonly ScratchRelay[];
  readonly transcript: readonly Entry[];
  readonly nextId: number;
}

/** A Telegram inline keyboard as the page's buttons (every button the renderer makes carries callback data). */
const keyboardOf = (markup: TelegramPayload["reply_markup"]): Button[][] | undefined =>
  markup?.inline_keyboard.map((row) =>
    row.map((b) => ({ label: b.text, data: "callback_data" in b ? (b.callback_data ?? "") : "" })),
  );

const names = { en: "English", cy: "Cymraeg (Welsh)" } as Record<string, string>;

export function registerSimulator(app: Hono, deps: SimulatorDeps): void {
  const operator = operatorReader(deps);
  const audit = (current: DashboardSession, action: string, detail: Record<string, unknown>) =>
    deps.partners.audit(current.partner.id, action, detail);
  const flows = () => [...deps.registry.flows.values()].filter((f) => f.id !== deps.registry.helpFlowId);

  // The snapshot, signed for this dashboard session: base64url(JSON).HMAC.
  const mac = (current: DashboardSession, payload: string) =>
    createHmac("sha256", deps.sessionSecret).update(`simulator:${current.raw}:${payload}`).digest("base64url");
  const seal = (current: DashboardSession, state: SimulatorState) => {
    const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
    return `${payload}.${mac(current, payload)}`;
  };
  const open = (current: DashboardSession, sealed: unknown): SimulatorState | "invalid" | "expired" => {
    if (typeof sealed !== "string") return "invalid";
    const [payload = "", given = ""] = sealed.split(".");
    const expected = mac(current, payload);
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected)))
      return "invalid";
    const state = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SimulatorState;
    return state.expiresAt <= deps.now().toISOString() ? "expired" : state;
  };

  const startForm = (csrf: string, chosen?: Pick<SimulatorState, "flowId" | "language" | "channel">) =>
    html`<form class="filters" method="post" action="${PATH}/start" aria-label="Start a practice conversation">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="sim-flow">Flow <select id="sim-flow" name="flow">${flows().map(
    (f) =>
      html`<option value="${f.id}"${(chosen?.flowId ?? deps.registry.entryFlowId) === f.id ? " selected" : ""}>${f.id}: ${f.name}</option>`,
  )}</select></label>
  <label for="sim-language">Language <select id="sim-language" name="language">${deps.languages.map(
    (l) => html`<option value="${l}"${chosen?.language === l ? " selected" : ""}>${names[l] ?? l}</option>`,
  )}</select></label>
  <label for="sim-channel">As on <select id="sim-channel" name="channel">${CHANNELS.map(
    ([id, label]) => html`<option value="${id}"${chosen?.channel === id ? " selected" : ""}>${label}</option>`,
  )}</select></label>
  <button type="submit">${chosen ? "Start again" : "Start"}</button>
</form>`;

  const segments = (info: SegmentInfo) =>
    html`<p class="note" data-testid="segments">SMS: ${info.segments} ${info.segments === 1 ? "segment" : "segments"} (${info.encoding}, ${info.units} ${info.encoding === "GSM-7" ? "characters" : "UTF-16 units"})</p>`;

  const transcript = (state: SimulatorState) =>
    html`<ol class="chat" data-testid="transcript">${state.transcript.map((entry) => {
      if (entry.from === "resident")
        return html`<li class="resident" data-from="resident"><span class="who">Resident${entry.pressed ? " pressed" : ""}:</span> ${entry.text}</li>`;
      if (entry.from === "note")
        return html`<li class="chat-note" data-from="note"><span class="who">Resident sees:</span> ${entry.text}</li>`;
      return html`<li class="bot" data-from="bot"><span class="who">${deps.organisationName ?? "PlaceVoice"}:</span><pre data-testid="bot-message">${entry.text}</pre>${entry.sms ? segments(entry.sms) : ""}${
        entry.buttons
          ? html`<div class="keyboard" role="group" aria-label="Buttons">${entry.buttons.map(
              (row) =>
                html`<div>${row.map((b) => html`<button type="submit" form="sim-press" name="press" value="${entry.id}:${b.data}">${b.label}</button>`)}</div>`,
            )}</div>`
          : ""
      }</li>`;
    })}</ol>`;

  const answersTable = (state: SimulatorState) => {
    const answers = state.scratch.answers;
    if (answers.length === 0) return html`<p data-testid="no-answers">No answers yet.</p>`;
    return html`<table class="records" data-testid="answers"><thead><tr><th scope="col">Question</th><th scope="col">Answer</th><th scope="col">Kept for analysis</th><th scope="col">Would count towards</th></tr></thead>
<tbody>${answers.map(
      (a) =>
        html`<tr data-key="${a.questionKey}"><th scope="row"><code>${a.flowId}.${a.questionKey}</code></th><td data-label="Answer">${Array.isArray(a.value) ? a.value.join(", ") : JSON.stringify(a.value)}</td><td data-label="Kept for analysis">${a.redacted ?? "-"}</td><td data-label="Would count towards">${
          a.themes.length > 0
            ? a.themes.map((t) => `${t.theme} (${t.source === "choice" ? "chosen" : "in their words"})`).join(", ")
            : "-"
        }</td></tr>`,
    )}</tbody></table>`;
  };

  const contactFacts = (state: SimulatorState) => {
    const c = state.scratch.contact;
    const waiting = state.scratch.session?.state;
    return html`<dl class="counts" data-testid="contact">
<dt>Language</dt><dd data-testid="contact-language">${c?.language ?? state.language}</dd>
<dt>Area</dt><dd>${c?.area ?? "-"}</dd>
<dt>Consent</dt><dd>${c?.consentVersion ? `given (notice ${c.consentVersion})` : c?.consentRefusedVersion ? "declined" : "not given"}</dd>
<dt>Status</dt><dd data-testid="contact-status">${c ? c.status : "erased (DELETE YES)"}</dd>
<dt>Conversation</dt><dd data-testid="conversation">${waiting ? `waiting on ${waiting.flowId}.${waiting.nodeId}` : "ended"}${state.scratch.completed.length > 0 ? `; completed: ${state.scratch.completed.join(", ")}` : ""}</dd>
</dl>`;
  };

  const view = (c: Context, current: DashboardSession, state?: SimulatorState, notice?: ReturnType<typeof html>) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const sealed = state ? seal(current, state) : "";
    return c.html(
      page(
        "Simulator",
        html`<style>
  ol.chat { list-style: none; padding: 0; } ol.chat li { margin: .5rem 0; padding: .5rem .75rem; }
  ol.chat li.resident { background: #e8f1f8; margin-left: 2rem; } ol.chat li.bot { background: #f3f2f1; margin-right: 2rem; }
  ol.chat li.chat-note { font-style: italic; color: #505a5f; } ol.chat .who { font-weight: 600; }
  ol.chat pre { background: none; padding: 0; margin: .25rem 0; font: inherit; }
  .keyboard div { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .25rem; }
  .keyboard button { background: #fff; color: #1d70b8; border-color: #1d70b8; flex: 1 1 8rem; }
</style>
<header><h1>Simulator</h1><nav><a href="/dashboard">Insight</a> · <a href="/dashboard/admin">Admin</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
<p class="note">Talk to a flow as a resident would, through the same engine, keywords (STOP, HELP, LANGUAGE…) and messages residents get. It is practice: nothing you say here is stored, counted or shown to partners, and STOP stops only this practice resident. The conversation lives in this page and lapses an hour after its last message.</p>
${
  state
    ? html`<section aria-labelledby="chat-heading"><h2 id="chat-heading">${state.flowId} in ${names[state.language] ?? state.language}, as on ${state.channel === "sms" ? "SMS" : "Telegram"}</h2>
${transcript(state)}
<form method="post" action="${PATH}/press" id="sim-press"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="state" value="${sealed}"></form>
<form class="filters" method="post" action="${PATH}/say" aria-label="Reply">
  <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="state" value="${sealed}">
  <label for="sim-text">Reply as the resident <input id="sim-text" name="text" required maxlength="${MAX_TEXT}" autocomplete="off"></label>
  <button type="submit">Send</button>
</form>
<p><a href="${PATH}">End and forget this conversation</a></p>
</section>
<section aria-labelledby="answers-heading"><h2 id="answers-heading">Answers that would be stored</h2>
${answersTable(state)}
<p class="note">Free text is kept for analysis only as shown, with personal details removed; the themes are what it would add to the totals for a real resident.</p></section>
<section aria-labelledby="contact-heading"><h2 id="contact-heading">The practice resident</h2>${contactFacts(state)}</section>
<section aria-labelledby="again-heading"><h2 id="again-heading">Start another</h2>${startForm(csrf, state)}</section>`
    : html`<section aria-labelledby="start-heading"><h2 id="start-heading">Start a practice conversation</h2>${startForm(csrf)}</section>`
}
</main>`,
      ),
    );
  };

  /** Runs one message through the host over the scratch store, and adds what the resident would see. */
  const converse = async (
    state: SimulatorState,
    input: EngineInput,
    said?: { text: string; pressed?: boolean; on?: number },
  ): Promise<SimulatorState> => {
    const store = new ScratchConversationStore(state.scratch);
    const relays = new ScratchRelays(state.relays, () => crypto.randomUUID());
    const outcome: Outcome = await deps.conversationOver(store, relays).handle({
      channel: CHANNEL,
      address: state.address,
      input,
      languageHint: state.language,
    });
    let nextId = state.nextId;
    let entries: Entry[] = [...state.transcript];
    if (said)
      entries.push({ id: nextId++, from: "resident", text: said.text, ...(said.pressed ? { pressed: true } : {}) });
    const language = outcome.contact.language;
    if (state.channel === "sms") {
      for (const body of renderSms(outcome.replies, language, deps.smsMaxSegments))
        entries.push({ id: nextId++, from: "bot", text: body, sms: segmentInfo(body) });
    } else {
      const plan = planTelegramReplies(outcome.replies, language, said?.on);
      for (const payload of plan.payloads) {
        const rows = keyboardOf(payload.reply_markup);
        if (payload.method === "sendMessage") {
          entries.push({ id: nextId++, from: "bot", text: payload.text, ...(rows ? { buttons: rows } : {}) });
        } else {
          // The keyboard of an earlier message is edited in place (ticks) or taken away (answered).
          entries = entries.map((e) => {
            if (e.id !== payload.message_id || e.from !== "bot") return e;
            const { buttons: _old, ...rest } = e;
            return rows ? { ...rest, buttons: rows } : rest;
          });
        }
      }
      if (plan.toast) entries.push({ id: nextId++, from: "note", text: plan.toast });
      // MYDATA: Telegram also sends the copy as a file.
      if (outcome.export) entries.push({ id: nextId++, from: "note", text: `a file, ${outcome.export.filename}` });
    }
    return {
      ...state,
      expiresAt: new Date(deps.now().getTime() + IDLE_MS).toISOString(),
      scratch: store.snapshot(),
      relays: relays.snapshot(),
      transcript: entries.slice(-MAX_ENTRIES),
      nextId,
    };
  };

  app.get(PATH, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await audit(current, "simulator.view", {});
    return view(c, current);
  });

  /** A POSTed form: operator, CSRF-checked, then the action. */
  const action = operatorForms(app, deps);

  const problem = (c: Context, current: DashboardSession, message: string, state?: SimulatorState) => {
    c.status(400);
    return view(c, current, state, html`<p class="error" role="alert">${message}</p>`);
  };

  /** The conversation a form carries, or the page that says why it cannot go on. */
  const carried = async (
    c: Context,
    current: DashboardSession,
    form: Record<string, unknown>,
  ): Promise<SimulatorState | Response> => {
    const state = open(current, form.state);
    if (state === "expired")
      return problem(c, current, "This practice conversation lapsed after an hour without a message. Start a new one.");
    if (state === "invalid")
      return problem(
        c,
        current,
        "This practice conversation was started in another sign-in, or its page was changed. Start a new one.",
      );
    return state;
  };

  action(`${PATH}/start`, async (form, current, c) => {
    const flowId = typeof form.flow === "string" ? form.flow : "";
    const language = typeof form.language === "string" ? form.language : "";
    const channel = CHANNELS.find(([id]) => id === form.channel)?.[0];
    if (!flows().some((f) => f.id === flowId)) return problem(c, current, "Choose a flow.");
    if (!deps.languages.includes(language)) return problem(c, current, "Choose a language.");
    if (!channel) return problem(c, current, "Choose Telegram or SMS.");
    const fresh: SimulatorState = {
      flowId,
      language,
      channel,
      address: `practice-${randomUUID()}`,
      expiresAt: "",
      scratch: EMPTY_SCRATCH,
      transcript: [],
      nextId: 1,
    };
    const state = await converse(fresh, { type: "start", flowId });
    await audit(current, "simulator.start", { flow: flowId, language, channel });
    return view(c, current, state);
  });

  action(`${PATH}/say`, async (form, current, c) => {
    const state = await carried(c, current, form);
    if (state instanceof Response) return state;
    const text = typeof form.text === "string" ? form.text.slice(0, MAX_TEXT) : "";
    if (!text.trim()) return problem(c, current, "Type what the resident would send.", state);
    const next = await converse(state, { type: "text", text }, { text });
    const keyword = detectKeyword(text)?.keyword;
    await audit(current, "simulator.message", {
      flow: state.flowId,
      channel: state.channel,
      input: "text",
      ...(keyword ? { keyword } : {}),
    });
    return view(c, current, next);
  });

  action(`${PATH}/press`, async (form, current, c) => {
    const state = await carried(c, current, form);
    if (state instanceof Response) return state;
    const match = /^(\d+):(.+)$/s.exec(typeof form.press === "string" ? form.press : "");
    const on = match ? Number(match[1]) : undefined;
    const entry = state.transcript.find((e) => e.id === on);
    const button = entry?.from === "bot" ? entry.buttons?.flat().find((b) => match && b.data === match[2]) : undefined;
    if (!button || on === undefined)
      return problem(c, current, "That button is no longer there: the question was answered.", state);
    const next = await converse(
      state,
      { type: "button", payload: button.data },
      { text: button.label, pressed: true, on },
    );
    await audit(current, "simulator.message", { flow: state.flowId, channel: state.channel, input: "button" });
    return view(c, current, next);
  });
}
