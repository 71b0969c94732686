import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (where package.json lives), whatever the working directory. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const migrationsDir = path.join(packageRoot, "prisma", "migrations");
export const shippedFlowsDir = path.join(packageRoot, "flows");
export const sampleDirectoryDir = path.join(packageRoot, "directories", "stoke-on-trent");
