// The flow engine: (registry, session, input) -> (session, effects). Pure and synchronous:
// it reads nothing but its arguments and writes nothing but its result, so every
// conversation can be replayed with a fixed clock.
import { detectKeyword } from "./keywords.js";
import { engineMessages } from "./messages.js";
import { checkPickCount, languageOptions, optionsOf, parseAnswer, type ParsedAnswer } from "./parse-answer.js";
import { questionCount } from "./question-count.js";
import { interpolate, localise, welshAnd } from "./text.js";
import type {
  ChoiceOption,
  GroupsNode,
  SignpostNode,
  AnswerValue,
  AskOption,
  ContactView,
  Effect,
  EndReason,
  EngineContext,
  EngineInput,
  Flow,
  FlowNode,
  FlowRegistry,
  LocalisedText,
  QuestionNode,
  SessionState,
  StepResult,
} from "./types.js";

/** A node chain longer than this without a question is a loop in the flow. */
const MAX_NODES_PER_STEP = 200;
const LANGUAGE_NODE_ID = "__language";
const SLASH_COMMAND = /^\/[a-z_]+(?:@\w+)?(?:\s|$)/i;
const MAX_CONSENT_RETRIES = 3;

/** "LANGUAGE" alone, or followed by a language; "Language lessons for adults" is an answer. */
function isLanguageRequest(ctx: EngineContext, argument: string): boolean {
  if (argument === "") return true;
  const parsed = parseAnswer({ kind: "language" }, argument, ctx.languages);
  return parsed.ok;
}

export class FlowLoopError extends Error {
  constructor(flowId: string, nodeId: string) {
    super(`Flow "${flowId}" passed through ${MAX_NODES_PER_STEP} nodes without asking anything (loop at "${nodeId}")`);
  }
}

type StateChanges = { -readonly [K in keyof SessionState]?: SessionState[K] };

/**
 * A copy of a session with some fields changed. Written out field by field (not with object
 * spread), so every session has one shape: spreading was a third of the engine's time.
 */
function patch(s: SessionState, c: StateChanges): SessionState {
  return {
    flowId: c.flowId ?? s.flowId,
    nodeId: c.nodeId ?? s.nodeId,
    step: c.step ?? s.step,
    retries: c.retries ?? s.retries,
    picks: c.picks ?? s.picks,
    answers: c.answers ?? s.answers,
    vars: c.vars ?? s.vars,
    choosingLanguage: c.choosingLanguage ?? s.choosingLanguage,
    startedAt: c.startedAt ?? s.startedAt,
    expiresAt: c.expiresAt ?? s.expiresAt,
    parent: "parent" in c ? c.parent : s.parent,
    offered: c.offered ?? s.offered,
    signpostThemes: c.signpostThemes ?? s.signpostThemes,
    choosingHelp: "choosingHelp" in c ? c.choosingHelp : s.choosingHelp,
    signpostHasMore: "signpostHasMore" in c ? c.signpostHasMore : s.signpostHasMore,
    signpostSpent: c.signpostSpent ?? s.signpostSpent,
    signpostEmpty: "signpostEmpty" in c ? c.signpostEmpty : s.signpostEmpty,
    reminded: c.reminded ?? s.reminded,
  };
}

type WaitingNode = QuestionNode | Extract<FlowNode, { type: "consent" }> | SignpostNode;

function isWaiting(node: FlowNode | undefined): node is WaitingNode {
  return node !== undefined && (node.type === "question" || node.type === "consent" || node.type === "signpost");
}

/** Mutable scratch space for one step; the result is frozen into a StepResult at the end. */
interface Turn {
  readonly ctx: EngineContext;
  readonly effects: Effect[];
  contact: ContactView;
}

export function step(ctx: EngineContext, session: SessionState | null, input: EngineInput): StepResult {
  const turn: Turn = { ctx, effects: [], contact: ctx.contact };
  const next = handle(turn, session, input);
  return { session: next, effects: turn.effects };
}

function handle(turn: Turn, session: SessionState | null, input: EngineInput): SessionState | null {
  const { ctx } = turn;
  if (input.type === "start") return startFlow(turn, input.flowId ?? ctx.registry.entryFlowId, {});
  // ISO-8601 UTC strings of one format order like the instants they name: no parsing needed.
  const expired = session !== null && session.expiresAt <= ctx.now.toISOString();
  if (input.type === "help" || input.type === "aside") {
    const flowId = input.type === "aside" ? input.flowId : ctx.registry.helpFlowId;
    if (!flowId || !ctx.registry.flows.has(flowId)) return session;
    const live = session && !expired ? session : undefined;
    // Asked for again while in it: it starts again, and still returns to what it interrupted.
    return startFlow(turn, flowId, {}, live?.flowId === flowId ? live.parent : live);
  }
  if (input.type === "resume") {
    if (!session || expired) return startFlow(turn, ctx.registry.entryFlowId, {});
    return resume(turn, session);
  }

  const text = input.type === "text" ? input.text : "";
  const keyword = input.type === "text" ? detectKeyword(text) : undefined;

  if (!session) {
    if (keyword?.keyword === "language" && isLanguageRequest(ctx, keyword.argument))
      return changeLanguageWithoutSession(turn, keyword.argument);
    return startFlow(turn, ctx.registry.entryFlowId, {});
  }
  if (expired) {
    send(turn, engineMessages.expired);
    return startFlow(turn, ctx.registry.entryFlowId, {});
  }
  const flow = ctx.registry.flows.get(session.flowId);
  const node = flow?.byId.get(session.nodeId);
  if (!flow || !isWaiting(node)) {
    // The flow changed under a waiting conversation (a new version was deployed): start cleanly.
    return startFlow(turn, ctx.registry.entryFlowId, {});
  }
  const live = patch(session, { expiresAt: expiry(ctx, flow) });

  if (keyword?.keyword === "restart") return startFlow(turn, ctx.registry.entryFlowId, {});
  if (keyword?.keyword === "language" && isLanguageRequest(ctx, keyword.argument))
    return changeLanguage(turn, live, node, keyword.argument);
  if (live.choosingLanguage) return answerLanguageChoice(turn, live, node, input);

  if (node.type === "signpost") return answerSignpost(turn, live, flow, node, input, keyword?.keyword === "skip");
  if (input.type === "button") return handleButton(turn, live, flow, node, input.payload);
  if (keyword?.keyword === "skip") return skip(turn, live, flow, node);
  if (input.type === "text" && SLASH_COMMAND.test(text.trim())) {
    // A command the host did not act on is never an answer ("/start" is not someone's idea).
    send(turn, engineMessages.notUnderstood);
    return reask(turn, live, node);
  }
  if (node.type === "consent")
    return answerConsent(turn, live, flow, node, parseAnswer({ kind: "yes_no" }, text, ctx.languages));
  return answerQuestion(turn, live, flow, node, parseAnswer(node.input, text, ctx.languages), true);
}

// ---------------------------------------------------------------------------------------------
// One gentle reminder

/**
 * When the reminder of the question a session waits on falls due, if it has one still to send:
 * its `remind_after` after the resident's last message, and before the conversation expires.
 */
export function reminderDue(registry: FlowRegistry, session: SessionState): Date | undefined {
  const flow = registry.flows.get(session.flowId);
  const node = flow?.byId.get(session.nodeId);
  if (!flow || node?.type !== "question" || node.remindAfterMs === undefined || !node.reminderText) return undefined;
  if (session.choosingLanguage || session.reminded?.includes(node.id)) return undefined;
  // Every message moves the expiry on by the flow's idle time: the last one was that long before it.
  const expires = Date.parse(session.expiresAt);
  const due = expires - flow.expiresAfterMs + node.remindAfterMs;
  return due < expires ? new Date(due) : undefined;
}

/**
 * The reminder, if it is due now: the reminder text with the question's options, the same
 * step (its buttons still answer it), and the session marked so it is never sent twice. The
 * session's expiry does not move: a reminder is not the resident coming back.
 */
/** What a reminder says: its own words, then the question again, in each of the question's languages. */
export function reminderMessage(node: QuestionNode): LocalisedText | undefined {
  const reminder = node.reminderText;
  if (!reminder) return undefined;
  return Object.fromEntries(
    Object.entries(node.text).map(([language, question]) => [language, `${localise(reminder, language)}\n${question}`]),
  );
}

export function remind(ctx: EngineContext, session: SessionState): StepResult | null {
  const due = reminderDue(ctx.registry, session);
  if (!due || due > ctx.now || session.expiresAt <= ctx.now.toISOString()) return null;
  const node = ctx.registry.flows.get(session.flowId)!.byId.get(session.nodeId) as QuestionNode;
  const turn: Turn = { ctx, effects: [], contact: ctx.contact };
  const next = ask(
    turn,
    patch(session, { reminded: [...(session.reminded ?? []), node.id] }),
    node,
    false,
    false,
    reminderMessage(node),
  );
  return { session: next, effects: turn.effects };
}

// ---------------------------------------------------------------------------------------------
// Moving through a flow

function startFlow(
  turn: Turn,
  flowId: string,
  vars: Readonly<Record<string, string>>,
  parent?: SessionState,
): SessionState | null {
  const flow = turn.ctx.registry.flows.get(flowId) ?? turn.ctx.registry.flows.get(turn.ctx.registry.entryFlowId);
  if (!flow) throw new Error(`Unknown flow "${flowId}" and no entry flow`);
  const first = flow.nodes[0];
  if (!first) throw new Error(`Flow "${flow.id}" has no nodes`);
  turn.effects.push({ type: "flow_started", flowId: flow.id });
  const state: SessionState = {
    flowId: flow.id,
    nodeId: first.id,
    step: 0,
    retries: 0,
    picks: [],
    answers: {},
    vars,
    choosingLanguage: false,
    startedAt: turn.ctx.now.toISOString(),
    expiresAt: expiry(turn.ctx, flow),
    parent: parent ? patch(parent, { choosingLanguage: false }) : undefined,
  };
  return runFrom(turn, state, flow, first.id);
}

/** Executes nodes from `nodeId` until one waits for the resident or the conversation ends. */
function runFrom(turn: Turn, start: SessionState, startFlow: Flow, nodeId: string | undefined): SessionState | null {
  let state = start;
  let flow = startFlow;
  let current = nodeId;
  for (let visits = 0; visits < MAX_NODES_PER_STEP; visits++) {
    const node = current === undefined ? undefined : flow.byId.get(current);
    if (!node) return finish(turn, state, flow);
    switch (node.type) {
      case "message":
        sendText(turn, state, node.text, node.smsSegments);
        current = flow.nextOf.get(node.id);
        break;
      case "question":
        return ask(
          turn,
          patch(state, { flowId: flow.id, nodeId: node.id, step: state.step + 1, retries: 0, picks: [] }),
          node,
          false,
        );
      case "consent":
        if (turn.contact.consentVersion === turn.ctx.privacyNoticeVersion) {
          current = flow.nextOf.get(node.id);
          break;
        }
        return ask(
          turn,
          patch(state, { flowId: flow.id, nodeId: node.id, step: state.step + 1, retries: 0, picks: [] }),
          node,
          false,
        );
      case "branch":
        current = chooseBranch(turn, state, node);
        break;
      case "signpost": {
        const from = node.themesFrom ? state.answers[node.themesFrom] : undefined;
        const themes = Array.isArray(from) ? [...from] : typeof from === "string" ? [from] : [];
        return offer(
          turn,
          patch(state, {
            flowId: flow.id,
            nodeId: node.id,
            offered: state.offered ?? [],
            signpostSpent: [],
            signpostEmpty: false,
          }),
          flow,
          node,
          themes,
        );
      }
      case "groups":
        offerGroups(turn, state, flow, node);
        current = flow.nextOf.get(node.id);
        break;
      case "set_field":
        if (node.field === "language" || node.field === "area") {
          setField(turn, node.field, node.value);
        } else {
          state = patch(state, { vars: { ...state.vars, [node.field]: node.value } });
        }
        current = flow.nextOf.get(node.id);
        break;
      case "goto_flow": {
        turn.effects.push({ type: "end", flowId: flow.id, reason: "completed" });
        const target = turn.ctx.registry.flows.get(node.flow);
        if (!target || !target.nodes[0]) return null;
        turn.effects.push({ type: "flow_started", flowId: target.id });
        flow = target;
        state = patch(state, { flowId: target.id, answers: {}, expiresAt: expiry(turn.ctx, target) });
        current = target.nodes[0].id;
        break;
      }
      case "end":
        if (node.text) sendText(turn, state, node.text, node.smsSegments);
        return finish(turn, state, flow);
    }
  }
  throw new FlowLoopError(flow.id, current ?? "?");
}

/** A flow reached its end: the conversation is over, unless HELP interrupted another one. */
function finish(turn: Turn, state: SessionState, flow: Flow): SessionState | null {
  end(turn, flow, "completed");
  if (!state.parent) return null;
  send(turn, engineMessages.carryOn);
  return resume(turn, state.parent);
}

/** Re-asks the question a session is waiting on, with a fresh step so older buttons retire. */
function resume(turn: Turn, session: SessionState): SessionState | null {
  const flow = turn.ctx.registry.flows.get(session.flowId);
  const node = flow?.byId.get(session.nodeId);
  if (!flow || !isWaiting(node)) return startFlow(turn, turn.ctx.registry.entryFlowId, {});
  if (node.type === "signpost")
    return askSignpostNext(
      turn,
      patch(session, {
        step: session.step + 1,
        choosingLanguage: false,
        choosingHelp: false,
        expiresAt: expiry(turn.ctx, flow),
      }),
      node,
      false,
    );
  return ask(
    turn,
    patch(session, { step: session.step + 1, choosingLanguage: false, picks: [], expiresAt: expiry(turn.ctx, flow) }),
    node,
    false,
  );
}

function end(turn: Turn, flow: Flow, reason: EndReason): null {
  turn.effects.push({ type: "end", flowId: flow.id, reason });
  return null;
}

function chooseBranch(turn: Turn, state: SessionState, node: Extract<FlowNode, { type: "branch" }>): string {
  const value: AnswerValue | undefined =
    "answer" in node.on ? state.answers[node.on.answer] : fieldValue(turn.contact, state, node.on.field);
  for (const c of node.cases) {
    const w = c.when;
    if ("equals" in w && value === w.equals) return c.goto;
    if (
      "in" in w &&
      value !== null &&
      value !== undefined &&
      !Array.isArray(value) &&
      w.in.includes(value as string | number | boolean)
    )
      return c.goto;
    if ("includes" in w && Array.isArray(value) && value.includes(w.includes)) return c.goto;
    if ("answered" in w && (value !== null && value !== undefined) === w.answered) return c.goto;
    if ("gte" in w && typeof value === "number" && value >= w.gte) return c.goto;
    if ("lte" in w && typeof value === "number" && value <= w.lte) return c.goto;
  }
  return node.default;
}

function fieldValue(contact: ContactView, state: SessionState, field: string): AnswerValue | undefined {
  if (field === "language") return contact.language;
  if (field === "area") return contact.area;
  return state.vars[field];
}

function setField(turn: Turn, field: "language" | "area", value: string): void {
  turn.effects.push({ type: "set_field", field, value });
  turn.contact = { ...turn.contact, [field]: value };
}

// ---------------------------------------------------------------------------------------------
// Questions

function ask(
  turn: Turn,
  state: SessionState,
  node: QuestionNode | Extract<FlowNode, { type: "consent" }>,
  refresh: boolean,
  reprompt = false,
  said: LocalisedText = node.text,
): SessionState {
  const language = turn.contact.language;
  const text = interpolate(localise(said, language), () => variables(turn, state));
  const s = state.step;
  if (node.type === "consent") {
    turn.effects.push({
      type: "ask",
      flowId: state.flowId,
      nodeId: node.id,
      key: "consent",
      kind: "consent",
      text,
      options: labelled(optionsOf({ kind: "yes_no" }, turn.ctx.languages), language, (id) => `${s}:o:${id}`),
      step: s,
      refresh,
      reprompt,
      ...(node.smsSegments ? { smsSegments: node.smsSegments } : {}),
    });
    return state;
  }
  const input = node.input;
  const multi = input.kind === "multi_choice";
  const action = multi ? "t" : "o";
  const options: AskOption[] = optionsOf(input, turn.ctx.languages).map((o) =>
    multi
      ? {
          id: o.id,
          label: localise(o.label, language),
          payload: `${s}:${action}:${o.id}`,
          picked: state.picks.includes(o.id),
        }
      : { id: o.id, label: localise(o.label, language), payload: `${s}:${action}:${o.id}` },
  );
  turn.effects.push({
    type: "ask",
    flowId: state.flowId,
    nodeId: node.id,
    key: node.key,
    kind: input.kind,
    text,
    options,
    ...(multi ? { maxPicks: input.maxPicks, donePayload: `${s}:done` } : {}),
    ...(node.allowSkip ? { skipPayload: `${s}:skip` } : {}),
    step: s,
    refresh,
    reprompt,
    ...(node.smsSegments ? { smsSegments: node.smsSegments } : {}),
  });
  return state;
}

function labelled(
  options: ReturnType<typeof optionsOf>,
  language: string,
  payload: (id: string) => string,
): AskOption[] {
  return options.map((o) => ({ id: o.id, label: localise(o.label, language), payload: payload(o.id) }));
}

function reask(turn: Turn, state: SessionState, node: WaitingNode): SessionState {
  if (node.type === "signpost")
    return state.choosingHelp ? askHelpKind(turn, state, node, true) : askSignpostNext(turn, state, node, true);
  return ask(turn, state, node, false, true);
}

function answerQuestion(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: QuestionNode,
  parsed: ParsedAnswer,
  typed: boolean,
): SessionState | null {
  if (!parsed.ok) return invalid(turn, state, flow, node, parsed.problem, parsed.vars);
  const value = parsed.value;
  // A language choice is a setting for talking to the resident, not an answer for analysis.
  if (node.input.kind !== "language")
    turn.effects.push({ type: "save_answer", flowId: flow.id, key: node.key, value, kind: node.input.kind });
  if (node.input.kind === "postcode" && typeof value === "string") setField(turn, "area", value);
  if (node.input.kind === "language" && typeof value === "string") setField(turn, "language", value);
  if (typed && parsed.understood && node.input.kind !== "language") {
    send(turn, engineMessages.understood, { answer: describeUnderstood(turn, node, parsed.understood) });
  }
  const answered: SessionState = patch(state, {
    answers: { ...state.answers, [node.key]: value },
    retries: 0,
    picks: [],
  });
  return runFrom(turn, answered, flow, flow.nextOf.get(node.id));
}

function describeUnderstood(turn: Turn, node: QuestionNode, ids: readonly string[]): string {
  const language = turn.contact.language;
  const options = optionsOf(node.input, turn.ctx.languages);
  const labels = ids.map((id) => {
    const option = options.find((o) => o.id === id);
    return option ? localise(option.label, language) : id;
  });
  if (labels.length <= 1) return labels.join("");
  const last = labels[labels.length - 1]!;
  // Welsh "a" mutates the word after it (and is "ac" before a vowel): "Tai a Chostau byw".
  if (language === "cy") return `${labels.slice(0, -1).join(", ")} ${welshAnd(last)}`;
  return `${labels.slice(0, -1).join(", ")} ${localise(engineMessages.and, language)} ${last}`;
}

function answerConsent(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: Extract<FlowNode, { type: "consent" }>,
  parsed: ParsedAnswer,
): SessionState | null {
  if (!parsed.ok) {
    const retries = state.retries + 1;
    if (retries > MAX_CONSENT_RETRIES) {
      send(turn, engineMessages.gaveUp);
      return end(turn, flow, "gave_up");
    }
    send(turn, engineMessages.yesOrNo);
    return reask(turn, patch(state, { retries }), node);
  }
  if (parsed.value === true) {
    turn.effects.push({ type: "record_consent", version: turn.ctx.privacyNoticeVersion });
    turn.contact = { ...turn.contact, consentVersion: turn.ctx.privacyNoticeVersion };
    return runFrom(turn, patch(state, { retries: 0 }), flow, flow.nextOf.get(node.id));
  }
  // Declining ends the flow wherever the author sends it; nothing is saved but the refusal.
  turn.effects.push({ type: "record_consent_refusal", version: turn.ctx.privacyNoticeVersion });
  const declinedState = runFrom(turn, patch(state, { retries: 0 }), flow, node.declined);
  const last = turn.effects[turn.effects.length - 1];
  if (last?.type === "end" && last.flowId === flow.id)
    turn.effects[turn.effects.length - 1] = { ...last, reason: "declined" };
  return declinedState;
}

function invalid(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: QuestionNode,
  problem: LocalisedText,
  vars?: Readonly<Record<string, string>>,
): SessionState | null {
  const retries = state.retries + 1;
  if (retries > node.retries) {
    if (node.onGiveUp === "next") {
      send(turn, engineMessages.movingOn);
      turn.effects.push({ type: "save_answer", flowId: flow.id, key: node.key, value: null, kind: node.input.kind });
      return runFrom(
        turn,
        patch(state, { answers: { ...state.answers, [node.key]: null }, retries: 0, picks: [] }),
        flow,
        flow.nextOf.get(node.id),
      );
    }
    send(turn, engineMessages.gaveUp);
    return end(turn, flow, "gave_up");
  }
  send(turn, node.invalidText ?? problem, vars);
  return reask(turn, patch(state, { retries }), node);
}

function skip(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: QuestionNode | Extract<FlowNode, { type: "consent" }>,
): SessionState | null {
  if (node.type === "consent" || !node.allowSkip) {
    // Not skippable: treat "skip" as an answer we could not use.
    return node.type === "consent"
      ? answerConsent(turn, state, flow, node, { ok: false, problem: engineMessages.yesOrNo })
      : invalid(turn, state, flow, node, engineMessages.notUnderstood);
  }
  turn.effects.push({ type: "save_answer", flowId: flow.id, key: node.key, value: null, kind: node.input.kind });
  return runFrom(
    turn,
    patch(state, { answers: { ...state.answers, [node.key]: null }, retries: 0, picks: [] }),
    flow,
    flow.nextOf.get(node.id),
  );
}

// ---------------------------------------------------------------------------------------------
// Buttons: payload is `<step>:o:<id>` (choose), `<step>:t:<id>` (toggle), `<step>:done`, `<step>:skip`

function handleButton(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: QuestionNode | Extract<FlowNode, { type: "consent" }>,
  payload: string,
): SessionState | null {
  const match = /^(\d{1,10}):(o|t|done|skip)(?::(.{1,60}))?$/.exec(payload);
  if (!match || Number(match[1]) !== state.step) {
    send(turn, engineMessages.oldButton);
    return reask(turn, state, node);
  }
  const action = match[2];
  const id = match[3] ?? "";
  if (action === "skip") return skip(turn, state, flow, node);
  if (node.type === "consent") {
    if (action !== "o" || (id !== "yes" && id !== "no")) return reask(turn, state, node);
    return answerConsent(turn, state, flow, node, { ok: true, value: id === "yes" });
  }
  const input = node.input;
  const options = optionsOf(input, turn.ctx.languages);
  if (action === "o") {
    if (!options.some((o) => o.id === id) || input.kind === "multi_choice") return reask(turn, state, node);
    const value: AnswerValue = input.kind === "yes_no" ? id === "yes" : id;
    return answerQuestion(turn, state, flow, node, { ok: true, value }, false);
  }
  if (input.kind !== "multi_choice") return reask(turn, state, node);
  if (action === "t") {
    if (!options.some((o) => o.id === id)) return reask(turn, state, node);
    const picked = state.picks.includes(id);
    if (!picked && state.picks.length >= input.maxPicks) {
      send(turn, engineMessages.tooManyPicks, { max: String(input.maxPicks) });
      return ask(turn, state, node, true);
    }
    const picks = picked ? state.picks.filter((p) => p !== id) : [...state.picks, id];
    return ask(turn, patch(state, { picks }), node, true);
  }
  // done: keep the options' order, not the order they were tapped.
  const picks = options.map((o) => o.id).filter((o) => state.picks.includes(o));
  const problem = checkPickCount(picks, input.maxPicks, input.minPicks);
  if (problem && !problem.ok) {
    send(turn, problem.problem, problem.vars);
    return ask(turn, state, node, true);
  }
  return answerQuestion(turn, state, flow, node, { ok: true, value: picks }, false);
}

// ---------------------------------------------------------------------------------------------
// LANGUAGE / IAITH

function changeLanguage(turn: Turn, state: SessionState, node: WaitingNode, argument: string): SessionState | null {
  const chosen = argument ? parseAnswer({ kind: "language" }, argument, turn.ctx.languages) : undefined;
  if (chosen?.ok && typeof chosen.value === "string") {
    applyLanguage(turn, chosen.value);
    return reask(turn, patch(state, { choosingLanguage: false }), node);
  }
  return askLanguage(turn, patch(state, { choosingLanguage: true, step: state.step + 1 }));
}

function answerLanguageChoice(
  turn: Turn,
  state: SessionState,
  node: WaitingNode,
  input: EngineInput,
): SessionState | null {
  let chosen: string | undefined;
  if (input.type === "button") {
    const m = /^(\d{1,10}):o:(.+)$/.exec(input.payload);
    if (m && Number(m[1]) === state.step && turn.ctx.languages.includes(m[2]!)) chosen = m[2];
  } else if (input.type === "text") {
    const parsed = parseAnswer({ kind: "language" }, input.text, turn.ctx.languages);
    if (parsed.ok && typeof parsed.value === "string") chosen = parsed.value;
  }
  if (!chosen) return askLanguage(turn, state);
  applyLanguage(turn, chosen);
  return reask(turn, patch(state, { choosingLanguage: false, step: state.step + 1 }), node);
}

function changeLanguageWithoutSession(turn: Turn, argument: string): SessionState | null {
  const chosen = argument ? parseAnswer({ kind: "language" }, argument, turn.ctx.languages) : undefined;
  if (chosen?.ok && typeof chosen.value === "string") applyLanguage(turn, chosen.value);
  return startFlow(turn, turn.ctx.registry.entryFlowId, {});
}

function askLanguage(turn: Turn, state: SessionState): SessionState {
  const s = state.step;
  turn.effects.push({
    type: "ask",
    flowId: state.flowId,
    nodeId: LANGUAGE_NODE_ID,
    key: "language",
    kind: "language",
    text: localise(engineMessages.chooseLanguage, turn.contact.language),
    options: labelled(languageOptions(turn.ctx.languages), turn.contact.language, (id) => `${s}:o:${id}`),
    step: s,
    refresh: false,
    reprompt: false,
  });
  return state;
}

function applyLanguage(turn: Turn, language: string): void {
  setField(turn, "language", language);
  send(turn, engineMessages.languageChanged);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const expiryCache = new WeakMap<Date, Map<number, string>>();

function expiry(ctx: EngineContext, flow: Flow): string {
  // Worked out once per clock reading and idle time; a step may need it several times.
  let byDuration = expiryCache.get(ctx.now);
  if (!byDuration) {
    byDuration = new Map();
    expiryCache.set(ctx.now, byDuration);
  }
  let at = byDuration.get(flow.expiresAfterMs);
  if (at === undefined) {
    at = new Date(ctx.now.getTime() + flow.expiresAfterMs).toISOString();
    byDuration.set(flow.expiresAfterMs, at);
  }
  return at;
}

function variables(turn: Turn, state: SessionState): Record<string, string> {
  const flow = turn.ctx.registry.flows.get(state.flowId);
  const vars: Record<string, string> = {
    ...turn.ctx.variables,
    ...turn.ctx.languageVariables?.[turn.contact.language],
    // How many questions follow consent, counted from the flow: "It's {questions} questions".
    ...(flow ? { questions: String(questionCount(flow).most) } : {}),
    ...state.vars,
  };
  for (const [key, value] of Object.entries(state.answers)) {
    if (value !== null && !Array.isArray(value)) vars[key] = String(value);
  }
  if (turn.contact.area) vars.area = turn.contact.area;
  return vars;
}

function send(turn: Turn, text: LocalisedText, vars?: Readonly<Record<string, string>>): void {
  turn.effects.push({ type: "send", text: interpolate(localise(text, turn.contact.language), vars ?? {}) });
}

function sendText(turn: Turn, state: SessionState, text: LocalisedText, smsSegments?: number): void {
  const rendered = interpolate(localise(text, turn.contact.language), () => variables(turn, state));
  turn.effects.push(smsSegments ? { type: "send", text: rendered, smsSegments } : { type: "send", text: rendered });
}

// ---------------------------------------------------------------------------------------------
// Signposting: offer services, then "more like this", "a different kind of help" or "done"

const SIGNPOST_CHOICES = ["more", "other", "done"] as const;
type SignpostChoice = (typeof SIGNPOST_CHOICES)[number];
const SIGNPOST_WORDS: Readonly<Record<SignpostChoice, readonly string[]>> = {
  more: ["more", "more like this", "mwy", "mwy fel hyn", "next"],
  other: ["other", "different", "something else", "different help", "arall", "gwahanol"],
  done: [
    "done",
    "that s all",
    "thats all",
    "no",
    "no thanks",
    "finished",
    "bye",
    "dim diolch",
    "dyna r cyfan",
    "na",
    "stop showing",
  ],
};

/** The groups near the resident that would welcome what they offer, as a list like services; or the kind word. */
function offerGroups(turn: Turn, state: SessionState, flow: Flow, node: GroupsNode): void {
  const { ctx } = turn;
  const language = turn.contact.language;
  const offered = state.answers[node.kindsFrom];
  const kinds = Array.isArray(offered) ? [...offered] : typeof offered === "string" ? [offered] : [];
  const text = node.textFrom ? state.answers[node.textFrom] : undefined;
  const groups =
    ctx.directory?.groups?.({
      kinds,
      ...(typeof text === "string" ? { text } : {}),
      area: turn.contact.area,
      limit: node.max,
      language,
      now: ctx.now,
    }) ?? [];
  if (groups.length === 0) {
    sendText(turn, state, node.noneText, node.smsSegments);
    return;
  }
  turn.effects.push({
    type: "signpost",
    flowId: flow.id,
    nodeId: node.id,
    text: interpolate(localise(node.text, language), () => variables(turn, state)),
    services: groups,
    fallback: [],
  });
}

function offer(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: SignpostNode,
  themes: readonly string[],
): SessionState | null {
  const { ctx } = turn;
  const language = turn.contact.language;
  const exclude = state.offered ?? [];
  const text = node.textFrom ? state.answers[node.textFrom] : undefined;
  const result = ctx.directory?.match({
    themes,
    ...(typeof text === "string" ? { text } : {}),
    area: turn.contact.area,
    exclude,
    limit: node.max,
    language,
    now: ctx.now,
  }) ?? { services: [], more: false, fallback: [] };
  const found = result.services.length > 0;
  const intro = found
    ? interpolate(localise(node.text, language), () => variables(turn, state))
    : localise(exclude.length > 0 ? engineMessages.signpostNoMore : engineMessages.signpostNone, language);
  turn.effects.push({
    type: "signpost",
    flowId: flow.id,
    nodeId: node.id,
    text: intro,
    services: result.services,
    fallback: found ? [] : result.fallback,
  });
  const spent = state.signpostSpent ?? [];
  const next = patch(state, {
    nodeId: node.id,
    step: state.step + 1,
    retries: 0,
    picks: [],
    offered: [...exclude, ...result.services.map((s) => s.id)],
    signpostThemes: themes,
    choosingHelp: false,
    signpostHasMore: result.more,
    // A kind of help with nothing left to offer is never offered again: choosing it would only
    // say "That's all the services I have for that" once more.
    signpostSpent: result.more ? spent : [...spent, ...themes.filter((t) => !spent.includes(t))],
    signpostEmpty: !found,
  });
  // No dead ends: after "That's all the services I have for that" the resident is offered the
  // other kinds of help once; nothing again (or nothing left to choose) ends the offers kindly,
  // with the general contacts just given, and the flow moves on.
  if (!result.more && ((!found && state.signpostEmpty === true) || helpKindOptions(flow, node, next).length === 0))
    return runFrom(turn, next, flow, flow.nextOf.get(node.id));
  return askSignpostNext(turn, next, node, false);
}

function signpostChoices(state: SessionState, flow: Flow, node: SignpostNode): SignpostChoice[] {
  return SIGNPOST_CHOICES.filter((c) =>
    c === "more"
      ? state.signpostHasMore === true
      : c === "other"
        ? helpKindOptions(flow, node, state).length > 0
        : true,
  );
}

function askSignpostNext(turn: Turn, state: SessionState, node: SignpostNode, reprompt: boolean): SessionState {
  const language = turn.contact.language;
  const s = state.step;
  const label = {
    more: engineMessages.signpostMore,
    other: engineMessages.signpostOther,
    done: engineMessages.signpostDone,
  };
  turn.effects.push({
    type: "ask",
    flowId: state.flowId,
    nodeId: node.id,
    key: node.id,
    kind: "signpost",
    text: localise(engineMessages.signpostWhatNext, language),
    options: signpostChoices(state, turn.ctx.registry.flows.get(state.flowId)!, node).map((c) => ({
      id: c,
      label: localise(label[c], language),
      payload: `${s}:o:${c}`,
    })),
    step: s,
    refresh: false,
    reprompt,
  });
  return state;
}

/** The kinds of help still worth choosing: the source question's options, less those used up. */
function helpKindOptions(flow: Flow, node: SignpostNode, state?: SessionState): readonly ChoiceOption[] {
  const source = node.otherOptionsFrom ? flow.byId.get(node.otherOptionsFrom) : undefined;
  if (source?.type !== "question" || (source.input.kind !== "single_choice" && source.input.kind !== "multi_choice"))
    return [];
  const spent = state?.signpostSpent ?? [];
  return spent.length === 0 ? source.input.options : source.input.options.filter((o) => !spent.includes(o.id));
}

function askHelpKind(turn: Turn, state: SessionState, node: SignpostNode, reprompt: boolean): SessionState {
  const flow = turn.ctx.registry.flows.get(state.flowId)!;
  const language = turn.contact.language;
  const s = state.step;
  turn.effects.push({
    type: "ask",
    flowId: state.flowId,
    nodeId: node.id,
    key: `${node.id}_kind`,
    kind: "single_choice",
    text: localise(engineMessages.signpostChooseHelp, language),
    options: helpKindOptions(flow, node, state).map((o) => ({
      id: o.id,
      label: localise(o.label, language),
      payload: `${s}:o:${o.id}`,
    })),
    step: s,
    refresh: false,
    reprompt,
  });
  return state;
}

function answerSignpost(
  turn: Turn,
  state: SessionState,
  flow: Flow,
  node: SignpostNode,
  input: EngineInput,
  skipped: boolean,
): SessionState | null {
  const buttonChoice = (): string | undefined | "old" => {
    if (input.type !== "button") return undefined;
    const m = /^(\d{1,10}):o:(.{1,60})$/.exec(input.payload);
    if (!m || Number(m[1]) !== state.step) return "old";
    return m[2];
  };
  const pressed = buttonChoice();
  if (pressed === "old") {
    send(turn, engineMessages.oldButton);
    return reask(turn, state, node);
  }
  if (state.choosingHelp) {
    const options = helpKindOptions(flow, node, state);
    let id = pressed;
    if (id === undefined && input.type === "text") {
      // Numbers are read against the list shown; words against every kind (a used-up kind typed
      // anyway is answered honestly, not with "please reply with a number").
      const shown = parseAnswer({ kind: "single_choice", options }, input.text, turn.ctx.languages);
      const parsed =
        shown.ok || /\d/.test(input.text)
          ? shown
          : parseAnswer(
              { kind: "single_choice", options: helpKindOptions(flow, node) },
              input.text,
              turn.ctx.languages,
            );
      if (parsed.ok && typeof parsed.value === "string") id = parsed.value;
    }
    if (id !== undefined && helpKindOptions(flow, node).some((o) => o.id === id))
      return offer(turn, state, flow, node, [id]);
    if (skipped) return runFrom(turn, patch(state, { choosingHelp: false }), flow, flow.nextOf.get(node.id));
    send(turn, engineMessages.chooseNumber);
    return reask(turn, state, node);
  }
  const available = signpostChoices(state, flow, node);
  let choice: string | undefined = skipped ? "done" : pressed;
  if (choice === undefined && input.type === "text") {
    const options = available.map((c) => ({
      id: c,
      label: {
        en: localise(
          engineMessages[c === "more" ? "signpostMore" : c === "other" ? "signpostOther" : "signpostDone"],
          "en",
        ),
      },
      synonyms: { en: [...SIGNPOST_WORDS[c]] },
    }));
    const parsed = parseAnswer({ kind: "single_choice", options }, input.text, turn.ctx.languages);
    if (parsed.ok && typeof parsed.value === "string") choice = parsed.value;
  }
  if (choice === "more" && available.includes("more"))
    return offer(turn, state, flow, node, state.signpostThemes ?? []);
  if (choice === "other" && available.includes("other"))
    return askHelpKind(turn, patch(state, { choosingHelp: true, step: state.step + 1 }), node, false);
  if (choice === "done") return runFrom(turn, patch(state, { retries: 0 }), flow, flow.nextOf.get(node.id));
  const retries = state.retries + 1;
  // Not understood twice: assume they have what they need and move on.
  if (retries > 2) return runFrom(turn, patch(state, { retries: 0 }), flow, flow.nextOf.get(node.id));
  send(turn, engineMessages.chooseNumber);
  return reask(turn, patch(state, { retries }), node);
}
