// The house rule on imports (docs/architecture.md): no file cycles, and the rooms of src/ form a
// stack in which a file imports only from its own room or rooms below it. Run by CI
// (`npm run check:imports`); prints each breach and exits 1, or one line and exits 0.
import madge from "madge";

// Bottom first. A room may import from rooms earlier in this list (and from itself).
const ROOMS = [
  ["generated", "clock.ts", "config.ts", "log.ts", "metrics.ts", "rate-limit.ts", "http", "net"],
  ["engine"],
  ["demo"],
  ["store"],
  ["directory"],
  ["nlp"],
  ["insights"],
  ["champions"],
  ["conversation"],
  ["channels"],
  ["updates"],
  ["ops"],
  ["web"],
  ["runtime"],
  ["runtime-node", "runtime-worker"],
  ["node.ts", "worker.ts", "cli"],
];
const rankOf = (file) => {
  const room = file.split("/")[0];
  const rank = ROOMS.findIndex((rooms) => rooms.includes(room));
  if (rank < 0)
    throw new Error(`${file}: src/${room} is not a room in scripts/check-imports.mjs; give it its place in the stack`);
  return rank;
};

const graph = await madge("src", {
  fileExtensions: ["ts"],
  tsConfig: "tsconfig.json",
  excludeRegExp: [/^generated\//],
  detectiveOptions: { ts: { skipTypeImports: false } },
});
const problems = [];
for (const cycle of graph.circular()) problems.push(`cycle: ${cycle.join(" -> ")}`);
for (const [file, deps] of Object.entries(graph.obj())) {
  for (const dep of deps) {
    if (dep.startsWith("generated/")) continue;
    if (rankOf(dep) > rankOf(file))
      problems.push(`upward: src/${file} imports src/${dep} (${dep.split("/")[0]} sits above ${file.split("/")[0]})`);
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import rule breach(es)`);
  process.exit(1);
}
console.log(`imports: ${Object.keys(graph.obj()).length} files, no cycles, every import points down the stack`);
