// A conversation store that is not a database: one scratch contact, its session and the answers
// a step would have stored, held in memory and written out as a plain snapshot. The simulator
// (/dashboard/simulator) runs the real conversation host over it, so an officer's practice
// conversation never becomes a contact, an answer, a fact or a running total: nothing of it
// reaches the tables that insight, exports, reach or the partner feed read.
import type { AnswerValue, SessionState } from "../engine/types.js";
import type {
  AnswerRecord,
  CommitResult,
  ContactRecord,
  ConversationStore,
  NewContact,
  SessionRecord,
  StepCommit,
  Turn,
} from "./types.js";

/** An answer as the store would keep it: the value, the redacted text and the themes it would count towards. */
export interface ScratchAnswer {
  readonly flowId: string;
  readonly questionKey: string;
  readonly value: AnswerValue;
  readonly redacted?: string;
  readonly themes: readonly { readonly theme: string; readonly source: "choice" | "text" }[];
  readonly ageBand?: string;
  readonly area: string | null;
  readonly createdAt: string;
}

type Dated<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: string | null };
type ScratchContact = Dated<ContactRecord, "consentAt" | "consentRefusedAt" | "createdAt">;

/** Everything the scratch store holds, as JSON-ready data (dates as ISO strings). */
export interface ScratchSnapshot {
  readonly contact: ScratchContact | null;
  readonly session: { readonly state: SessionState; readonly version: number } | null;
  readonly answers: readonly ScratchAnswer[];
  /** Flows the scratch contact completed, in order. */
  readonly completed: readonly string[];
}

export const EMPTY_SCRATCH: ScratchSnapshot = { contact: null, session: null, answers: [], completed: [] };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export class ScratchConversationStore implements ConversationStore {
  private contact: ContactRecord | null;
  private session: SessionRecord | null;
  private answers: ScratchAnswer[];
  private completed: string[];

  constructor(snapshot: ScratchSnapshot = EMPTY_SCRATCH) {
    const c = snapshot.contact;
    this.contact = c
      ? {
          ...c,
          consentAt: date(c.consentAt),
          consentRefusedAt: date(c.consentRefusedAt),
          createdAt: new Date(c.createdAt!),
        }
      : null;
    this.session = snapshot.session;
    this.answers = [...snapshot.answers];
    this.completed = [...snapshot.completed];
  }

  snapshot(): ScratchSnapshot {
    const c = this.contact;
    return {
      contact: c
        ? { ...c, consentAt: iso(c.consentAt), consentRefusedAt: iso(c.consentRefusedAt), createdAt: iso(c.createdAt) }
        : null,
      session: this.session,
      answers: this.answers,
      completed: this.completed,
    };
  }

  /** The scratch contact as the host last committed it. */
  current(): ContactRecord | null {
    return this.contact;
  }

  /** Codes are never looked up: a practice conversation is attributed to no champion. */
  async referralCode(): Promise<null> {
    return null;
  }

  async audience(): Promise<ContactRecord[]> {
    return [];
  }

  async openTurn(channel: string, addressHash: string): Promise<Turn> {
    const mine = this.contact?.channel === channel && this.contact.addressHash === addressHash;
    return { contact: mine ? this.contact : null, session: mine ? this.session : null, seen: false };
  }

  async findOrCreateContact(contact: NewContact): Promise<ContactRecord> {
    if (this.contact?.channel === contact.channel && this.contact.addressHash === contact.addressHash)
      return this.contact;
    this.contact = {
      id: contact.id,
      channel: contact.channel,
      addressHash: contact.addressHash,
      language: contact.language,
      status: "active",
      consentVersion: null,
      consentAt: null,
      consentRefusedVersion: null,
      consentRefusedAt: null,
      area: null,
      attribution: null,
      recordKey: contact.recordKey,
      createdAt: contact.createdAt,
    };
    this.session = null;
    return this.contact;
  }

  async rekeyContact(): Promise<boolean> {
    return false;
  }

  async loadSession(contactId: string): Promise<SessionRecord | null> {
    return this.contact?.id === contactId ? this.session : null;
  }

  async idleSessions(): Promise<[]> {
    return [];
  }

  async commitStep(commit: StepCommit): Promise<CommitResult> {
    if (!this.contact || this.contact.id !== commit.contact.id) return "conflict";
    if (commit.session && commit.session.expectedVersion !== (this.session?.version ?? null)) return "conflict";
    const changes = commit.contactChanges;
    const contact: ContactRecord = {
      ...this.contact,
      ...(changes.language ? { language: changes.language } : {}),
      ...(changes.area ? { area: changes.area } : {}),
      ...(changes.consentVersion
        ? { consentVersion: changes.consentVersion, consentAt: changes.consentAt ?? null }
        : {}),
      ...(changes.consentRefusedVersion
        ? { consentRefusedVersion: changes.consentRefusedVersion, consentRefusedAt: changes.consentRefusedAt ?? null }
        : {}),
      ...(changes.status ? { status: changes.status } : {}),
      ...(changes.attribution ? { attribution: changes.attribution } : {}),
    };
    this.contact = contact;
    if (commit.session)
      this.session = commit.session.next
        ? { state: commit.session.next, version: (this.session?.version ?? 0) + 1 }
        : null;
    for (const answer of commit.answers)
      this.answers.push({
        flowId: answer.flowId,
        questionKey: answer.questionKey,
        value: answer.value,
        ...(answer.redacted !== undefined ? { redacted: answer.redacted } : {}),
        themes: (answer.facts ?? []).map((f) => ({ theme: f.theme, source: f.source })),
        ...(answer.ageBand ? { ageBand: answer.ageBand } : {}),
        area: contact.area,
        createdAt: commit.now.toISOString(),
      });
    // As the database does: an age band given later in a conversation applies to its earlier answers.
    const band = commit.ageBand;
    if (band)
      this.answers = this.answers.map((a) =>
        a.flowId === band.flowId && a.createdAt >= band.since.toISOString() ? { ...a, ageBand: band.value } : a,
      );
    for (const completion of commit.completions ?? []) this.completed.push(completion.flowId);
    return "ok";
  }

  async seenInbound(): Promise<boolean> {
    return false;
  }

  async recordInbound(): Promise<boolean> {
    return true;
  }

  async answersOf(contactId: string): Promise<AnswerRecord[]> {
    if (this.contact?.id !== contactId) return [];
    return this.answers.map((a) => ({
      flowId: a.flowId,
      questionKey: a.questionKey,
      value: a.value,
      area: a.area,
      createdAt: new Date(a.createdAt),
    }));
  }

  async eraseContact(contactId: string): Promise<void> {
    if (this.contact?.id !== contactId) return;
    this.contact = null;
    this.session = null;
    this.answers = [];
    this.completed = [];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
