// Builds the optional chat model from configuration (LLM_PROVIDER, LLM_API_KEY, LLM_BASE_URL,
// LLM_MODEL). Provider packages are not dependencies of PlaceVoice: each is imported only when
// its provider is configured, and a missing one is reported by name.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";

export interface ChatModelConfig {
  readonly provider?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly model?: string | undefined;
}

export class ChatModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatModelConfigError";
  }
}

interface Provider {
  readonly packageName: string;
  readonly className: string;
  readonly defaultModel: string;
  readonly needsKey: boolean;
  fields(config: ChatModelConfig, model: string): Record<string, unknown>;
}

const PROVIDERS: Readonly<Record<string, Provider>> = {
  openai: {
    packageName: "@langchain/openai",
    className: "ChatOpenAI",
    defaultModel: "gpt-4o-mini",
    // An OpenAI-compatible server at LLM_BASE_URL may need no key.
    needsKey: false,
    fields: (c, model) => ({
      model,
      temperature: 0,
      apiKey: c.apiKey ?? "unused",
      ...(c.baseUrl ? { configuration: { baseURL: c.baseUrl } } : {}),
    }),
  },
  anthropic: {
    packageName: "@langchain/anthropic",
    className: "ChatAnthropic",
    defaultModel: "claude-3-5-haiku-latest",
    needsKey: true,
    fields: (c, model) => ({
      model,
      temperature: 0,
      apiKey: c.apiKey,
      ...(c.baseUrl ? { anthropicApiUrl: c.baseUrl } : {}),
    }),
  },
  ollama: {
    packageName: "@langchain/ollama",
    className: "ChatOllama",
    defaultModel: "llama3.2",
    needsKey: false,
    fields: (c, model) => ({ model, temperature: 0, ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}) }),
  },
};

export const SUPPORTED_PROVIDERS: readonly string[] = Object.keys(PROVIDERS);

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" ||
      code === "MODULE_NOT_FOUND" ||
      /Cannot find (?:module|package)|Failed to (?:resolve|load)/i.test(error.message)) &&
    error.message.includes(packageName)
  );
}

/**
 * The configured chat model, or undefined when no provider is set (the offline tagger is then
 * used). Throws ChatModelConfigError for an unknown provider, a missing key, or a provider
 * package that is not installed.
 */
export async function createChatModelFromConfig(config: ChatModelConfig): Promise<BaseChatModel | undefined> {
  const name = config.provider?.trim().toLowerCase();
  if (!name) return undefined;
  const provider = PROVIDERS[name];
  if (!provider) {
    throw new ChatModelConfigError(
      `Unknown LLM provider "${config.provider}". Use one of: ${SUPPORTED_PROVIDERS.join(", ")}.`,
    );
  }
  if (provider.needsKey && !config.apiKey) {
    throw new ChatModelConfigError(`LLM provider "${name}" needs an API key (LLM_API_KEY).`);
  }
  if (name === "openai" && !config.apiKey && !config.baseUrl) {
    throw new ChatModelConfigError(
      'LLM provider "openai" needs an API key (LLM_API_KEY), or LLM_BASE_URL for a compatible server that needs none.',
    );
  }
  let module: Record<string, unknown>;
  try {
    // A variable specifier: bundlers and the type checker must not require the package.
    const specifier: string = provider.packageName;
    module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (error) {
    if (isModuleNotFound(error, provider.packageName)) {
      throw new ChatModelConfigError(
        `LLM provider "${name}" needs the ${provider.packageName} package, which is not installed. Run: npm install ${provider.packageName}`,
      );
    }
    throw error;
  }
  const ChatModel = module[provider.className] as (new (fields: Record<string, unknown>) => BaseChatModel) | undefined;
  if (typeof ChatModel !== "function") {
    throw new ChatModelConfigError(
      `${provider.packageName} has no ${provider.className} export; is it a LangChain 1.x version?`,
    );
  }
  return new ChatModel(provider.fields(config, config.model ?? provider.defaultModel));
}
