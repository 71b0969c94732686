// A LangChain Runnable around a pure, synchronous function of a few microseconds (the offline
// tagger, the redactor). RunnableLambda would wrap each call in run tracking and async context
// (~100 µs here, several times the work itself, on every free-text answer); this calls the
// function directly. Composition (RunnableParallel, withFallbacks, batch, stream) works as
// for any Runnable; the composite's own run is still traced.
import { Runnable, type RunnableConfig } from "@langchain/core/runnables";

export class PureFunctionRunnable<RunInput, RunOutput> extends Runnable<RunInput, RunOutput> {
  lc_namespace = ["placevoice", "nlp"];

  constructor(
    private readonly fn: (input: RunInput) => RunOutput,
    name: string,
  ) {
    super();
    this.name = name;
  }

  override async invoke(input: RunInput, options?: Partial<RunnableConfig>): Promise<RunOutput> {
    options?.signal?.throwIfAborted();
    return this.fn(input);
  }
}
