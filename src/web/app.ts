// The Hono application shared by the Node server and the Worker. Routes are added per room
// (webhooks, partner API, dashboard); everything they need arrives in AppDeps.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../log.js";
import type { ConversationStore } from "../store/types.js";

export interface AppDeps {
  readonly store: ConversationStore;
  readonly log: Logger;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/healthz", async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: "ok", database: "ok" });
    } catch (error) {
      deps.log.error("health check: database unreachable", { error: (error as Error).name });
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });

  app.notFound((c) => c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}` }, 404));

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.log.error("unhandled error", { path: c.req.path, error: error.name });
    return c.json({ error: "internal_error", message: "Something went wrong on our side. It has been logged." }, 500);
  });

  return app;
}
