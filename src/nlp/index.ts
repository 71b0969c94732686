// The text analysis room: theme tagging and redaction of free-text answers (DESIGN.md).
// Offline by default; a chat model is optional and only ever sees redacted text.
export { createTextAnalyser, type TextAnalysis, type TextAnalyserOptions } from "./analyse.js";
export {
  ChatModelConfigError,
  createChatModelFromConfig,
  SUPPORTED_PROVIDERS,
  type ChatModelConfig,
} from "./chat-model.js";
export {
  createLlmThemeTagger,
  createThemeTagger,
  DEFAULT_LLM_TIMEOUT_MS,
  THEME_DESCRIPTIONS,
  ThemeTaggerTimeoutError,
  themeTagsSchema,
  type ThemeTaggerOptions,
} from "./llm-theme-tagger.js";
export { findThemeClues, tagThemes, type ThemeClue } from "./offline-theme-tagger.js";
export { createOfflineThemeTagger, createRedactor } from "./pure-runnable.js";
export { analyseOffline } from "./offline-analyse.js";
export {
  findPersonalDetails,
  PLACEHOLDERS,
  redactPersonalDetails,
  type PersonalDetail,
  type PersonalDetailKind,
} from "./redact.js";
