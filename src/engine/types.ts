// Types shared by the flow engine and its hosts. The engine is pure: it takes a flow, a
// session and an input, and returns the next session and a list of effects for the host
// to apply (send a message, store an answer, change a contact field). It never does I/O.

/** Text in one or more languages, keyed by language code (`en`, `cy`). */
export type LocalisedText = Readonly<Record<string, string>>;

export interface ChoiceOption {
  /** Stable id, stored as the answer (e.g. a theme id such as `cost_of_living`). */
  readonly id: string;
  readonly label: LocalisedText;
  /** Extra words a resident might type for this option, per language. */
  readonly synonyms?: Readonly<Record<string, readonly string[]>>;
}

export type QuestionInput =
  | { readonly kind: "single_choice"; readonly options: readonly ChoiceOption[] }
  | {
      readonly kind: "multi_choice";
      readonly options: readonly ChoiceOption[];
      readonly maxPicks: number;
      readonly minPicks: number;
    }
  | { readonly kind: "text"; readonly maxLength: number; readonly minLength: number }
  | { readonly kind: "number"; readonly min: number; readonly max: number; readonly integer: boolean }
  | { readonly kind: "yes_no" }
  | { readonly kind: "postcode" }
  | { readonly kind: "language" };

export type QuestionKind = QuestionInput["kind"];

interface NodeBase {
  readonly id: string;
  /** 1-based line of the node in its YAML file, for error messages. */
  readonly line?: number;
  /** The author allows this node's SMS to be this many segments long. */
  readonly smsSegments?: number;
}

export interface MessageNode extends NodeBase {
  readonly type: "message";
  readonly text: LocalisedText;
  readonly next?: string;
}

export interface QuestionNode extends NodeBase {
  readonly type: "question";
  /** The answer's name in storage and in branches. */
  readonly key: string;
  readonly text: LocalisedText;
  readonly input: QuestionInput;
  /** Said instead of the generic re-prompt when an answer cannot be understood. */
  readonly invalidText?: LocalisedText;
  readonly allowSkip: boolean;
  /** How many re-prompts before giving up. */
  readonly retries: number;
  /** After too many invalid answers: move on (`next`) or end the conversation politely (`end`). */
  readonly onGiveUp: "next" | "end";
  /** One gentle reminder after this long without an answer (the question's `remind_after`, else the flow's). */
  readonly remindAfterMs?: number;
  /** The reminder, which repeats the question; sent with the question's options. */
  readonly reminderText?: LocalisedText;
  readonly next?: string;
}

/** Asks for consent under the current privacy notice; passes silently if already given. */
export interface ConsentNode extends NodeBase {
  readonly type: "consent";
  readonly text: LocalisedText;
  /** Where to go when the resident says no. */
  readonly declined: string;
  readonly next?: string;
}

export type BranchCondition =
  | { readonly equals: string | number | boolean }
  | { readonly in: readonly (string | number | boolean)[] }
  | { readonly includes: string }
  | { readonly answered: boolean }
  | { readonly gte: number }
  | { readonly lte: number };

export interface BranchCase {
  readonly when: BranchCondition;
  readonly goto: string;
}

export interface BranchNode extends NodeBase {
  readonly type: "branch";
  /** What to test: an answer in this conversation, or a contact field (`language`, `area`) or flow variable. */
  readonly on: { readonly answer: string } | { readonly field: string };
  readonly cases: readonly BranchCase[];
  readonly default: string;
}

export interface SetFieldNode extends NodeBase {
  readonly type: "set_field";
  /** `language` and `area` are contact fields; any other name is a variable of this conversation. */
  readonly field: string;
  readonly value: string;
  readonly next?: string;
}

export interface GotoFlowNode extends NodeBase {
  readonly type: "goto_flow";
  readonly flow: string;
}

export interface EndNode extends NodeBase {
  readonly type: "end";
  readonly text?: LocalisedText;
}

/** Offers local services that fit the resident's needs, then asks: more, other help, or done. */
export interface SignpostNode extends NodeBase {
  readonly type: "signpost";
  /** Said before the services. */
  readonly text: LocalisedText;
  /** Answer key holding the themes to match (a choice or multi-choice answer). */
  readonly themesFrom?: string;
  /** Answer key of a free-text answer to match words against. */
  readonly textFrom?: string;
  /** Most services per offer (default 3). */
  readonly max: number;
  /** A choice question in this flow whose options list the kinds of help to choose from ("other help"). */
  readonly otherOptionsFrom?: string;
  readonly next?: string;
}

/**
 * Gives the resident up to `max` local groups near them that would welcome what they offer,
 * with each group's own contact details, or a kind word when there are none; then moves on.
 */
export interface GroupsNode extends NodeBase {
  readonly type: "groups";
  /** Said before the groups. */
  readonly text: LocalisedText;
  /** Said instead when no group fits (or the directory marks none). */
  readonly noneText: LocalisedText;
  /** Answer key of the choice question holding what the resident could offer. */
  readonly kindsFrom: string;
  /** Answer key of their own words about it. */
  readonly textFrom?: string;
  /** Most groups given (default 3). */
  readonly max: number;
  readonly next?: string;
}

export type FlowNode =
  | MessageNode
  | QuestionNode
  | ConsentNode
  | BranchNode
  | SetFieldNode
  | GotoFlowNode
  | EndNode
  | SignpostNode
  | GroupsNode;

/** One service as offered to a resident, already in their language. */
export interface SignpostService {
  readonly id: string;
  readonly name: string;
  readonly summary: string;
  readonly phone?: string;
  /** Plain opening hours, e.g. "Mon–Fri 9am–5pm", or "Open 24 hours". */
  readonly hours?: string;
  readonly url?: string;
  /** Given for local groups that want help (how to reach them about it), not for services. */
  readonly email?: string;
  readonly openNow: boolean;
}

export interface SignpostQuery {
  readonly themes: readonly string[];
  readonly text?: string;
  readonly area: string | null;
  readonly exclude: readonly string[];
  readonly limit: number;
  readonly language: string;
  readonly now: Date;
}

export interface SignpostResult {
  readonly services: readonly SignpostService[];
  /** Whether more matching services remain after these. */
  readonly more: boolean;
  /** General contacts to give when nothing (or little) matches, in the resident's language. */
  readonly fallback: readonly string[];
}

/** Local groups that want what a resident could offer. */
export interface GroupQuery {
  /** What the resident could offer (the offers flow's option ids: time, skill, lifts…). */
  readonly kinds: readonly string[];
  /** Their own words about it, matched against what groups say they need. */
  readonly text?: string;
  readonly area: string | null;
  readonly limit: number;
  readonly language: string;
  readonly now: Date;
}

/** Read-only access to the services directory, handed to the engine (matching is pure and in memory). */
export interface DirectoryLookup {
  match(query: SignpostQuery): SignpostResult;
  /** The groups near the resident that would welcome what they offer, best first; none when the directory marks none. */
  groups?(query: GroupQuery): readonly SignpostService[];
}

export interface Flow {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly languages: readonly string[];
  /** Idle time after which the conversation is forgotten and starts again, in milliseconds. */
  readonly expiresAfterMs: number;
  /** The SMS segments each text may take, as the flow states it (`sms_budget`); lint checks it. */
  readonly smsBudget?: number;
  readonly nodes: readonly FlowNode[];
  /** Resolved `next` of every node (explicit, or the node below it). */
  readonly nextOf: ReadonlyMap<string, string | undefined>;
  readonly byId: ReadonlyMap<string, FlowNode>;
  readonly file?: string;
}

export interface FlowRegistry {
  readonly flows: ReadonlyMap<string, Flow>;
  /** The flow a new resident (or one whose conversation expired) is put into. */
  readonly entryFlowId: string;
  /** The flow HELP starts. */
  readonly helpFlowId?: string;
}

export type AnswerValue = string | number | boolean | readonly string[] | null;

/** What the engine remembers between messages. Serialised to JSON by the host. */
export interface SessionState {
  readonly flowId: string;
  /** The question (or consent) node waiting for a reply. */
  readonly nodeId: string;
  /** Increases every time a question is asked; buttons carry it so old buttons are recognised. */
  readonly step: number;
  readonly retries: number;
  /** Multi-choice picks toggled with buttons but not yet confirmed. */
  readonly picks: readonly string[];
  readonly answers: Readonly<Record<string, AnswerValue>>;
  readonly vars: Readonly<Record<string, string>>;
  /** Set while a LANGUAGE/IAITH interruption waits for the resident to choose. */
  readonly choosingLanguage: boolean;
  readonly startedAt: string;
  readonly expiresAt: string;
  /** The conversation interrupted by HELP, resumed when the help flow ends. */
  readonly parent?: SessionState | undefined;
  /** Services already offered in this conversation: never offered twice. */
  readonly offered?: readonly string[] | undefined;
  /** Themes of the current signpost offer (for "more like this"). */
  readonly signpostThemes?: readonly string[] | undefined;
  /** Set while the resident chooses a different kind of help at a signpost node. */
  readonly choosingHelp?: boolean | undefined;
  /** Whether the last signpost offer left more matching services. */
  readonly signpostHasMore?: boolean | undefined;
  /** Kinds of help whose services have all been offered: never offered as a choice again. */
  readonly signpostSpent?: readonly string[] | undefined;
  /** Questions of this conversation a reminder was sent for: one reminder per question, ever. */
  readonly reminded?: readonly string[] | undefined;
  /** Whether the last signpost offer found nothing new. */
  readonly signpostEmpty?: boolean | undefined;
}

export interface ContactView {
  readonly language: string;
  readonly area: string | null;
  readonly consentVersion: string | null;
}

export interface EngineContext {
  readonly registry: FlowRegistry;
  readonly now: Date;
  readonly contact: ContactView;
  /** Current privacy notice version; consent given under an older one is asked again. */
  readonly privacyNoticeVersion: string;
  /** Values available to `{name}` placeholders in texts, e.g. `privacy_url`. */
  readonly variables: Readonly<Record<string, string>>;
  /** Per language, values that replace `variables` for residents in it (the Welsh privacy page, the Welsh name). */
  readonly languageVariables?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Languages the deployment offers, first is the default. */
  readonly languages: readonly string[];
  /** The services directory; without it a signpost node gives only what its text says. */
  readonly directory?: DirectoryLookup;
}

export type EngineInput =
  /** Start (or restart) a flow; `flowId` defaults to the entry flow. */
  | { readonly type: "start"; readonly flowId?: string }
  | { readonly type: "text"; readonly text: string }
  /** A button press; `payload` is the button's callback data. */
  | { readonly type: "button"; readonly payload: string }
  /** HELP: run the help flow, then carry on with the question that was waiting. */
  | { readonly type: "help" }
  /** A flow the resident asked for by keyword (OFFER): run it, then carry on with the question that was waiting. */
  | { readonly type: "aside"; readonly flowId: string }
  /** Re-show the waiting question (e.g. after START un-stops a contact), or start the entry flow. */
  | { readonly type: "resume" };

export interface AskOption {
  readonly id: string;
  readonly label: string;
  /** Callback data for a button (at most 64 bytes). */
  readonly payload: string;
  /** For multi-choice: currently picked. */
  readonly picked?: boolean;
}

export type Effect =
  | {
      readonly type: "send";
      readonly text: string;
      /** the author's SMS allowance for this text */ readonly smsSegments?: number;
    }
  | {
      readonly type: "ask";
      readonly flowId: string;
      readonly nodeId: string;
      readonly key: string;
      readonly kind: QuestionKind | "consent" | "signpost";
      readonly text: string;
      readonly options: readonly AskOption[];
      /** Multi-choice: most picks allowed, and the Done button's payload. */
      readonly maxPicks?: number;
      readonly donePayload?: string;
      readonly skipPayload?: string;
      readonly step: number;
      /** True when this re-shows the same question with new ticks (a keyboard can be edited in place). */
      readonly refresh: boolean;
      /** True when the question is asked again after an answer that could not be used. */
      readonly reprompt: boolean;
      /** The author's SMS allowance for this question. */
      readonly smsSegments?: number;
    }
  | {
      readonly type: "signpost";
      readonly flowId: string;
      readonly nodeId: string;
      /** The intro, or an honest "nothing matched". */
      readonly text: string;
      readonly services: readonly SignpostService[];
      /** General contacts, when nothing (or not enough) matched. */
      readonly fallback: readonly string[];
    }
  | {
      readonly type: "save_answer";
      readonly flowId: string;
      readonly key: string;
      readonly value: AnswerValue;
      /** the question's input kind */ readonly kind?: QuestionKind;
    }
  | { readonly type: "set_field"; readonly field: "language" | "area"; readonly value: string }
  | { readonly type: "record_consent"; readonly version: string }
  /** The resident said no: the only thing kept about them is this refusal (version and time). */
  | { readonly type: "record_consent_refusal"; readonly version: string }
  | { readonly type: "flow_started"; readonly flowId: string }
  | { readonly type: "end"; readonly flowId: string; readonly reason: EndReason };

export type EndReason = "completed" | "declined" | "gave_up";

export interface StepResult {
  /** The session to keep, or null when the conversation is over. */
  readonly session: SessionState | null;
  readonly effects: readonly Effect[];
}
