#!/usr/bin/env node
// The `placevoice` command. Runs the TypeScript sources directly through tsx, so there is no
// build step between editing a file and running it.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/cli/main.ts");
process.exitCode = await run(process.argv.slice(2));
