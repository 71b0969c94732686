// The persistence the conversation host needs, as small interfaces. The Prisma
// implementation (prisma-store.ts) serves SQLite on Node and, later, D1 on Workers.
import type { AnswerValue, SessionState } from "../engine/types.js";

export type ContactStatus = "active" | "stopped";

export interface ContactRecord {
  readonly id: string;
  readonly channel: string;
  readonly language: string;
  readonly status: ContactStatus;
  readonly consentVersion: string | null;
  readonly consentAt: Date | null;
  readonly area: string | null;
  readonly attribution: string | null;
  readonly createdAt: Date;
}

export interface SessionRecord {
  readonly state: SessionState;
  /** Bumped on every write; a write that expected an older version is refused. */
  readonly version: number;
}

export interface NewAnswer {
  readonly id: string;
  readonly flowId: string;
  readonly questionKey: string;
  readonly value: AnswerValue;
}

export interface AnswerRecord {
  readonly flowId: string;
  readonly questionKey: string;
  readonly value: AnswerValue;
  readonly area: string | null;
  readonly createdAt: Date;
}

export interface ContactChanges {
  language?: string;
  area?: string;
  consentVersion?: string;
  consentAt?: Date;
  status?: ContactStatus;
  stoppedAt?: Date | null;
}

export interface StepCommit {
  readonly contact: ContactRecord;
  readonly now: Date;
  readonly contactChanges: ContactChanges;
  /** The version read before the step (null: there was no session), and what to keep now; absent: leave the session alone. */
  readonly session?: { readonly expectedVersion: number | null; readonly next: SessionState | null; readonly newId: string };
  readonly answers: readonly NewAnswer[];
}

export interface NewContact {
  readonly id: string;
  readonly channel: string;
  readonly addressHash: string;
  readonly addressEnc: string;
  readonly language: string;
}

export interface ConversationStore {
  findOrCreateContact(contact: NewContact): Promise<ContactRecord>;
  loadSession(contactId: string): Promise<SessionRecord | null>;
  /** Applies one engine step atomically. Returns false, writing nothing, if the session moved on meanwhile. */
  commitStep(commit: StepCommit): Promise<boolean>;
  answersOf(contactId: string): Promise<AnswerRecord[]>;
  /** Throws if the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
