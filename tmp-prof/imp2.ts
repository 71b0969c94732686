let t = performance.now();
await import("../src/store/sqlite-file.js"); console.log("sqlite-file (prisma)", (performance.now()-t).toFixed(0)); t = performance.now();
await import("../src/runtime-node/services.js"); console.log("services", (performance.now()-t).toFixed(0)); t = performance.now();
await import("../src/web/app.js"); console.log("app", (performance.now()-t).toFixed(0)); t = performance.now();
await import("../src/cli/main.js"); console.log("cli", (performance.now()-t).toFixed(0));
