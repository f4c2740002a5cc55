// The configuration layer: explicit options → environment → switchyard.toml (or JSON) → defaults, validated, with
// secrets masked whenever the result is printed.
export { isLoopbackHost } from './base-url.js';
export { CHAT_DEFAULT_NAMES } from './chat-defaults.js';
export {
  defaultEnv,
  ENV_VARIABLES,
  type EnvLayer,
  type EnvValues,
  parseBooleanText,
  parseNumberText,
  readEnv,
} from './env.js';
export { interpolateString } from './interpolate.js';
export {
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  loadConfig,
  type ParseConfigOptions,
  parseConfig,
} from './load-config.js';
export { isModelId, resolveAlias } from './model-id.js';
export type {
  ChatDefaults,
  ConfigSource,
  FileConfig,
  ModelConfig,
  ProviderConfig,
  ResolvedConfig,
  ResolvedProviderConfig,
  RetryOptions,
  SwitchyardOptions,
  TimeoutOptions,
} from './options.js';
export { isSecretKey, maskSecret, redactConfig, redactString } from './redact.js';
export { CONFIG_DEFAULTS, resolveConfig } from './resolve-config.js';
export { BUILTIN_PROVIDERS, DEFAULT_BASE_URL } from './resolve-providers.js';
export { type ParseTomlOptions, parseToml, TomlError, type TomlTable, type TomlValue } from './toml.js';
