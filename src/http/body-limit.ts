// Hono's bodyLimit, without its cost on the common case. It asks `c.req.raw.body` first, which
// makes @hono/node-server build a whole fetch Request (a web stream and an AbortController) for
// every request, defeating the adapter's direct read of the body; that was a tenth of the CPU
// of a webhook. A request that declares its Content-Length (Node's parser holds the body to it)
// is judged on that header alone; anything else (chunked) goes through Hono's middleware.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";

export function bodyLimit(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const streamed = honoBodyLimit(options);
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      // A length that is not a number is refused too (Node's parser would have refused it first).
      if (!(Number(length) <= options.maxSize)) return options.onError(c);
      await next();
      return;
    }
    return streamed(c, next);
  };
}
