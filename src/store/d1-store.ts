// The conversation store on Cloudflare D1. Prisma's D1 adapter runs a transaction's statements
// one by one, so the step's statements go to D1 as one batch instead: D1 applies a batch
// atomically, and the guards in the batch (inbound id, session version) make a redelivered or
// raced step drop whole (src/store/step-statements.ts).
import type { PrismaClient } from "../generated/prisma/client.js";
import type { D1Database } from "./d1-types.js";
import { PrismaConversationStore } from "./prisma-store.js";
import { stepStatements } from "./step-statements.js";
import { toTurn, TURN_SQL, turnParams, type TurnRow } from "./turn.js";
import type { Turn } from "./types.js";
import type { StepCommit } from "./types.js";

export class D1ConversationStore extends PrismaConversationStore {
  constructor(
    prisma: PrismaClient,
    private readonly db: D1Database,
  ) {
    super(prisma);
  }

  /** One round trip for the contact, its session and the redelivery check. */
  override async openTurn(channel: string, addressHash: string, inboundId?: string): Promise<Turn> {
    return toTurn(
      (await this.db
        .prepare(TURN_SQL)
        .bind(...turnParams(channel, addressHash, inboundId))
        .first<TurnRow>())!,
    );
  }

  protected override async applyStep(commit: StepCommit): Promise<void> {
    const statements = stepStatements(commit, commit.ageBand ? await this.ageBandMoves(commit) : undefined);
    if (statements.length === 0) return;
    await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.params)));
  }
}
