// The persistence the conversation host needs, as small interfaces; conversation-store.ts
// implements them over the SQL port (the webhook path) and Prisma (the rest).
import type { AnswerValue, SessionState } from "../engine/types.js";

export type ContactStatus = "active" | "stopped";

export interface ContactRecord {
  readonly id: string;
  readonly channel: string;
  /** Keyed hash of the address: how the contact is found, and the key that orders its messages. */
  readonly addressHash: string;
  readonly language: string;
  readonly status: ContactStatus;
  readonly consentVersion: string | null;
  readonly consentAt: Date | null;
  /** The notice version the resident last said no to, if any. */
  readonly consentRefusedVersion: string | null;
  readonly consentRefusedAt: Date | null;
  readonly area: string | null;
  readonly attribution: string | null;
  /** Random 0-255: the resident's share of every cell key (consistent perturbation, docs/disclosure.md). */
  readonly recordKey: number;
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
  /** Free text with personal details replaced: what analysis and quotes use. */
  readonly redacted?: string;
  /** Themes chosen or found in the text, one insight fact each. */
  readonly facts?: readonly { readonly id: string; readonly theme: string; readonly source: "choice" | "text" }[];
  readonly ageBand?: string;
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
  consentRefusedVersion?: string;
  consentRefusedAt?: Date;
  status?: ContactStatus;
  stoppedAt?: Date | null;
  attribution?: string;
}

/** A message to send later through a channel, persisted with the step that produced it. */
export interface NewOutboxMessage {
  readonly id: string;
  readonly contactId: string;
  readonly channel: string;
  /** Channel-specific rendered message, as JSON-ready data. */
  readonly payload: unknown;
  /** Unique: the same key is never queued twice (and is sent to the platform as an idempotency token). */
  readonly idempotencyKey: string;
  readonly notBefore: Date;
  readonly kind?: "reply" | "opt_out_confirmation" | "reminder" | "broadcast" | "relay";
  /**
   * Stored already claimed for sending, until then (a lease), by the request that queued it and
   * sends it straight after the commit; if that process dies, the lease runs out and the outbox
   * loop sends it instead.
   */
  readonly claimedUntil?: Date;
}

export type CommitResult = "ok" | "conflict" | "duplicate";

export interface StepCommit {
  readonly contact: ContactRecord;
  readonly now: Date;
  readonly contactChanges: ContactChanges;
  /** The version read before the step (null: there was no session), and what to keep now; absent: leave the session alone. */
  readonly session?: {
    readonly expectedVersion: number | null;
    readonly next: SessionState | null;
    readonly newId: string;
  };
  readonly answers: readonly NewAnswer[];
  /** The platform's id for the inbound message; a second commit with the same id is refused as a duplicate. */
  readonly inbound?: { readonly id: string; readonly channel: string };
  readonly outbox?: readonly NewOutboxMessage[];
  /** Flows the step completed. */
  readonly completions?: readonly { readonly id: string; readonly flowId: string }[];
  /** An age band given in this step: applied to the answers and facts of the same conversation. */
  readonly ageBand?: { readonly value: string; readonly flowId: string; readonly since: Date };
  /** A referral code seen after the contact's first (counted, not re-attributed). */
  readonly touch?: { readonly id: string; readonly code: string };
  /**
   * An offer completed in this step: what the resident could offer, counted in the area they
   * have now, replacing their earlier offer's counts. Attached to their latest `offer_kinds` answer.
   */
  readonly offer?: { readonly kinds: readonly string[]; readonly factIds: readonly string[] };
}

export interface NewContact {
  readonly id: string;
  readonly channel: string;
  readonly addressHash: string;
  readonly addressEnc: string;
  readonly language: string;
  readonly recordKey: number;
  readonly createdAt: Date;
}

export interface AudienceQuery {
  readonly channel?: string;
  readonly area?: string;
  /** Contacts are returned in id order; pass the last id seen to get the next page. */
  readonly afterId?: string;
  readonly limit: number;
}

/** Conversations of one flow gone quiet, for reminders: only active contacts who consented. */
export interface IdleSessionQuery {
  readonly flowId: string;
  /** Still live: expiring after this. */
  readonly expiresAfter: Date;
  /** Idle long enough: expiring no later than this. */
  readonly expiresBy: Date;
  /** Sessions come in contact id order; pass the last id seen for the next page. */
  readonly afterContactId?: string;
  readonly limit: number;
}

export interface ConversationStore {
  /** A champion or campaign code, not retired, whose champion is not revoked, with the flow it starts (null: the entry flow); null if there is none. */
  referralCode(code: string): Promise<{ readonly flowId: string | null } | null>;
  /** Active contacts who have given consent (any notice version), for broadcasts. */
  audience(query: AudienceQuery): Promise<ContactRecord[]>;
  /**
   * What an inbound message needs before its step, read together: the contact with this
   * address hash on this channel (if any), its session, and whether `inboundId` was processed.
   */
  openTurn(channel: string, addressHash: string, inboundId?: string): Promise<Turn>;
  findOrCreateContact(contact: NewContact): Promise<ContactRecord>;
  /**
   * During a key rotation: moves a contact found under one of its earlier address hashes to
   * the current hash and ciphertext. False when no contact had any of those hashes.
   */
  rekeyContact(
    channel: string,
    previousHashes: readonly string[],
    addressHash: string,
    addressEnc: string,
  ): Promise<boolean>;
  loadSession(contactId: string): Promise<SessionRecord | null>;
  idleSessions(query: IdleSessionQuery): Promise<{ contact: ContactRecord; session: SessionRecord }[]>;
  /**
   * Applies one engine step atomically: "conflict" (nothing written) if the session moved on
   * meanwhile, "duplicate" (nothing written) if the inbound message id was already recorded.
   */
  commitStep(commit: StepCommit): Promise<CommitResult>;
  /** Whether an inbound message id was already processed (a cheap early check; commitStep is the guarantee). */
  seenInbound(id: string): Promise<boolean>;
  /** Records an inbound id on its own (for messages that change nothing); false if it was already there. */
  recordInbound(id: string, channel: string, at: Date): Promise<boolean>;
  answersOf(contactId: string): Promise<AnswerRecord[]>;
  /** Erases a contact and everything linked to it (sessions, answers and their facts, outbox, touches). Running totals keep their counts. */
  eraseContact(contactId: string): Promise<void>;
  /** Throws if the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What an inbound message reads before its step (store/turn.ts runs it as one statement). */
export interface Turn {
  readonly contact: ContactRecord | null;
  /** The contact's session (null when there is no contact). */
  readonly session: SessionRecord | null;
  /** The inbound message id was recorded already: a redelivery. */
  readonly seen: boolean;
}
