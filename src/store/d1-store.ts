// The conversation store on Cloudflare D1. Prisma's D1 adapter runs a transaction's statements
// one by one, so the step's statements go to D1 as one batch instead: D1 applies a batch
// atomically, and the guards in the batch (inbound id, session version) make a redelivered or
// raced step drop whole (src/store/step-statements.ts).
import type { PrismaClient } from "../generated/prisma/client.js";
import type { D1Database } from "../runtime-worker/cloudflare.js";
import { PrismaConversationStore } from "./prisma-store.js";
import { stepStatements } from "./step-statements.js";
import type { StepCommit } from "./types.js";

export class D1ConversationStore extends PrismaConversationStore {
  constructor(
    prisma: PrismaClient,
    private readonly db: D1Database,
  ) {
    super(prisma);
  }

  protected override async applyStep(commit: StepCommit): Promise<void> {
    const statements = stepStatements(commit, commit.ageBand ? await this.ageBandMoves(commit) : undefined);
    if (statements.length === 0) return;
    await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.params)));
  }
}
