// The database is built by hand-written SQL migrations, not by `prisma migrate` (its schema
// engine cannot be downloaded here). This test proves the two agree: every model, field,
// type, nullability, key, default, unique constraint, index and foreign key in
// prisma/schema.prisma exists in a database built from prisma/migrations, nothing extra
// exists, and every model round-trips every field through the generated Prisma client.
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";
import { migrationsDir, packageRoot } from "../../src/runtime-node/paths.js";
import { migrateSqliteFile, openPrismaSqlite } from "../../src/store/sqlite-file.js";
import { tempDir } from "../support/temp-db.js";

interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
}
interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  blockAttributes: string[];
}

const SCALARS = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);
const SQLITE_TYPE: Record<string, string> = {
  String: "TEXT",
  Int: "INTEGER",
  BigInt: "BIGINT",
  Float: "REAL",
  Decimal: "DECIMAL",
  Boolean: "BOOLEAN",
  DateTime: "DATETIME",
  Json: "JSONB",
  Bytes: "BLOB",
};

/** Reads the models of schema.prisma (the subset of the language this project uses). */
function parseSchema(source: string): SchemaModel[] {
  const models: SchemaModel[] = [];
  const noComments = source.replace(/\/\/.*$/gm, "");
  for (const match of noComments.matchAll(/model\s+(\w+)\s*\{([^}]*)\}/g)) {
    const [, name, body] = match as unknown as [string, string, string];
    const fields: SchemaField[] = [];
    const blockAttributes: string[] = [];
    let table = name;
    for (const raw of body
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (raw.startsWith("@@")) {
        const map = /^@@map\("([^"]+)"\)/.exec(raw);
        if (map) table = map[1]!;
        else blockAttributes.push(raw);
        continue;
      }
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(raw);
      if (!m) continue;
      const [, fieldName, type, list, optional, attributes] = m as unknown as [
        string,
        string,
        string,
        string | undefined,
        string | undefined,
        string,
      ];
      const column = /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName;
      fields.push({ name: fieldName, column, type, optional: Boolean(optional), list: Boolean(list), attributes });
    }
    models.push({ name, table, fields, blockAttributes });
  }
  return models;
}

const schema = parseSchema(readFileSync(path.join(packageRoot, "prisma", "schema.prisma"), "utf8"));
const { dir, cleanup } = tempDir();
const file = path.join(dir, "schema.db");
let db: Database.Database;

beforeAll(() => {
  migrateSqliteFile(file, migrationsDir);
  db = new Database(file, { readonly: true });
});
afterAll(() => {
  db.close();
  cleanup();
});

type ColumnInfo = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };
type IndexInfo = { name: string; unique: number; origin: string };
type ForeignKey = { table: string; from: string; to: string; on_delete: string };

const columnsOf = (table: string) => db.prepare(`PRAGMA table_info("${table}")`).all() as ColumnInfo[];
const indexesOf = (table: string) =>
  (db.prepare(`PRAGMA index_list("${table}")`).all() as IndexInfo[])
    .filter((i) => i.origin !== "pk")
    .map((i) => ({
      unique: i.unique === 1,
      columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name),
    }));

describe("database built from migrations matches prisma/schema.prisma", () => {
  it("finds the models in the schema", () => {
    expect(schema.map((m) => m.name)).toEqual([
      "Contact",
      "Session",
      "Answer",
      "InboundMessage",
      "OutboxMessage",
      "Service",
      "DirectorySetting",
      "DirectoryUpload",
      "FlowCompletion",
      "Champion",
      "ReferralCode",
      "ReferralTouch",
      "ThemeFact",
      "Partner",
      "DashboardSession",
      "AuditEntry",
      "ThemeCount",
      "RespondentCount",
      "ChampionCount",
      "Update",
      "UpdateDelivery",
      "WebhookDelivery",
      "PublicArea",
      "PopulationBaseline",
      "ThemeReview",
      "SendShare",
      "BroadcastQueue",
      "Relay",
      "RelayMessage",
      "RelaySuspension",
    ]);
  });

  it("has exactly the schema's tables, plus the migrations ledger", () => {
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
        name: string;
      }[]
    )
      .map((t) => t.name)
      .sort();
    expect(tables).toEqual([...schema.map((m) => m.table), "_placevoice_migrations"].sort());
  });

  for (const model of schema) {
    describe(`${model.name} (${model.table})`, () => {
      const scalars = () => model.fields.filter((f) => SCALARS.has(f.type));

      it("has exactly the schema's columns, with matching types, nullability, keys and defaults", () => {
        const columns = new Map(columnsOf(model.table).map((c) => [c.name, c]));
        expect([...columns.keys()].sort()).toEqual(
          scalars()
            .map((f) => f.column)
            .sort(),
        );
        for (const field of scalars()) {
          const column = columns.get(field.column)!;
          expect(column.type, `${model.name}.${field.name} type`).toBe(SQLITE_TYPE[field.type]);
          expect(column.notnull === 1, `${model.name}.${field.name} NOT NULL`).toBe(!field.optional);
          const compositeId = model.blockAttributes.find((a) => a.startsWith("@@id("));
          const inCompositeId = compositeId
            ? /\[([^\]]+)\]/
                .exec(compositeId)![1]!
                .split(",")
                .map((x) => x.trim())
                .includes(field.name)
            : false;
          expect(column.pk > 0, `${model.name}.${field.name} primary key`).toBe(
            field.attributes.includes("@id") || inCompositeId,
          );
          const hasDefault = /@default\(/.test(field.attributes);
          expect(column.dflt_value !== null, `${model.name}.${field.name} default`).toBe(hasDefault);
          const literal = /@default\(("[^"]*"|-?\d+|true|false)\)/.exec(field.attributes)?.[1];
          if (literal?.startsWith('"')) expect(column.dflt_value).toBe(`'${literal.slice(1, -1)}'`);
          else if (literal) expect(column.dflt_value).toBe(literal);
          if (/@default\(now\(\)\)/.test(field.attributes)) expect(column.dflt_value).toBe("CURRENT_TIMESTAMP");
        }
      });

      it("has the schema's unique constraints and indexes, and no others", () => {
        const columnOf = (name: string) => model.fields.find((f) => f.name === name)!.column;
        const expected: { unique: boolean; columns: string[] }[] = [];
        for (const f of scalars())
          if (/@unique\b/.test(f.attributes)) expected.push({ unique: true, columns: [f.column] });
        for (const attr of model.blockAttributes) {
          const m = /^@@(unique|index)\(\[([^\]]+)\]/.exec(attr);
          if (m) expected.push({ unique: m[1] === "unique", columns: m[2]!.split(",").map((s) => columnOf(s.trim())) });
        }
        const key = (i: { unique: boolean; columns: string[] }) =>
          `${i.unique ? "unique" : "index"}(${i.columns.join(",")})`;
        expect(indexesOf(model.table).map(key).sort()).toEqual(expected.map(key).sort());
      });

      it("has the schema's foreign keys with their delete rules", () => {
        const expected = model.fields
          .filter((f) => /@relation\(.*fields:/.test(f.attributes))
          .map((f) => {
            const from = /fields:\s*\[(\w+)\]/.exec(f.attributes)![1]!;
            const onDelete = /onDelete:\s*(\w+)/.exec(f.attributes)?.[1] ?? "Restrict";
            const target = schema.find((m) => m.name === f.type)!;
            const to = /references:\s*\[(\w+)\]/.exec(f.attributes)![1]!;
            return `${model.fields.find((x) => x.name === from)!.column}->${target.table}.${target.fields.find((x) => x.name === to)!.column} ${onDelete.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase()}`;
          });
        const actual = (db.prepare(`PRAGMA foreign_key_list("${model.table}")`).all() as ForeignKey[]).map(
          (fk) => `${fk.from}->${fk.table}.${fk.to} ${fk.on_delete}`,
        );
        expect(actual.sort()).toEqual(expected.sort());
      });
    });
  }
});

describe("every model round-trips every field through the Prisma client", () => {
  it("writes and reads back each scalar field of each model", async () => {
    migrateSqliteFile(file.replace("schema.db", "roundtrip.db"), migrationsDir);
    const prisma = await openPrismaSqlite(file.replace("schema.db", "roundtrip.db"));
    try {
      const sample = (model: SchemaModel, field: SchemaField, n: number): unknown => {
        if (field.name === "contactId") return "contact-1";
        if (field.name === "championId") return "champion-1";
        if (field.name === "answerId") return "answer-1";
        if (field.name === "updateId") return "update-1";
        if (field.name === "partnerId") return "partner-1";
        if (field.name === "relayId") return "relay-1";
        switch (field.type) {
          case "String":
            return `${model.name}-${field.name}-${n}`;
          case "Int":
            return 41 + n;
          case "DateTime":
            return new Date(Date.UTC(2026, 0, 5, 10, n, 7, 123));
          case "Boolean":
            return true;
          case "Float":
            return 1.5 + n;
          default:
            throw new Error(`No sample for ${field.type}`);
        }
      };
      // Models others refer to come first.
      const rank = (m: SchemaModel) =>
        m.name === "Contact"
          ? 0
          : m.name === "Champion"
            ? 1
            : ["Answer", "Update", "Partner", "Relay"].includes(m.name)
              ? 2
              : 3;
      const ordered = [...schema].sort((a, b) => rank(a) - rank(b));
      for (const model of ordered) {
        const data: Record<string, unknown> = {};
        const fixedIds: Record<string, string> = {
          Contact: "contact-1",
          Champion: "champion-1",
          Answer: "answer-1",
          Update: "update-1",
          Partner: "partner-1",
          Relay: "relay-1",
        };
        model.fields
          .filter((f) => SCALARS.has(f.type))
          .forEach(
            (f, i) =>
              (data[f.name] =
                f.attributes.includes("@id") && fixedIds[model.name] ? fixedIds[model.name] : sample(model, f, i)),
          );
        const delegate = (
          prisma as unknown as Record<
            string,
            { create(a: unknown): Promise<unknown>; findUniqueOrThrow(a: unknown): Promise<Record<string, unknown>> }
          >
        )[model.name.charAt(0).toLowerCase() + model.name.slice(1)]!;
        await delegate.create({ data });
        const compositeId = model.blockAttributes.find((a) => a.startsWith("@@id("));
        let where: Record<string, unknown>;
        if (compositeId) {
          const fields = /\[([^\]]+)\]/
            .exec(compositeId)![1]!
            .split(",")
            .map((x) => x.trim());
          where = { [fields.join("_")]: Object.fromEntries(fields.map((f) => [f, data[f]])) };
        } else {
          const idField = model.fields.find((f) => f.attributes.includes("@id"))!.name;
          where = { [idField]: data[idField] };
        }
        const back = await delegate.findUniqueOrThrow({ where });
        for (const [key, value] of Object.entries(data)) {
          if (key === "updatedAt") continue; // Prisma sets it on write
          expect(back[key], `${model.name}.${key}`).toEqual(value);
        }
      }
      // Optional fields may be left out and read back as null.
      const bare = await prisma.answer.create({
        data: { id: "a-bare", flowId: "f", questionKey: "k", value: "null", channel: "sms", language: "en" },
      });
      expect(bare.contactId).toBeNull();
      expect(bare.area).toBeNull();
      expect(bare.createdAt).toBeInstanceOf(Date);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("rejects a second contact with the same channel and address hash", async () => {
    const f = file.replace("schema.db", "unique.db");
    migrateSqliteFile(f, migrationsDir);
    const prisma = await openPrismaSqlite(f);
    try {
      const data = { channel: "sms", addressHash: "h", addressEnc: "e" };
      await prisma.contact.create({ data: { id: "c1", ...data } });
      await expect(prisma.contact.create({ data: { id: "c2", ...data } })).rejects.toBeInstanceOf(
        Prisma.PrismaClientKnownRequestError,
      );
    } finally {
      await prisma.$disconnect();
    }
  });
});
