// Prisma CLI configuration. Only `prisma generate` is used: migrations are hand-written SQL
// applied by src/store/migrate.ts (Node) and `wrangler d1 migrations apply` (Workers).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
});
