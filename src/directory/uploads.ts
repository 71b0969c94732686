// Directory packages uploaded in the dashboard and waiting for the operator to confirm them
// after the dry run. Kept in the database, not in memory, so that the confirming request finds
// the upload on whichever Worker instance (or Node process) it reaches; base64 in parts well
// under D1's 2 MB a row, written in one atomic batch. An upload belongs to the operator who
// made it, and lasts until it is confirmed or cancelled, or for an hour.
import type { Clock } from "../clock.js";
import type { SqlPort, SqlStatement } from "../store/sql-port.js";
import { sqlDate } from "../store/step-statements.js";

const KEEP_MS = 60 * 60 * 1000;
const PART_CHARS = 1_000_000;

export interface PendingUpload {
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Buffer.from(bytes).toString("base64url");
}

export class DirectoryUploads {
  constructor(
    private readonly sql: SqlPort,
    private readonly now: Clock,
  ) {}

  /** Keeps an upload for its operator (and forgets expired ones); the token that names it. */
  async keep(partnerId: string, fileName: string, bytes: Uint8Array): Promise<string> {
    const token = newToken();
    const now = this.now();
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
    const parts = Math.max(1, Math.ceil(data.length / PART_CHARS));
    const statements: SqlStatement[] = [this.expire(now)];
    for (let part = 0; part < parts; part++)
      statements.push({
        sql: `INSERT INTO "directory_uploads" ("id", "part", "parts", "partner_id", "file_name", "data", "created_at") VALUES (?, ?, ?, ?, ?, ?, ?)`,
        params: [
          token,
          part,
          parts,
          partnerId,
          fileName,
          data.slice(part * PART_CHARS, (part + 1) * PART_CHARS),
          sqlDate(now),
        ],
      });
    await this.sql.batch(statements);
    return token;
  }

  /** The operator's own upload under this token, whole and not expired; undefined otherwise. */
  async find(token: string, partnerId: string): Promise<PendingUpload | undefined> {
    const rows = await this.sql.all<{ part: number; parts: number; file_name: string; data: string }>(
      `SELECT "part", "parts", "file_name", "data" FROM "directory_uploads"
       WHERE "id" = ? AND "partner_id" = ? AND "created_at" >= ? ORDER BY "part"`,
      token,
      partnerId,
      sqlDate(new Date(this.now().getTime() - KEEP_MS)),
    );
    if (rows.length === 0 || rows.length !== rows[0]!.parts || rows.some((r, i) => r.part !== i)) return undefined;
    return {
      fileName: rows[0]!.file_name,
      bytes: new Uint8Array(Buffer.from(rows.map((r) => r.data).join(""), "base64")),
    };
  }

  /** Forgets an upload (confirmed or cancelled), and any that have expired. */
  async discard(token: string): Promise<void> {
    await this.sql.batch([
      { sql: `DELETE FROM "directory_uploads" WHERE "id" = ?`, params: [token] },
      this.expire(this.now()),
    ]);
  }

  /** Forgets the uploads that have expired (an operator who never came back to confirm). */
  async forgetExpired(): Promise<void> {
    await this.sql.batch([this.expire(this.now())]);
  }

  private expire(now: Date): SqlStatement {
    return {
      sql: `DELETE FROM "directory_uploads" WHERE "created_at" < ?`,
      params: [sqlDate(new Date(now.getTime() - KEEP_MS))],
    };
  }
}
